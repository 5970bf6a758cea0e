/**
 * Retention, as the service terms promise: a user's own call log (calls that did not go through
 * a queue) is deleted after 30 days; queue history (queue log and queue call records) after
 * the tenant's `retention_days`; operators' notes on callers (by last edit) and ended absences
 * after the same period. Each run is logged in
 * `retention_runs`. Deletes go by the (tenant, time) indexes.
 */
import type { Db } from './db';

export const USER_CALL_LOG_DAYS = 30;
const DAY_MS = 24 * 3600_000;

export interface RetentionRun {
  tenantId: string;
  callLogDeleted: number;
  queueRecordsDeleted: number;
  queueLogDeleted: number;
  absencesDeleted: number;
  callerNotesDeleted: number;
}

export class RetentionRepository {
  constructor(private readonly db: Db) {}

  async retentionDays(tenantId: string): Promise<number> {
    const [row] = await this.db.query<{ days: number }>(
      `SELECT retention_days AS days FROM tenants WHERE id = $1`,
      [tenantId],
    );
    return Number(row?.days ?? 90);
  }

  async setRetentionDays(tenantId: string, days: number): Promise<void> {
    await this.db.query(`UPDATE tenants SET retention_days = $2 WHERE id = $1`, [tenantId, days]);
  }

  /** Deletes what is past its time for every tenant and logs each tenant's run. */
  async run(now = new Date()): Promise<RetentionRun[]> {
    const tenants = await this.db.query<{ id: string; days: number }>(
      `SELECT id, retention_days AS days FROM tenants`,
    );
    const runs: RetentionRun[] = [];
    for (const t of tenants) {
      const callLogBefore = new Date(now.getTime() - USER_CALL_LOG_DAYS * DAY_MS);
      const queueBefore = new Date(now.getTime() - Number(t.days) * DAY_MS);
      const run = await this.db.transaction(async (tx) => {
        const count = async (sql: string, params: unknown[]) =>
          (await tx.query<{ id: unknown }>(sql, params)).length;
        const callLogDeleted = await count(
          `DELETE FROM call_records WHERE tenant_id = $1 AND queue_id IS NULL AND started_at < $2 RETURNING id`,
          [t.id, callLogBefore],
        );
        const queueRecordsDeleted = await count(
          `DELETE FROM call_records WHERE tenant_id = $1 AND queue_id IS NOT NULL AND started_at < $2 RETURNING id`,
          [t.id, queueBefore],
        );
        const queueLogDeleted = await count(
          `DELETE FROM queue_log WHERE tenant_id = $1 AND at < $2 RETURNING id`,
          [t.id, queueBefore],
        );
        const absencesDeleted = await count(
          `DELETE FROM absences WHERE tenant_id = $1 AND ends_at IS NOT NULL AND ends_at < $2 RETURNING id`,
          [t.id, queueBefore],
        );
        const callerNotesDeleted = await count(
          `DELETE FROM caller_notes WHERE tenant_id = $1 AND updated_at < $2 RETURNING id`,
          [t.id, queueBefore],
        );
        await tx.query(
          `INSERT INTO retention_runs (tenant_id, at, call_log_deleted, queue_records_deleted, queue_log_deleted,
                                       absences_deleted, caller_notes_deleted)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            t.id,
            now,
            callLogDeleted,
            queueRecordsDeleted,
            queueLogDeleted,
            absencesDeleted,
            callerNotesDeleted,
          ],
        );
        return {
          tenantId: t.id,
          callLogDeleted,
          queueRecordsDeleted,
          queueLogDeleted,
          absencesDeleted,
          callerNotesDeleted,
        };
      });
      runs.push(run);
    }
    return runs;
  }
}
