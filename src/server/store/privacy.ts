/**
 * What the service terms promise about one person: an admin can export all data held about
 * them (JSON), and deleting a person deletes their personal data — their own call log goes,
 * queue statistics keep their rows without the person (user, transferred-by and agent set to
 * NULL by the foreign keys), notes they wrote stay without an author, absences, memberships,
 * two-factor secrets and recovery codes go with them.
 */
import type { Db } from './db';
import { StoreError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PrivacyRepository {
  constructor(private readonly db: Db) {}

  /** Everything held about a person of the tenant, or null when there is no such person. */
  async exportPerson(tenantId: string, userId: string): Promise<Record<string, unknown> | null> {
    if (!UUID.test(userId) || !UUID.test(tenantId)) return null;
    const [person] = await this.db.query<Record<string, unknown>>(
      `SELECT u.id, u.username, u.first_name, u.last_name, u.title, d.name AS department,
              u.email, u.extension, u.mobile, u.role, u.calendar_url, u.created_at,
              u.totp_secret IS NOT NULL AS two_factor_enabled
         FROM users u LEFT JOIN departments d ON d.id = u.department_id
        WHERE u.tenant_id = $1 AND u.id = $2`,
      [tenantId, userId],
    );
    if (!person) return null;
    const q = (sql: string) => this.db.query<Record<string, unknown>>(sql, [tenantId, userId]);
    const [calls, queues, answerGroups, absences, notes, audit, queueLog, forwarding] =
      await Promise.all([
        q(`SELECT call_id, leg, direction, started_at, answered_at, ended_at, caller_number,
                caller_name, callee_number, queue_id, wait_ms, talk_ms, outcome, transferred_to
           FROM call_records WHERE tenant_id = $1 AND (user_id = $2 OR transferred_by = $2)
          ORDER BY started_at`),
        q(`SELECT q.name FROM queue_members m JOIN queues q ON q.id = m.queue_id
          WHERE m.tenant_id = $1 AND m.user_id = $2 ORDER BY q.name`),
        q(`SELECT g.name FROM answer_group_members m JOIN answer_groups g ON g.id = m.answer_group_id
          WHERE m.tenant_id = $1 AND m.user_id = $2 ORDER BY g.name`),
        q(`SELECT reason, starts_at, ends_at, message, call_handling, forward_number, source
           FROM absences WHERE tenant_id = $1 AND user_id = $2 ORDER BY starts_at`),
        q(`SELECT number, body, created_at, updated_at FROM caller_notes
          WHERE tenant_id = $1 AND author_id = $2 ORDER BY created_at`),
        q(`SELECT at, action, target, details FROM audit_log
          WHERE tenant_id = $1 AND (actor_id = $2 OR target = $2::text) ORDER BY at`),
        q(`SELECT at, event, queue_id, data FROM queue_log
          WHERE tenant_id = $1 AND agent_id = $2 ORDER BY at`),
        q(`SELECT busy_enabled, busy_number, no_answer_enabled, no_answer_number, ring_time_s,
                updated_at
           FROM call_forwarding WHERE tenant_id = $1 AND user_id = $2`),
      ]);
    return {
      exportedAt: new Date().toISOString(),
      person,
      queues: queues.map((r) => r.name),
      answerGroups: answerGroups.map((r) => r.name),
      absences,
      callForwarding: forwarding[0] ?? null,
      calls,
      queueEvents: queueLog,
      notesWritten: notes,
      audit,
    };
  }

  /**
   * Deletes a person and their personal data. Refused (`in_use`) while a queue or answer group
   * sends calls to them (overflow, no-agents or fallback target): change that first.
   */
  async deletePerson(tenantId: string, userId: string): Promise<boolean> {
    if (!UUID.test(userId) || !UUID.test(tenantId)) return false;
    return this.db.transaction(async (tx) => {
      const [target] = await tx.query<{ name: string }>(
        `SELECT name FROM queues WHERE tenant_id = $1 AND (overflow_user_id = $2 OR no_agents_user_id = $2)
         UNION ALL
         SELECT name FROM answer_groups WHERE tenant_id = $1 AND fallback_user_id = $2
         LIMIT 1`,
        [tenantId, userId],
      );
      if (target) {
        throw new StoreError(
          'in_use',
          `${target.name} sends calls to this person; change that first.`,
          'userId',
        );
      }
      // Their own call log (calls that did not go through a queue) is theirs alone.
      await tx.query(
        `DELETE FROM call_records WHERE tenant_id = $1 AND user_id = $2 AND queue_id IS NULL`,
        [tenantId, userId],
      );
      const deleted = await tx.query(
        `DELETE FROM users WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        [tenantId, userId],
      );
      return deleted.length > 0;
    });
  }
}
