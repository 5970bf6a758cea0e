/**
 * The day so far per queue, counted from the queue log: what the engine's live counters held
 * before a core restart (the board's "today"). The same events the engine counts: `answered`
 * and `picked` (with their wait), `abandoned`, `overflow`, `timeout`.
 */
import type { Db } from './db';

/** One queue's counts since the start of the day (matches the engine's `QueueDayCounts`). */
export interface QueueDayFigures {
  readonly answered: number;
  readonly answeredWithinSl: number;
  readonly abandoned: number;
  readonly abandonedAfterSl: number;
  readonly overflowed: number;
  readonly timedOut: number;
  readonly totalWaitAnsweredMs: number;
}

interface Row {
  queue_id: string;
  answered: number;
  answered_within_sl: number;
  abandoned: number;
  abandoned_after_sl: number;
  overflowed: number;
  timed_out: number;
  wait_answered_ms: number;
}

export class QueueDayRepository {
  constructor(private readonly db: Db) {}

  /** Counts per queue id of the tenant's queue log from `since` (epoch ms) on. */
  async countsSince(tenantId: string, since: number): Promise<Map<string, QueueDayFigures>> {
    const rows = await this.db.query<Row>(
      `SELECT l.queue_id,
              count(*) FILTER (WHERE l.event IN ('answered', 'picked'))::int AS answered,
              count(*) FILTER (WHERE l.event IN ('answered', 'picked')
                                 AND l.wait_ms <= q.service_level_s * 1000)::int
                AS answered_within_sl,
              count(*) FILTER (WHERE l.event = 'abandoned')::int AS abandoned,
              count(*) FILTER (WHERE l.event = 'abandoned'
                                 AND l.wait_ms > q.service_level_s * 1000)::int
                AS abandoned_after_sl,
              count(*) FILTER (WHERE l.event = 'overflow')::int AS overflowed,
              count(*) FILTER (WHERE l.event = 'timeout')::int AS timed_out,
              coalesce(sum(l.wait_ms) FILTER (WHERE l.event IN ('answered', 'picked')), 0)::float8
                AS wait_answered_ms
         FROM queue_log l
         JOIN queues q ON q.tenant_id = l.tenant_id AND q.id = l.queue_id
        WHERE l.tenant_id = $1 AND l.at >= $2
        GROUP BY l.queue_id`,
      [tenantId, new Date(since)],
    );
    return new Map(
      rows.map((r) => [
        r.queue_id,
        {
          answered: r.answered,
          answeredWithinSl: r.answered_within_sl,
          abandoned: r.abandoned,
          abandonedAfterSl: r.abandoned_after_sl,
          overflowed: r.overflowed,
          timedOut: r.timed_out,
          totalWaitAnsweredMs: r.wait_answered_ms,
        },
      ]),
    );
  }
}
