/**
 * The queue board's derived data and wording (pure functions, tested with the element):
 * one tile per queue computed once per store change, agent counts by state, and the text of
 * the board in one place. The texts are getters: `msg()` must run when the board renders, in
 * the language of that moment, never when this module loads.
 */
import { msg, str } from '@lit/localize';
import type {
  AgentQueueState,
  AgentState,
  QueueInfo,
  QueueStats,
  WaitingCaller,
} from '../shared/switchboard.js';
import type { SwitchboardState, SwitchboardStatus } from '../store/switchboard-state.js';

/** Everything the board writes, in one place. */
export const BOARD_TEXT = {
  get boardLabel() {
    return msg('Queue board');
  },
  get stale() {
    return msg('Data may be out of date — reconnecting…');
  },
  staleFor: (wait: string) => msg(str`Not updated for ${wait}`),
  get loading() {
    return msg('Loading the queues…');
  },
  get idle() {
    return msg('Not connected to the switchboard.');
  },
  get noQueues() {
    return msg('No queues to show.');
  },
  get waiting() {
    return msg('waiting');
  },
  get longestWait() {
    return msg('longest wait');
  },
  get agents() {
    return msg('Agents');
  },
  get today() {
    return msg('Today');
  },
  get answered() {
    return msg('answered');
  },
  get unanswered() {
    return msg('unanswered');
  },
  get serviceLevel() {
    return msg('service level');
  },
  noServiceLevel: '—',
  get callers() {
    return msg('Callers');
  },
  get noAgents() {
    return msg('No agents in this queue.');
  },
  moreAgents: (n: number) => msg(str`+ ${n} more`),
};

/** How the board groups agent states (ringing and on a call both count as busy). */
export type AgentGroup = 'available' | 'busy' | 'wrap_up' | 'paused' | 'logged_out';

export const AGENT_GROUPS: readonly AgentGroup[] = [
  'available',
  'busy',
  'wrap_up',
  'paused',
  'logged_out',
];

/** An agent group in words (read at render time: the getters call `msg()`). */
export const GROUP_TEXT: Readonly<Record<AgentGroup, string>> = {
  get available() {
    return msg('available');
  },
  get busy() {
    return msg('busy');
  },
  get wrap_up() {
    return msg('wrap-up');
  },
  get paused() {
    return msg('paused');
  },
  get logged_out() {
    return msg('logged out');
  },
};

// The queue panel (on the switchboard route) needs only these words, not the board's code.
export { STATE_TEXT } from './agent-state-text.js';

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
