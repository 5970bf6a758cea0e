import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-directory.js';
import type { SentralDirectory } from '../../src/app/sentral-directory.js';
import {
  linesModelContext,
  directoryModelContext,
  phoneServiceContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { DirectoryEntry } from '../../src/shared/protocol.js';
import { filterPeople, personForNumber, sortPeople } from '../../src/store/directory-model.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  deepQueryAll,
  kariSip,
  mount,
  must,
} from './fakes.js';

function person(
  id: string,
  displayName: string,
  extension: string,
  extra: Partial<DirectoryEntry> = {},
): DirectoryEntry {
  return {
    id,
    username: id,
    displayName,
    extension,
    mobile: null,
    department: null,
    title: null,
    ...extra,
  };
}

const people = [
  person('1', 'Øystein Berg', '1003', { department: 'Salg' }),
  person('2', 'Ola Hansen', '1007', { mobile: '+47 912 34 567', title: 'Selger' }),
  person('3', 'Åse Ødegård', '1010'),
  person('4', '<img src=x onerror=alert(1)>', '1099'),
];

describe('directory helpers', () => {
  it('sorts by name in Norwegian order (Ø and Å last)', () => {
    expect(sortPeople(people).map((p) => p.displayName)).to.deep.equal([
      '<img src=x onerror=alert(1)>',
      'Ola Hansen',
      'Øystein Berg',
      'Åse Ødegård',
    ]);
  });

  it('searches name, number and department, ignoring case and accents', () => {
    expect(filterPeople(people, 'ODEGARD').map((p) => p.id)).to.deep.equal(['3']);
    expect(filterPeople(people, 'salg').map((p) => p.id)).to.deep.equal(['1']);
    expect(filterPeople(people, 'ola 1007').map((p) => p.id)).to.deep.equal(['2']);
    expect(filterPeople(people, '  ')).to.have.length(4);
  });

  it('gives the same matches typed letter by letter, backspaced and retyped, as searched afresh', () => {
    const list = [...people];
    const steps = [
      'o',
      'ol',
      'ola',
      'ola 1',
      'ola 10',
      'ola',
      'o',
      'øy',
      'oy',
      's',
      'sa',
      'salg',
      '',
    ];
    for (const q of steps) {
      const fresh = filterPeople([...list], q).map((p) => p.id);
      expect(
        filterPeople(list, q).map((p) => p.id),
        q,
      ).to.deep.equal(fresh);
    }
  });

  it('finds a colleague by extension or mobile, whatever the formatting', () => {
    expect(personForNumber(people, '1007')?.displayName).to.equal('Ola Hansen');
    expect(personForNumber(people, '+4791234567')?.displayName).to.equal('Ola Hansen');
    expect(personForNumber(people, '5555')).to.equal(null);
    expect(personForNumber(people, '')).to.equal(null);
  });
});

describe('sentral-directory', () => {
  let services: Services;
  let phone: FakePhone;
  let element: SentralDirectory;
  let cleanup: () => void = () => undefined;

  beforeEach(async () => {
    phone = new FakePhone();
    const api = new FakeApiClient().on('directory.list', () => ({ people }));
    services = assembleServices(api, () => phone);
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    await services.directory.load();
    const mounted = await mount<SentralDirectory>(html`<sentral-directory></sentral-directory>`, [
      [directoryModelContext, services.directory],
      [phoneServiceContext, services.phone],
      [linesModelContext, services.lines],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
  });

  afterEach(() => cleanup());

  it('lists colleagues with names as text', async () => {
    const rows = deepQueryAll(element, '[data-testid=directory-entry]');
    expect(rows).to.have.length(4);
    expect(deepQueryAll(element, 'img')).to.have.length(0);
    expect(rows[0]?.textContent).to.contain('<img src=x onerror=alert(1)>');
  });

  it('narrows the list as you type', async () => {
    const search = must(deepQuery<HTMLInputElement>(element, 'input[type=search]'));
    search.value = 'hansen';
    search.dispatchEvent(new InputEvent('input'));
    await element.updateComplete;
    expect(deepQueryAll(element, '[data-testid=directory-entry]')).to.have.length(1);
  });

  it("shows a colleague's mobile, written for people, and calls it with one click", async () => {
    const mobile = must(
      deepQueryAll<HTMLButtonElement>(element, 'button[data-testid=directory-call-mobile]').find(
        (b) => b.getAttribute('aria-label')?.includes('Ola Hansen'),
      ),
    );
    expect(mobile.textContent?.trim()).to.equal('📱 +47 912 34 567');
    mobile.click();
    await waitUntil(() => phone.commands.includes('call +47 912 34 567'));
  });

  it('calls a colleague by extension with one click, and not during a call', async () => {
    const buttons = deepQueryAll<HTMLButtonElement>(element, 'button[data-testid=directory-call]');
    const ola = must(buttons.find((b) => b.textContent?.includes('1007')));
    ola.click();
    await waitUntil(() => phone.commands.includes('call 1007'));
    phone.emit({
      type: 'outgoing',
      callId: 'c1',
      remote: { displayName: '', number: '1007', uri: 'sip:1007@x' },
    });
    await element.updateComplete;
    expect(ola.disabled).to.equal(true);
  });
});

describe('sentral-directory over a large directory', () => {
  /** 260 colleagues: 230 in Salg (some written with accents), 30 in Økonomi. */
  const many = Array.from({ length: 260 }, (_, i) =>
    person(`m${i}`, `${i % 3 === 0 ? 'Åse' : 'Ola'} Nordmann ${i}`, String(20000 + i), {
      department: i < 230 ? 'Salg' : 'Økonomi',
    }),
  );
  let element: SentralDirectory;
  let cleanup: () => void = () => undefined;

  beforeEach(async () => {
    const api = new FakeApiClient().on('directory.list', () => ({ people: many }));
    const services = assembleServices(api, () => new FakePhone());
    await services.directory.load();
    const mounted = await mount<SentralDirectory>(html`<sentral-directory></sentral-directory>`, [
      [directoryModelContext, services.directory],
      [phoneServiceContext, services.phone],
      [linesModelContext, services.lines],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
  });

  afterEach(() => cleanup());

  async function type(query: string) {
    const search = must(deepQuery<HTMLInputElement>(element, 'input[type=search]'));
    search.value = query;
    search.dispatchEvent(new InputEvent('input'));
    await element.updateComplete;
  }
  const rows = () =>
    deepQueryAll(element, '[data-testid=directory-entry]').map((r) => r.dataset['id']);
  const notes = () =>
    deepQueryAll(element, 'p.empty').map((p) => p.textContent?.replace(/\s+/g, ' ').trim());

  it('lists the first 100 matches in directory order and says how many there are', async () => {
    await type('salg');
    const sorted = sortPeople(many);
    expect(rows()).to.deep.equal(
      filterPeople(sorted, 'salg')
        .slice(0, 100)
        .map((p) => p.id),
    );
    expect(notes()).to.deep.equal(['Showing 100 of 230; refine the search.']);

    await type('ase 2');
    const expected = filterPeople(sorted, 'ase 2').map((p) => p.id);
    expect(expected.length).to.be.within(1, 199);
    expect(rows()).to.deep.equal(expected);
    expect(notes()).to.deep.equal([]);
  });

  it('says so when no one matches', async () => {
    await type('økonomi salg');
    expect(rows()).to.deep.equal([]);
    expect(notes()).to.deep.equal(['No one matches.']);
  });
});
