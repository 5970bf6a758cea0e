/**
 * Busy / no-answer forwarding per person (viderekobling): where a direct call to someone goes
 * when their phones say busy, and where it goes when nobody answers within the ring time.
 * One row per person at most; a person without one forwards nothing.
 *
 * @packageDocumentation
 */
import type { Db } from './db';
import { StoreError, translateWriteError } from './errors';
import { toE164 } from './phone';

/** The shortest and longest ring time before a no-answer forward, in seconds. */
export const RING_TIME_MIN_S = 5;
export const RING_TIME_MAX_S = 120;
export const RING_TIME_DEFAULT_S = 20;

/** A person's forwarding settings. Numbers are stored normalised (short internal or E.164). */
export interface Forwarding {
  readonly tenantId: string;
  readonly userId: string;
  readonly busyEnabled: boolean;
  readonly busyNumber: string | null;
  readonly noAnswerEnabled: boolean;
  readonly noAnswerNumber: string | null;
  readonly ringTimeS: number;
}

export type ForwardingInput = Omit<Forwarding, 'tenantId' | 'userId'>;

/** Settings of someone who never set any: nothing forwarded, the default ring time. */
export function noForwarding(tenantId: string, userId: string): Forwarding {
  return {
    tenantId,
    userId,
    busyEnabled: false,
    busyNumber: null,
    noAnswerEnabled: false,
    noAnswerNumber: null,
    ringTimeS: RING_TIME_DEFAULT_S,
  };
}

/**
 * A forward number as stored: an internal number (2–8 digits: extension, queue, answer group)
 * kept as written without separators, anything else as E.164; null when it is neither.
 */
export function normaliseForwardNumber(input: string): string | null {
  const raw = input.replace(/[\s\-./()]/g, '');
  if (/^[0-9]{2,8}$/.test(raw)) return raw;
  return toE164(input);
}

interface Row {
  tenant_id: string;
  user_id: string;
  busy_enabled: boolean;
  busy_number: string | null;
  no_answer_enabled: boolean;
  no_answer_number: string | null;
  ring_time_s: number;
}

const COLUMNS =
  'tenant_id, user_id, busy_enabled, busy_number, no_answer_enabled, no_answer_number, ring_time_s';

function toForwarding(r: Row): Forwarding {
  return {
    tenantId: r.tenant_id,
    userId: r.user_id,
    busyEnabled: r.busy_enabled,
    busyNumber: r.busy_number,
    noAnswerEnabled: r.no_answer_enabled,
    noAnswerNumber: r.no_answer_number,
    ringTimeS: Number(r.ring_time_s),
  };
}

export class ForwardingRepository {
  constructor(private readonly db: Db) {}

  /** Everyone in the tenant who has settings (routing keeps them in memory). */
  async list(tenantId: string): Promise<Forwarding[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM call_forwarding WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows.map(toForwarding);
  }

  /** The person's settings ({@link noForwarding} when none were ever set). */
  async get(tenantId: string, userId: string): Promise<Forwarding> {
    const [row] = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM call_forwarding WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, userId],
    );
    return row ? toForwarding(row) : noForwarding(tenantId, userId);
  }

  /**
   * Replaces the person's settings. Throws {@link StoreError} `invalid` with the field at fault
   * (`busyNumber`, `noAnswerNumber`, `ringTimeS`, `userId`); nothing is written then.
   */
  async set(
    tenantId: string,
    userId: string,
    input: ForwardingInput,
    setBy: string | null,
  ): Promise<Forwarding> {
    const busyNumber = checkedNumber(input.busyNumber, input.busyEnabled, 'busyNumber');
    const noAnswerNumber = checkedNumber(
      input.noAnswerNumber,
      input.noAnswerEnabled,
      'noAnswerNumber',
    );
    if (
      !Number.isInteger(input.ringTimeS) ||
      input.ringTimeS < RING_TIME_MIN_S ||
      input.ringTimeS > RING_TIME_MAX_S
    ) {
      throw new StoreError(
        'invalid',
        `Ring time must be ${RING_TIME_MIN_S}–${RING_TIME_MAX_S} seconds`,
        'ringTimeS',
      );
    }
    try {
      const [row] = await this.db.query<Row>(
        `INSERT INTO call_forwarding (tenant_id, user_id, busy_enabled, busy_number,
                                      no_answer_enabled, no_answer_number, ring_time_s, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET
           busy_enabled = EXCLUDED.busy_enabled, busy_number = EXCLUDED.busy_number,
           no_answer_enabled = EXCLUDED.no_answer_enabled,
           no_answer_number = EXCLUDED.no_answer_number, ring_time_s = EXCLUDED.ring_time_s,
           updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING ${COLUMNS}`,
        [
          tenantId,
          userId,
          input.busyEnabled,
          busyNumber,
          input.noAnswerEnabled,
          noAnswerNumber,
          input.ringTimeS,
          setBy,
        ],
      );
      if (!row) throw new Error('upsert returned nothing');
      return toForwarding(row);
    } catch (err) {
      translateWriteError(err, 'forwarding', { field: 'userId' });
    }
  }
}

function checkedNumber(
  input: string | null,
  enabled: boolean,
  field: 'busyNumber' | 'noAnswerNumber',
): string | null {
  const written = input?.trim() ?? '';
  if (written === '') {
    if (enabled) throw new StoreError('invalid', 'Forwarding needs a number', field);
    return null;
  }
  const number = normaliseForwardNumber(written);
  if (!number) throw new StoreError('invalid', 'Not a phone number', field);
  return number;
}
