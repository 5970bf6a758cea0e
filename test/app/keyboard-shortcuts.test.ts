import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-app.js';
import type { SentralApp } from '../../src/app/sentral-app.js';
import {
  SHORTCUTS,
  isTyping,
  shortcutFor,
  shortcutSignatures,
} from '../../src/app/keyboard-shortcuts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { SessionUser } from '../../src/shared/protocol.js';
import type { WaitingCaller } from '../../src/shared/switchboard.js';
import type { Party } from '../../src/sip/phone.js';
import { deleteCallLogDb } from '../../src/store/call-log-db.js';
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

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

function caller(callId: string, rank: number, extra: Partial<WaitingCaller> = {}): WaitingCaller {
  return {
    callId,
    queueId: 'q-main',
    number: '+4790000001',
    name: null,
    priority: 'normal',
    enteredAt: Date.now() - 60_000,
    rank,
    position: rank,
    state: 'waiting',
    ...extra,
  };
}

/** A key press as the browser sends it: numpad keys carry their `code`. */
function press(key: string, code = '', target: EventTarget = document.body): KeyboardEvent {
  const event = new KeyboardEvent('keydown', {
    key,
    code,
    bubbles: true,
    composed: true,
    cancelable: true,
  });
  target.dispatchEvent(event);
  return event;
}

describe('keyboard shortcut map', () => {
  it('binds no key twice', () => {
    const all = SHORTCUTS.flatMap(shortcutSignatures);
    const duplicates = all.filter((sig, i) => all.indexOf(sig) !== i);
    expect(duplicates).to.deep.equal([]);
    expect(all.length).to.be.greaterThan(10);
  });

  it('gives every shortcut a label and a description', () => {
    for (const s of SHORTCUTS) {
      expect(s.label, s.action).not.to.equal('');
      expect(s.description, s.action).not.to.equal('');
      expect(shortcutSignatures(s).length, s.label).to.be.greaterThan(0);
    }
  });

  it('reads numpad keys by physical key, before the character they type', () => {
    const at = (key: string, code: string) =>
      shortcutFor({ key, code, ctrlKey: false, altKey: false, metaKey: false })?.action;
    expect(at('Enter', 'NumpadEnter')).to.equal('answer');
    expect(at('-', 'NumpadSubtract')).to.equal('hangup');
    expect(at('*', 'NumpadMultiply')).to.equal('consult');
    expect(at('/', 'NumpadDivide')).to.equal('transfer');
    expect(at('+', 'NumpadAdd')).to.equal('complete-transfer');
    expect(at('.', 'NumpadDecimal')).to.equal('park');
    expect(at('Delete', 'NumpadDecimal')).to.equal('park'); // NumLock off
    expect(at('0', 'Numpad0')).to.equal('pick-next');
    expect(at('0', 'Digit0')).to.equal('dtmf');
    expect(at('*', 'Digit8')).to.equal('dtmf');
    expect(at('Enter', 'Enter')).to.equal('dial');
    expect(at('?', 'Slash')).to.equal('help');
    expect(at('F2', 'F2')).to.equal('answer');
    expect(
      shortcutFor({ key: 'F2', code: 'F2', ctrlKey: true, altKey: false, metaKey: false }),
    ).to.equal(null);
  });

  it('counts text fields and selects as typing, buttons not', () => {
    const input = document.createElement('input');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    expect(isTyping(input)).to.equal(true);
    expect(isTyping(document.createElement('textarea'))).to.equal(true);
    expect(isTyping(document.createElement('select'))).to.equal(true);
    expect(isTyping(checkbox)).to.equal(false);
    expect(isTyping(document.createElement('button'))).to.equal(false);
  });
});

describe('keyboard shortcuts in the app', () => {
  let services: Services;
  let phone: FakePhone;
  let api: FakeApiClient;
  let app: SentralApp;
  let cleanup: () => void = () => undefined;
  let dbName: string;

  async function setUp(user: SessionUser = kari, callers: WaitingCaller[] = []) {
    phone = new FakePhone();
    api = new FakeApiClient()
      .on('switchboard.snapshot', () => ({
        seq: 1,
        queues: [
          { id: 'q-main', name: 'Sentralbord', number: '+4721000000', strategy: 'ring-all' },
        ],
        callers,
        agents: [],
        stats: [],
        parked: [],
      }))
      .on('directory.list', () => ({ people: [] }))
      .on('queue.pick', () => ({}))
      .on('transfer.blind', () => ({}))
      .on('transfer.consult', () => ({}))
      .on('transfer.complete', () => ({}))
      .on('park.park', () => ({ slot: '7' }));
    dbName = `test-shortcuts-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    services = assembleServices(api, () => phone, { dbName: () => dbName });
    const m = await mount<SentralApp>(html`<sentral-app .services=${services}></sentral-app>`);
    app = m.element;
    cleanup = m.cleanup;
    services.session.loggedIn(user, kariSip);
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    await waitUntil(() => services.switchboard.state.status === 'live', 'switchboard not live');
    await settle(app);
  }

  async function inCall() {
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    await settle(app);
  }

  const help = () => must(deepQuery<HTMLDialogElement>(app, 'dialog[data-testid=shortcuts-help]'));
  /** The help is fetched when first opened: until then there is no dialog at all. */
  const helpShown = () =>
    deepQuery<HTMLDialogElement>(app, 'dialog[data-testid=shortcuts-help]')?.open ?? false;
  const sent = (type: string) => api.sent.filter((c) => c.type === type);

  afterEach(async () => {
    cleanup();
    services.session.loggedOut();
    await services.callLog.settled();
    await deleteCallLogDb(dbName);
  });

  it('opens the help with ? as a modal dialog listing every shortcut, and Escape closes it', async () => {
    await setUp();
    expect(helpShown()).to.equal(false);
    const event = press('?', 'Slash');
    expect(event.defaultPrevented).to.equal(true);
    await waitUntil(() => helpShown(), 'help did not open');
    expect(help().matches(':modal')).to.equal(true);
    expect(help().getAttribute('aria-labelledby')).to.equal('shortcuts-title');
    const rows = deepQueryAll(app, '[data-testid=shortcut]');
    expect(rows.length).to.equal(SHORTCUTS.length);
    expect(rows.map((r) => r.querySelector('kbd')?.textContent)).to.have.members(
      SHORTCUTS.map((s) => s.label),
    );
    // Focus moved into the dialog, onto its close button.
    const closeButton = must(deepQuery(app, 'button[data-testid=shortcuts-close]'));
    const helpElement = must(deepQuery(app, 'sentral-shortcuts-help'));
    expect(helpElement.shadowRoot?.activeElement).to.equal(closeButton);

    const escape = press('Escape', 'Escape', closeButton);
    expect(escape.defaultPrevented).to.equal(true);
    await waitUntil(() => !help().open, 'help did not close');
  });

  it('closes the help with its close button', async () => {
    await setUp();
    press('?', 'Slash');
    await waitUntil(() => helpShown());
    must(deepQuery<HTMLButtonElement>(app, 'button[data-testid=shortcuts-close]')).click();
    await waitUntil(() => !help().open);
  });

  it('does not hang up the call when Escape only closes the help', async () => {
    await setUp();
    await inCall();
    press('?', 'Slash');
    await waitUntil(() => helpShown());
    press('Escape', 'Escape', must(deepQuery(app, 'button[data-testid=shortcuts-close]')));
    await waitUntil(() => !help().open);
    await settle(app);
    expect(phone.commands.filter((c) => c.startsWith('hangup'))).to.deep.equal([]);
  });

  it('answers a ringing call with Numpad Enter and hangs up with Numpad −', async () => {
    await setUp();
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await settle(app);
    expect(press('Enter', 'NumpadEnter').defaultPrevented).to.equal(true);
    await waitUntil(() => phone.commands.includes('answer c1'), 'not answered');
    phone.emit({ type: 'established', callId: 'c1' });
    await settle(app);
    press('-', 'NumpadSubtract');
    await waitUntil(() => phone.commands.includes('hangup c1'), 'not hung up');
  });

  it('picks the first caller of the merged queue with Numpad 0', async () => {
    await setUp(kari, [
      caller('later', 20),
      caller('being-picked', 5, { state: 'picked' }),
      caller('first', 10),
    ]);
    press('0', 'Numpad0');
    await waitUntil(() => sent('queue.pick').length === 1, 'nothing picked');
    expect(sent('queue.pick')[0]?.params).to.deep.equal({ callId: 'first' });
  });

  it('says why, as an alert, when the server refuses the pick', async () => {
    await setUp(kari, [caller('first', 10)]);
    api.fail('queue.pick', 'conflict', 'Someone else is already taking this caller.');
    press('F8', 'F8');
    await waitUntil(() => deepQuery(app, '[data-testid=shortcut-note]'), 'no note');
    const note = must(deepQuery(app, '[data-testid=shortcut-note]'));
    expect(note.getAttribute('role')).to.equal('alert');
    expect(note.textContent?.trim()).to.equal('Someone else is already taking this caller.');
  });

  it('sends DTMF 0 instead of picking when Numpad 0 is pressed during a call', async () => {
    await setUp(kari, [caller('first', 10)]);
    await inCall();
    press('0', 'Numpad0');
    await waitUntil(() => phone.commands.includes('dtmf c1 0'), 'no DTMF');
    expect(sent('queue.pick')).to.deep.equal([]);
  });

  it('transfers to the target in the transfer box with Numpad /, focusing the box when empty', async () => {
    await setUp();
    await inCall();
    const box = must(deepQuery<HTMLInputElement>(app, 'input[data-testid=transfer-target]'));
    press('/', 'NumpadDivide');
    await settle(app);
    const actions = must(deepQuery(app, 'sentral-call-actions'));
    expect(actions.shadowRoot?.activeElement).to.equal(box);
    expect(sent('transfer.blind')).to.deep.equal([]);

    box.value = '1007';
    box.dispatchEvent(new Event('input'));
    press('/', 'NumpadDivide', box); // allowed inside the transfer box
    await waitUntil(() => sent('transfer.blind').length === 1, 'not transferred');
    expect(sent('transfer.blind')[0]?.params).to.deep.equal({ target: '1007' });
    await waitUntil(() => deepQuery(app, '[data-testid=shortcut-note]'));
    expect(deepQuery(app, '[data-testid=shortcut-note]')?.textContent).to.contain('1007');
  });

  it('consults with Numpad *, parks with Numpad . (not sending DTMF *)', async () => {
    await setUp();
    await inCall();
    const box = must(deepQuery<HTMLInputElement>(app, 'input[data-testid=transfer-target]'));
    box.value = '1007';
    box.dispatchEvent(new Event('input'));
    press('*', 'NumpadMultiply');
    await waitUntil(() => sent('transfer.consult').length === 1, 'no consult');
    expect(sent('transfer.consult')[0]?.params).to.deep.equal({ target: '1007' });
    press('.', 'NumpadDecimal');
    await waitUntil(() => sent('park.park').length === 1, 'not parked');
    expect(phone.commands.filter((c) => c.startsWith('dtmf'))).to.deep.equal([]);
  });

  it('fires nothing while typing in a field', async () => {
    await setUp(kari, [caller('first', 10)]);
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await settle(app);
    const search = must(deepQuery<HTMLInputElement>(app, 'input[type=search]'));
    search.focus();
    for (const [key, code] of [
      ['Enter', 'NumpadEnter'],
      ['-', 'NumpadSubtract'],
      ['0', 'Numpad0'],
      ['/', 'NumpadDivide'],
      ['?', 'Slash'],
    ] as const) {
      expect(press(key, code, search).defaultPrevented, code).to.equal(false);
    }
    await settle(app);
    expect(helpShown()).to.equal(false);
    expect(phone.commands.filter((c) => /^(answer|reject|hangup)/.test(c))).to.deep.equal([]);
    expect(sent('queue.pick')).to.deep.equal([]);
  });

  it('leaves the switchboard keys alone for a user who is not an operator', async () => {
    await setUp({ ...kari, role: 'user' }, [caller('first', 10)]);
    await inCall();
    press('*', 'NumpadMultiply');
    await waitUntil(() => phone.commands.includes('dtmf c1 *'), 'Numpad * did not send DTMF');
    expect(sent('transfer.consult')).to.deep.equal([]);
  });
});
