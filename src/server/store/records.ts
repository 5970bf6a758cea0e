/**
 * The records of what happened: the append-only queue log and the call detail
 * records, written by the core as calls go and read by the caller history and the
 * statistics (statistics.ts).
 *
 * ## How the core writes call records
 *
 * Statistics count rows, so each situation has exactly one way to be written:
 *
 * 1. **A caller from outside in a queue** — one `inbound`/`incoming` row per *queue
 *    visit*, `queue_id` = the queue, `started_at` = when the caller joined it. On answer
 *    (by distribution or an operator's pick): `answered_at`, `user_id` = who answered,
 *    `wait_ms` = joined → answered. When the visit ends: `ended_at`, `talk_ms` =
 *    answered → end, `wait_ms` (if unanswered: joined → end), and `outcome`:
 *    - `answered` — answered, then hung up by either side;
 *    - `transferred` — answered, then transferred onward: `transferred_to` (the target's
 *      number), `transferred_by` (the user who transferred);
 *    - `abandoned` — the caller hung up before an answer (waiting or while an agent rang);
 *    - `overflow` — sent to the overflow or no-agents target (maximum wait, maximum
 *      length, nobody logged in): `overflow_queue_id` = the next queue when the target is
 *      a queue, else `transferred_to` = the target's number. A visit to the next queue is
 *      a new row with the same `call_id`, started at that moment;
 *    - `no_answer` — the queue gave up without a target; `failed` — the call was lost.
 *    A transfer that comes back unanswered ("recall") into a queue is a new visit row
 *    with `recall = true`.
 * 2. **Each offer ringing a user's phone** (distribution, ring-all, pick, answer group)
 *    — one `outbound` row, `direction` of the call, `user_id` = whose phone rang,
 *    `queue_id` = the queue (if any), and `outcome` `answered`, `no_answer`, `busy`,
 *    `rejected`, `failed` or `cancelled` (withdrawn: another agent answered first, the
 *    caller left or overflowed).
 * 3. **A call from outside straight to a user** — an `inbound`/`incoming` row without a
 *    queue (`user_id` = the user once answered) and an `outbound` row ringing the user.
 * 4. **A user calling** — the user's own leg is an `inbound` row with `user_id` = the
 *    user, `direction` `outgoing` (to outside; the trunk leg is an `outbound` row without
 *    `user_id`) or `internal` (the callee's phone is an `outbound` row with its
 *    `user_id`).
 * 5. **A transfer** — the transferred party's current row ends with outcome
 *    `transferred`, `transferred_to` and `transferred_by`; the new leg to the target is an
 *    `outbound` row carrying `transferred_by` too and its own outcome. The transferring
 *    user's own leg ends as `answered`.
 *
 * Numbers are stored normalised: E.164 when valid, otherwise compacted as sent
 * (`1001`, `anonymous`). Times come from the core's clock; `wait_ms` and `talk_ms` are
 * the core's measurements and the only ones statistics read.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { StoreError, translateWriteError } from './errors';
import { compactNumber, stripUri, toE164 } from './phone';

/** Events of the queue log. */
export const QUEUE_EVENTS = [
  'joined',
  'offered',
  'answered',
  'abandoned',
  'overflow',
  'timeout',
  'transferred',
  'picked',
  'recall',
  'agent_login',
  'agent_logout',
  'agent_pause',
  'agent_unpause',
  'agent_auto_pause',
  'no_answer',
] as const;
export type QueueEventType = (typeof QUEUE_EVENTS)[number];

export const CALL_LEGS = ['inbound', 'outbound'] as const;
export type CallLeg = (typeof CALL_LEGS)[number];

export const CALL_DIRECTIONS = ['internal', 'incoming', 'outgoing'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export const CALL_OUTCOMES = [
  'answered',
  'no_answer',
  'busy',
  'rejected',
  'abandoned',
  'overflow',
  'failed',
  'cancelled',
  'transferred',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** One queue log entry to append. */
export interface QueueEvent {
  tenantId: string;
  event: QueueEventType;
  /** Default: now (the database's clock). */
  at?: Date;
  callId?: string | null;
  queueId?: string | null;
  agentId?: string | null;
  callerNumber?: string | null;
  waitMs?: number | null;
  /** Details: `{ reason: 'lunch' }`, `{ to: { kind, id } }`, … */
  data?: Record<string, unknown> | null;
}

/** A call detail record (one leg, or one queue visit of a caller's leg). */
export interface CallRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly callId: string;
  readonly leg: CallLeg;
  readonly direction: CallDirection;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly callerNumber: string | null;
  readonly callerName: string | null;
  readonly calleeNumber: string | null;
  readonly userId: string | null;
  readonly queueId: string | null;
  readonly waitMs: number | null;
  readonly talkMs: number | null;
  /** `null` while the leg lasts. */
  readonly outcome: CallOutcome | null;
  readonly transferredTo: string | null;
  readonly transferredBy: string | null;
  readonly overflowQueueId: string | null;
  readonly recall: boolean;
}

/** A record to insert; `id` may be chosen by the core (default: a new uuid). */
export interface NewCallRecord {
  id?: string;
  tenantId: string;
  callId: string;
  leg: CallLeg;
  direction: CallDirection;
  /** Default: now (the core's clock). */
  startedAt?: Date;
  answeredAt?: Date | null;
  endedAt?: Date | null;
  callerNumber?: string | null;
  callerName?: string | null;
  calleeNumber?: string | null;
  userId?: string | null;
  queueId?: string | null;
  waitMs?: number | null;
  talkMs?: number | null;
  outcome?: CallOutcome | null;
  transferredTo?: string | null;
  transferredBy?: string | null;
  overflowQueueId?: string | null;
  recall?: boolean;
}

/** What may change on a record while its leg lasts and when it ends. */
export type CallRecordPatch = Partial<
  Pick<
    NewCallRecord,
    | 'answeredAt'
    | 'endedAt'
    | 'callerName'
    | 'calleeNumber'
    | 'userId'
    | 'queueId'
    | 'waitMs'
    | 'talkMs'
    | 'outcome'
    | 'transferredTo'
    | 'transferredBy'
    | 'overflowQueueId'
    | 'recall'
  >
>;

/** One earlier queue visit of a caller, with names resolved for display. */
export interface CallHistoryEntry {
  readonly id: string;
  readonly callId: string;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly outcome: CallOutcome | null;
  readonly callerName: string | null;
  /** The number the caller dialled. */
  readonly calleeNumber: string | null;
  readonly queueId: string | null;
  readonly queueName: string | null;
  /** Who answered. */
  readonly userId: string | null;
  readonly userName: string | null;
  readonly waitMs: number | null;
  readonly talkMs: number | null;
  readonly transferredTo: string | null;
  /** The user, queue or answer group `transferredTo` is the number of, when known. */
  readonly transferredToName: string | null;
  readonly transferredBy: string | null;
  readonly transferredByName: string | null;
  readonly overflowQueueId: string | null;
  readonly overflowQueueName: string | null;
  readonly recall: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A number as records store it: E.164 when valid, otherwise compacted as sent
 * (`sip:1001@host` → `1001`, `anonymous`); `null` for nothing.
 */
export function normaliseRecordNumber(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const bare = stripUri(input);
  if (bare === '') return null;
  return toE164(bare) ?? compactNumber(bare);
}

function check<T extends string>(value: T, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value)) {
    throw new StoreError('invalid', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return value;
}

function optionalId(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (!UUID.test(value)) throw new StoreError('invalid', `${field} is not an id`, field);
  return value;
}

function optionalMs(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < 0 || value > 2_147_483_647) {
    throw new StoreError('invalid', `${field} must be a non-negative number of ms`, field);
  }
  return Math.round(value);
}

/** Patch field → column and how its value is checked. */
const PATCH_COLUMNS: {
  readonly [K in keyof Required<CallRecordPatch>]: readonly [
    string,
    (value: CallRecordPatch[K]) => unknown,
  ];
} = {
  answeredAt: ['answered_at', (v) => v ?? null],
  endedAt: ['ended_at', (v) => v ?? null],
  callerName: ['caller_name', (v) => v ?? null],
  calleeNumber: ['callee_number', (v) => normaliseRecordNumber(v)],
  userId: ['user_id', (v) => optionalId(v, 'userId')],
  queueId: ['queue_id', (v) => optionalId(v, 'queueId')],
  waitMs: ['wait_ms', (v) => optionalMs(v, 'waitMs')],
  talkMs: ['talk_ms', (v) => optionalMs(v, 'talkMs')],
  outcome: [
    'outcome',
    (v) => (v === null || v === undefined ? null : check(v, CALL_OUTCOMES, 'outcome')),
  ],
  transferredTo: ['transferred_to', (v) => normaliseRecordNumber(v)],
  transferredBy: ['transferred_by', (v) => optionalId(v, 'transferredBy')],
  overflowQueueId: ['overflow_queue_id', (v) => optionalId(v, 'overflowQueueId')],
  recall: ['recall', (v) => v === true],
};

const RECORD_COLUMNS = `id, tenant_id, call_id, leg, direction, started_at, answered_at, ended_at,
  caller_number, caller_name, callee_number, user_id, queue_id, wait_ms, talk_ms, outcome,
  transferred_to, transferred_by, overflow_queue_id, recall`;

type Row = Record<string, unknown>;

/** {@link RECORD_COLUMNS} as a list, for JSON rows. */
const RECORD_KEYS = RECORD_COLUMNS.split(',').map((c) => c.trim());

/** A new record's column values in {@link RECORD_COLUMNS} order, checked and normalised. */
function recordValues(record: NewCallRecord): unknown[] {
  return [
    optionalId(record.id ?? randomUUID(), 'id'),
    optionalId(record.tenantId, 'tenantId') ?? invalid('tenantId'),
    typeof record.callId === 'string' && record.callId !== '' ? record.callId : invalid('callId'),
    check(record.leg, CALL_LEGS, 'leg'),
    check(record.direction, CALL_DIRECTIONS, 'direction'),
    record.startedAt ?? new Date(),
    record.answeredAt ?? null,
    record.endedAt ?? null,
    normaliseRecordNumber(record.callerNumber),
    record.callerName ?? null,
    normaliseRecordNumber(record.calleeNumber),
    optionalId(record.userId, 'userId'),
    optionalId(record.queueId, 'queueId'),
    optionalMs(record.waitMs, 'waitMs'),
    optionalMs(record.talkMs, 'talkMs'),
    record.outcome == null ? null : check(record.outcome, CALL_OUTCOMES, 'outcome'),
    normaliseRecordNumber(record.transferredTo),
    optionalId(record.transferredBy, 'transferredBy'),
    optionalId(record.overflowQueueId, 'overflowQueueId'),
    record.recall === true,
  ];
}

function toCallRecord(row: Row): CallRecord {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    callId: row.call_id as string,
    leg: row.leg as CallLeg,
    direction: row.direction as CallDirection,
    startedAt: row.started_at as Date,
    answeredAt: row.answered_at as Date | null,
    endedAt: row.ended_at as Date | null,
    callerNumber: row.caller_number as string | null,
    callerName: row.caller_name as string | null,
    calleeNumber: row.callee_number as string | null,
    userId: row.user_id as string | null,
    queueId: row.queue_id as string | null,
    waitMs: row.wait_ms as number | null,
    talkMs: row.talk_ms as number | null,
    outcome: row.outcome as CallOutcome | null,
    transferredTo: row.transferred_to as string | null,
    transferredBy: row.transferred_by as string | null,
    overflowQueueId: row.overflow_queue_id as string | null,
    recall: row.recall as boolean,
  };
}

const DISPLAY_NAME = (alias: string) =>
  `coalesce(${alias}.display_name, btrim(${alias}.first_name || ' ' || ${alias}.last_name))`;

/**
 * Writes the queue log and call records, and reads a caller's history. Every write
 * carries its tenant and every read takes one; references to users and queues must be
 * of the same tenant (the schema refuses others).
 */
export class RecordsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Appends queue log entries in one multi-row insert (nothing for an empty list).
   * @throws {@link StoreError} `invalid` for a malformed entry or an id of another
   *   tenant; then none of the entries is written.
   */
  async appendQueueEvents(events: readonly QueueEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      tenant_id: optionalId(e.tenantId, 'tenantId') ?? invalid('tenantId'),
      at: e.at ?? null,
      call_id: e.callId ?? null,
      queue_id: optionalId(e.queueId, 'queueId'),
      event: check(e.event, QUEUE_EVENTS, 'event'),
      agent_id: optionalId(e.agentId, 'agentId'),
      caller_number: normaliseRecordNumber(e.callerNumber),
      wait_ms: optionalMs(e.waitMs, 'waitMs'),
      data: e.data ?? null,
    }));
    try {
      await this.db.query(
        `INSERT INTO queue_log (tenant_id, at, call_id, queue_id, event, agent_id, caller_number,
                                wait_ms, data)
         SELECT e.tenant_id, coalesce(e.at, now()), e.call_id, e.queue_id, e.event, e.agent_id,
                e.caller_number, e.wait_ms, e.data
           FROM json_to_recordset($1::json) AS e(tenant_id uuid, at timestamptz, call_id text,
                queue_id uuid, event text, agent_id uuid, caller_number text, wait_ms int,
                data jsonb)`,
        [JSON.stringify(rows)],
      );
    } catch (error) {
      translateWriteError(error, 'queue log');
    }
  }

  /**
   * Inserts one call record (one statement).
   * @returns its id.
   * @throws {@link StoreError} `invalid` for a malformed record or an id of another tenant.
   */
  async insertCallRecord(record: NewCallRecord): Promise<string> {
    const values = recordValues(record);
    try {
      await this.db.query(
        `INSERT INTO call_records (${RECORD_COLUMNS})
         VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
        values,
      );
    } catch (error) {
      translateWriteError(error, 'call record');
    }
    return values[0] as string;
  }

  /**
   * Inserts several call records in one multi-row statement (nothing for an empty
   * list), all or none.
   * @returns their ids, in order.
   * @throws {@link StoreError} as {@link RecordsRepository.insertCallRecord}; then none
   *   is written.
   */
  async insertCallRecords(records: readonly NewCallRecord[]): Promise<string[]> {
    if (records.length === 0) return [];
    const rows = records.map(recordValues);
    try {
      await this.db.query(
        `INSERT INTO call_records (${RECORD_COLUMNS})
         SELECT r.id, r.tenant_id, r.call_id, r.leg, r.direction, r.started_at, r.answered_at,
                r.ended_at, r.caller_number, r.caller_name, r.callee_number, r.user_id,
                r.queue_id, r.wait_ms, r.talk_ms, r.outcome, r.transferred_to, r.transferred_by,
                r.overflow_queue_id, r.recall
           FROM json_to_recordset($1::json) AS r(id uuid, tenant_id uuid, call_id text,
                leg text, direction text, started_at timestamptz, answered_at timestamptz,
                ended_at timestamptz, caller_number text, caller_name text,
                callee_number text, user_id uuid, queue_id uuid, wait_ms int, talk_ms int,
                outcome text, transferred_to text, transferred_by uuid,
                overflow_queue_id uuid, recall boolean)`,
        [
          JSON.stringify(
            rows.map((values) => Object.fromEntries(RECORD_KEYS.map((k, i) => [k, values[i]]))),
          ),
        ],
      );
    } catch (error) {
      translateWriteError(error, 'call records');
    }
    return rows.map((values) => values[0] as string);
  }

  /**
   * Changes the given fields of a record of the tenant (one statement).
   * @returns `false` when the tenant has no such record.
   * @throws {@link StoreError} `invalid` for a malformed value or an id of another tenant.
   */
  async updateCallRecord(tenantId: string, id: string, patch: CallRecordPatch): Promise<boolean> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return false;
    const sets: string[] = [];
    const values: unknown[] = [tenantId, id];
    for (const [field, value] of Object.entries(patch) as [keyof CallRecordPatch, never][]) {
      if (value === undefined) continue;
      const spec = PATCH_COLUMNS[field];
      if (!spec) throw new StoreError('invalid', `${String(field)} cannot be changed`, field);
      const [column, convert] = spec;
      values.push((convert as (v: unknown) => unknown)(value));
      sets.push(`${column} = $${values.length}`);
    }
    try {
      const rows = await this.db.query(
        sets.length === 0
          ? 'SELECT id FROM call_records WHERE tenant_id = $1 AND id = $2'
          : `UPDATE call_records SET ${sets.join(', ')}
              WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        values,
      );
      return rows.length > 0;
    } catch (error) {
      translateWriteError(error, 'call record');
    }
  }

  /** The tenant's record with this id, or `null`. */
  async getCallRecord(tenantId: string, id: string): Promise<CallRecord | null> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return null;
    const [row] = await this.db.query(
      `SELECT ${RECORD_COLUMNS} FROM call_records WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return row ? toCallRecord(row) : null;
  }

  /**
   * A caller's history with the tenant (innringerhistorikk): the caller's earlier
   * incoming calls, newest first, one entry per queue visit (or per direct call), with
   * who answered, the queue, the wait, and whom it was transferred to or overflowed to.
   * @param callerNumber any written form; matched normalised.
   * @param limit at most this many entries (1–500, default 20).
   */
  async queueHistory(
    tenantId: string,
    callerNumber: string,
    limit = 20,
  ): Promise<CallHistoryEntry[]> {
    const number = normaliseRecordNumber(callerNumber);
    if (!UUID.test(tenantId) || number === null) return [];
    const rows = await this.db.query(
      `SELECT r.id, r.call_id, r.started_at, r.answered_at, r.ended_at, r.outcome,
              r.caller_name, r.callee_number, r.queue_id, q.name AS queue_name,
              r.user_id, ${DISPLAY_NAME('u')} AS user_name, r.wait_ms, r.talk_ms,
              r.transferred_to, t.name AS transferred_to_name,
              r.transferred_by, ${DISPLAY_NAME('b')} AS transferred_by_name,
              r.overflow_queue_id, o.name AS overflow_queue_name, r.recall
         FROM call_records r
         LEFT JOIN queues q ON q.tenant_id = r.tenant_id AND q.id = r.queue_id
         LEFT JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
         LEFT JOIN users b ON b.tenant_id = r.tenant_id AND b.id = r.transferred_by
         LEFT JOIN queues o ON o.tenant_id = r.tenant_id AND o.id = r.overflow_queue_id
         LEFT JOIN LATERAL (
           SELECT ${DISPLAY_NAME('x')} AS name FROM users x
            WHERE x.tenant_id = r.tenant_id
              AND (x.extension = r.transferred_to OR x.mobile = r.transferred_to)
           UNION ALL
           SELECT name FROM queues WHERE tenant_id = r.tenant_id AND number = r.transferred_to
           UNION ALL
           SELECT name FROM answer_groups
            WHERE tenant_id = r.tenant_id AND number = r.transferred_to
           LIMIT 1
         ) t ON r.transferred_to IS NOT NULL
        WHERE r.tenant_id = $1 AND r.caller_number = $2
          AND r.leg = 'inbound' AND r.direction = 'incoming'
        ORDER BY r.started_at DESC, r.id
        LIMIT $3`,
      [tenantId, number, Math.min(500, Math.max(1, Math.floor(limit) || 20))],
    );
    return rows.map((row) => ({
      id: row.id as string,
      callId: row.call_id as string,
      startedAt: row.started_at as Date,
      answeredAt: row.answered_at as Date | null,
      endedAt: row.ended_at as Date | null,
      outcome: row.outcome as CallOutcome | null,
      callerName: row.caller_name as string | null,
      calleeNumber: row.callee_number as string | null,
      queueId: row.queue_id as string | null,
      queueName: row.queue_name as string | null,
      userId: row.user_id as string | null,
      userName: row.user_name as string | null,
      waitMs: row.wait_ms as number | null,
      talkMs: row.talk_ms as number | null,
      transferredTo: row.transferred_to as string | null,
      transferredToName: (row.transferred_to_name as string | null) ?? null,
      transferredBy: row.transferred_by as string | null,
      transferredByName: row.transferred_by_name as string | null,
      overflowQueueId: row.overflow_queue_id as string | null,
      overflowQueueName: row.overflow_queue_name as string | null,
      recall: row.recall as boolean,
    }));
  }
}

function invalid(field: string): never {
  throw new StoreError('invalid', `${field} is required`, field);
}
