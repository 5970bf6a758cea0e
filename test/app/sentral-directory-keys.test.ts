/**
 * The directory list by keyboard: arrow keys choose a colleague (roving focus), Enter transfers
 * the call that talks to them blind (or calls them when idle), Shift+Enter consults; the keys are
 * in the shortcut map the help lists.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import {
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
} from '../../src/app/contexts.js';
import { SHORTCUTS, directoryActionFor } from '../../src/app/keyboard-shortcuts.js';
import '../../src/app/sentral-directory.js';
import type { SentralDirectory } from '../../src/app/sentral-directory.js';
import { switchboardModelContext } from '../../src/app/switchboard-contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { DirectoryEntry } from '../../src/shared/protocol.js';
import type { Party } from '../../src/sip/phone.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  deepQueryAll,
  kari,
  kariSip,
  mount,
  must,
  settle,
} from './fakes.js';

function person(id: string, displayName: string, extension: string): DirectoryEntry {
  return { id, username: id, displayName, extension, mobile: null, department: null, title: null };
}

const people = [
  person('1', 'Anne Berg', '1003'),
  person('2', 'Ola Hansen', '1007'),
  person('3', 'Per Lie', '1010'),
];
const caller: Party = { displayName: 'Kunde', number: '90000000', uri: 'sip:90000000@x' };

function key(target: Element, init: KeyboardEventInit): KeyboardEvent {
  const event = new KeyboardEvent('keydown', {
    bubbles: true,
    composed: true,
    cancelable: true,
    ...init,
  });
  target.dispatchEvent(event);
  return event;
}

describe('directory keyboard', () => {
  let services: Services;
  let phone: FakePhone;
  let api: FakeApiClient;
  let element: SentralDirectory;
  let cleanup: () => void = () => undefined;

  const rows = () => deepQueryAll<HTMLLIElement>(element, 'li[data-testid=directory-entry]');
  const focusedId = () => (element.shadowRoot?.activeElement as HTMLElement | null)?.dataset['id'];
  const result = () => deepQuery(element, '[data-testid=directory-result]');

  beforeEach(async () => {
    phone = new FakePhone();
    api = new FakeApiClient()
      .on('directory.list', () => ({ people }))
      .on('switchboard.snapshot', () => ({
        seq: 0,
        queues: [],
        callers: [],
        agents: [],
        stats: [],
        parked: [],
      }))
      .on('transfer.blind', () => ({}))
      .on('transfer.consult', () => ({}));
    services = assembleServices(api, () => phone);
    services.session.loggedIn(kari, kariSip);
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    await services.directory.load();
    const mounted = await mount<SentralDirectory>(html`<sentral-directory></sentral-directory>`, [
      [directoryModelContext, services.directory],
      [phoneServiceContext, services.phone],
      [linesModelContext, services.lines],
      [switchboardModelContext, services.switchboard],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
    await settle(element);
  });

  afterEach(() => cleanup());

  async function onCall() {
    phone.emit({ type: 'incoming', callId: 'c1', remote: caller, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    await settle(element);
  }

  it('goes from the search box into the list with ↓, and moves with ↑ ↓ Home End (one row tabbable)', async () => {
    const search = must(deepQuery<HTMLInputElement>(element, 'input[type=search]'));
    search.focus();
    key(search, { key: 'ArrowDown' });
    await settle(element);
    expect(focusedId()).to.equal('1');
    key(must(rows()[0]), { key: 'ArrowDown' });
    await settle(element);
    expect(focusedId()).to.equal('2');
    expect(rows().map((r) => r.tabIndex)).to.deep.equal([-1, 0, -1]);
    expect(rows()[1]?.getAttribute('aria-current')).to.equal('true');
    key(must(rows()[1]), { key: 'End' });
    expect(focusedId()).to.equal('3');
    key(must(rows()[2]), { key: 'ArrowDown' }); // stays on the last
    expect(focusedId()).to.equal('3');
    key(must(rows()[2]), { key: 'Home' });
    expect(focusedId()).to.equal('1');
    key(must(rows()[0]), { key: 'ArrowUp' });
    expect(focusedId()).to.equal('1');
  });

  it('Enter on a colleague calls them when no call is up', async () => {
    const event = key(must(rows()[1]), { key: 'Enter' });
    expect(event.defaultPrevented).to.equal(true);
    await waitUntil(() => phone.commands.includes('call 1007'));
    expect(api.sent.some((c) => c.type === 'transfer.blind')).to.equal(false);
  });

  it('Enter during a call transfers it blind to the chosen colleague and says so', async () => {
    await onCall();
    key(must(rows()[1]), { key: 'Enter' });
    await waitUntil(() => result()?.textContent?.trim() === 'Transferred to Ola Hansen.');
    expect(api.sent.filter((c) => c.type.startsWith('transfer.'))).to.deep.equal([
      { type: 'transfer.blind', params: { target: '1007' } },
    ]);
    expect(result()?.getAttribute('role')).to.equal('status');
    expect(phone.commands.some((c) => c.startsWith('call '))).to.equal(false);
  });

  it('Shift+Enter during a call consults the chosen colleague', async () => {
    await onCall();
    key(must(rows()[2]), { key: 'Enter', shiftKey: true });
    await waitUntil(() => result()?.textContent?.trim() === 'Consulting Per Lie.');
    expect(api.sent.filter((c) => c.type.startsWith('transfer.'))).to.deep.equal([
      { type: 'transfer.consult', params: { target: '1010' } },
    ]);
  });

  it('announces a refused transfer as an alert with the server’s reason', async () => {
    api.fail('transfer.blind', 'conflict', 'Ola Hansen is on another call.');
    await onCall();
    key(must(rows()[1]), { key: 'Enter' });
    await waitUntil(() => result()?.textContent?.trim() === 'Ola Hansen is on another call.');
    expect(result()?.getAttribute('role')).to.equal('alert');
  });

  it('leaves Enter on the row’s own call button to the button, and Shift+Enter alone when idle', async () => {
    const button = must(rows()[0]?.querySelector('button'));
    const onButton = key(button, { key: 'Enter' });
    expect(onButton.defaultPrevented).to.equal(false);
    const consultIdle = key(must(rows()[0]), { key: 'Enter', shiftKey: true });
    expect(consultIdle.defaultPrevented).to.equal(false);
    expect(api.sent.some((c) => c.type.startsWith('transfer.'))).to.equal(false);
  });

  it('declares the keys in the shortcut map (the help lists them)', () => {
    const base = { code: '', ctrlKey: false, altKey: false, metaKey: false };
    expect(directoryActionFor({ ...base, key: 'Enter', shiftKey: false })).to.equal(
      'directory-transfer',
    );
    expect(directoryActionFor({ ...base, key: 'Enter', shiftKey: true })).to.equal(
      'directory-consult',
    );
    expect(directoryActionFor({ ...base, key: 'ArrowDown', shiftKey: false })).to.equal(
      'directory-select',
    );
    expect(directoryActionFor({ ...base, key: 'Enter', shiftKey: false, ctrlKey: true })).to.equal(
      null,
    );
    const labels = SHORTCUTS.filter((s) => s.group === 'Directory').map((s) => s.label);
    expect(labels).to.deep.equal(['↓ ↑ Home End', 'Enter', 'Shift+Enter']);
  });
});
