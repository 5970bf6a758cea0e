/**
 * Queue, answer group and VIP administration for the API (issue 4): writes go through the
 * store's validation (numbers normalised and unique in the tenant, members and targets of the
 * same tenant), then the engine reloads its configuration so the change holds for the next
 * caller. Callers already waiting stay where they are; a queue with callers in it cannot be
 * deleted.
 */
import type { AnswerGroupConfig, QueueConfig } from '../../shared/protocol';
import { ErrorCode } from '../../shared/protocol';
import { ApiFailure } from '../api/errors';
import type { ApiQueues } from '../api/api-server';
import type {
  AnswerGroup,
  AnswerGroupInput,
  Queue,
  QueueInput,
  QueueRepository,
} from '../store/queues';
import type { Switchboard } from './switchboard';

function queueConfig(q: Queue): QueueConfig {
  return {
    id: q.id,
    name: q.name,
    number: q.number,
    strategy: q.strategy,
    ringTimeoutS: q.ringTimeoutS,
    wrapUpS: q.wrapUpS,
    maxWaitS: q.maxWaitS,
    maxLength: q.maxLength,
    overflowTarget: q.overflowTarget,
    noAgentsTarget: q.noAgentsTarget,
    autoPauseAfterMisses: q.autoPauseAfterMisses,
    isMain: q.isMain,
    members: [...q.members],
  };
}

function answerGroupConfig(g: AnswerGroup): AnswerGroupConfig {
  return {
    id: g.id,
    name: g.name,
    number: g.number,
    mode: g.mode,
    ringTimeoutS: g.ringTimeoutS,
    fallback: g.fallback,
    members: [...g.members],
  };
}

export class QueueAdmin implements ApiQueues {
  constructor(
    private readonly queues: QueueRepository,
    private readonly switchboard: Pick<Switchboard, 'load' | 'snapshot'>,
  ) {}

  async config(tenantId: string) {
    const [queues, answerGroups, vip] = await Promise.all([
      this.queues.list(tenantId),
      this.queues.listAnswerGroups(tenantId),
      this.queues.vipList(tenantId),
    ]);
    return {
      queues: queues.map(queueConfig),
      answerGroups: answerGroups.map(answerGroupConfig),
      vip: vip.map((v) => ({ pattern: v.pattern, label: v.label })),
    };
  }

  async saveQueue(tenantId: string, id: string | undefined, input: QueueInput) {
    const saved = id
      ? await this.queues.update(tenantId, id, input)
      : await this.queues.create(tenantId, input);
    if (!saved) throw new ApiFailure(ErrorCode.NotFound, 'No such queue.');
    await this.switchboard.load();
    return queueConfig(saved);
  }

  async deleteQueue(tenantId: string, id: string) {
    if (this.switchboard.snapshot(tenantId).callers.some((c) => c.queueId === id)) {
      throw new ApiFailure(ErrorCode.Conflict, 'Callers are waiting in this queue.');
    }
    const deleted = await this.queues.delete(tenantId, id);
    if (deleted) await this.switchboard.load();
    return deleted;
  }

  async saveAnswerGroup(tenantId: string, id: string | undefined, input: AnswerGroupInput) {
    const saved = id
      ? await this.queues.updateAnswerGroup(tenantId, id, input)
      : await this.queues.createAnswerGroup(tenantId, input);
    if (!saved) throw new ApiFailure(ErrorCode.NotFound, 'No such answer group.');
    await this.switchboard.load();
    return answerGroupConfig(saved);
  }

  async deleteAnswerGroup(tenantId: string, id: string) {
    const deleted = await this.queues.deleteAnswerGroup(tenantId, id);
    if (deleted) await this.switchboard.load();
    return deleted;
  }

  async setVip(
    tenantId: string,
    entries: ReadonlyArray<{ pattern: string; label: string | null }>,
  ) {
    const vip = await this.queues.setVipList(tenantId, entries);
    await this.switchboard.load();
    return vip.map((v) => ({ pattern: v.pattern, label: v.label }));
  }
}
