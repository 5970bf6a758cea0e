/**
 * Absences (fraværsmarkering): one current absence per person at most — setting a new one
 * ends the previous one now. An absence ends by itself at `endsAt`.
 */
import type { Db } from './db';
import { StoreError, translateWriteError } from './errors';
import { toE164 } from './phone';

export const ABSENCE_REASONS = [
  'meeting',
  'lunch',
  'vacation',
  'sick',
  'travel',
  'course',
  'other',
] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];
export const CALL_HANDLING = ['forward', 'switchboard', 'ring'] as const;
export type CallHandling = (typeof CALL_HANDLING)[number];
export type AbsenceSource = 'self' | 'operator' | 'calendar';

export interface Absence {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly reason: AbsenceReason;
  readonly startsAt: Date;
  readonly endsAt: Date | null;
  readonly message: string | null;
  readonly callHandling: CallHandling;
  readonly forwardNumber: string | null;
  readonly source: AbsenceSource;
  readonly setBy: string | null;
}

export interface AbsenceInput {
  reason: AbsenceReason;
  startsAt?: Date;
  endsAt?: Date | null;
  message?: string | null;
  callHandling?: CallHandling;
  forwardNumber?: string | null;
  source?: AbsenceSource;
  setBy?: string | null;
}

interface Row {
  id: string;
  tenant_id: string;
  user_id: string;
  reason: AbsenceReason;
  starts_at: Date;
  ends_at: Date | null;
  message: string | null;
  call_handling: CallHandling;
  forward_number: string | null;
  source: AbsenceSource;
  set_by: string | null;
}

const COLUMNS =
  'id, tenant_id, user_id, reason, starts_at, ends_at, message, call_handling, forward_number, source, set_by';

function toAbsence(r: Row): Absence {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    userId: r.user_id,
    reason: r.reason,
    startsAt: new Date(r.starts_at),
    endsAt: r.ends_at ? new Date(r.ends_at) : null,
    message: r.message,
    callHandling: r.call_handling,
    forwardNumber: r.forward_number,
    source: r.source,
    setBy: r.set_by,
  };
}

export class AbsenceRepository {
  constructor(private readonly db: Db) {}

  /**
   * Per user of the tenant: the absence in force at `now`, or else the next one to start.
   * (A person can have several calendar absences ahead; only the nearest matters now.)
   */
  async current(tenantId: string, now = new Date()): Promise<Absence[]> {
    const rows = await this.db.query<Row>(
      `SELECT DISTINCT ON (user_id) ${COLUMNS} FROM absences
        WHERE tenant_id = $1 AND (ends_at IS NULL OR ends_at > $2)
        ORDER BY user_id,
                 (starts_at <= $2) DESC,
                 CASE WHEN starts_at <= $2 THEN starts_at END DESC,
                 starts_at ASC`,
      [tenantId, now],
    );
    return rows.map(toAbsence);
  }

  /**
   * Replaces the user's calendar absences from `now` on with `list` (the feed is the truth for
   * them); absences set by the person or an operator are left alone.
   */
  async replaceCalendarAbsences(
    tenantId: string,
    userId: string,
    list: readonly {
      reason: AbsenceReason;
      startsAt: Date;
      endsAt: Date;
      message: string | null;
    }[],
    now = new Date(),
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `DELETE FROM absences WHERE tenant_id = $1 AND user_id = $2 AND source = 'calendar'
            AND (ends_at IS NULL OR ends_at > $3)`,
        [tenantId, userId, now],
      );
      for (const a of list) {
        if (a.endsAt.getTime() <= now.getTime()) continue;
        await tx.query(
          `INSERT INTO absences (tenant_id, user_id, reason, starts_at, ends_at, message, call_handling, source)
           VALUES ($1, $2, $3, $4, $5, $6, 'switchboard', 'calendar')`,
          [tenantId, userId, a.reason, a.startsAt, a.endsAt, a.message?.slice(0, 200) ?? null],
        );
      }
    });
  }

  /** People of the tenant with a calendar feed. */
  async calendarFeeds(tenantId: string): Promise<{ userId: string; url: string }[]> {
    const rows = await this.db.query<{ id: string; calendar_url: string }>(
      `SELECT id, calendar_url FROM users WHERE tenant_id = $1 AND calendar_url IS NOT NULL`,
      [tenantId],
    );
    return rows.map((r) => ({ userId: r.id, url: r.calendar_url }));
  }

  /** Sets (or clears with null) a person's calendar feed URL. */
  async setCalendarUrl(tenantId: string, userId: string, url: string | null): Promise<boolean> {
    if (url !== null && !/^(https?|webcal):\/\/\S+$/.test(url)) {
      throw new StoreError('invalid', 'A calendar feed is an http(s) or webcal URL', 'url');
    }
    const rows = await this.db.query<{ id: string }>(
      `UPDATE users SET calendar_url = $3 WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, userId, url],
    );
    return rows.length > 0;
  }

  /** Sets the user's absence, ending any current one now. */
  async set(
    tenantId: string,
    userId: string,
    input: AbsenceInput,
    now = new Date(),
  ): Promise<Absence> {
    if (!(ABSENCE_REASONS as readonly string[]).includes(input.reason)) {
      throw new StoreError('invalid', `Unknown absence reason ${String(input.reason)}`, 'reason');
    }
    const message = input.message?.trim() || null;
    if (message && message.length > 200)
      throw new StoreError('invalid', 'Message too long', 'message');
    let forward: string | null = null;
    if (input.forwardNumber) {
      const raw = input.forwardNumber.replace(/[\s-]/g, '');
      forward = /^[0-9]{2,8}$/.test(raw) ? raw : toE164(input.forwardNumber);
      if (!forward) throw new StoreError('invalid', 'Not a phone number', 'forwardNumber');
    }
    const handling = input.callHandling ?? 'switchboard';
    if (handling === 'forward' && !forward) {
      throw new StoreError('invalid', 'Forwarding needs a number', 'forwardNumber');
    }
    const startsAt = input.startsAt ?? now;
    if (input.endsAt && input.endsAt.getTime() <= startsAt.getTime()) {
      throw new StoreError('invalid', '"until" must be after the start', 'endsAt');
    }
    try {
      // One statement (the CTEs see one snapshot, so the new row is neither ended nor
      // deleted by them): a change of presence costs one round trip to the store, not five.
      const [row] = await this.db.query<Row>(
        `WITH ended AS (
           UPDATE absences SET ends_at = $11
            WHERE tenant_id = $1 AND user_id = $2 AND (ends_at IS NULL OR ends_at > $11)
              AND starts_at < $11
           RETURNING id
         ), dropped AS (
           DELETE FROM absences WHERE tenant_id = $1 AND user_id = $2 AND starts_at >= $11
           RETURNING id
         )
         INSERT INTO absences (tenant_id, user_id, reason, starts_at, ends_at, message, call_handling,
                               forward_number, source, set_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
        [
          tenantId,
          userId,
          input.reason,
          startsAt,
          input.endsAt ?? null,
          message,
          handling,
          forward,
          input.source ?? 'self',
          input.setBy ?? null,
          now,
        ],
      );
      if (!row) throw new Error('insert returned nothing');
      return toAbsence(row);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      translateWriteError(err, 'absence');
    }
  }

  /** Ends the user's current absence now; false when there was none. */
  async clear(tenantId: string, userId: string, now = new Date()): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE absences SET ends_at = $3
        WHERE tenant_id = $1 AND user_id = $2 AND starts_at <= $3 AND (ends_at IS NULL OR ends_at > $3)
        RETURNING id`,
      [tenantId, userId, now],
    );
    await this.db.query(
      `DELETE FROM absences WHERE tenant_id = $1 AND user_id = $2 AND starts_at > $3`,
      [tenantId, userId, now],
    );
    return rows.length > 0;
  }
}
