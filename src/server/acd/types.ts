/**
 * The ACD's vocabulary: configuration it is given, facts it is told, decisions it takes
 * (actions) and what it reports for the API stream (events). Plain data; no SIP.
 */
import type { AgentState } from './agent-state';

export type Strategy = 'ring-all' | 'longest-idle' | 'round-robin' | 'serial';
export type CallerPriority = 'normal' | 'vip' | 'recall';
/** Reasons an agent may choose for a pause. */
export type ChosenPauseReason = 'lunch' | 'meeting' | 'admin' | 'other';
/** Every pause reason; `auto_no_answer` is set by the engine after missed offers. */
export type PauseReason = ChosenPauseReason | 'auto_no_answer';
export type OfferFailure = 'no_answer' | 'busy' | 'rejected' | 'unreachable';
export type CallerState = 'waiting' | 'offered' | 'picked';
export type CallerLeftReason =
  'answered' | 'abandoned' | 'overflow' | 'timeout' | 'transferred' | 'picked';

/** Where a call goes when the engine lets go of it. */
export interface Target {
  kind: 'queue' | 'user' | 'number' | 'answer-group';
  id: string;
}

export interface QueueConfig {
  id: string;
  tenantId: string;
  name: string;
  number: string | null;
  strategy: Strategy;
  /** How long one offer rings (all agents together for ring-all). */
  ringTimeoutS: number;
  /** After-call work before the next offer; 0 for none. */
  wrapUpS: number;
  /** Longest wait in this queue (counted from joining it) before overflow; null = no limit. */
  maxWaitS: number | null;
  /** Most callers at once (waiting, offered or picked); null = no limit. */
  maxLength: number | null;
  /** Where callers go on max wait or when the queue is full; null = end the call (timeout) / reject. */
  overflowTarget: Target | null;
  /** Where callers go when nobody is logged in; null = wait anyway. */
  noAgentsTarget: Target | null;
  /** Service-level target: answered within this many seconds counts as "in time". */
  serviceLevelS: number;
  /** Pause an agent after this many missed offers in a row; null = never. */
  autoPauseAfterMisses: number | null;
  /** Agent ids in order (the order serial and round-robin follow). */
  members: string[];
}

export interface AnswerGroupConfig {
  id: string;
  tenantId: string;
  name: string;
  number: string | null;
  mode: 'parallel' | 'serial';
  /** Per member in serial mode; in total in parallel mode. */
  ringTimeoutS: number;
  members: string[];
  /** Where the call goes when nobody answered. */
  fallback: Target;
}

export interface EnqueueRequest {
  callId: string;
  tenantId: string;
  queueId: string;
  callerNumber: string;
  callerName: string | null;
  /** Given by the core (e.g. `recall`); otherwise the engine decides from the VIP list. */
  priority?: CallerPriority;
  /**
   * When the caller started waiting, for a caller that overflowed from another queue: its
   * order and waited time carry over. Max wait in this queue still counts from now.
   */
  enteredAt?: number;
}

export type EnqueueResult =
  | { result: 'queued'; position: number; priority: CallerPriority }
  | { result: 'overflow'; target: Target; reason: 'no_agents' | 'full' }
  | { result: 'rejected'; reason: 'full' };

export interface AnswerGroupCallRequest {
  callId: string;
  tenantId: string;
  groupId: string;
  callerNumber: string;
  callerName: string | null;
}

export type AnswerGroupCallResult =
  { result: 'ringing' } | { result: 'fallback'; target: Target; reason: 'no_members' };

export type PickResult = { ok: true } | { ok: false; code: 'not_waiting' | 'already_connecting' };

export type OfferSource =
  { kind: 'queue'; queueId: string } | { kind: 'answer-group'; groupId: string };

export type CancelReason =
  /** Another agent of the same offer answered. */
  | 'answered_elsewhere'
  /** Ring timeout. */
  | 'timeout'
  /** An operator picked the caller. */
  | 'picked'
  /** The caller hung up. */
  | 'abandoned'
  /** The caller overflowed or timed out of the queue. */
  | 'overflow'
  /** The agent logged out, paused, became busy or unreachable while ringing. */
  | 'agent_unavailable'
  /** The queue or answer group was removed. */
  | 'removed'
  /** The caller was transferred away by the core. */
  | 'transferred';

/** Decisions for the core to carry out. */
export type AcdAction =
  | {
      type: 'offer';
      offerId: string;
      callId: string;
      tenantId: string;
      source: OfferSource;
      /** Ring these agents' phones (several only for ring-all and parallel answer groups). */
      agentIds: string[];
      /** The engine times the offer out itself after this long. */
      timeoutMs: number;
      callerNumber: string;
      callerName: string | null;
      priority: CallerPriority;
    }
  | {
      type: 'cancel-offer';
      offerId: string;
      callId: string;
      tenantId: string;
      /** Stop ringing these agents (the others of the offer, if any, keep ringing). */
      agentIds: string[];
      reason: CancelReason;
    }
  | {
      type: 'overflow';
      callId: string;
      tenantId: string;
      queueId: string;
      target: Target;
      reason: 'max_wait' | 'no_agents' | 'queue_removed';
    }
  | {
      /** The caller waited too long and there is nowhere to send it: end the call. */
      type: 'timeout';
      callId: string;
      tenantId: string;
      queueId: string;
      reason: 'max_wait' | 'queue_removed';
    }
  | {
      type: 'fallback';
      callId: string;
      tenantId: string;
      groupId: string;
      target: Target;
      reason: 'no_answer' | 'group_removed';
    };

/** A waiting caller as the API shows it. */
export interface CallerView {
  callId: string;
  queueId: string;
  number: string;
  name: string | null;
  priority: CallerPriority;
  enteredAt: number;
  /**
   * The engine's sort key (epoch ms, priority bonuses subtracted): lower is served first, so
   * callers of several queues merge in the order the engine would serve them.
   */
  rank: number;
  /** 1-based. */
  position: number;
  state: CallerState;
}

export interface AgentQueueView {
  queueId: string;
  agentId: string;
  state: AgentState;
  reason: PauseReason | null;
  /** When the agent entered `state` (time in state = now − since). */
  since: number;
  /** What longest-idle orders by: the later of the last call's end and the login; null when logged out. */
  idleSince: number | null;
}

/** What an agent is doing as a whole, across queues and answer groups. */
export type AgentActivity = 'idle' | 'ringing' | 'on_call' | 'wrap_up' | 'busy' | 'unreachable';

export interface AgentStatusView {
  agentId: string;
  reachable: boolean;
  busy: boolean;
  activity: AgentActivity;
  /** Offers missed in a row (reset by an answer or an unpause). */
  missedInRow: number;
}

export interface QueueStats {
  queueId: string;
  tenantId: string;
  /** Callers in the queue now (waiting, offered or picked). */
  waiting: number;
  /** How long the longest-waiting caller in the queue has waited, 0 when empty. */
  longestWaitMs: number;
  /** Answered by an agent or picked by an operator, since midnight. */
  answered: number;
  abandoned: number;
  overflowed: number;
  /** Left on max wait with nowhere to overflow. */
  timedOut: number;
  /** Turned away because the queue was full and had no overflow target. */
  rejected: number;
  answeredWithinServiceLevel: number;
  abandonedAfterServiceLevel: number;
  /** answered within target ÷ (answered + abandoned after target) × 100; null before any. */
  serviceLevel: number | null;
  /** Mean wait of the answered callers. */
  averageWaitMs: number;
  /** Mean talk time of the answered calls that have ended. */
  averageTalkMs: number;
  agentsLoggedIn: number;
  /** Logged in, available and free to take an offer now. */
  agentsAvailable: number;
  agentsPaused: number;
}

export interface QueueView {
  id: string;
  name: string;
  number: string | null;
  strategy: Strategy;
  /** In the order the engine serves them. */
  callers: CallerView[];
  agents: AgentQueueView[];
  stats: QueueStats;
}

export interface AnswerGroupCallView {
  callId: string;
  number: string;
  name: string | null;
  startedAt: number;
  ringingAgentIds: string[];
}

export interface AnswerGroupView {
  id: string;
  name: string;
  number: string | null;
  mode: 'parallel' | 'serial';
  members: string[];
  calls: AnswerGroupCallView[];
}

export interface AcdSnapshot {
  tenantId: string;
  queues: QueueView[];
  answerGroups: AnswerGroupView[];
  /** Every agent who is a member of one of the tenant's queues or answer groups. */
  agents: AgentStatusView[];
}

/** What the engine reports for the API stream; every event names its tenant. */
export type AcdEvent =
  | ({ type: 'caller_joined'; tenantId: string } & CallerView)
  | {
      type: 'caller_left';
      tenantId: string;
      queueId: string;
      callId: string;
      reason: CallerLeftReason;
      waitedMs: number;
      /** The agent who answered, or the operator who picked. */
      agentId: string | null;
      /** Where an overflowed caller went. */
      target: Target | null;
    }
  | {
      type: 'caller_state';
      tenantId: string;
      queueId: string;
      callId: string;
      state: CallerState;
      /** Agents ringing (offered) or the operator (picked); empty when waiting. */
      agentIds: string[];
    }
  | { type: 'positions_changed'; tenantId: string; queueId: string; callIds: string[] }
  | {
      type: 'agent_state';
      tenantId: string;
      queueId: string;
      agentId: string;
      state: AgentState;
      reason: PauseReason | null;
      since: number;
    }
  | {
      /** The engine paused the agent in all its queues after missed offers. */
      type: 'agent_auto_paused';
      tenantId: string;
      /** The queue whose offer was the last one missed. */
      queueId: string;
      agentId: string;
      missedOffers: number;
    }
  | { type: 'queue_stats'; tenantId: string; stats: QueueStats }
  | {
      type: 'answer_group_call';
      tenantId: string;
      groupId: string;
      callId: string;
      state: 'ringing' | 'answered' | 'fallback' | 'abandoned';
      /** Ringing agents, or the one who answered. */
      agentIds: string[];
      target: Target | null;
    };

export interface AcdTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface AcdOptions {
  /** Epoch milliseconds. */
  now: () => number;
  timers: AcdTimers;
  onAction: (action: AcdAction) => void;
  onEvent: (event: AcdEvent) => void;
  /** Head start of the priority classes in seconds; default vip 120, recall 300. */
  priorityBonusS?: Partial<Record<'vip' | 'recall', number>>;
  /**
   * After a caller has been offered to every agent who could take it, wait this long before
   * offering it to the same agents again (an agent who becomes free meanwhile and has not
   * had it yet gets it at once). Default 5,000 ms.
   */
  retryDelayMs?: number;
  /** Period of `queue_stats` events while something changes; default 5,000 ms. */
  statsIntervalMs?: number;
  /** Start of the statistics day containing `now`; default local midnight. */
  startOfDay?: (now: number) => number;
}
