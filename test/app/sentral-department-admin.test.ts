import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-department-admin.js';
import '../../src/app/sentral-admin.js';
import { apiClientContext } from '../../src/app/contexts.js';
import type { CommandParams, DepartmentConfig, QueueConfig } from '../../src/shared/protocol.js';
import { FakeApiClient, deepQuery, deepQueryAll, mount, must } from './fakes.js';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

const salgQueue: QueueConfig = {
  id: 'q-salg',
  name: 'Salg',
  number: '+4721000020',
  strategy: 'round-robin',
  ringTimeoutS: 20,
  wrapUpS: 10,
  maxWaitS: null,
  maxLength: null,
  overflowTarget: null,
  noAgentsTarget: null,
  autoPauseAfterMisses: null,
  isMain: false,
  members: [],
};

const salg: DepartmentConfig = {
  id: 'd-salg',
  name: 'Salg',
  number: '+4721000020',
  target: { kind: 'queue', id: 'q-salg' },
  people: 8,
};
const hostile: DepartmentConfig = {
  id: 'd-x',
  name: '<script>window.hacked = true</script><img src=x onerror="window.hacked=true">',
  number: null,
  target: null,
  people: 0,
};

function api() {
  const saved: Array<CommandParams<'department.save'>> = [];
  const fake = new FakeApiClient()
    .on('departments.list', () => ({ departments: [salg, hostile] }))
    .on('queues.config', () => ({
      queues: [salgQueue],
      answerGroups: [
        {
          id: 'g-it',
          name: 'IT-vakt',
          number: '1099',
          mode: 'parallel',
          ringTimeoutS: 15,
          fallback: null,
          members: [],
        },
      ],
      vip: [],
    }))
    .on('department.save', (p) => {
      saved.push(p);
      return {
        department: {
          id: p.departmentId ?? 'd-new',
          name: p.name,
          number: p.number,
          target: p.target,
          people: 0,
        },
      };
    });
  return { fake, saved };
}

describe('sentral-department-admin', () => {
  it('lists departments with number and target, names as text, and creates one', async function () {
    this.timeout(40_000); // axe on a loaded machine
    const { fake, saved } = api();
    const m = await mount(html`<sentral-department-admin></sentral-department-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(
      () => deepQueryAll(m.element, '[data-testid=department-list] tbody tr').length === 2,
    );
    const rows = deepQueryAll(m.element, '[data-testid=department-list] tbody tr');
    expect(text(rows[0] ?? null)).to.equal('Salg +4721000020 Queue Salg 8 Edit');
    // A name with markup stays text: no script, no image, nothing ran.
    expect(text(rows[1] ?? null)).to.contain('<script>window.hacked = true</script><img');
    expect(rows[1]?.querySelector('script, img')).to.equal(null);
    expect((window as { hacked?: boolean }).hacked).to.equal(undefined);

    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=department-new]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-form]'));
    await expect(m.element).shadowDom.to.be.accessible();
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=department-form]'));
    (form.querySelector('[name=name]') as HTMLInputElement).value = 'Innkjøp';
    (form.querySelector('[name=number]') as HTMLInputElement).value = '21 00 00 40';
    (form.querySelector('[data-testid=department-target]') as HTMLSelectElement).value =
      'answer-group:g-it';
    form.requestSubmit();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]).to.deep.equal({
      name: 'Innkjøp',
      number: '21 00 00 40',
      target: { kind: 'answer-group', id: 'g-it' },
    });
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-admin-note]'));
    expect(text(deepQuery(m.element, '[data-testid=department-admin-note]'))).to.equal(
      'Department Innkjøp saved.',
    );
    expect(deepQuery(m.element, '[data-testid=department-form]')).to.equal(null);
  });

  it('edits a department by id, keeps the form when the server refuses, and clears a target', async () => {
    const { fake } = api();
    fake.fail(
      'department.save',
      'conflict',
      'number: +4721000010 is already the number of department Sentralbord',
    );
    const m = await mount(html`<sentral-department-admin></sentral-department-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=department-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=department-form]'));
    expect((form.querySelector('[name=name]') as HTMLInputElement).value).to.equal('Salg');
    expect((form.querySelector('[name=target]') as HTMLSelectElement).value).to.equal(
      'queue:q-salg',
    );
    (form.querySelector('[name=number]') as HTMLInputElement).value = '21000010';
    (form.querySelector('[name=target]') as HTMLSelectElement).value = '';
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=department-admin-error]'))).to.equal(
      'number: +4721000010 is already the number of department Sentralbord',
    );
    expect(fake.sent.find((s) => s.type === 'department.save')?.params).to.deep.equal({
      departmentId: 'd-salg',
      name: 'Salg',
      number: '21000010',
      target: null,
    });
    expect(deepQueryAll(m.element, '[data-testid=department-form]')).to.have.length(1);
    expect(
      (deepQuery(m.element, '[data-testid=department-form] [name=number]') as HTMLInputElement)
        .value,
    ).to.equal('21000010');
  });

  it('deletes a department, and shows why when people still belong to it', async () => {
    const { fake } = api();
    let deleted = '';
    fake.fail(
      'department.delete',
      'conflict',
      '8 people belong to this department; move them first',
    );
    const m = await mount(html`<sentral-department-admin></sentral-department-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=department-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-delete]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=department-delete]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=department-admin-error]'))).to.equal(
      '8 people belong to this department; move them first',
    );
    expect(deleted).to.equal('');

    fake.on('department.delete', (p) => {
      deleted = p.departmentId;
      return {};
    });
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=department-delete]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=department-admin-note]'));
    expect(deleted).to.equal('d-salg');
    expect(text(deepQuery(m.element, '[data-testid=department-admin-note]'))).to.equal(
      'Department Salg deleted.',
    );
  });

  it('is part of the admin view’s people and departments tab', async () => {
    const { fake } = api();
    const m = await mount(html`<sentral-admin></sentral-admin>`, [[apiClientContext, fake]]);
    cleanup = m.cleanup;
    expect(text(deepQuery(m.element, '[data-testid=admin-tab-people]'))).to.equal(
      'People and departments',
    );
    await waitUntil(
      () => deepQueryAll(m.element, '[data-testid=department-list] tbody tr').length === 2,
    );
  });
});
