/**
 * Writes the queue log and call records behind the signalling path: entries are buffered and
 * flushed in batches (every 200 ms or 100 entries), so a slow database never delays a call.
 * A failed write is logged with what was lost; it never throws into call handling.
 */
import type { AcdEvent } from '../acd';
import type { Logger } from '../logger';
import type { NewCallRecord, QueueEvent, RecordsRepository } from '../store/records';

const FLUSH_MS = 200;
const BATCH = 100;

export class RecordWriter {
  #events: QueueEvent[] = [];
  #records: NewCallRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Last known state per `queueId|agentId`, to tell a login from an unpause. */
  readonly #agentStates = new Map<string, string>();

  constructor(
    private readonly repo: RecordsRepository,
    private readonly logger: Logger,
  ) {}

  queueEvent(e: QueueEvent): void {
    this.#events.push({ at: new Date(), ...e });
    this.#schedule();
  }

  callRecord(r: NewCallRecord): void {
    this.#records.push(r);
    this.#schedule();
  }

  /** Turns the ACD's events into queue log entries. */
  fromAcdEvent(e: AcdEvent): void {
    switch (e.type) {
      case 'caller_joined':
        this.queueEvent({
          tenantId: e.tenantId,
          event: 'joined',
          callId: e.callId,
          queueId: e.queueId,
          callerNumber: e.number,
          data: { priority: e.priority },
        });
        return;
      case 'caller_left':
        this.queueEvent({
          tenantId: e.tenantId,
          event: e.reason,
          callId: e.callId,
          queueId: e.queueId,
          agentId: e.agentId,
          waitMs: e.waitedMs,
          data: e.target ? { to: e.target } : null,
        });
        return;
      case 'agent_state': {
        const key = `${e.queueId}|${e.agentId}`;
        const before = this.#agentStates.get(key) ?? 'logged_out';
        this.#agentStates.set(key, e.state);
        const event =
          e.state === 'logged_out'
            ? 'agent_logout'
            : e.state === 'paused'
              ? 'agent_pause'
              : before === 'logged_out'
                ? 'agent_login'
                : before === 'paused'
                  ? 'agent_unpause'
                  : null;
        if (event)
          this.queueEvent({
            tenantId: e.tenantId,
            event,
            queueId: e.queueId,
            agentId: e.agentId,
            data: e.reason ? { reason: e.reason } : null,
          });
        return;
      }
      case 'agent_auto_paused':
        this.queueEvent({
          tenantId: e.tenantId,
          event: 'agent_auto_pause',
          queueId: e.queueId,
          agentId: e.agentId,
          data: { missedOffers: e.missedOffers },
        });
        return;
      default:
        return;
    }
  }

  /** Writes everything buffered; resolves when it is in the database. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events = this.#events.splice(0);
    const records = this.#records.splice(0);
    this.#writing = this.#writing.then(async () => {
      try {
        if (events.length > 0) await this.repo.appendQueueEvents(events);
      } catch (err) {
        this.logger.error('writing the queue log failed', { err, events: events.length });
      }
      await this.#writeRecords(records);
    });
    return this.#writing;
  }

  /**
   * One statement for the whole batch (a call's legs and everything else that ended in the
   * same 200 ms); should it fail, one by one, so a bad record loses only itself.
   */
  async #writeRecords(records: NewCallRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.repo.insertCallRecords(records);
      return;
    } catch (err) {
      if (records.length === 1) {
        this.logger.error('writing a call record failed', { err, callId: records[0]?.callId });
        return;
      }
    }
    for (const r of records) {
      try {
        await this.repo.insertCallRecord(r);
      } catch (err) {
        this.logger.error('writing a call record failed', { err, callId: r.callId });
      }
    }
  }

  #schedule(): void {
    if (this.#events.length + this.#records.length >= BATCH) {
      void this.flush();
      return;
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }
}
