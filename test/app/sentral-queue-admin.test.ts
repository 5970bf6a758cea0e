import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-queue-admin.js';
import { apiClientContext } from '../../src/app/contexts.js';
import type { AnswerGroupConfig, CommandParams, QueueConfig } from '../../src/shared/protocol.js';
import { FakeApiClient, deepQuery, deepQueryAll, mount, must } from './fakes.js';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

const main: QueueConfig = {
  id: 'q1',
  name: 'Sentralbord',
  number: '+4721000000',
  strategy: 'longest-idle',
  ringTimeoutS: 20,
  wrapUpS: 10,
  maxWaitS: 120,
  maxLength: null,
  overflowTarget: null,
  noAgentsTarget: null,
  autoPauseAfterMisses: 3,
  isMain: true,
  members: ['u1'],
};

const people = [
  {
    id: 'u1',
    username: 'kari',
    displayName: '<b>Kari</b> Nordmann',
    extension: '1001',
    mobile: null,
    department: null,
    title: null,
  },
  {
    id: 'u2',
    username: 'ola',
    displayName: 'Ola Hansen',
    extension: '1007',
    mobile: null,
    department: null,
    title: null,
  },
];

function api() {
  const saved: Array<CommandParams<'queue.save'>> = [];
  const fake = new FakeApiClient()
    .on('queues.config', () => ({
      queues: [main],
      answerGroups: [],
      vip: [{ pattern: '+4741*', label: 'Styret' }],
    }))
    .on('directory.list', () => ({ people }))
    .on('queue.save', (p) => {
      saved.push(p);
      return { queue: { ...main, ...p, id: p.queueId ?? 'q2' } };
    });
  return { fake, saved };
}

describe('sentral-queue-admin', () => {
  it('lists queues with members as text, and creates a queue from the form', async function () {
    this.timeout(40_000); // axe on a loaded machine
    const { fake, saved } = api();
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-list] tbody tr'));
    const row = must(deepQuery(m.element, '[data-testid=queue-list] tbody tr'));
    expect(text(row)).to.contain(
      'Sentralbord (main number) +4721000000 Longest idle <b>Kari</b> Nordmann',
    );
    expect(row.querySelector('b')).to.equal(null);
    expect(
      must(deepQuery<HTMLTextAreaElement>(m.element, '[data-testid=vip-list]')).value.trim(),
    ).to.equal('+4741*, Styret');

    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=queue-new]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-form]'));
    await expect(m.element).shadowDom.to.be.accessible();
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=queue-form]'));
    (form.querySelector('[name=name]') as HTMLInputElement).value = 'Support';
    (form.querySelector('[name=number]') as HTMLInputElement).value = '21 00 00 99';
    (form.querySelector('[name=strategy]') as HTMLSelectElement).value = 'serial';
    (form.querySelector('[name=maxWaitS]') as HTMLInputElement).value = '90';
    (form.querySelector('[data-testid=queue-overflow]') as HTMLSelectElement).value = 'queue:q1';
    for (const box of form.querySelectorAll<HTMLInputElement>('[name=members]')) box.checked = true;
    form.requestSubmit();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]).to.deep.equal({
      name: 'Support',
      number: '21 00 00 99',
      strategy: 'serial',
      ringTimeoutS: 20,
      wrapUpS: 10,
      maxWaitS: 90,
      maxLength: null,
      autoPauseAfterMisses: 3,
      overflowTarget: { kind: 'queue', id: 'q1' },
      noAgentsTarget: null,
      isMain: false,
      members: ['u1', 'u2'],
    });
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-admin-note]'));
    expect(text(deepQuery(m.element, '[data-testid=queue-admin-note]'))).to.equal(
      'Queue Support saved.',
    );
  });

  it('edits an existing queue by id, and shows the server reason when a save is refused', async () => {
    const { fake } = api();
    fake.fail('queue.save', 'conflict', 'The number +4721000020 is already in use.');
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=queue-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=queue-form]'));
    expect((form.querySelector('[name=name]') as HTMLInputElement).value).to.equal('Sentralbord');
    expect((form.querySelector('[name=isMain]') as HTMLInputElement).checked).to.equal(true);
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=queue-admin-error]'))).to.equal(
      'The number +4721000020 is already in use.',
    );
    const sent = fake.sent.filter((s) => s.type === 'queue.save');
    expect((sent[0]?.params as { queueId?: string }).queueId).to.equal('q1');
    // The form stays open with what was typed.
    expect(deepQueryAll(m.element, '[data-testid=queue-form]')).to.have.length(1);
  });

  it('keeps the serial order of a queue’s members; newly ticked ones go last', async () => {
    const { fake, saved } = api();
    fake.on('queues.config', () => ({
      queues: [{ ...main, strategy: 'serial', members: ['u2'] }],
      answerGroups: [],
      vip: [],
    }));
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=queue-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=queue-form]'));
    for (const box of form.querySelectorAll<HTMLInputElement>('[name=members]')) box.checked = true;
    form.requestSubmit();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]?.members).to.deep.equal(['u2', 'u1']);
  });

  it('saves the VIP list line by line with labels', async () => {
    const { fake } = api();
    let entries: CommandParams<'vip.set'>['entries'] = [];
    fake.on('vip.set', (p) => {
      entries = p.entries;
      return { vip: [{ pattern: '+4790000001', label: 'Styreleder, AS' }] };
    });
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=vip-list]'));
    const area = must(deepQuery<HTMLTextAreaElement>(m.element, '[data-testid=vip-list]'));
    area.value = '900 00 001, Styreleder, AS\n\n  41*  \n';
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=vip-save]')).click();
    await waitUntil(() => entries.length > 0);
    expect(entries).to.deep.equal([
      { pattern: '900 00 001', label: 'Styreleder, AS' },
      { pattern: '41*', label: null },
    ]);
  });
});

const itGroup: AnswerGroupConfig = {
  id: 'g1',
  name: 'IT-vakt',
  number: '1099',
  mode: 'parallel',
  ringTimeoutS: 15,
  fallback: { kind: 'user', id: 'u1' },
  members: ['u2'],
};

function groupApi() {
  const { fake } = api();
  const saved: Array<CommandParams<'answergroup.save'>> = [];
  fake
    .on('queues.config', () => ({ queues: [main], answerGroups: [itGroup], vip: [] }))
    .on('answergroup.save', (p) => {
      saved.push(p);
      return { answerGroup: { ...itGroup, ...p, id: p.groupId ?? 'g2' } };
    });
  return { fake, saved };
}

describe('sentral-queue-admin answer groups', () => {
  it('lists answer groups with ringing, fallback and members as text, and creates one', async function () {
    this.timeout(40_000); // axe on a loaded machine
    const { fake, saved } = groupApi();
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=answer-groups] tbody tr'));
    const row = must(deepQuery(m.element, '[data-testid=answer-groups] tbody tr'));
    expect(text(row)).to.equal(
      'IT-vakt 1099 All at once, 15 s <b>Kari</b> Nordmann Ola Hansen Edit',
    );
    expect(row.querySelector('b')).to.equal(null);

    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=group-new]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-form]'));
    await expect(m.element).shadowDom.to.be.accessible();
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=group-form]'));
    (form.querySelector('[name=name]') as HTMLInputElement).value = 'Ledelsen';
    (form.querySelector('[name=number]') as HTMLInputElement).value = '1095';
    (form.querySelector('[name=mode]') as HTMLSelectElement).value = 'serial';
    (form.querySelector('[name=ringTimeoutS]') as HTMLInputElement).value = '25';
    (form.querySelector('[data-testid=group-fallback]') as HTMLSelectElement).value = 'queue:q1';
    for (const box of form.querySelectorAll<HTMLInputElement>('[name=members]')) box.checked = true;
    form.requestSubmit();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]).to.deep.equal({
      name: 'Ledelsen',
      number: '1095',
      mode: 'serial',
      ringTimeoutS: 25,
      fallback: { kind: 'queue', id: 'q1' },
      members: ['u1', 'u2'],
    });
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-admin-note]'));
    expect(text(deepQuery(m.element, '[data-testid=queue-admin-note]'))).to.equal(
      'Answer group Ledelsen saved.',
    );
    expect(deepQuery(m.element, '[data-testid=group-form]')).to.equal(null);
  });

  it('edits a group by id keeping its ringing order, and keeps the form when refused', async () => {
    const { fake, saved } = groupApi();
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=group-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=group-form]'));
    expect((form.querySelector('[name=name]') as HTMLInputElement).value).to.equal('IT-vakt');
    expect((form.querySelector('[name=fallback]') as HTMLSelectElement).value).to.equal('user:u1');
    // Kari is ticked after Ola: she rings second.
    for (const box of form.querySelectorAll<HTMLInputElement>('[name=members]')) box.checked = true;
    (form.querySelector('[name=fallback]') as HTMLSelectElement).value = '';
    form.requestSubmit();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]).to.deep.equal({
      groupId: 'g1',
      name: 'IT-vakt',
      number: '1099',
      mode: 'parallel',
      ringTimeoutS: 15,
      fallback: null,
      members: ['u2', 'u1'],
    });

    fake.fail('answergroup.save', 'conflict', 'number: 1099 is already a queue’s number');
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=group-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-form]'));
    must(deepQuery<HTMLFormElement>(m.element, '[data-testid=group-form]')).requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=queue-admin-error]'))).to.equal(
      'number: 1099 is already a queue’s number',
    );
    expect(deepQueryAll(m.element, '[data-testid=group-form]')).to.have.length(1);
  });

  it('deletes an answer group', async () => {
    const { fake } = groupApi();
    let deleted = '';
    fake.on('answergroup.delete', (p) => {
      deleted = p.groupId;
      return {};
    });
    const m = await mount(html`<sentral-queue-admin></sentral-queue-admin>`, [
      [apiClientContext, fake],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-edit]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=group-edit]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=group-delete]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=group-delete]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=queue-admin-note]'));
    expect(deleted).to.equal('g1');
    expect(text(deepQuery(m.element, '[data-testid=queue-admin-note]'))).to.equal(
      'Answer group IT-vakt deleted.',
    );
  });
});
