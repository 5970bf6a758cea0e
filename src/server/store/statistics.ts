/**
 * Statistics per queue and per agent over a time range, computed in SQL from the call
 * records (records.ts describes how the core writes them). The same SQL runs on PGlite
 * and PostgreSQL.
 *
 * ## What counts
 *
 * A record belongs to the range `[from, to)` by its `started_at`. For a queue's caller
 * that is when the caller joined the queue (for an overflowed caller: when it arrived
 * in the next queue).
 *
 * **Per queue**, over the queue's *visits*: `inbound` rows with `direction` `incoming`
 * and that `queue_id`.
 * - `offered` — visits. A call that overflows from A to B is offered in A (and
 *   overflowed there) and offered in B; a recalled transfer back into the queue is
 *   offered again (and also counted in `recalls`).
 * - `answered` — visits with `answered_at` (by distribution or an operator's pick),
 *   whatever came after (hang-up or transfer).
 * - `answeredWithinServiceLevel` — answered visits with `wait_ms` ≤ the queue's
 *   `service_level_s` × 1000.
 * - `abandoned` — outcome `abandoned` (the caller hung up before an answer).
 * - `overflowed` — outcome `overflow` (sent on from this queue).
 * - `transferred` — outcome `transferred` (answered here, then transferred onward).
 * - `unanswered` — offered − answered (abandoned, overflowed, gave up, lost, still waiting).
 * - `answerRate`, `serviceLevel` — answered / offered and answeredWithinServiceLevel /
 *   offered, in per cent; `null` when nothing was offered.
 * - `averageWaitMs` — mean `wait_ms` of answered visits (speed of answer);
 *   `longestWaitMs` — greatest `wait_ms` of any visit, answered or not;
 *   `averageTalkMs` — mean `talk_ms` of answered visits. Each `null` without data.
 *   Averages are rounded to whole milliseconds.
 * Every queue of the tenant is listed, with zeros when it had no calls.
 *
 * **Per agent** (any user with activity in the range):
 * - `offered` — offers that rang the agent's phone: `outbound` rows of the user with a
 *   `queue_id`, except those withdrawn (`cancelled`: another agent answered first in
 *   ring-all, the caller left or overflowed).
 * - `answered` — queue visits the agent answered (visit rows with `user_id` = the agent
 *   and `answered_at`); summed over agents this equals the queues' `answered`.
 * - `answerRate` — answered / offered in per cent (`null` without offers).
 * - `averageWaitMs`, `longestWaitMs` — over the visits the agent answered.
 * - `averageTalkMs`, `talkMs` — mean and total `talk_ms` of the visits the agent answered.
 * - `transferred` — rows with outcome `transferred` and `transferred_by` = the agent.
 * - `outgoing` — calls the agent placed to outside: `inbound` rows with `direction`
 *   `outgoing` and `user_id` = the agent.
 *
 * **Hourly volume per queue**: the visits (as above) grouped by the hour of
 * `started_at` in the given time zone, with offered, answered and abandoned; hours
 * without calls are left out.
 *
 * @packageDocumentation
 */
import type { Db } from './db';
import { StoreError, sqlState } from './errors';

/** A time range `[from, to)`. */
export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

export interface QueueStatistics {
  readonly queueId: string;
  readonly queueName: string;
  /** The queue's target answer time the service level is measured against. */
  readonly serviceLevelS: number;
  readonly offered: number;
  readonly answered: number;
  readonly answeredWithinServiceLevel: number;
  readonly unanswered: number;
  readonly abandoned: number;
  readonly overflowed: number;
  readonly transferred: number;
  readonly recalls: number;
  /** Per cent of offered that were answered; `null` when none were offered. */
  readonly answerRate: number | null;
  /** Per cent of offered answered within the service level; `null` when none were offered. */
  readonly serviceLevel: number | null;
  readonly averageWaitMs: number | null;
  readonly longestWaitMs: number | null;
  readonly averageTalkMs: number | null;
}

export interface AgentStatistics {
  readonly userId: string;
  readonly displayName: string;
  readonly offered: number;
  readonly answered: number;
  /** Per cent of offers answered; `null` without offers. */
  readonly answerRate: number | null;
  readonly averageWaitMs: number | null;
  readonly longestWaitMs: number | null;
  readonly averageTalkMs: number | null;
  readonly talkMs: number;
  readonly transferred: number;
  readonly outgoing: number;
}

export interface HourlyVolume {
  readonly queueId: string;
  /** Start of the hour. */
  readonly hour: Date;
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkRange({ from, to }: TimeRange): void {
  if (!(from instanceof Date) || !(to instanceof Date) || !(from.getTime() <= to.getTime())) {
    throw new StoreError('invalid', 'A time range needs from ≤ to', 'range');
  }
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (100 * part) / whole;
}

function mean(sum: number | null, count: number): number | null {
  return count === 0 || sum === null ? null : Math.round(sum / count);
}

/** Visit rows of a queue in the range (see the module comment). */
const VISITS = `
  SELECT queue_id, started_at, answered_at, wait_ms, talk_ms, outcome, recall
    FROM call_records
   WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3
     AND queue_id IS NOT NULL AND leg = 'inbound' AND direction = 'incoming'`;

interface QueueRow {
  queue_id: string;
  queue_name: string;
  service_level_s: number;
  offered: number;
  answered: number;
  within_sl: number;
  abandoned: number;
  overflowed: number;
  transferred: number;
  recalls: number;
  answered_wait_sum: number | null;
  answered_wait_n: number;
  longest_wait: number | null;
  talk_sum: number | null;
  talk_n: number;
}

interface AgentRow {
  user_id: string;
  display_name: string | null;
  offered: number;
  answered: number;
  wait_sum: number | null;
  wait_n: number;
  longest_wait: number | null;
  talk_sum: number | null;
  talk_n: number;
  transferred: number;
  outgoing: number;
}

/** Reports over the call records; every method takes the tenant and a range. */
export class StatisticsRepository {
  constructor(private readonly db: Db) {}

  /** Statistics of every queue of the tenant over the range, by queue name. */
  async queueStatistics(tenantId: string, range: TimeRange): Promise<QueueStatistics[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    const rows = await this.db.query<QueueRow>(
      `WITH v AS (${VISITS}),
       agg AS (
         SELECT v.queue_id,
                count(*)::int AS offered,
                count(v.answered_at)::int AS answered,
                count(*) FILTER (WHERE v.answered_at IS NOT NULL
                                   AND v.wait_ms <= q.service_level_s * 1000)::int AS within_sl,
                count(*) FILTER (WHERE v.outcome = 'abandoned')::int AS abandoned,
                count(*) FILTER (WHERE v.outcome = 'overflow')::int AS overflowed,
                count(*) FILTER (WHERE v.outcome = 'transferred')::int AS transferred,
                count(*) FILTER (WHERE v.recall)::int AS recalls,
                sum(v.wait_ms) FILTER (WHERE v.answered_at IS NOT NULL)::float8
                  AS answered_wait_sum,
                count(v.wait_ms) FILTER (WHERE v.answered_at IS NOT NULL)::int AS answered_wait_n,
                max(v.wait_ms) AS longest_wait,
                sum(v.talk_ms) FILTER (WHERE v.answered_at IS NOT NULL)::float8 AS talk_sum,
                count(v.talk_ms) FILTER (WHERE v.answered_at IS NOT NULL)::int AS talk_n
           FROM v JOIN queues q ON q.tenant_id = $1 AND q.id = v.queue_id
          GROUP BY v.queue_id
       )
       SELECT q.id AS queue_id, q.name AS queue_name, q.service_level_s,
              coalesce(a.offered, 0) AS offered, coalesce(a.answered, 0) AS answered,
              coalesce(a.within_sl, 0) AS within_sl, coalesce(a.abandoned, 0) AS abandoned,
              coalesce(a.overflowed, 0) AS overflowed, coalesce(a.transferred, 0) AS transferred,
              coalesce(a.recalls, 0) AS recalls, a.answered_wait_sum,
              coalesce(a.answered_wait_n, 0) AS answered_wait_n, a.longest_wait,
              a.talk_sum, coalesce(a.talk_n, 0) AS talk_n
         FROM queues q LEFT JOIN agg a ON a.queue_id = q.id
        WHERE q.tenant_id = $1
        ORDER BY q.name, q.id`,
      [tenantId, range.from, range.to],
    );
    return rows.map((r) => ({
      queueId: r.queue_id,
      queueName: r.queue_name,
      serviceLevelS: r.service_level_s,
      offered: r.offered,
      answered: r.answered,
      answeredWithinServiceLevel: r.within_sl,
      unanswered: r.offered - r.answered,
      abandoned: r.abandoned,
      overflowed: r.overflowed,
      transferred: r.transferred,
      recalls: r.recalls,
      answerRate: percent(r.answered, r.offered),
      serviceLevel: percent(r.within_sl, r.offered),
      averageWaitMs: mean(r.answered_wait_sum, r.answered_wait_n),
      longestWaitMs: r.longest_wait,
      averageTalkMs: mean(r.talk_sum, r.talk_n),
    }));
  }

  /** Statistics of every user with activity in the range, by display name. */
  async agentStatistics(tenantId: string, range: TimeRange): Promise<AgentStatistics[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    const rows = await this.db.query<AgentRow>(
      `WITH r AS (
         SELECT leg, direction, queue_id, user_id, answered_at, wait_ms, talk_ms, outcome,
                transferred_by
           FROM call_records
          WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3
            AND (user_id IS NOT NULL OR transferred_by IS NOT NULL)
       ),
       facts AS (
         SELECT user_id AS agent_id,
                (leg = 'outbound' AND queue_id IS NOT NULL
                  AND outcome IS DISTINCT FROM 'cancelled') AS is_offer,
                (leg = 'inbound' AND direction = 'incoming' AND queue_id IS NOT NULL
                  AND answered_at IS NOT NULL) AS is_answer,
                (leg = 'inbound' AND direction = 'outgoing') AS is_outgoing,
                false AS is_transfer, wait_ms, talk_ms
           FROM r WHERE user_id IS NOT NULL
         UNION ALL
         SELECT transferred_by, false, false, false, true, NULL, NULL
           FROM r WHERE outcome = 'transferred' AND transferred_by IS NOT NULL
       ),
       agg AS (
         SELECT agent_id,
                count(*) FILTER (WHERE is_offer)::int AS offered,
                count(*) FILTER (WHERE is_answer)::int AS answered,
                sum(wait_ms) FILTER (WHERE is_answer)::float8 AS wait_sum,
                count(wait_ms) FILTER (WHERE is_answer)::int AS wait_n,
                max(wait_ms) FILTER (WHERE is_answer) AS longest_wait,
                sum(talk_ms) FILTER (WHERE is_answer)::float8 AS talk_sum,
                count(talk_ms) FILTER (WHERE is_answer)::int AS talk_n,
                count(*) FILTER (WHERE is_transfer)::int AS transferred,
                count(*) FILTER (WHERE is_outgoing)::int AS outgoing
           FROM facts
          GROUP BY agent_id
       )
       SELECT a.agent_id AS user_id,
              coalesce(u.display_name, btrim(u.first_name || ' ' || u.last_name)) AS display_name,
              a.offered, a.answered, a.wait_sum, a.wait_n, a.longest_wait, a.talk_sum, a.talk_n,
              a.transferred, a.outgoing
         FROM agg a JOIN users u ON u.tenant_id = $1 AND u.id = a.agent_id
        WHERE a.offered + a.answered + a.transferred + a.outgoing > 0`,
      [tenantId, range.from, range.to],
    );
    return rows
      .map((r) => ({
        userId: r.user_id,
        displayName: r.display_name ?? '',
        offered: r.offered,
        answered: r.answered,
        answerRate: percent(r.answered, r.offered),
        averageWaitMs: mean(r.wait_sum, r.wait_n),
        longestWaitMs: r.longest_wait,
        averageTalkMs: mean(r.talk_sum, r.talk_n),
        talkMs: r.talk_sum ?? 0,
        transferred: r.transferred,
        outgoing: r.outgoing,
      }))
      .sort((a, b) => NAME_ORDER.compare(a.displayName, b.displayName));
  }

  /**
   * Calls per queue and hour over the range, by queue id then hour.
   * @param timeZone IANA zone the hours are cut in (default `'UTC'`); it matters only
   *   for zones whose offset is not whole hours.
   */
  async hourlyVolume(
    tenantId: string,
    range: TimeRange,
    timeZone = 'UTC',
  ): Promise<HourlyVolume[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    if (!/^[A-Za-z0-9_+\-/]+$/.test(timeZone)) {
      throw new StoreError('invalid', `Unknown time zone ${timeZone}`, 'timeZone');
    }
    const rows = await this.db
      .query<{
        queue_id: string;
        hour: Date;
        offered: number;
        answered: number;
        abandoned: number;
      }>(
        `SELECT queue_id, date_trunc('hour', started_at, $4) AS hour,
                count(*)::int AS offered, count(answered_at)::int AS answered,
                count(*) FILTER (WHERE outcome = 'abandoned')::int AS abandoned
           FROM (${VISITS}) v
          GROUP BY 1, 2
          ORDER BY 1, 2`,
        [tenantId, range.from, range.to, timeZone],
      )
      .catch((error: unknown) => {
        // 22023: invalid_parameter_value, the zone is unknown.
        if (sqlState(error) === '22023') {
          throw new StoreError('invalid', `Unknown time zone ${timeZone}`, 'timeZone', {
            cause: error,
          });
        }
        throw error;
      });
    return rows.map((r) => ({
      queueId: r.queue_id,
      hour: r.hour,
      offered: r.offered,
      answered: r.answered,
      abandoned: r.abandoned,
    }));
  }
}

const NAME_ORDER = new Intl.Collator('nb', { sensitivity: 'base', numeric: true });
