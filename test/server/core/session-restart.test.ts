/**
 * A core restart (a deploy, a crash) does not end sessions: the browser resumes its API session
 * with the token it holds and its phone registers again with the SIP credential it was given,
 * without anyone logging in again. Two cores, one after the other, on one on-disk PGlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../src/server/store/sessions';
import { RawApiClient } from '../support/api-client';
import { DOMAIN, register } from '../support/scenarios';
import { SipPeer, digestAuthorization, rand } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';

const dataDir = mkdtempSync(join(tmpdir(), 'sentral-restart-'));
const opened: Array<{ close(): void }> = [];
let core: TestCore | undefined;

afterAll(async () => {
  for (const c of opened) c.close();
  await core?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Login {
  ok: boolean;
  result: {
    sessionToken: string;
    user: { username: string; role: string };
    sip: { authorizationUsername: string; password: string };
  };
}

/** REGISTER with digest; resolves with the final status of the authorised attempt. */
async function registerWith(wsUrl: string, username: string, password: string): Promise<number> {
  const peer = await SipPeer.connect(wsUrl);
  opened.push(peer);
  const base = {
    username,
    host: peer.host,
    contactUser: rand(),
    callId: rand(),
    fromTag: rand(),
  };
  peer.send(register({ ...base, cseq: 1 }));
  const challenge = await peer.expectResponse(401, 'REGISTER');
  const authorization = digestAuthorization({
    challenge: challenge.header('WWW-Authenticate') ?? '',
    username,
    password,
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
  });
  peer.send(register({ ...base, cseq: 2, authorization }));
  const answer = await peer.expect((m) => m.status !== undefined && m.status >= 200);
  return answer.status ?? 0;
}

describe('sessions across a core restart', () => {
  it('resumes the API session and registers the phone again without a new login', async () => {
    core = await startTestCore({ DATA_DIR: dataDir });
    const api = await RawApiClient.connect(core.wsUrl);
    opened.push(api);
    const login = (await api.command('auth.login', {
      username: 'kari.nordmann',
      password: 'demo1234',
    })) as unknown as Login;
    expect(login.ok).toBe(true);
    const { sessionToken, sip } = login.result;
    expect(await registerWith(core.wsUrl, sip.authorizationUsername, sip.password)).toBe(200);
    // The store holds a hash of the token, never the token, and no SIP password.
    const [row] = await core.core.db.query<Record<string, unknown>>(
      'SELECT * FROM api_sessions WHERE token_hash = $1',
      [hashToken(sessionToken)],
    );
    expect(row).toBeDefined();
    expect(JSON.stringify(row)).not.toContain(sessionToken);
    expect(JSON.stringify(row)).not.toContain(sip.password);

    await core.close();
    core = await startTestCore({ DATA_DIR: dataDir });

    const again = await RawApiClient.connect(core.wsUrl);
    opened.push(again);
    expect(await again.command('auth.resume', { token: sessionToken })).toMatchObject({
      ok: true,
      result: { user: { username: 'kari.nordmann', role: 'operator' } },
    });
    expect(await registerWith(core.wsUrl, sip.authorizationUsername, sip.password)).toBe(200);
    // A password that was never issued still gets nowhere.
    expect(await registerWith(core.wsUrl, sip.authorizationUsername, 'not-issued')).toBe(403);
  });

  it('ends a session for good at logout, restart or not', async () => {
    if (!core) throw new Error('no core');
    const api = await RawApiClient.connect(core.wsUrl);
    opened.push(api);
    const login = (await api.command('auth.login', {
      username: 'ola.hansen',
      password: 'demo1234',
    })) as unknown as Login;
    const { sessionToken } = login.result;
    expect((await api.command('auth.logout', {})) as { ok: boolean }).toMatchObject({ ok: true });
    await expect
      .poll(
        async () =>
          (
            await core?.core.db.query('SELECT 1 FROM api_sessions WHERE token_hash = $1', [
              hashToken(sessionToken),
            ])
          )?.length,
      )
      .toBe(0);

    await core.close();
    core = await startTestCore({ DATA_DIR: dataDir });
    const again = await RawApiClient.connect(core.wsUrl);
    opened.push(again);
    expect(await again.command('auth.resume', { token: sessionToken })).toMatchObject({
      ok: false,
      error: { code: 'session_expired' },
    });
    expect(await again.command('auth.resume', { token: 'never-issued' })).toMatchObject({
      ok: false,
      error: { code: 'session_expired' },
    });
  });
});
