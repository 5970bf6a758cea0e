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

/** The range filter every report starts from ($1 tenant, $2 from, $3 to). */
const IN_RANGE = 'tenant_id = $1 AND started_at >= $2 AND started_at < $3';

/** Visit rows (see the module comment); `queue_id IS NOT NULL` first, it is the cheapest test. */
const IS_VISIT = "queue_id IS NOT NULL AND leg = 'inbound' AND direction = 'incoming'";

interface QueueRow {
  queue_id: string;
  queue_name: string;
  service_level_s: number;
  outcome: string | null;
  answered: boolean | null;
  n: number;
  within_sl: number;
  recalls: number;
  wait_sum: number | null;
  wait_n: number;
  wait_max: number | null;
  talk_sum: number | null;
  talk_n: number;
}

/** Kinds of agent facts, numbered for cheap grouping. */
const OFFER = 1;
const ANSWER = 2;
const OUTGOING = 3;
const TRANSFER = 4;

interface AgentRow {
  user_id: string;
  display_name: string | null;
  kind: number;
  n: number;
  wait_sum: number | null;
  wait_n: number;
  wait_max: number | null;
  talk_sum: number | null;
  talk_n: number;
}

/**
 * Pages a table may grow by, as a share of its size at the last ANALYZE, before the
 * planner's picture of it is refreshed (PostgreSQL's autovacuum uses 10 % of rows).
 */
const ANALYZE_GROWTH = 0.1;

/** Reports over the call records; every method takes the tenant and a range. */
export class StatisticsRepository {
  /** When the planner statistics were last checked (ms since epoch). */
  private checkedAt = 0;

  constructor(private readonly db: Db) {}

  /** Statistics of every queue of the tenant over the range, by queue name. */
  async queueStatistics(tenantId: string, range: TimeRange): Promise<QueueStatistics[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    await this.refreshPlannerStatistics();
    // One group per queue, outcome and answered-or-not; summed up per queue below.
    const rows = await this.db.query<QueueRow>(
      `SELECT q.id AS queue_id, q.name AS queue_name, q.service_level_s, a.outcome, a.answered,
              coalesce(a.n, 0) AS n, coalesce(a.within_sl, 0) AS within_sl,
              coalesce(a.recalls, 0) AS recalls, a.wait_sum, coalesce(a.wait_n, 0) AS wait_n,
              a.wait_max, a.talk_sum, coalesce(a.talk_n, 0) AS talk_n
         FROM queues q
         LEFT JOIN (
           SELECT r.queue_id, r.outcome, r.answered_at IS NOT NULL AS answered,
                  count(*)::int AS n,
                  count(*) FILTER (WHERE r.wait_ms <= s.sl_ms)::int AS within_sl,
                  count(*) FILTER (WHERE r.recall)::int AS recalls,
                  sum(r.wait_ms)::float8 AS wait_sum, count(r.wait_ms)::int AS wait_n,
                  max(r.wait_ms) AS wait_max,
                  sum(r.talk_ms)::float8 AS talk_sum, count(r.talk_ms)::int AS talk_n
             FROM call_records r
             JOIN (SELECT id, service_level_s * 1000 AS sl_ms FROM queues WHERE tenant_id = $1) s
               ON s.id = r.queue_id
            WHERE r.tenant_id = $1 AND r.started_at >= $2 AND r.started_at < $3
              AND r.queue_id IS NOT NULL AND r.leg = 'inbound' AND r.direction = 'incoming'
            GROUP BY r.queue_id, r.outcome, r.answered_at IS NOT NULL
         ) a ON a.queue_id = q.id
        WHERE q.tenant_id = $1`,
      [tenantId, range.from, range.to],
    );
    const byQueue = new Map<string, QueueRow[]>();
    for (const row of rows) {
      const list = byQueue.get(row.queue_id);
      if (list) list.push(row);
      else byQueue.set(row.queue_id, [row]);
    }
    return [...byQueue.values()]
      .map((groups) => queueFigures(groups))
      .sort(
        (a, b) => NAME_ORDER.compare(a.queueName, b.queueName) || compare(a.queueId, b.queueId),
      );
  }

  /** Statistics of every user with activity in the range, by display name. */
  async agentStatistics(tenantId: string, range: TimeRange): Promise<AgentStatistics[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    await this.refreshPlannerStatistics();
    // Each row is classified once (offer, answered visit, outgoing call, or nothing),
    // then grouped by user and kind; transfers come from their own small scan.
    const rows = await this.db.query<AgentRow>(
      `WITH facts AS (
         SELECT user_id, kind, count(*)::int AS n,
                sum(wait_ms)::float8 AS wait_sum, count(wait_ms)::int AS wait_n,
                max(wait_ms) AS wait_max,
                sum(talk_ms)::float8 AS talk_sum, count(talk_ms)::int AS talk_n
           FROM (SELECT user_id, wait_ms, talk_ms,
                        CASE WHEN queue_id IS NULL THEN
                               CASE WHEN leg = 'inbound' AND direction = 'outgoing'
                                    THEN ${OUTGOING} END
                             WHEN leg = 'outbound' THEN
                               CASE WHEN outcome IS DISTINCT FROM 'cancelled' THEN ${OFFER} END
                             WHEN answered_at IS NOT NULL AND direction = 'incoming'
                               THEN ${ANSWER}
                        END AS kind
                   FROM call_records
                  WHERE ${IN_RANGE} AND user_id IS NOT NULL) r
          WHERE kind IS NOT NULL
          GROUP BY user_id, kind
         UNION ALL
         SELECT transferred_by, ${TRANSFER}, count(*)::int, NULL, 0, NULL, NULL, 0
           FROM call_records
          WHERE ${IN_RANGE} AND transferred_by IS NOT NULL AND outcome = 'transferred'
          GROUP BY transferred_by
       )
       SELECT f.user_id,
              coalesce(u.display_name, btrim(u.first_name || ' ' || u.last_name)) AS display_name,
              f.kind, f.n, f.wait_sum, f.wait_n, f.wait_max, f.talk_sum, f.talk_n
         FROM facts f JOIN users u ON u.tenant_id = $1 AND u.id = f.user_id`,
      [tenantId, range.from, range.to],
    );
    const byUser = new Map<string, AgentRow[]>();
    for (const row of rows) {
      const list = byUser.get(row.user_id);
      if (list) list.push(row);
      else byUser.set(row.user_id, [row]);
    }
    return [...byUser.values()]
      .map((facts) => agentFigures(facts))
      .sort(
        (a, b) => NAME_ORDER.compare(a.displayName, b.displayName) || compare(a.userId, b.userId),
      );
  }

  /**
   * Calls per queue and hour over the range, by queue id then hour.
   * @param timeZone IANA zone the hours are cut in (default `'UTC'`). Hours are
   *   one-hour steps from the zone's first hour boundary at or before `from`, so a zone
   *   whose offset changes by a fraction of an hour inside the range (Lord Howe Island's
   *   30-minute summer time) is cut as before the change.
   */
  async hourlyVolume(
    tenantId: string,
    range: TimeRange,
    timeZone = 'UTC',
  ): Promise<HourlyVolume[]> {
    checkRange(range);
    if (!UUID.test(tenantId)) return [];
    await this.refreshPlannerStatistics();
    const rows = await this.db
      .query<{
        queue_id: string;
        hour: Date;
        offered: number;
        answered: number;
        abandoned: number;
      }>(
        // date_bin (plain arithmetic) instead of date_trunc in a zone for every row.
        `SELECT queue_id, date_bin('1 hour', started_at, date_trunc('hour', $2::timestamptz, $4))
                  AS hour,
                count(*)::int AS offered, count(answered_at)::int AS answered,
                count(*) FILTER (WHERE outcome = 'abandoned')::int AS abandoned
           FROM call_records
          WHERE ${IN_RANGE} AND ${IS_VISIT}
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

  /**
   * PGlite has no autovacuum daemon, so nothing ever tells its planner how big the
   * record tables have grown; with a never-analyzed table it plans a 90-day report
   * for a handful of rows (sorting hundreds of thousands on disk). Before a report,
   * at most once a minute, this compares the table's pages with those at its last
   * ANALYZE and runs ANALYZE when it has grown by {@link ANALYZE_GROWTH} (a sample:
   * about half a second on 450,000 rows, once per 10 % growth). PostgreSQL's autovacuum does this itself.
   */
  private async refreshPlannerStatistics(): Promise<void> {
    if (this.db.kind !== 'pglite' || Date.now() - this.checkedAt < 60_000) return;
    this.checkedAt = Date.now();
    const [row] = await this.db.query<{ stale: boolean }>(
      `SELECT c.reltuples < 0
              OR pg_relation_size(c.oid) / current_setting('block_size')::int
                 > c.relpages * ${1 + ANALYZE_GROWTH} + 8 AS stale
         FROM pg_class c
        WHERE c.oid = 'call_records'::regclass`,
    );
    if (row?.stale) await this.db.exec('ANALYZE call_records');
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One queue's figures from its (outcome, answered) groups. */
function queueFigures(groups: readonly QueueRow[]): QueueStatistics {
  const first = groups[0] as QueueRow;
  let offered = 0;
  let answered = 0;
  let withinSl = 0;
  let abandoned = 0;
  let overflowed = 0;
  let transferred = 0;
  let recalls = 0;
  let waitSum = 0;
  let waitN = 0;
  let talkSum = 0;
  let talkN = 0;
  let longest: number | null = null;
  for (const g of groups) {
    offered += g.n;
    recalls += g.recalls;
    if (g.wait_max !== null) longest = Math.max(longest ?? 0, g.wait_max);
    if (g.outcome === 'abandoned') abandoned += g.n;
    else if (g.outcome === 'overflow') overflowed += g.n;
    else if (g.outcome === 'transferred') transferred += g.n;
    if (g.answered) {
      answered += g.n;
      withinSl += g.within_sl;
      waitSum += g.wait_sum ?? 0;
      waitN += g.wait_n;
      talkSum += g.talk_sum ?? 0;
      talkN += g.talk_n;
    }
  }
  return {
    queueId: first.queue_id,
    queueName: first.queue_name,
    serviceLevelS: first.service_level_s,
    offered,
    answered,
    answeredWithinServiceLevel: withinSl,
    unanswered: offered - answered,
    abandoned,
    overflowed,
    transferred,
    recalls,
    answerRate: percent(answered, offered),
    serviceLevel: percent(withinSl, offered),
    averageWaitMs: mean(waitSum, waitN),
    longestWaitMs: longest,
    averageTalkMs: mean(talkSum, talkN),
  };
}

/** One agent's figures from its facts by kind. */
function agentFigures(facts: readonly AgentRow[]): AgentStatistics {
  const first = facts[0] as AgentRow;
  const of = (kind: number) => facts.find((f) => f.kind === kind);
  const offers = of(OFFER)?.n ?? 0;
  const answers = of(ANSWER);
  const answered = answers?.n ?? 0;
  return {
    userId: first.user_id,
    displayName: first.display_name ?? '',
    offered: offers,
    answered,
    answerRate: percent(answered, offers),
    averageWaitMs: mean(answers?.wait_sum ?? null, answers?.wait_n ?? 0),
    longestWaitMs: answers?.wait_max ?? null,
    averageTalkMs: mean(answers?.talk_sum ?? null, answers?.talk_n ?? 0),
    talkMs: answers?.talk_sum ?? 0,
    transferred: of(TRANSFER)?.n ?? 0,
    outgoing: of(OUTGOING)?.n ?? 0,
  };
}

const NAME_ORDER = new Intl.Collator('nb', { sensitivity: 'base', numeric: true });
