/**
 * Two-factor login (TOTP, RFC 6238): admins must enrol before doing anything; enrolment
 * gives an otpauth URI and a QR code; afterwards login needs a code (once per time step) or a
 * recovery code (once); admins can require it company-wide and reset a colleague's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled, totpCode } from '../support/two-factor';

let core: TestCore;
const opened: RawApiClient[] = [];

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function client(): Promise<RawApiClient> {
  const api = await RawApiClient.connect(core.wsUrl);
  opened.push(api);
  return api;
}

describe('two-factor login', () => {
  it('makes an admin enrol first: nothing else works until a code from the app confirms it', async () => {
    const admin = await client();
    const login = await admin.command('auth.login', { username: 'admin', password: 'admin1234' });
    expect(login).toMatchObject({
      ok: true,
      result: { twoFactor: { enabled: false, required: true } },
    });
    expect(await admin.command('audit.list', {})).toMatchObject({
      error: { code: 'enrolment_required' },
    });
    const begun = (await admin.command('twofactor.begin')) as {
      result: { secret: string; uri: string; qr: string[] };
    };
    expect(begun.result.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.result.uri).toMatch(
      /^otpauth:\/\/totp\/Sentral:admin%40nordlys\.sentral\.invalid\?issuer=Sentral&secret=[A-Z2-7]{32}&algorithm=SHA1&digits=6&period=30$/,
    );
    const size = begun.result.qr.length;
    expect(size).toBeGreaterThanOrEqual(21);
    expect(begun.result.qr.every((row) => row.length === size && /^[01]+$/.test(row))).toBe(true);
    expect(await admin.command('twofactor.confirm', { code: '000000' })).toMatchObject({
      error: { code: 'bad_request' },
    });
    const confirmed = (await admin.command('twofactor.confirm', {
      code: totpCode(begun.result.secret),
    })) as { ok: boolean; result: { recoveryCodes: string[] } };
    expect(confirmed.ok).toBe(true);
    expect(confirmed.result.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.result.recoveryCodes).size).toBe(10);
    expect(await admin.command('audit.list', {})).toMatchObject({ ok: true });

    // From now on: password alone → second_factor_required; a wrong code → invalid_credentials.
    const again = await client();
    expect(
      await again.command('auth.login', { username: 'admin', password: 'admin1234' }),
    ).toMatchObject({ error: { code: 'second_factor_required' } });
    expect(
      await again.command('auth.login', {
        username: 'admin',
        password: 'admin1234',
        code: '123456',
      }),
    ).toMatchObject({ error: { code: 'invalid_credentials' } });
    // The code the enrolment used is spent; the next step's code works (once).
    const next = totpCode(begun.result.secret, Date.now() + 30_000);
    expect(
      await again.command('auth.login', { username: 'admin', password: 'admin1234', code: next }),
    ).toMatchObject({ ok: true, result: { twoFactor: { enabled: true, required: true } } });
    const third = await client();
    expect(
      await third.command('auth.login', { username: 'admin', password: 'admin1234', code: next }),
    ).toMatchObject({ error: { code: 'invalid_credentials' } });

    // A recovery code works once.
    const recovery = confirmed.result.recoveryCodes[0] ?? '';
    expect(
      await third.command('auth.login', {
        username: 'admin',
        password: 'admin1234',
        code: recovery,
      }),
    ).toMatchObject({ ok: true });
    const fourth = await client();
    expect(
      await fourth.command('auth.login', {
        username: 'admin',
        password: 'admin1234',
        code: recovery,
      }),
    ).toMatchObject({ error: { code: 'invalid_credentials' } });
  });

  it('is optional for others until the company requires it; an admin can reset a colleague', async () => {
    const ola = await client();
    expect(
      await ola.command('auth.login', { username: 'ola.hansen', password: 'demo1234' }),
    ).toMatchObject({ ok: true, result: { twoFactor: { enabled: false, required: false } } });
    const begun = (await ola.command('twofactor.begin')) as { result: { secret: string } };
    await ola.command('twofactor.confirm', { code: totpCode(begun.result.secret) });

    // The company requires 2FA: a colleague without it must enrol at the next login.
    const adminSecret = await enrolFreshAdmin();
    expect(await adminSecret.api.command('twofactor.require', { required: true })).toMatchObject({
      ok: true,
    });
    const tor = await client();
    expect(
      await tor.command('auth.login', { username: 'tor.eriksen', password: 'demo1234' }),
    ).toMatchObject({ result: { twoFactor: { enabled: false, required: true } } });
    expect(await tor.command('presence.list')).toMatchObject({
      error: { code: 'enrolment_required' },
    });

    // Ola lost his phone: the admin resets his 2FA; with the company rule he must enrol anew.
    const olaId = (
      await core.core.db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'ola.hansen'`)
    )[0]?.id;
    expect(await adminSecret.api.command('twofactor.reset', { userId: olaId })).toMatchObject({
      ok: true,
    });
    const olaAgain = await client();
    expect(
      await olaAgain.command('auth.login', { username: 'ola.hansen', password: 'demo1234' }),
    ).toMatchObject({ ok: true, result: { twoFactor: { enabled: false, required: true } } });
    const audit = (await adminSecret.api.command('audit.list', {})) as {
      result: { entries: Array<{ action: string }> };
    };
    expect(audit.result.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['twofactor.require', 'twofactor.reset']),
    );
    expect(await olaAgain.command('twofactor.reset', { userId: olaId })).toMatchObject({
      error: { code: 'enrolment_required' },
    });
  });
});

/** A second admin-capable session: log in as admin with a code from a fresh enrolment. */
async function enrolFreshAdmin(): Promise<{ api: RawApiClient }> {
  // Reset the admin's 2FA in the database and enrol again, so the test knows the secret.
  await core.core.db.query(
    `UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE username = 'admin'`,
  );
  const api = await client();
  await loginEnrolled(api, 'admin', 'admin1234');
  return { api };
}
