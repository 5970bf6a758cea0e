/**
 * API sessions in the store, so that a core restart does not end them (migration 0014). The
 * API server keeps them in memory as before and writes through here; at start it loads the
 * live ones back. Only a hash of each token and the HA1 of its SIP credential are stored.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { SessionUser } from '../../shared/protocol';
import type { Db } from './db';

export interface StoredSession {
  tokenHash: string;
  user: SessionUser;
  mustEnrol: boolean;
  sip: { username: string; realm: string; ha1: string };
  expiresAt: Date;
}

/** The SHA-256 (hex) a session token is stored and looked up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface Row {
  token_hash: string;
  login_user: SessionUser;
  must_enrol: boolean;
  sip_username: string;
  sip_realm: string;
  sip_ha1: string;
  expires_at: Date;
}

export class SessionRepository {
  constructor(private readonly db: Db) {}

  async save(s: StoredSession): Promise<void> {
    await this.db.query(
      `INSERT INTO api_sessions (token_hash, tenant_id, user_id, login_user, must_enrol,
                                 sip_username, sip_realm, sip_ha1, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)
       ON CONFLICT (token_hash) DO UPDATE SET must_enrol = EXCLUDED.must_enrol`,
      [
        s.tokenHash,
        s.user.tenantId,
        s.user.id,
        JSON.stringify(s.user),
        s.mustEnrol,
        s.sip.username,
        s.sip.realm,
        s.sip.ha1,
        s.expiresAt,
      ],
    );
  }

  async delete(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM api_sessions WHERE token_hash = $1', [tokenHash]);
  }

  /** The sessions still alive at `now`; the expired ones are deleted on the way. */
  async live(now = new Date()): Promise<StoredSession[]> {
    await this.db.query('DELETE FROM api_sessions WHERE expires_at <= $1', [now]);
    const rows = await this.db.query<Row>(
      `SELECT token_hash, login_user, must_enrol, sip_username, sip_realm, sip_ha1, expires_at
         FROM api_sessions ORDER BY created_at`,
    );
    return rows.map((r) => ({
      tokenHash: r.token_hash,
      user: r.login_user,
      mustEnrol: r.must_enrol,
      sip: { username: r.sip_username, realm: r.sip_realm, ha1: r.sip_ha1 },
      expiresAt: r.expires_at,
    }));
  }
}
