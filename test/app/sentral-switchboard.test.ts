import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { SWITCHBOARD_LOADERS } from '../../src/app/sentral-switchboard.js';
import {
  apiClientContext,
  directoryModelContext,
  linesModelContext,
} from '../../src/app/contexts.js';
import { switchboardModelContext } from '../../src/app/switchboard-contexts.js';
import type { DirectoryEntry, EventFrame } from '../../src/shared/protocol.js';
import type { SwitchboardSnapshot, WaitingCaller } from '../../src/shared/switchboard.js';
import { DirectoryModel } from '../../src/store/directory-model.js';
import { LinesModel } from '../../src/store/lines-model.js';
import { SessionModel } from '../../src/store/session-model.js';
import { SwitchboardModel } from '../../src/store/switchboard-model.js';
import { FakeApiClient, deepQuery, deepQueryAll, kari, kariSip, mount, must } from './fakes.js';

const now = Date.now();

function caller(callId: string, extra: Partial<WaitingCaller> = {}): WaitingCaller {
  return {
    callId,
    queueId: 'q-main',
    number: '+4790000001',
    name: null,
    priority: 'normal',
    enteredAt: now - 65_000,
    rank: now - 65_000,
    position: 1,
    state: 'waiting',
    ...extra,
  };
}

const people: DirectoryEntry[] = [
  {
    id: 'u-ola',
    username: 'ola.hansen',
    displayName: 'Ola Hansen',
    extension: '1007',
    mobile: '+4791234567',
    department: 'Salg',
    title: null,
  },
  {
    id: kari.id,
    username: kari.username,
    displayName: kari.displayName,
    extension: kari.extension,
    mobile: null,
    department: null,
    title: null,
  },
];

function snapshot(seq: number, callers: WaitingCaller[]): SwitchboardSnapshot {
  return {
    seq,
    queues: [
      { id: 'q-main', name: 'Sentralbord', number: '+4721000000', strategy: 'ring-all' },
      { id: 'q-sales', name: 'Salg', number: '+4721000020', strategy: 'round-robin' },
    ],
    callers,
    agents: [
      {
        queueId: 'q-main',
        agentId: kari.id,
        state: 'available',
        reason: null,
        since: now - 1000,
      },
    ],
    stats: [],
    parked: [
      {
        slot: '1',
        callId: 'parked-1',
        number: '+4790000099',
        name: 'Parkert Kunde',
        parkedBy: 'u-ola',
        parkedAt: now - 30_000,
      },
    ],
  };
}

async function setUp(callers: WaitingCaller[], loaders = SWITCHBOARD_LOADERS) {
  const notes: Array<{
    id: number;
    body: string;
    author: string;
    createdAt: number;
    updatedAt: number;
  }> = [
    {
      id: 1,
      body: '<script>alert(1)</script> Vil ha faktura',
      author: 'Åse Strøm',
      createdAt: now,
      updatedAt: now,
    },
  ];
  const api = new FakeApiClient()
    .on('switchboard.snapshot', () => snapshot(10, callers))
    .on('directory.list', () => ({ people }))
    .on('queue.pick', () => ({}))
    .on('agent.logout', () => ({}))
    .on('agent.pause', () => ({}))
    .on('transfer.blind', () => ({}))
    .on('transfer.consult', () => ({}))
    .on('transfer.swap', () => ({ talkingTo: 'caller' as const }))
    .on('park.pickup', () => ({}))
    .on('caller.history', ({ number }) => ({
      number,
      calls: [
        {
          callId: 'old',
          startedAt: Date.UTC(2026, 10, 2, 9, 15),
          answeredAt: Date.UTC(2026, 10, 2, 9, 15, 20),
          endedAt: Date.UTC(2026, 10, 2, 9, 17, 20),
          outcome: 'transferred',
          queue: 'Sentralbord',
          answeredBy: 'Kari Nordmann',
          transferredTo: '1007',
          transferredBy: 'Kari Nordmann',
        },
      ],
      notes: notes.map((n) => ({ ...n, number })),
    }))
    .on('caller.note.add', ({ body }) => {
      const note = {
        id: notes.length + 1,
        body,
        author: 'Kari Nordmann',
        createdAt: Date.now(),
        updatedAt: Date.now(),
      };
      notes.push(note);
      return { note: { ...note, number: '+4790000001' } };
    });
  const session = new SessionModel();
  const switchboard = new SwitchboardModel(api, session);
  const directory = new DirectoryModel(api);
  session.loggedIn(kari, kariSip);
  await directory.load();
  await waitUntil(() => switchboard.state.status === 'live');
  const lines = new LinesModel();
  const mounted = await mount<HTMLElement>(
    html`<sentral-switchboard .loaders=${loaders}></sentral-switchboard>`,
    [
      [switchboardModelContext, switchboard],
      [directoryModelContext, directory],
      [apiClientContext, api],
      [linesModelContext, lines],
    ],
  );
  let seq = 10;
  const push = (event: string, data: unknown) =>
    api.eventsSubject.next({ type: 'event', event, seq: ++seq, data } as EventFrame);
  return { api, switchboard, push, lines, ...mounted };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('sentral-switchboard: queue panel', () => {
  it('lists every waiting caller in the engine order with the best name known, badges and a live wait', async () => {
    const t = await setUp([
      caller('normal', { rank: now - 65_000, number: '+4790000001' }),
      caller('vip', {
        queueId: 'q-main',
        priority: 'vip',
        rank: now - 200_000,
        enteredAt: now - 5_000,
        number: '+4791234567', // Ola's mobile: named from the directory
      }),
      caller('recall', {
        priority: 'recall',
        rank: now - 400_000,
        name: '<img src=x onerror=alert(1)>',
        number: '+4790000003',
      }),
    ]);
    cleanup = t.cleanup;
    await waitUntil(() => deepQueryAll(t.element, '[data-testid=waiting-caller]').length === 3);
    const rows = deepQueryAll(t.element, '[data-testid=waiting-caller]');
    expect(rows.map((r) => r.dataset.callId)).to.deep.equal(['recall', 'vip', 'normal']);
    expect(text(rows[0]?.querySelector('[data-testid=caller-name]') ?? null)).to.equal(
      '<img src=x onerror=alert(1)>Recall',
    );
    expect(deepQuery(t.element, 'img')).to.equal(null); // caller text is never HTML
    expect(text(rows[1]?.querySelector('[data-testid=caller-name]') ?? null)).to.equal(
      'Ola HansenVIP',
    );
    expect(text(rows[2]?.querySelector('[data-testid=caller-name]') ?? null)).to.equal(
      '90 00 00 01',
    ); // no name: the number, written nationally
    const wait = must(rows[2]?.querySelector('[data-testid=wait]'));
    expect(wait.textContent).to.match(/^01:0[5-6]$/);
    await waitUntil(() => /^01:0[6-7]$/.test(wait.textContent ?? ''), 'wait ticks', {
      timeout: 2500,
    });

    // A number lookup names the unnamed caller.
    t.push('caller.lookup', {
      callId: 'normal',
      number: '+4790000001',
      name: 'Fjord Regnskap',
      company: 'Fjord AS',
      address: null,
      source: 'http',
    });
    await waitUntil(() =>
      text(deepQuery(t.element, '[data-call-id=normal] [data-testid=caller-name]')).includes(
        'Fjord Regnskap',
      ),
    );
  });

  it('keeps only the callers in view in the DOM when a thousand wait, and shows more on scroll', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      caller(`c${i}`, { rank: i, position: i + 1, number: `+479${String(1000000 + i)}` }),
    );
    const t = await setUp(many);
    cleanup = t.cleanup;
    await waitUntil(() => deepQueryAll(t.element, '[data-testid=waiting-caller]').length > 0);
    expect(text(deepQuery(t.element, '#waiting-heading'))).to.equal('Waiting callers (1000)');
    const rows = deepQueryAll(t.element, '[data-testid=waiting-caller]');
    expect(rows.length).to.be.below(60);
    expect(rows[0]?.dataset.callId).to.equal('c0');
    expect(rows[0]?.getAttribute('aria-posinset')).to.equal('1');
    expect(rows[0]?.getAttribute('aria-setsize')).to.equal('1000');

    const scroller = must(deepQuery<HTMLElement>(t.element, '[data-testid=waiting-scroller]'));
    expect(scroller.scrollHeight).to.be.above(1000 * 50); // the whole list's height is kept
    scroller.scrollTop = scroller.scrollHeight;
    scroller.dispatchEvent(new Event('scroll'));
    await waitUntil(
      () => deepQuery(t.element, '[data-testid=waiting-caller][data-call-id=c999]'),
      'the last caller is rendered after scrolling to the end',
    );
    expect(deepQuery(t.element, '[data-testid=waiting-caller][data-call-id=c0]')).to.equal(null);
    expect(deepQueryAll(t.element, '[data-testid=waiting-caller]').length).to.be.below(60);

    t.push('queue.caller_left', {
      callId: 'c999',
      queueId: 'q-main',
      reason: 'answered',
      waitedMs: 1,
      agentId: null,
    });
    await waitUntil(
      () => text(deepQuery(t.element, '#waiting-heading')) === 'Waiting callers (999)',
    );
    expect(deepQuery(t.element, '[data-testid=waiting-caller][data-call-id=c999]')).to.equal(null);
  });

  it('picks a caller by button or Enter, and shows why when the pick is refused', async () => {
    const t = await setUp([caller('a'), caller('b', { rank: now, position: 2 })]);
    cleanup = t.cleanup;
    await waitUntil(() => deepQueryAll(t.element, '[data-testid=pick]').length === 2);
    must(deepQuery<HTMLButtonElement>(t.element, '[data-call-id=a] [data-testid=pick]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'queue.pick'));
    expect(t.api.sent.find((s) => s.type === 'queue.pick')?.params).to.deep.equal({
      callId: 'a',
    });

    t.api.fail('queue.pick', 'conflict', 'Someone else is already taking this caller.');
    const row = must(deepQuery(t.element, '[data-call-id=b]'));
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await waitUntil(() => deepQuery(t.element, '[data-testid=queue-error]'));
    expect(text(deepQuery(t.element, '[data-testid=queue-error]'))).to.equal(
      'Someone else is already taking this caller.',
    );
  });

  it("shows the operator's own queue state and sends log out and pause with a reason", async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    await waitUntil(() => deepQuery(t.element, '[data-testid=agent-state-text]'));
    expect(text(deepQuery(t.element, '[data-testid=agent-state]'))).to.contain('Sentralbord');
    expect(text(deepQuery(t.element, '[data-testid=agent-state-text]'))).to.equal('Available');
    const pause = must(deepQuery<HTMLSelectElement>(t.element, '[data-testid=agent-pause]'));
    pause.value = 'lunch';
    pause.dispatchEvent(new Event('change'));
    await waitUntil(() => t.api.sent.some((s) => s.type === 'agent.pause'));
    expect(t.api.sent.find((s) => s.type === 'agent.pause')?.params).to.deep.equal({
      queueId: 'q-main',
      reason: 'lunch',
    });
    t.push('agent.state', {
      queueId: 'q-main',
      agentId: kari.id,
      state: 'paused',
      reason: 'lunch',
      since: Date.now(),
    });
    await waitUntil(
      () => text(deepQuery(t.element, '[data-testid=agent-state-text]')) === 'Paused (lunch)',
    );
    must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=agent-logout]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'agent.logout'));
  });

  it('says plainly when the list may be stale (connection lost) and clears it after resync', async () => {
    const t = await setUp([caller('a')]);
    cleanup = t.cleanup;
    t.api.connection.next('reconnecting');
    await waitUntil(() => deepQuery(t.element, '[data-testid=queue-stale]'));
    t.api.connection.next('open');
    await waitUntil(() => !deepQuery(t.element, '[data-testid=queue-stale]'));
  });
});

describe('sentral-switchboard: call actions and parked calls', () => {
  it('transfers blind to what was typed', async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    const input = must(deepQuery<HTMLInputElement>(t.element, '[data-testid=transfer-target]'));
    input.value = '1007';
    input.dispatchEvent(new Event('input'));
    must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=transfer-blind]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'transfer.blind'));
    expect(t.api.sent.find((s) => s.type === 'transfer.blind')?.params).to.deep.equal({
      target: '1007',
    });
    await waitUntil(() => deepQuery(t.element, '[data-testid=call-note]'));
  });

  it('follows a consultation: ringing, talking with swap, and how it ended', async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    const input = must(deepQuery<HTMLInputElement>(t.element, '[data-testid=transfer-target]'));
    input.value = '1007';
    input.dispatchEvent(new Event('input'));
    must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=consult]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'transfer.consult'));
    const consult = (state: string, talkingTo = 'target', reason?: string) =>
      t.push('call.consult', {
        callId: 'c1',
        operatorId: kari.id,
        target: { userId: 'u-ola', extension: '1007', name: 'Ola Hansen' },
        state,
        talkingTo,
        ...(reason ? { reason } : {}),
      });
    consult('ringing');
    await waitUntil(() => deepQuery(t.element, '[data-testid=consultation]'));
    expect(text(deepQuery(t.element, '[data-testid=consultation] [role=status]'))).to.equal(
      'Calling Ola Hansen… (the caller is on hold)',
    );
    expect(deepQuery(t.element, '[data-testid=consult-swap]')).to.equal(null);
    expect(text(deepQuery(t.element, '[data-testid=consult-complete]'))).to.equal('Transfer now');
    expect(
      must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=consult]')).disabled,
    ).to.equal(true);

    consult('talking');
    await waitUntil(() => deepQuery(t.element, '[data-testid=consult-swap]'));
    must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=consult-swap]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'transfer.swap'));
    consult('talking', 'caller');
    await waitUntil(
      () =>
        text(deepQuery(t.element, '[data-testid=consultation] [role=status]')) ===
        'Talking to the caller (Ola Hansen is on hold)',
    );

    consult('ended', 'caller', 'busy');
    await waitUntil(() => deepQuery(t.element, '[data-testid=consultation-ended]'));
    expect(deepQuery(t.element, '[data-testid=consultation]')).to.equal(null);
    expect(text(deepQuery(t.element, '[data-testid=consultation-ended]'))).to.equal(
      'Ola Hansen was busy — you are back with the caller.',
    );
  });

  it('lists parked calls with who parked them and picks one up', async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    await waitUntil(() => deepQuery(t.element, '[data-testid=parked-call]'));
    const row = must(deepQuery(t.element, '[data-testid=parked-call]'));
    expect(text(row)).to.contain('Parkert Kunde');
    expect(text(row)).to.contain('parked by Ola Hansen');
    must(row.querySelector<HTMLButtonElement>('[data-testid=pickup]')).click();
    await waitUntil(() => t.api.sent.some((s) => s.type === 'park.pickup'));
    expect(t.api.sent.find((s) => s.type === 'park.pickup')?.params).to.deep.equal({ slot: '1' });
  });
});

describe('sentral-switchboard: caller card', () => {
  it('says whom a call was for when the phone line in front came for an absent colleague', async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    const remote = { displayName: 'Kunde', number: '+4790000001', uri: 'sip:+4790000001@x' };
    t.lines.started('inbound', 's1', remote, true, null, '1007');
    t.push('call.state', {
      callId: 'c9',
      state: 'connected',
      number: '+4790000001',
      name: 'Kunde Utenfra',
      callerUserId: null,
      connectedTo: kari.id,
      ringing: [],
      queueId: 'q-main',
    });
    await waitUntil(() => deepQuery(t.element, '[data-testid=card-absent-for]'));
    expect(text(deepQuery(t.element, '[data-testid=card-absent-for]'))).to.match(
      /^For Ola Hansen — absent/,
    );
  });

  it("shows the connected outside caller's history and notes, and adds a note", async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    expect(deepQuery(t.element, '[data-testid=caller-card]')).to.equal(null);
    t.push('call.state', {
      callId: 'c9',
      state: 'connected',
      number: '+4790000001',
      name: 'Kunde Utenfra',
      callerUserId: null,
      connectedTo: kari.id,
      ringing: [],
      queueId: 'q-main',
    });
    await waitUntil(() => deepQuery(t.element, '[data-testid=card-calls]'));
    expect(text(deepQuery(t.element, '[data-testid=card-name]'))).to.equal('Kunde Utenfra');
    expect(text(deepQuery(t.element, '[data-testid=card-number]'))).to.equal('90 00 00 01');
    expect(text(deepQuery(t.element, '[data-testid=card-calls]'))).to.match(
      /Sentralbord · transferred by Kari Nordmann → 1007 \(02:00\)/,
    );
    const note = must(deepQuery(t.element, '[data-testid=card-note]'));
    expect(text(note)).to.contain('<script>alert(1)</script> Vil ha faktura');
    expect(deepQuery(t.element, 'script')).to.equal(null);

    const box = must(deepQuery<HTMLTextAreaElement>(t.element, '[data-testid=note-new]'));
    box.value = 'Ringer om purring';
    box.dispatchEvent(new Event('input'));
    await settleUi();
    must(deepQuery<HTMLButtonElement>(t.element, '[data-testid=note-add]')).click();
    await waitUntil(() => deepQueryAll(t.element, '[data-testid=card-note]').length === 2);
    expect(t.api.sent.find((x) => x.type === 'caller.note.add')?.params).to.deep.equal({
      number: '+4790000001',
      body: 'Ringer om purring',
    });

    // The call moves on (transferred): the card goes.
    t.push('call.state', {
      callId: 'c9',
      state: 'connected',
      number: '+4790000001',
      name: 'Kunde Utenfra',
      callerUserId: null,
      connectedTo: 'u-ola',
      ringing: [],
      queueId: 'q-main',
    });
    await waitUntil(() => !deepQuery(t.element, '[data-testid=caller-card]'));
  });
});

const settleUi = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));

describe('sentral-switchboard: message a colleague', () => {
  const messageForm = (t: { element: Element }) =>
    deepQuery<HTMLElement & { callerNumber: string; callerName: string | null }>(
      t.element,
      'sentral-message-form',
    );

  it('fetches the message form when first opened, filled from the call on hand', async () => {
    const t = await setUp([]);
    cleanup = t.cleanup;
    t.push('call.state', {
      callId: 'c9',
      state: 'connected',
      number: '+4790000001',
      name: 'Kunde Utenfra',
      callerUserId: null,
      connectedTo: kari.id,
      ringing: [],
      queueId: 'q-main',
    });
    await waitUntil(() => deepQuery(t.element, '[data-testid=caller-card]'));
    expect(messageForm(t)).to.equal(null);
    const open = must(deepQuery<HTMLButtonElement>(t.element, 'button[data-testid=message-open]'));
    expect(open.getAttribute('aria-expanded')).to.equal('false');
    expect(text(open)).to.equal('Message a colleague');

    open.click();
    await waitUntil(() => deepQuery(t.element, '[data-testid=message-form]'), 'no message form');
    expect(open.getAttribute('aria-expanded')).to.equal('true');
    expect(messageForm(t)?.callerNumber).to.equal('+4790000001');
    expect(messageForm(t)?.callerName).to.equal('Kunde Utenfra');

    open.click();
    await settleUi();
    expect(messageForm(t)).to.equal(null);
    expect(open.getAttribute('aria-expanded')).to.equal('false');
  });

  it('says so when the form cannot be fetched, and Try again loads it', async () => {
    let attempts = 0;
    const t = await setUp([], {
      messageForm: () =>
        ++attempts === 1
          ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
          : SWITCHBOARD_LOADERS.messageForm(),
    });
    cleanup = t.cleanup;
    must(deepQuery<HTMLButtonElement>(t.element, 'button[data-testid=message-open]')).click();
    await waitUntil(() => deepQuery(t.element, '[data-testid=view-load-failed]'), 'no error');
    const alert = must(deepQuery(t.element, '[data-testid=view-load-failed]'));
    expect(alert.getAttribute('role')).to.equal('alert');
    expect(text(alert)).to.contain('Could not load the message form');

    must(deepQuery<HTMLButtonElement>(t.element, 'button[data-testid=view-retry]')).click();
    await waitUntil(
      () => deepQuery(t.element, '[data-testid=message-form]'),
      'no form after retry',
    );
    expect(attempts).to.equal(2);
    expect(deepQuery(t.element, '[data-testid=view-load-failed]')).to.equal(null);
  });
});
