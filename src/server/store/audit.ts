/** The audit log: append-only record of admin actions and changes made on someone's behalf. */
import type { Db } from './db';

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  readonly actorId: string | null;
  readonly actor: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly details: Record<string, unknown> | null;
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async append(
    tenantId: string,
    actorId: string | null,
    action: string,
    target: string | null,
    details: Record<string, unknown> | null = null,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (tenant_id, actor_id, action, target, details) VALUES ($1, $2, $3, $4, $5)`,
      [tenantId, actorId, action, target, details === null ? null : JSON.stringify(details)],
    );
  }

  /** Newest first; `beforeId` pages back. */
  async list(tenantId: string, limit = 100, beforeId?: number): Promise<AuditEntry[]> {
    const rows = await this.db.query<{
      id: number | string;
      at: Date;
      actor_id: string | null;
      actor: string | null;
      action: string;
      target: string | null;
      details: Record<string, unknown> | string | null;
    }>(
      `SELECT a.id, a.at, a.actor_id, u.username AS actor, a.action, a.target, a.details
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        WHERE a.tenant_id = $1 AND ($2::bigint IS NULL OR a.id < $2)
        ORDER BY a.id DESC LIMIT $3`,
      [tenantId, beforeId ?? null, Math.min(Math.max(limit, 1), 1000)],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at),
      actorId: r.actor_id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      details:
        typeof r.details === 'string'
          ? (JSON.parse(r.details) as Record<string, unknown>)
          : r.details,
    }));
  }
}
