import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-queue-board.js';
import type { SentralQueueBoard } from '../../src/app/sentral-queue-board.js';
import {
  BOARD_TEXT,
  boardGrid,
  boardTiles,
  formatServiceLevel,
  formatWait,
  isStale,
  shortId,
} from '../../src/app/board-format.js';
import type { BoardPerson } from '../../src/app/board-format.js';
import { switchboardModelContext } from '../../src/app/switchboard-contexts.js';
import type { EventFrame } from '../../src/shared/protocol.js';
import type {
  AgentQueueState,
  QueueStats,
  SwitchboardSnapshot,
  WaitingCaller,
} from '../../src/shared/switchboard.js';
import { SessionModel } from '../../src/store/session-model.js';
import { SwitchboardModel } from '../../src/store/switchboard-model.js';
import { snapshotLoaded, initialSwitchboard } from '../../src/store/switchboard-state.js';
import { FakeApiClient, deepQuery, deepQueryAll, kari, kariSip, mount, must } from './fakes.js';

const XSS = '<img src=x onerror="window.__boardXss = true">';
const LONG_ID = '7f3c2a9e-0b1d-4c55-9e21-aa00bb11cc22';

const people: BoardPerson[] = [
  { id: 'u1', displayName: 'Kari Nordmann' },
  { id: 'u2', displayName: 'Ola Hansen' },
  { id: 'u3', displayName: XSS },
  { id: 'u4', displayName: 'Åse Ødegård' },
  { id: 'u5', displayName: 'Per Persen' },
  { id: 'u6', displayName: 'Liv Lunde' },
];

function caller(
  callId: string,
  queueId: string,
  enteredAt: number,
  extra: Partial<WaitingCaller> = {},
): WaitingCaller {
  return {
    callId,
    queueId,
    number: '+4790000000',
    name: null,
    priority: 'normal',
    enteredAt,
    rank: enteredAt,
    position: 1,
    state: 'waiting',
    ...extra,
  };
}

function agent(
  agentId: string,
  queueId: string,
  state: AgentQueueState['state'],
  since: number,
): AgentQueueState {
  return { agentId, queueId, state, since, reason: state === 'paused' ? 'lunch' : null };
}

function stats(queueId: string, extra: Partial<QueueStats> = {}): QueueStats {
  return {
    queueId,
    waiting: 0,
    longestWaitMs: 0,
    answered: 0,
    abandoned: 0,
    overflowed: 0,
    serviceLevel: null,
    averageWaitMs: 0,
    averageTalkMs: 0,
    ...extra,
  };
}

/** Sentralbord: two callers (the first waiting 1:05), six agents, one in each state. Salg: quiet. */
function snapshot(seq: number, now = Date.now(), extra: Partial<SwitchboardSnapshot> = {}) {
  const s: SwitchboardSnapshot = {
    seq,
    queues: [
      { id: 'q1', name: 'Sentralbord', number: '+4721000000', strategy: 'ring-all' },
      { id: 'q2', name: 'Salg', number: null, strategy: 'round-robin' },
    ],
    callers: [
      caller('c1', 'q1', now - 65_000, { number: '+4791234567', name: 'Nils Innringer' }),
      caller('c2', 'q1', now - 20_000, { number: '+4798765432', position: 2 }),
    ],
    agents: [
      agent('u1', 'q1', 'available', now - 125_000),
      agent('u2', 'q1', 'on_call', now - 30_000),
      agent('u3', 'q1', 'ringing', now - 3_000),
      agent('u4', 'q1', 'wrap_up', now - 10_000),
      agent('u5', 'q1', 'paused', now - 600_000),
      agent('u6', 'q1', 'logged_out', now - 3_600_000),
      agent('u1', 'q2', 'available', now - 125_000),
      agent(LONG_ID, 'q2', 'paused', now - 5_000),
    ],
    stats: [stats('q1', { answered: 12, abandoned: 2, serviceLevel: 85.7 })],
    parked: [],
  };
  return { ...s, ...extra };
}

const frame = (seq: number, event: string, data: unknown): EventFrame => ({
  type: 'event',
  seq,
  event,
  data,
});

/** Text as a viewer sees it: through every shadow root, whitespace collapsed. */
function deepText(node: Node): string {
  let out = '';
  if (node instanceof Element && node.shadowRoot) out += deepText(node.shadowRoot);
  for (const child of node.childNodes) {
    out += child.nodeType === Node.TEXT_NODE ? (child.textContent ?? '') : deepText(child);
  }
  return out.replace(/\s+/g, ' ');
}

/** Every attribute value under `root`, through shadow roots (labels must not leak either). */
function deepAttributes(root: Element): string {
  return [root, ...deepQueryAll(root, '*')]
    .flatMap((el) => [...el.attributes].map((a) => a.value))
    .join(' ');
}

const text = (el: Element | null) => deepText(must(el, 'element')).trim();

describe('queue board helpers', () => {
  it('formats waits as m:ss, and h:mm:ss from an hour', () => {
    expect(formatWait(0)).to.equal('0:00');
    expect(formatWait(65_999)).to.equal('1:05');
    expect(formatWait(3_725_000)).to.equal('1:02:05');
    expect(formatWait(-5_000)).to.equal('0:00');
  });

  it('rounds the service level and shows a dash before the first call', () => {
    expect(formatServiceLevel(85.7)).to.match(/^86\s%$/);
    expect(formatServiceLevel(null)).to.equal('—');
  });

  it('counts ringing and on-call agents as busy, per queue', () => {
    const tiles = boardTiles(snapshotLoaded(initialSwitchboard, snapshot(1, 1_000_000)));
    expect(tiles.map((t) => t.queue.id)).to.deep.equal(['q1', 'q2']);
    expect(tiles[0]?.counts).to.deep.equal({
      available: 1,
      busy: 2,
      wrap_up: 1,
      paused: 1,
      logged_out: 1,
    });
    expect(tiles[0]?.longestSince).to.equal(1_000_000 - 65_000);
    expect(tiles[1]?.longestSince).to.equal(null);
  });

  it('calls the data stale while resyncing, or reloading over old data', () => {
    expect(isStale('resync', true)).to.equal(true);
    expect(isStale('loading', true)).to.equal(true);
    expect(isStale('loading', false)).to.equal(false);
    expect(isStale('live', true)).to.equal(false);
    expect(isStale('idle', false)).to.equal(false);
  });

  it('lays out up to three tiles side by side, then two rows, listing fewer agents per tile', () => {
    expect(boardGrid(1)).to.deep.equal({ columns: 1, rows: 1, maxAgents: 16 });
    expect(boardGrid(3)).to.deep.equal({ columns: 3, rows: 1, maxAgents: 16 });
    expect(boardGrid(4)).to.deep.equal({ columns: 2, rows: 2, maxAgents: 10 });
    expect(boardGrid(6)).to.deep.equal({ columns: 3, rows: 2, maxAgents: 6 });
    expect(boardGrid(8)).to.deep.equal({ columns: 4, rows: 2, maxAgents: 6 });
    expect(boardGrid(12)).to.deep.equal({ columns: 4, rows: 3, maxAgents: 6 });
  });

  it('shortens long ids and keeps short ones', () => {
    expect(shortId(LONG_ID)).to.equal('7f3c2a9e');
    expect(shortId('u1')).to.equal('u1');
  });
});

describe('sentral-queue-board', () => {
  let api: FakeApiClient;
  let session: SessionModel;
  let model: SwitchboardModel;
  let snapshots: SwitchboardSnapshot[];
  let element: SentralQueueBoard;
  let cleanup: () => void = () => undefined;

  const tile = (queueId: string) =>
    must(deepQuery(element, `[role=region][data-queue=${queueId}]`), `tile ${queueId}`);
  const part = (queueId: string, testId: string) =>
    text(deepQuery(tile(queueId), `[data-testid=${testId}]`));
  /** Waits until Lit has rendered what the store now says. */
  const rendered = async (check: () => boolean, message = 'the board to render') =>
    waitUntil(check, message, { timeout: 3000 });

  async function mountBoard(attributes: { showCallers?: boolean } = {}) {
    const mounted = await mount<SentralQueueBoard>(
      html`<sentral-queue-board
        .people=${people}
        ?show-callers=${attributes.showCallers ?? false}
      ></sentral-queue-board>`,
      [[switchboardModelContext, model]],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
  }

  async function goLive(first = snapshot(10)) {
    snapshots.push(first);
    session.loggedIn(kari, kariSip);
    await rendered(() => deepQueryAll(element, '[role=region]').length > 0, 'the tiles');
  }

  beforeEach(() => {
    snapshots = [];
    api = new FakeApiClient().on('switchboard.snapshot', () => {
      const next = snapshots.shift();
      if (!next) throw new Error('no snapshot queued');
      return next;
    });
    session = new SessionModel();
    model = new SwitchboardModel(api, session);
  });

  afterEach(() => {
    cleanup();
    session.loggedOut();
  });

  it('says it is not connected before anyone signs in', async () => {
    await mountBoard();
    expect(text(deepQuery(element, '[data-testid=board-message]'))).to.equal(BOARD_TEXT.idle);
    expect(deepQuery(element, '[data-testid=stale-banner]')).to.equal(null);
  });

  it('shows one tile per queue, labelled with its name, with the counts in text', async () => {
    await mountBoard();
    await goLive();
    const regions = deepQueryAll(element, '[role=region]');
    expect(regions.map((r) => r.getAttribute('aria-label'))).to.deep.equal(['Sentralbord', 'Salg']);

    expect(part('q1', 'waiting')).to.equal('2 waiting');
    expect(part('q1', 'count-available')).to.equal('1 available');
    expect(part('q1', 'count-busy')).to.equal('2 busy');
    expect(part('q1', 'count-wrap_up')).to.equal('1 wrap-up');
    expect(part('q1', 'count-paused')).to.equal('1 paused');
    expect(part('q1', 'count-logged_out')).to.equal('1 logged out');
    expect(part('q1', 'answered')).to.equal('answered 12');
    expect(part('q1', 'unanswered')).to.equal('unanswered 2');
    expect(part('q1', 'service-level')).to.match(/^service level 86\s%$/);

    expect(part('q2', 'waiting')).to.equal('0 waiting');
    expect(part('q2', 'longest-wait')).to.equal('0:00 longest wait');
    expect(part('q2', 'count-available')).to.equal('1 available');
    expect(part('q2', 'count-busy')).to.equal('0 busy');
    expect(part('q2', 'service-level')).to.equal('service level —');
  });

  it('lists agents by name with their state and time in it, available first', async () => {
    await mountBoard();
    await goLive();
    const rows = deepQueryAll(tile('q1'), '[data-testid=agent]').map((r) => deepText(r).trim());
    expect(rows).to.deep.equal([
      'Kari Nordmann Available 2:05',
      `${XSS} Ringing 0:03`,
      'Ola Hansen On a call 0:30',
      'Åse Ødegård Wrap-up 0:10',
      'Per Persen Paused 10:00',
      'Liv Lunde Logged out 1:00:00',
    ]);
    const unknown = deepQueryAll(tile('q2'), '[data-testid=agent]').map((r) => deepText(r));
    expect(unknown.some((r) => r.includes('7f3c2a9e Paused'))).to.equal(true);
    expect(unknown.some((r) => r.includes(LONG_ID))).to.equal(false);
  });

  it('ticks the longest wait and the time in state every second', async () => {
    await mountBoard();
    await goLive();
    expect(part('q1', 'longest-wait')).to.equal('1:05 longest wait');
    const kariRow = () => text(deepQuery(tile('q1'), '[data-agent=u1]'));
    expect(kariRow()).to.contain('2:05');
    await rendered(() => part('q1', 'longest-wait') === '1:06 longest wait', 'the wait to tick');
    expect(kariRow()).to.contain('2:06');
  });

  it('moves an agent between counts on an agent.state event', async () => {
    await mountBoard();
    await goLive();
    api.eventsSubject.next(frame(11, 'agent.state', agent('u1', 'q1', 'on_call', Date.now())));
    await rendered(() => part('q1', 'count-busy') === '3 busy');
    expect(part('q1', 'count-available')).to.equal('0 available');
    const row = must(deepQuery(tile('q1'), '[data-agent=u1]'));
    expect(row.getAttribute('data-state')).to.equal('on_call');
    expect(deepText(row)).to.contain('On a call 0:00');
    // Kari is still available in Salg: states are per queue.
    expect(part('q2', 'count-available')).to.equal('1 available');
  });

  it('updates the waiting count and longest wait when callers join and leave', async () => {
    await mountBoard();
    await goLive();
    api.eventsSubject.next(
      frame(11, 'queue.caller_left', {
        callId: 'c1',
        queueId: 'q1',
        reason: 'answered',
        waitedMs: 65_000,
        agentId: 'u1',
      }),
    );
    await rendered(() => part('q1', 'waiting') === '1 waiting');
    expect(part('q1', 'longest-wait')).to.match(/^0:2\d longest wait$/);
    api.eventsSubject.next(frame(12, 'queue.caller_joined', caller('c3', 'q2', Date.now())));
    await rendered(() => part('q2', 'waiting') === '1 waiting');
  });

  it('shows no caller number or name by default, and reveals them with show-callers', async () => {
    await mountBoard();
    await goLive();
    for (const secret of ['+4791234567', '91234567', '+4798765432', 'Nils Innringer']) {
      expect(deepText(element)).not.to.contain(secret);
      expect(deepAttributes(element)).not.to.contain(secret);
    }
    expect(deepQuery(element, '[data-testid=caller]')).to.equal(null);

    element.showCallers = true;
    await rendered(() => deepQueryAll(element, '[data-testid=caller]').length === 2);
    expect(element.hasAttribute('show-callers')).to.equal(true);
    const callers = deepQueryAll(tile('q1'), '[data-testid=caller]').map((c) => deepText(c));
    expect(callers[0]).to.contain('Nils Innringer').and.contain('+4791234567');
    expect(callers[1]).to.contain('+4798765432');
  });

  it('renders caller and agent names as text, never as HTML', async () => {
    const w = window as unknown as { __boardXss?: boolean };
    delete w.__boardXss;
    await mountBoard({ showCallers: true });
    const now = Date.now();
    await goLive(
      snapshot(10, now, {
        callers: [caller('evil', 'q1', now - 1_000, { name: XSS, number: '+4711111111' })],
      }),
    );
    await rendered(() => deepQueryAll(element, '[data-testid=caller]').length === 1);
    expect(deepText(tile('q1'))).to.contain(XSS);
    expect(deepText(must(deepQuery(tile('q1'), '[data-agent=u3]')))).to.contain(XSS);
    expect(deepQueryAll(element, 'img')).to.have.length(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(w.__boardXss).to.equal(undefined);
  });

  it('says the data may be out of date while reconnecting, greys the tiles, and recovers', async () => {
    await mountBoard();
    await goLive();
    const region = () => tile('q1');
    expect(region().getAttribute('aria-busy')).to.equal('false');

    api.connection.next('reconnecting');
    await rendered(() => deepQuery(element, '[data-testid=stale-banner]') !== null, 'the banner');
    expect(text(deepQuery(element, '[data-testid=stale-banner]'))).to.contain(BOARD_TEXT.stale);
    expect(region().getAttribute('aria-busy')).to.equal('true');
    await rendered(() => Number(getComputedStyle(region()).opacity) < 1, 'the tile to grey out');
    // What was known stays on screen, marked stale.
    expect(part('q1', 'waiting')).to.equal('2 waiting');

    const now = Date.now();
    snapshots.push(snapshot(20, now, { callers: [caller('c9', 'q1', now - 5_000)] }));
    api.connection.next('open');
    await rendered(() => deepQuery(element, '[data-testid=stale-banner]') === null, 'recovery');
    expect(region().getAttribute('aria-busy')).to.equal('false');
    expect(part('q1', 'waiting')).to.equal('1 waiting');
    await rendered(() => Number(getComputedStyle(region()).opacity) === 1, 'full opacity');
  });

  it('lists as many agents as fit and counts the rest, logged-out agents last', async () => {
    await mountBoard();
    const now = Date.now();
    const crowd = Array.from({ length: 12 }, (_, i) =>
      agent(`x${i}`, 'q1', i === 0 ? 'logged_out' : 'available', now - i * 1000),
    );
    await goLive(
      snapshot(10, now, {
        queues: ['q1', 'q2', 'q3', 'q4'].map((id) => ({
          id,
          name: `Queue ${id}`,
          number: null,
          strategy: 'ring-all' as const,
        })),
        agents: crowd,
      }),
    );
    const rows = deepQueryAll(tile('q1'), '[data-testid=agent]');
    expect(rows).to.have.length(10);
    expect(rows.some((r) => r.getAttribute('data-agent') === 'x0')).to.equal(false);
    expect(deepText(tile('q1'))).to.contain('+ 2 more');
    expect(part('q1', 'count-available')).to.equal('11 available');
    expect(part('q1', 'count-logged_out')).to.equal('1 logged out');
  });

  it('gives every state a shape and a word, not colour alone', async () => {
    await mountBoard();
    await goLive();
    const items = [
      ...deepQueryAll(tile('q1'), '.counts li'),
      ...deepQueryAll(tile('q1'), '[data-testid=agent]'),
    ];
    expect(items).to.have.length(11);
    for (const item of items) {
      expect(item.querySelector('svg'), item.outerHTML).to.not.equal(null);
      expect(deepText(item)).to.match(/[a-z]{4,}/i);
    }
    const shapes = new Set(
      deepQueryAll(tile('q1'), '[data-testid=agent] svg').map((s) => s.innerHTML),
    );
    expect(shapes.size).to.equal(6);
  });

  it('is dark by default and switches to a light theme', async () => {
    await mountBoard();
    await goLive();
    expect(element.getAttribute('theme')).to.equal('dark');
    const dark = getComputedStyle(element).backgroundColor;
    element.theme = 'light';
    await element.updateComplete;
    expect(element.getAttribute('theme')).to.equal('light');
    expect(getComputedStyle(element).backgroundColor).not.to.equal(dark);
    expect(deepQueryAll(element, 'img')).to.have.length(0);
  });
});
