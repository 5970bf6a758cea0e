import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-people-admin.js';
import { apiClientContext } from '../../src/app/contexts.js';
import type { CommandResult } from '../../src/shared/protocol.js';
import { FakeApiClient, deepQuery, deepQueryAll, mount, must } from './fakes.js';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

type Person = CommandResult<'people.list'>['people'][number];
const person = (id: string, displayName: string, role: Person['role'], more = {}): Person => ({
  id,
  username: id,
  displayName,
  extension: '',
  mobile: null,
  department: null,
  title: null,
  role,
  ...more,
});
const kari = person('kari.nordmann', 'Kari Nordmann', 'operator', {
  extension: '1001',
  department: 'Sentralbord',
});
const hostile = person('x', '<img src=x onerror="window.pwned=true">Åse', 'agent');
const tavle = person('tavle', 'Køtavle', 'board');

function api(people: Person[] = [kari, hostile, tavle]) {
  return new FakeApiClient().on('people.list', () => ({ people }));
}

async function mountWith(fake: FakeApiClient) {
  const m = await mount(html`<sentral-people-admin></sentral-people-admin>`, [
    [apiClientContext, fake],
  ]);
  cleanup = m.cleanup;
  await waitUntil(() => deepQuery(m.element, '[data-testid=people-list] tbody tr'));
  return m;
}

const rows = (el: Element) => deepQueryAll(el, '[data-testid=people-list] tbody tr');

describe('sentral-people-admin', () => {
  it('lists everyone with their role, names as text, and finds people with or without accents', async function () {
    this.timeout(40_000); // axe on a loaded machine
    const m = await mountWith(api());
    expect(rows(m.element).map((r) => text(r))).to.deep.equal([
      'Kari Nordmann kari.nordmann 1001 Sentralbord operator — Manage',
      '<img src=x onerror="window.pwned=true">Åse x — — agent — Manage',
      'Køtavle tavle — — board — Manage',
    ]);
    expect(deepQuery(m.element, '[data-testid=people-list] img')).to.equal(null);
    expect((window as { pwned?: boolean }).pwned).to.equal(undefined);
    const filter = must(deepQuery<HTMLInputElement>(m.element, '[data-testid=people-filter]'));
    filter.value = 'ase';
    filter.dispatchEvent(new Event('input'));
    await waitUntil(() => rows(m.element).length === 1);
    expect(text(rows(m.element)[0] ?? null)).to.contain('Åse');
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-manage]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=person-panel]'));
    await expect(m.element).shadowDom.to.be.accessible();
  });

  it('says who logs in with a second factor, and who must but has not set it up', async () => {
    const m = await mountWith(
      api([
        person('a', 'Anne Admin', 'admin', { twoFactor: { enabled: true, required: true } }),
        person('b', 'Bent Agent', 'agent', { twoFactor: { enabled: false, required: false } }),
        person('c', 'Cecilie Ny', 'admin', { twoFactor: { enabled: false, required: true } }),
      ]),
    );
    expect(
      deepQueryAll(m.element, '[data-testid=person-two-factor]').map((c) => text(c)),
    ).to.deep.equal(['On', 'Off', 'Required, not set up']);
  });

  it('shows at most 100 rows and says how many more there are', async () => {
    const many = Array.from({ length: 130 }, (_, i) => person(`p${i}`, `Person ${i}`, 'agent'));
    const m = await mountWith(api(many));
    expect(rows(m.element)).to.have.length(100);
    expect(text(deepQuery(m.element, '[data-testid=people-more]'))).to.equal(
      '30 more — type to narrow the list.',
    );
  });

  it('sets a password and resets two-factor login for the chosen person', async () => {
    const fake = api()
      .on('people.set_password', () => ({}))
      .on('twofactor.reset', () => ({}));
    const m = await mountWith(fake);
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-manage]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=password-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=password-form]'));
    (form.querySelector('[name=password]') as HTMLInputElement).value = 'nytt-passord-1';
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=people-admin-note]'));
    expect(fake.sent.find((s) => s.type === 'people.set_password')?.params).to.deep.equal({
      userId: 'kari.nordmann',
      password: 'nytt-passord-1',
    });
    expect((form.querySelector('[name=password]') as HTMLInputElement).value).to.equal('');

    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=twofactor-reset]')).click();
    await waitUntil(() => fake.sent.some((s) => s.type === 'twofactor.reset'));
    expect(fake.sent.find((s) => s.type === 'twofactor.reset')?.params).to.deep.equal({
      userId: 'kari.nordmann',
    });
    await waitUntil(() =>
      text(deepQuery(m.element, '[data-testid=people-admin-note]')).startsWith(
        'Two-factor login reset for Kari Nordmann',
      ),
    );
  });

  it('sets and removes a calendar feed for the chosen person; a refused URL is explained', async () => {
    const fake = api().fail('calendar.set', 'bad_request', 'url: not an http(s) URL');
    const m = await mountWith(fake);
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-manage]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=calendar-form]'));
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=calendar-form]'));
    const url = form.querySelector('[name=url]') as HTMLInputElement;
    url.value = 'https://calendar.example/kari.ics';
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=people-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=people-admin-error]'))).to.equal(
      'url: not an http(s) URL',
    );
    expect(url.value).to.equal('https://calendar.example/kari.ics');

    fake.on('calendar.set', () => ({}));
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=people-admin-note]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=calendar-clear]')).click();
    await waitUntil(() =>
      text(deepQuery(m.element, '[data-testid=people-admin-note]')).startsWith(
        'Calendar feed removed',
      ),
    );
    expect(fake.sent.filter((s) => s.type === 'calendar.set').map((s) => s.params)).to.deep.equal([
      { userId: 'kari.nordmann', url: 'https://calendar.example/kari.ics' },
      { userId: 'kari.nordmann', url: 'https://calendar.example/kari.ics' },
      { userId: 'kari.nordmann', url: null },
    ]);
  });

  it('deletes only after a second click, and shows why when the server refuses', async () => {
    const fake = api().fail(
      'people.delete',
      'conflict',
      'Kari Nordmann is still the fallback of an answer group',
    );
    const m = await mountWith(fake);
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-manage]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=person-delete]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-delete]')).click();
    expect(fake.sent.some((s) => s.type === 'people.delete')).to.equal(false);
    await waitUntil(() => deepQuery(m.element, '[data-testid=person-delete-confirm]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-delete-confirm]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=people-admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=people-admin-error]'))).to.equal(
      'Kari Nordmann is still the fallback of an answer group',
    );
    expect(rows(m.element)).to.have.length(3);

    fake.on('people.delete', () => ({})).on('people.list', () => ({ people: [hostile, tavle] }));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-delete]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=person-delete-confirm]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-delete-confirm]')).click();
    await waitUntil(() => rows(m.element).length === 2);
    expect(text(deepQuery(m.element, '[data-testid=people-admin-note]'))).to.equal(
      'Kari Nordmann deleted.',
    );
    expect(deepQuery(m.element, '[data-testid=person-panel]')).to.equal(null);
  });
});
