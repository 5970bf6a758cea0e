/**
 * Two-factor login with TOTP (RFC 6238: SHA-1, 6 digits, 30 s — what every authenticator app
 * reads from an `otpauth://` QR code) through the maintained `otpauth` library, and ten
 * one-time recovery codes stored as SHA-256 hashes (they are long random strings, so a plain
 * hash is enough). A code is accepted once: the last used time step is kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { Secret, TOTP } from 'otpauth';
import type { Db } from './db';

const ISSUER = 'Sentral';
/** One step either side: a phone clock 30 s off still works. */
const WINDOW = 1;
const RECOVERY_CODES = 10;

export interface Enrolment {
  secret: string;
  uri: string;
  /** The QR code as rows of '1' (dark) and '0' (light) modules, for the browser to draw. */
  qr: string[];
}

export interface TwoFactorState {
  enabled: boolean;
  /** The user must enrol before doing anything else (admins, or the tenant requires it). */
  required: boolean;
}

function totpFor(secret: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

function hashCode(code: string): string {
  return createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest('hex');
}

/** `abcd-efgh-ijkl`: 60 random bits in a form people can type. */
function recoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(12);
  let out = '';
  for (let i = 0; i < 12; i++) {
    out += alphabet[(bytes[i] ?? 0) % alphabet.length];
    if (i === 3 || i === 7) out += '-';
  }
  return out;
}

export class TwoFactorRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async state(userId: string): Promise<TwoFactorState> {
    const [row] = await this.db.query<{ enabled: boolean; required: boolean }>(
      `SELECT u.totp_secret IS NOT NULL AS enabled, (u.role = 'admin' OR t.require_2fa) AS required
         FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
      [userId],
    );
    return { enabled: row?.enabled ?? false, required: row?.required ?? false };
  }

  /** Everyone of the tenant's two-factor state, by user id (the admin's people view). */
  async statesOf(tenantId: string): Promise<Map<string, TwoFactorState>> {
    const rows = await this.db.query<{ id: string; enabled: boolean; required: boolean }>(
      `SELECT u.id, u.totp_secret IS NOT NULL AS enabled, (u.role = 'admin' OR t.require_2fa) AS required
         FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1`,
      [tenantId],
    );
    return new Map(rows.map((r) => [r.id, { enabled: r.enabled, required: r.required }]));
  }

  /** Starts (or restarts) an enrolment: a fresh secret, not active until confirmed. */
  async begin(userId: string, label: string): Promise<Enrolment> {
    const secret = new Secret({ size: 20 }).base32;
    await this.db.query(`UPDATE users SET totp_pending = $2 WHERE id = $1`, [userId, secret]);
    const uri = totpFor(secret, label).toString();
    const qr = QRCode.create(uri, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size;
    const rows: string[] = [];
    for (let y = 0; y < size; y++) {
      let row = '';
      for (let x = 0; x < size; x++) row += qr.modules.get(x, y) ? '1' : '0';
      rows.push(row);
    }
    return { secret, uri, qr: rows };
  }

  /**
   * Confirms the enrolment with a code from the app: the secret becomes active and ten new
   * recovery codes replace any old ones (returned once, in clear). Null when the code is wrong.
   */
  async confirm(userId: string, code: string): Promise<string[] | null> {
    const [row] = await this.db.query<{ pending: string | null }>(
      `SELECT totp_pending AS pending FROM users WHERE id = $1`,
      [userId],
    );
    if (!row?.pending) return null;
    const step = this.#matchStep(row.pending, code, null);
    if (step === null) return null;
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2 WHERE id = $1`,
        [userId, step],
      );
      await tx.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [userId]);
      for (const c of codes) {
        await tx.query(`INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, [
          userId,
          hashCode(c),
        ]);
      }
    });
    return codes;
  }

  /**
   * Checks the second factor at login: a current TOTP code (each time step once) or an unused
   * recovery code (then used up).
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const [row] = await this.db.query<{ secret: string | null; last: string | null }>(
      `SELECT totp_secret AS secret, totp_last_step AS last FROM users WHERE id = $1`,
      [userId],
    );
    if (!row?.secret) return false;
    const compact = code.replace(/\s/g, '');
    if (/^\d{6}$/.test(compact)) {
      const step = this.#matchStep(
        row.secret,
        compact,
        row.last === null ? null : Number(row.last),
      );
      if (step === null) return false;
      const updated = await this.db.query(
        `UPDATE users SET totp_last_step = $2
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
        [userId, step],
      );
      return updated.length > 0;
    }
    const used = await this.db.query(
      `UPDATE recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id`,
      [userId, hashCode(code)],
    );
    return used.length > 0;
  }

  /** Turns 2FA off for a user (an admin's reset, or the user with a valid code). */
  async disable(userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = $1`,
        [userId],
      );
      await tx.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [userId]);
    });
  }

  async setTenantRequired(tenantId: string, required: boolean): Promise<void> {
    await this.db.query(`UPDATE tenants SET require_2fa = $2 WHERE id = $1`, [tenantId, required]);
  }

  /** The time step the code belongs to (within the window), or null; never one already used. */
  #matchStep(secret: string, code: string, lastStep: number | null): number | null {
    const compact = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(compact)) return null;
    const timestamp = this.now();
    const delta = totpFor(secret, 'x').validate({ token: compact, timestamp, window: WINDOW });
    if (delta === null) return null;
    const step = Math.floor(timestamp / 30_000) + delta;
    return lastStep !== null && step <= lastStep ? null : step;
  }
}
