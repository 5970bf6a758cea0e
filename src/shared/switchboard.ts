/**
 * The switchboard's shared vocabulary: queues, waiting callers, agent states and queue
 * statistics as the API sends them. Declared once; the core validates against it and the
 * browser renders from it.
 * @packageDocumentation
 */
import { z } from 'zod';

export const AgentState = z.enum([
  'logged_out',
  'available',
  'ringing',
  'on_call',
  'wrap_up',
  'paused',
]);
export type AgentState = z.infer<typeof AgentState>;

/** Why an agent is paused; `auto_no_answer` is set by the core after missed offers. */
export const PauseReason = z.enum(['lunch', 'meeting', 'admin', 'other', 'auto_no_answer']);
export type PauseReason = z.infer<typeof PauseReason>;

/** Reasons an agent may choose (the automatic one is the core's). */
export const ChosenPauseReason = z.enum(['lunch', 'meeting', 'admin', 'other']);

export const CallerPriority = z.enum(['normal', 'vip', 'recall']);
export type CallerPriority = z.infer<typeof CallerPriority>;

export const DistributionStrategy = z.enum(['ring-all', 'longest-idle', 'round-robin', 'serial']);

export const QueueInfo = z.object({
  id: z.string(),
  name: z.string(),
  number: z.string().nullable(),
  strategy: DistributionStrategy,
});
export type QueueInfo = z.infer<typeof QueueInfo>;

export const WaitingCaller = z.object({
  callId: z.string(),
  queueId: z.string(),
  /** As the caller presented it (E.164 when it could be normalised). Text, never HTML. */
  number: z.string(),
  /** Display name the caller sent, or a directory match; text, never HTML. */
  name: z.string().nullable(),
  priority: CallerPriority,
  /** Epoch ms when the caller started waiting (kept across overflow). */
  enteredAt: z.number(),
  /** The engine's order across queues: lower is served first (priority bonuses included). */
  rank: z.number(),
  /** 1-based position in its queue. */
  position: z.number().int().positive(),
  state: z.enum(['waiting', 'offered', 'picked']),
});
export type WaitingCaller = z.infer<typeof WaitingCaller>;

export const AgentQueueState = z.object({
  queueId: z.string(),
  agentId: z.string(),
  state: AgentState,
  reason: PauseReason.nullable(),
  /** Epoch ms of the last state change. */
  since: z.number(),
});
export type AgentQueueState = z.infer<typeof AgentQueueState>;

export const QueueStats = z.object({
  queueId: z.string(),
  waiting: z.number().int(),
  longestWaitMs: z.number(),
  answered: z.number().int(),
  abandoned: z.number().int(),
  overflowed: z.number().int(),
  /** % answered within the queue's target, null before any call. */
  serviceLevel: z.number().nullable(),
  averageWaitMs: z.number(),
  averageTalkMs: z.number(),
});
export type QueueStats = z.infer<typeof QueueStats>;

export const CallerLeftReason = z.enum([
  'answered',
  'abandoned',
  'overflow',
  'timeout',
  'transferred',
  'picked',
]);

/** A call parked on the tenant's shared list, waiting for any operator to pick it up. */
export const ParkedCall = z.object({
  /** Short slot number operators say and type ("1", "2", …). */
  slot: z.string(),
  callId: z.string(),
  number: z.string(),
  name: z.string().nullable(),
  parkedBy: z.string(),
  /** Epoch ms. */
  parkedAt: z.number(),
});
export type ParkedCall = z.infer<typeof ParkedCall>;

export const SwitchboardSnapshot = z.object({
  /** The tenant's event seq this snapshot is consistent with; events continue at seq + 1. */
  seq: z.number().int(),
  queues: z.array(QueueInfo),
  /** Ordered as the engine serves them, per queue. */
  callers: z.array(WaitingCaller),
  agents: z.array(AgentQueueState),
  stats: z.array(QueueStats),
  parked: z.array(ParkedCall),
});
export type SwitchboardSnapshot = z.infer<typeof SwitchboardSnapshot>;

/** Event names and their payloads on the per-tenant stream. */
export const SwitchboardEvents = {
  'queue.caller_joined': WaitingCaller,
  'queue.caller_left': z.object({
    callId: z.string(),
    queueId: z.string(),
    reason: CallerLeftReason,
    waitedMs: z.number(),
    agentId: z.string().nullable(),
  }),
  'queue.positions': z.object({ queueId: z.string(), callIds: z.array(z.string()) }),
  'queue.caller_state': z.object({
    callId: z.string(),
    queueId: z.string(),
    state: z.enum(['waiting', 'offered', 'picked']),
    /** Agents ringing (offered) or the operator (picked). */
    agentIds: z.array(z.string()),
  }),
  'agent.state': AgentQueueState,
  /** The core paused an agent in all queues after missed offers; tell them why. */
  'agent.auto_paused': z.object({
    agentId: z.string(),
    queueId: z.string(),
    missedOffers: z.number().int(),
  }),
  'queue.stats': QueueStats,
  /** A person's presence changed (calls, registration, absence). */
  'presence.changed': z.lazy(() => Presence),
  /**
   * What the number lookup found about a waiting caller (name, company, address). Public
   * directory data: shown, never stored beyond the lookup cache. Text, never HTML.
   */
  'caller.lookup': z.object({
    callId: z.string(),
    number: z.string(),
    name: z.string().nullable(),
    company: z.string().nullable(),
    address: z.string().nullable(),
    source: z.string(),
  }),
  /**
   * A call's state changed: waiting in a queue, ringing users, connected to a user, being
   * transferred (the caller held by the core), or ended. `number` / `name` are the caller's
   * (text, never HTML); user ids say who is on it or ringing for it.
   */
  'call.state': z.object({
    callId: z.string(),
    state: z.enum(['queued', 'ringing', 'connected', 'transferring', 'ended']),
    number: z.string(),
    name: z.string().nullable(),
    callerUserId: z.string().nullable(),
    connectedTo: z.string().nullable(),
    ringing: z.array(z.string()),
    queueId: z.string().nullable(),
  }),
  /**
   * An operator's consultation on a call (attended transfer): the colleague rings, talks to
   * the operator (who hears `talkingTo`), was handed the caller (`completed`) or the
   * consultation ended and the caller is back with the operator (`ended`, with the reason).
   */
  'call.consult': z.object({
    callId: z.string(),
    operatorId: z.string(),
    target: z.object({ userId: z.string(), extension: z.string(), name: z.string() }),
    state: z.enum(['ringing', 'talking', 'completed', 'ended']),
    talkingTo: z.enum(['target', 'caller']),
    reason: z
      .enum(['busy', 'rejected', 'no_answer', 'unavailable', 'cancelled', 'hung_up'])
      .optional(),
  }),
  /** Notes on a caller were added, edited or deleted: caller cards showing it reload. */
  'caller.notes_changed': z.object({ number: z.string() }),
  /** The whole parked list after every change (it is short). */
  'park.list': z.object({ parked: z.array(ParkedCall) }),
  'answer_group.call': z.object({
    groupId: z.string(),
    callId: z.string(),
    state: z.enum(['ringing', 'answered', 'fallback', 'abandoned']),
    agentIds: z.array(z.string()),
  }),
} as const;
export type SwitchboardEventName = keyof typeof SwitchboardEvents;
export type SwitchboardEventData<E extends SwitchboardEventName> = z.infer<
  (typeof SwitchboardEvents)[E]
>;

/** A time range `[from, to)` in epoch ms, at most a year. */
export const StatsRange = z
  .object({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative() })
  .refine((r) => r.from <= r.to, { message: 'from must not be after to' })
  .refine((r) => r.to - r.from <= 366 * 24 * 3600_000, { message: 'at most one year' });

const nullableNumber = z.number().nullable();

/** Statistics of one queue over a range, computed from the call records. */
export const QueueReport = z.object({
  queueId: z.string(),
  queueName: z.string(),
  serviceLevelS: z.number(),
  offered: z.number().int(),
  answered: z.number().int(),
  answeredWithinServiceLevel: z.number().int(),
  unanswered: z.number().int(),
  abandoned: z.number().int(),
  overflowed: z.number().int(),
  transferred: z.number().int(),
  recalls: z.number().int(),
  answerRate: nullableNumber,
  serviceLevel: nullableNumber,
  averageWaitMs: nullableNumber,
  longestWaitMs: nullableNumber,
  averageTalkMs: nullableNumber,
});

/** Statistics of one agent or operator over a range. */
export const AgentReport = z.object({
  userId: z.string(),
  displayName: z.string(),
  offered: z.number().int(),
  answered: z.number().int(),
  answerRate: nullableNumber,
  averageWaitMs: nullableNumber,
  longestWaitMs: nullableNumber,
  averageTalkMs: nullableNumber,
  talkMs: z.number(),
  transferred: z.number().int(),
  outgoing: z.number().int(),
});

export const HourlyReport = z.object({
  queueId: z.string(),
  /** Start of the hour, epoch ms. */
  hour: z.number(),
  offered: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int(),
});

/** What a colleague is doing, as the directory shows it (colour + icon + word in the UI). */
export const PresenceState = z.enum(['free', 'ringing', 'busy', 'absent', 'offline']);
export type PresenceState = z.infer<typeof PresenceState>;

export const AbsenceReason = z.enum([
  'meeting',
  'lunch',
  'vacation',
  'sick',
  'travel',
  'course',
  'other',
]);
export const CallHandling = z.enum(['forward', 'switchboard', 'ring']);

export const AbsenceInfo = z.object({
  reason: AbsenceReason,
  /** Epoch ms. */
  from: z.number(),
  /** Epoch ms; null = until further notice. */
  until: z.number().nullable(),
  /** Text, never HTML. */
  message: z.string().nullable(),
  callHandling: CallHandling,
  forwardNumber: z.string().nullable(),
  source: z.enum(['self', 'operator', 'calendar']),
});
export type AbsenceInfo = z.infer<typeof AbsenceInfo>;

export const Presence = z.object({
  userId: z.string(),
  state: PresenceState,
  /** The absence in force (even while the person is busy or ringing), if any. */
  absence: AbsenceInfo.nullable(),
  /** Epoch ms of the last change of `state`. */
  since: z.number(),
});
export type Presence = z.infer<typeof Presence>;
