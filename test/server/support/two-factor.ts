/** Logging in accounts that require two-factor login (admins) in scenario tests. */
import { Secret, TOTP } from 'otpauth';
import type { RawApiClient } from './api-client';

/** The current code for a base32 secret, computed independently of the core's code. */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp,
  });
}

/**
 * Logs in; when the account must enrol first (an admin without 2FA), enrols with a fresh
 * secret. Returns the secret (to log in again later with a code) and the recovery codes.
 */
export async function loginEnrolled(
  api: RawApiClient,
  username: string,
  password: string,
): Promise<{ secret: string | null; recoveryCodes: string[] }> {
  const reply = (await api.command('auth.login', { username, password })) as {
    ok: boolean;
    result?: { twoFactor: { enabled: boolean; required: boolean } };
  };
  if (!reply.ok || !reply.result) throw new Error(`login failed: ${JSON.stringify(reply)}`);
  const { enabled, required } = reply.result.twoFactor;
  if (enabled || !required) return { secret: null, recoveryCodes: [] };
  const begun = (await api.command('twofactor.begin')) as { result: { secret: string } };
  const secret = begun.result.secret;
  const confirmed = (await api.command('twofactor.confirm', { code: totpCode(secret) })) as {
    ok: boolean;
    result: { recoveryCodes: string[] };
  };
  if (!confirmed.ok) throw new Error(`enrolment failed: ${JSON.stringify(confirmed)}`);
  return { secret, recoveryCodes: confirmed.result.recoveryCodes };
}
