/**
 * Maps the ACD's events and snapshots to the wire vocabulary of src/shared/switchboard.ts.
 * The ACD's internal types may grow; the API changes only here, on purpose.
 */
import type {
  AgentQueueState,
  QueueStats,
  SwitchboardEventData,
  SwitchboardEventName,
  SwitchboardSnapshot,
  WaitingCaller,
} from '../../shared/switchboard';
import type { AcdEvent, AcdSnapshot, QueueStats as AcdQueueStats } from '../acd';

type WireEvent = {
  [E in SwitchboardEventName]: { event: E; data: SwitchboardEventData<E> };
}[SwitchboardEventName];

export function toProtocolEvent(e: AcdEvent): WireEvent | undefined {
  switch (e.type) {
    case 'caller_joined':
      return {
        event: 'queue.caller_joined',
        data: {
          callId: e.callId,
          queueId: e.queueId,
          number: e.number,
          name: e.name,
          priority: e.priority,
          enteredAt: e.enteredAt,
          rank: e.rank,
          position: e.position,
          state: e.state,
        },
      };
    case 'caller_left':
      return {
        event: 'queue.caller_left',
        data: {
          callId: e.callId,
          queueId: e.queueId,
          reason: e.reason,
          waitedMs: e.waitedMs,
          agentId: e.agentId,
        },
      };
    case 'caller_state':
      return {
        event: 'queue.caller_state',
        data: { callId: e.callId, queueId: e.queueId, state: e.state, agentIds: e.agentIds },
      };
    case 'positions_changed':
      return { event: 'queue.positions', data: { queueId: e.queueId, callIds: e.callIds } };
    case 'agent_state':
      return {
        event: 'agent.state',
        data: {
          queueId: e.queueId,
          agentId: e.agentId,
          state: e.state,
          reason: e.reason,
          since: e.since,
        },
      };
    case 'agent_auto_paused':
      return {
        event: 'agent.auto_paused',
        data: { agentId: e.agentId, queueId: e.queueId, missedOffers: e.missedOffers },
      };
    case 'queue_stats':
      return { event: 'queue.stats', data: toStats(e.stats) };
    case 'answer_group_call':
      return {
        event: 'answer_group.call',
        data: { groupId: e.groupId, callId: e.callId, state: e.state, agentIds: e.agentIds },
      };
  }
}

function toStats(s: AcdQueueStats): QueueStats {
  return {
    queueId: s.queueId,
    waiting: s.waiting,
    longestWaitMs: s.longestWaitMs,
    answered: s.answered,
    abandoned: s.abandoned,
    overflowed: s.overflowed,
    serviceLevel: s.serviceLevel,
    averageWaitMs: s.averageWaitMs,
    averageTalkMs: s.averageTalkMs,
  };
}

export function toSnapshot(
  snap: AcdSnapshot,
  seq: number,
  parked: SwitchboardSnapshot['parked'],
): SwitchboardSnapshot {
  const callers: WaitingCaller[] = [];
  const agents: AgentQueueState[] = [];
  for (const q of snap.queues) {
    for (const c of q.callers) {
      callers.push({
        callId: c.callId,
        queueId: c.queueId,
        number: c.number,
        name: c.name,
        priority: c.priority,
        enteredAt: c.enteredAt,
        rank: c.rank,
        position: c.position,
        state: c.state,
      });
    }
    for (const a of q.agents) {
      agents.push({
        queueId: a.queueId,
        agentId: a.agentId,
        state: a.state,
        reason: a.reason,
        since: a.since,
      });
    }
  }
  return {
    seq,
    queues: snap.queues.map((q) => ({
      id: q.id,
      name: q.name,
      number: q.number,
      strategy: q.strategy,
    })),
    callers,
    agents,
    stats: snap.queues.map((q) => toStats(q.stats)),
    parked,
  };
}
