/**
 * The switchboard slice's state and its pure reducers: a snapshot from `switchboard.snapshot`
 * kept current by the tenant's event stream. Events must follow the snapshot's `seq` without a
 * gap; a gap (or a reconnect) marks the state `resync` and the model fetches a new snapshot.
 * @packageDocumentation
 */
import type { EventFrame } from '../shared/protocol.js';
import type {
  AgentQueueState,
  ParkedCall,
  QueueInfo,
  QueueStats,
  SwitchboardEventData,
  SwitchboardSnapshot,
  WaitingCaller,
} from '../shared/switchboard.js';

/**
 * - `idle`: nobody logged in.
 * - `loading`: the first snapshot is on its way.
 * - `live`: snapshot plus every event since, in order.
 * - `resync`: an event was missed (gap in `seq`) or the connection dropped; what is shown may be
 *   out of date until the next snapshot arrives.
 */
export type SwitchboardStatus = 'idle' | 'loading' | 'live' | 'resync';

/** What the number lookup found about a waiting caller. Text, never HTML. */
export interface CallerLookup {
  readonly name: string | null;
  readonly company: string | null;
  readonly address: string | null;
}

/** The signed-in operator's consultation, from `call.consult` events. */
export type Consultation = SwitchboardEventData<'call.consult'>;

export interface SwitchboardState {
  readonly status: SwitchboardStatus;
  readonly seq: number;
  readonly queues: readonly QueueInfo[];
  /** Every waiting caller of the tenant. */
  readonly callers: readonly WaitingCaller[];
  readonly agents: readonly AgentQueueState[];
  readonly stats: readonly QueueStats[];
  readonly parked: readonly ParkedCall[];
  /** Lookup results by the caller's call id. */
  readonly lookups: Readonly<Record<string, CallerLookup>>;
  /** The consultation of the user this state belongs to, while one is running. */
  readonly consultation: Consultation | null;
  /** How the user's last consultation ended without a transfer (until the next one starts). */
  readonly consultationEnded: Consultation | null;
  /** The call the user is connected to now (from `call.state`), for the caller card. */
  readonly myCall: MyCall | null;
}

/** The signed-in user's current call as the caller card needs it. Text, never HTML. */
export interface MyCall {
  readonly callId: string;
  readonly number: string;
  readonly name: string | null;
  /** Set when the other party is a colleague (no caller card for them). */
  readonly callerUserId: string | null;
}

export const initialSwitchboard: SwitchboardState = {
  status: 'idle',
  seq: 0,
  queues: [],
  callers: [],
  agents: [],
  stats: [],
  parked: [],
  lookups: {},
  consultation: null,
  consultationEnded: null,
  myCall: null,
};

export function switchboardLoading(state: SwitchboardState): SwitchboardState {
  return state.status === 'idle' ? { ...state, status: 'loading' } : state;
}

/** A fresh snapshot replaces everything but what only events tell (lookups, consultation). */
export function snapshotLoaded(
  state: SwitchboardState,
  snapshot: SwitchboardSnapshot,
): SwitchboardState {
  const waiting = new Set(snapshot.callers.map((c) => c.callId));
  return {
    ...state,
    status: 'live',
    seq: snapshot.seq,
    queues: snapshot.queues,
    callers: snapshot.callers,
    agents: snapshot.agents,
    stats: snapshot.stats,
    parked: snapshot.parked,
    lookups: Object.fromEntries(Object.entries(state.lookups).filter(([id]) => waiting.has(id))),
  };
}

/** The connection dropped: keep showing what we have, marked as possibly stale. */
export function connectionLost(state: SwitchboardState): SwitchboardState {
  return state.status === 'live' ? { ...state, status: 'resync' } : state;
}

/**
 * Applies one event. Events at or below the current seq are old news (already in the
 * snapshot); one that skips a seq marks the state `resync`. `me` is the signed-in user's id.
 */
export function eventReceived(
  state: SwitchboardState,
  frame: EventFrame,
  me: string,
): SwitchboardState {
  if (state.status !== 'live' || frame.seq <= state.seq) return state;
  if (frame.seq !== state.seq + 1) return { ...state, status: 'resync' };
  return { ...applyEvent(state, frame, me), seq: frame.seq };
}

function applyEvent(state: SwitchboardState, frame: EventFrame, me: string): SwitchboardState {
  switch (frame.event) {
    case 'queue.caller_joined': {
      const c = frame.data as SwitchboardEventData<'queue.caller_joined'>;
      return { ...state, callers: [...state.callers.filter((x) => x.callId !== c.callId), c] };
    }
    case 'queue.caller_left': {
      const d = frame.data as SwitchboardEventData<'queue.caller_left'>;
      const lookups = Object.fromEntries(
        Object.entries(state.lookups).filter(([id]) => id !== d.callId),
      );
      return {
        ...state,
        callers: state.callers.filter((x) => !(x.callId === d.callId && x.queueId === d.queueId)),
        lookups,
      };
    }
    case 'queue.caller_state': {
      const d = frame.data as SwitchboardEventData<'queue.caller_state'>;
      return {
        ...state,
        callers: state.callers.map((c) =>
          c.callId === d.callId && c.queueId === d.queueId ? { ...c, state: d.state } : c,
        ),
      };
    }
    case 'queue.positions': {
      const d = frame.data as SwitchboardEventData<'queue.positions'>;
      const position = new Map(d.callIds.map((id, i) => [id, i + 1]));
      return {
        ...state,
        callers: state.callers.map((c) =>
          c.queueId === d.queueId && position.has(c.callId)
            ? { ...c, position: position.get(c.callId) ?? c.position }
            : c,
        ),
      };
    }
    case 'agent.state': {
      const a = frame.data as SwitchboardEventData<'agent.state'>;
      const rest = state.agents.filter(
        (x) => !(x.queueId === a.queueId && x.agentId === a.agentId),
      );
      return { ...state, agents: [...rest, a] };
    }
    case 'queue.stats': {
      const s = frame.data as SwitchboardEventData<'queue.stats'>;
      return { ...state, stats: [...state.stats.filter((x) => x.queueId !== s.queueId), s] };
    }
    case 'park.list': {
      const d = frame.data as SwitchboardEventData<'park.list'>;
      return { ...state, parked: d.parked };
    }
    case 'caller.lookup': {
      const d = frame.data as SwitchboardEventData<'caller.lookup'>;
      return {
        ...state,
        lookups: {
          ...state.lookups,
          [d.callId]: { name: d.name, company: d.company, address: d.address },
        },
      };
    }
    case 'call.consult': {
      const d = frame.data as Consultation;
      if (d.operatorId !== me) return state;
      const over = d.state === 'completed' || d.state === 'ended';
      return {
        ...state,
        consultation: over ? null : d,
        consultationEnded: d.state === 'ended' ? d : null,
      };
    }
    case 'call.state': {
      const d = frame.data as SwitchboardEventData<'call.state'>;
      if (d.state === 'connected' && d.connectedTo === me) {
        const myCall: MyCall = {
          callId: d.callId,
          number: d.number,
          name: d.name,
          callerUserId: d.callerUserId,
        };
        return { ...state, myCall };
      }
      return state.myCall?.callId === d.callId ? { ...state, myCall: null } : state;
    }
    default:
      return state; // events this slice does not show (presence, …)
  }
}

/**
 * The waiting callers of `queueIds` (all queues when null) merged into one list in the order
 * the engine serves them: its rank (priority bonuses included), then position.
 */
export function mergedCallers(
  state: SwitchboardState,
  queueIds: ReadonlySet<string> | null,
): WaitingCaller[] {
  return state.callers
    .filter((c) => queueIds === null || queueIds.has(c.queueId))
    .sort((a, b) => a.rank - b.rank || a.position - b.position);
}

/** The user's own state in every queue they are a member of. */
export function myAgentStates(state: SwitchboardState, me: string): AgentQueueState[] {
  return state.agents.filter((a) => a.agentId === me);
}
