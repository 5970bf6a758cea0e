/**
 * Browser side of bench/frontend.bench.ts, bundled with esbuild and loaded into headless
 * Chromium: the real store models (assembleServices, SwitchboardModel, DirectoryModel) behind
 * the in-memory API fake of the element tests, and the real views (queue panel, queue board,
 * directory). Exposes `window.sentralBench` for the Node side to drive.
 */
import { html, nothing } from 'lit';
import { assembleServices, type Services } from '../../src/app/services.js';
import {
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
} from '../../src/app/contexts.js';
import { switchboardModelContext } from '../../src/app/switchboard-contexts.js';
import '../../src/app/sentral-directory.js';
import '../../src/app/sentral-queue-board.js';
import '../../src/app/sentral-queue-panel.js';
import type { DirectoryEntry, EventFrame } from '../../src/shared/protocol.js';
import type {
  AgentQueueState,
  AgentState,
  QueueInfo,
  QueueStats,
  WaitingCaller,
} from '../../src/shared/switchboard.js';
import { searchPeople } from '../../src/store/directory-model.js';
import { FakeApiClient, FakePhone, kari, kariSip, mount } from '../../test/app/fakes.js';

const FIRST = [
  'Kari',
  'Ola',
  'Ingrid',
  'Lars',
  'Sofie',
  'Jonas',
  'Åse',
  'Bjørn',
  'Marit',
  'Øyvind',
];
const LAST = [
  'Nordmann',
  'Hansen',
  'Ødegård',
  'Berg',
  'Johansen',
  'Lie',
  'Dahl',
  'Haugen',
  'Bakke',
];
const DEPARTMENTS = ['Salg', 'Support', 'Økonomi', 'Drift', 'Marked', 'Utvikling', 'HR', 'Lager'];
const AGENT_STATES: AgentState[] = ['available', 'ringing', 'on_call', 'wrap_up', 'paused'];

/** Deterministic pseudo-random numbers (the same run every time). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function people(n: number): DirectoryEntry[] {
  const r = rng(7);
  return Array.from({ length: n }, (_, i) => {
    const first = FIRST[Math.floor(r() * FIRST.length)] ?? 'Kari';
    const last = LAST[Math.floor(r() * LAST.length)] ?? 'Nordmann';
    return {
      id: `p${i}`,
      username: `${first}.${last}.${i}`.toLowerCase(),
      displayName: `${first} ${last} ${i}`,
      extension: String(10000 + i),
      mobile: r() < 0.6 ? `+479${String(1000000 + i).padStart(7, '0')}` : null,
      department: DEPARTMENTS[i % DEPARTMENTS.length] ?? null,
      title: r() < 0.5 ? 'Rådgiver' : 'Konsulent',
    };
  });
}

interface Mounted {
  services: Services;
  api: FakeApiClient;
  host: HTMLElement;
  seq: number;
}

let current: Mounted | null = null;

async function signIn(api: FakeApiClient): Promise<Services> {
  api.on('auth.login', () => ({
    user: { ...kari, role: 'operator' as const },
    sip: kariSip,
    sessionToken: 't',
    twoFactor: { enabled: false, required: false },
  }));
  const services = assembleServices(api, () => new FakePhone());
  await services.auth.login('kari', 'pw');
  return services;
}

/** Provides the models to `template`, as `sentral-app` does. */
async function mountWith(services: Services, template: ReturnType<typeof html>) {
  return mount<HTMLElement>(template, [
    [switchboardModelContext, services.switchboard],
    [directoryModelContext, services.directory],
    [linesModelContext, services.lines],
    [phoneServiceContext, services.phone],
  ]);
}

const QUEUES = 10;

/** The queue panel (the operator is in every queue) and the board beside it, fed a snapshot. */
async function mountQueues(
  callers: number,
  agents: number,
  views: 'both' | 'panel' | 'board' = 'both',
): Promise<number> {
  const now = Date.now();
  const r = rng(11);
  const queues: QueueInfo[] = Array.from({ length: QUEUES }, (_, i) => ({
    id: `q${i}`,
    name: `Kø ${i + 1}`,
    number: String(8000 + i),
    strategy: 'longest-idle',
  }));
  const waiting: WaitingCaller[] = Array.from({ length: callers }, (_, i) => ({
    callId: `c${i}`,
    queueId: `q${i % QUEUES}`,
    number: `+47${String(40000000 + i)}`,
    name: r() < 0.5 ? `Innringer ${i}` : null,
    priority: i % 50 === 0 ? 'vip' : 'normal',
    enteredAt: now - (callers - i) * 1000,
    rank: i,
    position: Math.floor(i / QUEUES) + 1,
    state: 'waiting',
  }));
  const agentStates: AgentQueueState[] = Array.from({ length: agents }, (_, i) => ({
    queueId: `q${i % QUEUES}`,
    agentId: `a${i}`,
    state: AGENT_STATES[i % AGENT_STATES.length] ?? 'available',
    reason: null,
    since: now - i * 5000,
  }));
  for (const q of queues)
    agentStates.push({
      queueId: q.id,
      agentId: kari.id,
      state: 'available',
      reason: null,
      since: now,
    });
  const stats: QueueStats[] = queues.map((q) => statsFor(q.id, callers / QUEUES));
  const colleagues = people(agents);
  const api = new FakeApiClient()
    .on('switchboard.snapshot', () => ({
      seq: 1,
      queues,
      callers: waiting,
      agents: agentStates,
      stats,
      parked: [],
    }))
    .on('directory.list', () => ({ people: colleagues }));
  const services = await signIn(api);
  await services.switchboard.refresh();
  const m = await mountWith(
    services,
    html`<div style="display:grid;grid-template-columns:40rem 1fr;gap:1rem">
      ${views !== 'board' ? html`<sentral-queue-panel></sentral-queue-panel>` : nothing}
      ${
        views !== 'panel'
          ? html`<sentral-queue-board show-callers .people=${colleagues}></sentral-queue-board>`
          : nothing
      }
    </div>`,
  );
  current = { services, api, host: m.element, seq: 1 };
  await nextFrame();
  return services.switchboard.state.callers.length;
}

function statsFor(queueId: string, waiting: number): QueueStats {
  return {
    queueId,
    waiting,
    longestWaitMs: 60_000,
    answered: 120,
    abandoned: 4,
    overflowed: 0,
    serviceLevel: 0.92,
    averageWaitMs: 20_000,
    averageTalkMs: 180_000,
  } as QueueStats;
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

/**
 * Applies `rate` events a second for `seconds`: callers join and leave (the waiting count stays
 * at its start), positions change, agents change state, statistics tick. Records, per event, the
 * time from handing the frame to the store to the end of the Lit updates it caused, and every
 * animation frame's start.
 */
async function runEvents(
  rate: number,
  seconds: number,
): Promise<{ events: number[]; frames: number[] }> {
  const m = current;
  if (!m) throw new Error('mount first');
  const r = rng(13);
  const events: number[] = [];
  const frames: number[] = [];
  let running = true;
  const onFrame = (t: number) => {
    frames.push(t);
    if (running) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  let joined = 100_000;
  const total = rate * seconds;
  const start = performance.now();
  performance.mark('bench-events-start');
  const elements = [...m.host.querySelectorAll('*')].filter(
    (e): e is HTMLElement & { updateComplete: Promise<boolean> } => 'updateComplete' in e,
  );
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    // Always a task of its own (as a WebSocket message is), so frames render in between.
    const wait = Math.max(0, due - performance.now());
    await new Promise((resolve) => setTimeout(resolve, wait));
    const s = m.services.switchboard.state;
    const frame = nextEvent(i, s.callers, r, () => joined++);
    const t0 = performance.now();
    m.api.eventsSubject.next({ type: 'event', seq: ++m.seq, ...frame } as EventFrame);
    await Promise.all(elements.map((e) => e.updateComplete));
    const tiles = [...m.host.querySelectorAll('sentral-queue-board')].flatMap((b) => [
      ...(b.shadowRoot?.querySelectorAll('sentral-board-tile') ?? []),
    ]) as unknown as Array<{ updateComplete: Promise<boolean> }>;
    await Promise.all(tiles.map((t) => t.updateComplete));
    events.push(performance.now() - t0);
  }
  await nextFrame();
  performance.mark('bench-events-end');
  running = false;
  return { events, frames };
}

function nextEvent(
  i: number,
  callers: readonly WaitingCaller[],
  r: () => number,
  nextId: () => number,
): { event: string; data: unknown } {
  const kind = i % 10;
  const pick = callers[Math.floor(r() * callers.length)];
  if ((kind === 0 || kind === 5) && pick) {
    return {
      event: 'queue.caller_left',
      data: {
        callId: pick.callId,
        queueId: pick.queueId,
        reason: 'answered',
        waitedMs: 1,
        agentId: 'a1',
      },
    };
  }
  if (kind === 1 || kind === 6) {
    const id = nextId();
    const q = `q${id % QUEUES}`;
    return {
      event: 'queue.caller_joined',
      data: {
        callId: `c${id}`,
        queueId: q,
        number: `+47${String(40000000 + id)}`,
        name: null,
        priority: 'normal',
        enteredAt: Date.now(),
        rank: id,
        position: callers.filter((c) => c.queueId === q).length + 1,
        state: 'waiting',
      },
    };
  }
  if (kind === 2 && pick) {
    const ids = callers.filter((c) => c.queueId === pick.queueId).map((c) => c.callId);
    return { event: 'queue.positions', data: { queueId: pick.queueId, callIds: ids.reverse() } };
  }
  if (kind === 3 && pick) {
    return {
      event: 'queue.caller_state',
      data: { callId: pick.callId, queueId: pick.queueId, state: 'offered', agentIds: ['a1'] },
    };
  }
  if (kind === 9)
    return { event: 'queue.stats', data: statsFor(`q${i % QUEUES}`, callers.length / QUEUES) };
  const agent = Math.floor(r() * 500);
  return {
    event: 'agent.state',
    data: {
      queueId: `q${agent % QUEUES}`,
      agentId: `a${agent}`,
      state: AGENT_STATES[Math.floor(r() * AGENT_STATES.length)] ?? 'available',
      reason: null,
      since: Date.now(),
    },
  };
}

/** The directory view over `n` people. */
async function mountDirectory(n: number): Promise<number> {
  const everyone = people(n);
  const api = new FakeApiClient().on('directory.list', () => ({ people: everyone }));
  const services = await signIn(api);
  await services.directory.load();
  const m = await mountWith(services, html`<sentral-directory></sentral-directory>`);
  current = { services, api, host: m.element, seq: 0 };
  await nextFrame();
  return services.directory.state.people.length;
}

/** Rows `sentral-directory` lists at most (its MAX_ROWS): what its search asks for. */
const DIRECTORY_ROWS = 100;

/**
 * Times the model's search alone, as the directory view calls it (the first rows it lists and
 * the count), for every prefix of each query (a keystroke each), after one search that builds
 * whatever the model precomputes for this list.
 */
function searchTimes(queries: readonly string[], warm = true): number[] {
  const list = current?.services.directory.state.people ?? [];
  if (warm) searchPeople(list, 'x', DIRECTORY_ROWS);
  const out: number[] = [];
  for (const q of queries) {
    for (let i = 1; i <= q.length; i++) {
      const t0 = performance.now();
      searchPeople(list, q.slice(0, i), DIRECTORY_ROWS);
      out.push(performance.now() - t0);
    }
  }
  return out;
}

/**
 * Records, for each `input` event on the directory's search box, the time from the event
 * (`event.timeStamp`) to the first frame painted after the view updated: a message posted from
 * the next animation frame's callback arrives once that frame's style, layout and paint ran.
 */
function watchKeystrokes(): () => number[] {
  const el = current?.host as (HTMLElement & { updateComplete: Promise<boolean> }) | undefined;
  const input = el?.shadowRoot?.querySelector('input');
  if (!el || !input) throw new Error('no directory search box');
  const out: number[] = [];
  input.addEventListener('input', (e) => {
    const t0 = e.timeStamp;
    void el.updateComplete.then(() =>
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => out.push(performance.now() - t0);
        ch.port2.postMessage(0);
      }),
    );
  });
  return () => out;
}

let keystrokes: (() => number[]) | null = null;

const api = {
  mountQueues,
  runEvents,
  mountDirectory,
  searchTimes,
  watchKeystrokes: () => {
    keystrokes = watchKeystrokes();
  },
  keystrokeTimes: () => keystrokes?.() ?? [],
  shownRows: () =>
    current?.host.shadowRoot?.querySelectorAll('[data-testid=directory-entry]').length ?? 0,
};

declare global {
  interface Window {
    sentralBench: typeof api;
  }
}
window.sentralBench = api;
