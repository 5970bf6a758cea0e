/**
 * Turns a finished call into call records in the layout the statistics count (see the doc
 * comment of src/server/store/records.ts): one inbound row per queue visit (or one for a call
 * that never queued), and one outbound row per user whose phone(s) rang for one offer, pick or
 * transfer attempt. Pure: it reads what the B2BUA and the switchboard noted on the call.
 */
import type { Call, OutboundLeg } from '../b2bua/b2bua';
import type { CallOutcome, NewCallRecord } from '../store/records';

/** One stay of a caller in a queue, as the switchboard notes it. */
export interface QueueVisit {
  queueId: string;
  startedAt: number;
  endedAt?: number;
  answeredAt?: number;
  userId?: string;
  outcome?: CallOutcome;
  overflowQueueId?: string;
  transferredTo?: string;
  transferredBy?: string;
  recall?: boolean;
}

/** Per-leg notes the switchboard keeps (keyed by the leg object). */
export interface LegNotes {
  /** Why the core withdrew the leg: the ACD's cancel reason or `recall_timeout`. */
  cancelReason?: string;
  /** Who transferred the call when this leg was rung for a transfer. */
  transferredBy?: string;
}

export function callRecords(
  call: Call,
  visits: readonly QueueVisit[],
  notes: ReadonlyMap<OutboundLeg, LegNotes>,
  now: number,
): NewCallRecord[] {
  const tenantId = call.caller.tenantId;
  const endedAt = call.endedAt ?? now;
  const direction =
    call.caller.kind !== 'user'
      ? 'incoming'
      : call.attributes.has('external')
        ? 'outgoing'
        : 'internal';
  const base = {
    tenantId,
    callId: call.id,
    direction,
    callerNumber: call.caller.number,
    callerName: call.caller.displayName,
    calleeNumber: call.dialled,
  } as const;
  const rows: NewCallRecord[] = [];

  if (visits.length > 0) {
    for (const v of visits) {
      const end = v.endedAt ?? endedAt;
      const outcome: CallOutcome =
        v.outcome ?? (v.answeredAt !== undefined ? 'answered' : unansweredOutcome(call));
      rows.push({
        ...base,
        leg: 'inbound',
        startedAt: new Date(v.startedAt),
        answeredAt: v.answeredAt !== undefined ? new Date(v.answeredAt) : null,
        endedAt: new Date(end),
        userId: v.userId ?? null,
        queueId: v.queueId,
        waitMs: (v.answeredAt ?? end) - v.startedAt,
        talkMs: v.answeredAt !== undefined ? end - v.answeredAt : null,
        outcome,
        overflowQueueId: v.overflowQueueId ?? null,
        transferredTo: v.transferredTo ?? null,
        transferredBy: v.transferredBy ?? null,
        recall: v.recall ?? false,
      });
    }
  } else {
    const answeredAt = call.answeredAt;
    rows.push({
      ...base,
      leg: 'inbound',
      startedAt: new Date(call.startedAt),
      answeredAt: answeredAt !== undefined ? new Date(answeredAt) : null,
      endedAt: new Date(endedAt),
      // A user's own leg carries the user; an outside caller's leg the user who answered.
      userId: call.caller.userId ?? firstAnswered(call)?.user.userId ?? null,
      queueId: null,
      waitMs: null,
      talkMs: answeredAt !== undefined ? endedAt - answeredAt : null,
      outcome:
        (call.attributes.get('transferOutcome') as CallOutcome | undefined) ??
        (answeredAt !== undefined ? 'answered' : unansweredOutcome(call)),
      transferredTo: (call.attributes.get('transferredTo') as string | undefined) ?? null,
      transferredBy: (call.attributes.get('transferredBy') as string | undefined) ?? null,
    });
  }

  // Outbound: one row per (offer / pick / transfer attempt, user).
  const groups = new Map<string, OutboundLeg[]>();
  for (const leg of call.outbound) {
    const key = `${leg.transfer !== undefined ? `t${leg.transfer}` : (leg.tag ?? 'direct')}|${leg.user.userId}`;
    const list = groups.get(key);
    if (list) list.push(leg);
    else groups.set(key, [leg]);
  }
  for (const legs of groups.values()) {
    const first = legs[0];
    if (!first) continue;
    const answered = legs.find((l) => l.answeredAt !== undefined);
    const startedAt = Math.min(...legs.map((l) => l.createdAt));
    const end =
      answered?.releasedAt ??
      (answered ? endedAt : Math.max(...legs.map((l) => l.finishedAt ?? endedAt)));
    const legNotes = legs.map((l) => notes.get(l) ?? {});
    rows.push({
      ...base,
      leg: 'outbound',
      startedAt: new Date(startedAt),
      answeredAt: answered?.answeredAt !== undefined ? new Date(answered.answeredAt) : null,
      endedAt: new Date(end),
      // A trunk leg rings a number, not a user.
      userId: first.user.userId || null,
      calleeNumber: first.user.extension,
      queueId:
        (first.tag && (call.attributes.get(`offerQueue:${first.tag}`) as string | undefined)) ??
        null,
      waitMs: null,
      talkMs: answered?.answeredAt !== undefined ? end - answered.answeredAt : null,
      outcome: answered ? 'answered' : ringOutcome(legs, legNotes),
      transferredBy: legNotes.find((n) => n.transferredBy)?.transferredBy ?? null,
    });
  }
  return rows;
}

function firstAnswered(call: Call): OutboundLeg | undefined {
  return call.outbound.find((l) => l.answeredAt !== undefined);
}

function unansweredOutcome(call: Call): CallOutcome {
  if (call.endReason === 'cancelled' || call.endReason === 'caller disconnected') {
    return call.attributes.has('firstQueueId') ? 'abandoned' : 'cancelled';
  }
  switch (call.failStatus) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'rejected';
    case 408:
    case 480:
      return 'no_answer';
    default:
      return 'failed';
  }
}

/** What happened to a user's phone(s) that rang for one offer and did not answer. */
function ringOutcome(legs: readonly OutboundLeg[], notes: readonly LegNotes[]): CallOutcome {
  const reasons = notes.map((n) => n.cancelReason).filter(Boolean);
  // A ring the core withdrew because it rang too long is a no-answer; any other withdrawal
  // (answered elsewhere, caller left, overflow, pick) is "cancelled".
  if (reasons.some((r) => r === 'timeout' || r === 'recall_timeout')) return 'no_answer';
  if (legs.every((l) => l.cancelled)) return 'cancelled';
  const statuses = legs.filter((l) => !l.cancelled).map((l) => l.final ?? 0);
  if (statuses.some((s) => s === 486 || s === 600)) return 'busy';
  if (statuses.some((s) => s === 603)) return 'rejected';
  if (statuses.some((s) => s === 408 || s === 480 || s === 487)) return 'no_answer';
  return 'failed';
}
