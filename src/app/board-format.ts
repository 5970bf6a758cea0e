/**
 * The queue board's derived data and wording (pure functions, tested with the element):
 * one tile per queue computed once per store change, agent counts by state, and the English
 * text of the board kept in one place for the translation that comes later.
 */
import type {
  AgentQueueState,
  AgentState,
  QueueInfo,
  QueueStats,
  WaitingCaller,
} from '../shared/switchboard.js';
import type { SwitchboardState, SwitchboardStatus } from '../store/switchboard-state.js';

/** Everything the board writes, in one place (Norwegian comes later). */
export const BOARD_TEXT = {
  boardLabel: 'Queue board',
  stale: 'Data may be out of date — reconnecting…',
  staleFor: 'Not updated for',
  loading: 'Loading the queues…',
  idle: 'Not connected to the switchboard.',
  noQueues: 'No queues to show.',
  waiting: 'waiting',
  longestWait: 'longest wait',
  agents: 'Agents',
  today: 'Today',
  answered: 'answered',
  unanswered: 'unanswered',
  serviceLevel: 'service level',
  noServiceLevel: '—',
  callers: 'Callers',
  noAgents: 'No agents in this queue.',
  moreAgents: (n: number) => `+ ${n} more`,
} as const;

/** How the board groups agent states (ringing and on a call both count as busy). */
export type AgentGroup = 'available' | 'busy' | 'wrap_up' | 'paused' | 'logged_out';

export const AGENT_GROUPS: readonly AgentGroup[] = [
  'available',
  'busy',
  'wrap_up',
  'paused',
  'logged_out',
];

export const GROUP_TEXT: Record<AgentGroup, string> = {
  available: 'available',
  busy: 'busy',
  wrap_up: 'wrap-up',
  paused: 'paused',
  logged_out: 'logged out',
};

export const STATE_TEXT: Record<AgentState, string> = {
  available: 'Available',
  ringing: 'Ringing',
  on_call: 'On a call',
  wrap_up: 'Wrap-up',
  paused: 'Paused',
  logged_out: 'Logged out',
};

export function agentGroup(state: AgentState): AgentGroup {
  return state === 'ringing' || state === 'on_call' ? 'busy' : state;
}

export type AgentCounts = Record<AgentGroup, number>;

export function countAgents(agents: readonly AgentQueueState[]): AgentCounts {
  const counts: AgentCounts = { available: 0, busy: 0, wrap_up: 0, paused: 0, logged_out: 0 };
  for (const a of agents) counts[agentGroup(a.state)]++;
  return counts;
}

/** Order of the agent list: who can take a call first, who is away last. */
const STATE_ORDER: Record<AgentState, number> = {
  available: 0,
  ringing: 1,
  on_call: 2,
  wrap_up: 3,
  paused: 4,
  logged_out: 5,
};

/** One queue as the board shows it. */
export interface BoardTile {
  readonly queue: QueueInfo;
  /** Its waiting callers in queue order (shown only on request; counted always). */
  readonly callers: readonly WaitingCaller[];
  /** When the longest-waiting caller started waiting (epoch ms), or null if nobody waits. */
  readonly longestSince: number | null;
  readonly counts: AgentCounts;
  /** Sorted by state (available first), then longest in that state first. */
  readonly agents: readonly AgentQueueState[];
  readonly stats: QueueStats | null;
}

/** The items of each queue, in one pass over them (not one pass per queue). */
function byQueue<T extends { readonly queueId: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.queueId);
    if (list) list.push(item);
    else out.set(item.queueId, [item]);
  }
  return out;
}

/** The tiles of every queue in the snapshot's order. */
export function boardTiles(state: SwitchboardState): BoardTile[] {
  const callersOf = byQueue(state.callers);
  const agentsOf = byQueue(state.agents);
  const statsOf = new Map<string, QueueStats>();
  for (const s of state.stats) if (!statsOf.has(s.queueId)) statsOf.set(s.queueId, s);
  return state.queues.map((queue) => {
    const callers = (callersOf.get(queue.id) ?? []).sort((a, b) => a.position - b.position);
    const agents = (agentsOf.get(queue.id) ?? []).sort(
      (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.since - b.since,
    );
    let longestSince: number | null = null;
    for (const c of callers) {
      if (longestSince === null || c.enteredAt < longestSince) longestSince = c.enteredAt;
    }
    return {
      queue,
      callers,
      longestSince,
      counts: countAgents(agents),
      agents,
      stats: statsOf.get(queue.id) ?? null,
    };
  });
}

/**
 * How the board lays out `n` tiles on a landscape screen: up to three side by side, then two
 * rows (four as 2 × 2, six as 3 × 2), never more than four columns; and how many agent rows a
 * tile lists so that two rows of tiles still fit on the screen (the rest are counted).
 */
export function boardGrid(n: number): { columns: number; rows: number; maxAgents: number } {
  const columns = n <= 3 ? Math.max(1, n) : Math.min(4, Math.ceil(n / 2));
  const rows = Math.max(1, Math.ceil(n / columns));
  const maxAgents = rows === 1 ? 16 : columns <= 2 ? 10 : 6;
  return { columns, rows, maxAgents };
}

/**
 * Whether what is shown may be out of date: the stream dropped or missed events (`resync`), or a
 * reload is under way while older data is still on screen.
 */
export function isStale(status: SwitchboardStatus, hasData: boolean): boolean {
  return status === 'resync' || (status === 'loading' && hasData);
}

/** `m:ss` under an hour, `h:mm:ss` from there (negative durations show 0:00). */
export function formatWait(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** Service level as a whole percentage, or a dash before the first call of the day. */
export function formatServiceLevel(percent: number | null | undefined): string {
  return percent === null || percent === undefined
    ? BOARD_TEXT.noServiceLevel
    : `${Math.round(percent)}\u00a0%`;
}

/** The short form of an id, for agents the board has no name for. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** Someone the board can name (a directory entry fits). */
export interface BoardPerson {
  readonly id: string;
  readonly displayName: string;
}

export function agentName(names: ReadonlyMap<string, string>, id: string): string {
  return names.get(id) ?? shortId(id);
}
