import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
let api: RawApiClient;

beforeAll(async () => {
  core = await startTestCore();
  api = await RawApiClient.connect(core.wsUrl);
});
afterAll(async () => {
  api?.close();
  await core?.close();
});

describe('JSON API over WebSocket', () => {
  it('answers invalid JSON with bad_json and keeps the connection usable', async () => {
    const reply = await api.raw('{not json');
    expect(reply).toMatchObject({ id: null, ok: false, error: { code: 'bad_json' } });
    const ping = await api.command('system.ping');
    expect(ping).toMatchObject({ ok: true, result: { now: expect.any(Number) } });
  });

  it('answers a JSON array or a missing id with a stable error code', async () => {
    expect(await api.raw('[1,2]')).toMatchObject({ id: null, error: { code: 'bad_json' } });
    expect(await api.raw('{"type":"system.ping"}')).toMatchObject({
      id: null,
      error: { code: 'bad_request' },
    });
  });

  it('answers an unknown command with unknown_command', async () => {
    expect(await api.command('calls.teleport')).toMatchObject({
      ok: false,
      error: { code: 'unknown_command' },
    });
  });

  it('refuses commands that need a session before login', async () => {
    expect(await api.command('directory.list')).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
  });

  it('rejects a login with missing fields as bad_request, naming the field', async () => {
    const reply = (await api.command('auth.login', { username: 'kari.nordmann' })) as {
      error: { code: string; message: string };
    };
    expect(reply.error.code).toBe('bad_request');
    expect(reply.error.message).toContain('password');
  });

  it('gives the same invalid_credentials for a wrong password and an unknown user', async () => {
    const wrong = await api.command('auth.login', { username: 'kari.nordmann', password: 'nope' });
    const unknown = await api.command('auth.login', { username: 'nobody.here', password: 'nope' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect((unknown as { error: unknown }).error).toEqual((wrong as { error: unknown }).error);
  });

  it('locks a username out after five wrong passwords from one source', async () => {
    const client = await RawApiClient.connect(core.wsUrl);
    for (let i = 0; i < 5; i++) {
      await client.command('auth.login', { username: 'ola.hansen', password: `wrong${i}` });
    }
    const locked = await client.command('auth.login', {
      username: 'ola.hansen',
      password: 'demo1234',
    });
    expect(locked).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    client.close();
  });

  it('logs in with the demo password and hands out per-session SIP credentials, not the password', async () => {
    const reply = (await api.command('auth.login', {
      username: 'Kari.Nordmann',
      password: 'demo1234',
    })) as { ok: boolean; result: { user: Record<string, unknown>; sip: Record<string, unknown> } };
    expect(reply.ok).toBe(true);
    expect(reply.result.user).toMatchObject({
      username: 'kari.nordmann',
      displayName: 'Kari Nordmann',
      extension: '1001',
      role: 'operator',
    });
    expect(reply.result.sip).toMatchObject({
      aor: 'sip:kari.nordmann@nordlys.sentral.invalid',
      authorizationUsername: 'kari.nordmann',
      wsServer: `${core.wsUrl}/sip`,
      iceServers: [],
    });
    expect(reply.result.sip.password).not.toBe('demo1234');
    expect(String(reply.result.sip.password).length).toBeGreaterThanOrEqual(20);
  });

  it('lists the company directory after login, sorted by last name', async () => {
    const reply = (await api.command('directory.list')) as {
      result: { people: Array<{ displayName: string; extension: string; department: string }> };
    };
    const people = reply.result.people;
    expect(people.length).toBeGreaterThanOrEqual(40);
    expect(people.find((p) => p.extension === '1004')).toMatchObject({
      displayName: 'Bjørn Ødegård',
      department: 'Ledelse',
    });
  });

  it('answers a binary frame with bad_json', async () => {
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      const c = RawApiClient.connect(core.wsUrl).then(async (client) => {
        const r = await client.raw(Buffer.from([1, 2, 3]) as unknown as string);
        client.close();
        return r;
      });
      void c.then(resolve);
    });
    expect(reply).toMatchObject({ ok: false });
  });
});

describe('session resume after a network blip', () => {
  it('resumes the login on a new connection with the session token, and not after logout', async () => {
    const first = await RawApiClient.connect(core.wsUrl);
    const login = (await first.command('auth.login', {
      username: 'tor.eriksen',
      password: 'demo1234',
    })) as { result: { sessionToken: string } };
    const token = login.result.sessionToken;
    expect(token.length).toBeGreaterThanOrEqual(24);
    first.close();

    const second = await RawApiClient.connect(core.wsUrl);
    expect(await second.command('directory.list')).toMatchObject({
      error: { code: 'unauthenticated' },
    });
    expect(await second.command('auth.resume', { token })).toMatchObject({
      ok: true,
      result: { user: { username: 'tor.eriksen' } },
    });
    expect(await second.command('directory.list')).toMatchObject({ ok: true });
    expect(await second.command('auth.logout')).toMatchObject({ ok: true });

    const third = await RawApiClient.connect(core.wsUrl);
    expect(await third.command('auth.resume', { token })).toMatchObject({
      ok: false,
      error: { code: 'session_expired' },
    });
    second.close();
    third.close();
  });

  it('answers an unknown token with session_expired', async () => {
    const client = await RawApiClient.connect(core.wsUrl);
    expect(await client.command('auth.resume', { token: 'not-a-real-token' })).toMatchObject({
      ok: false,
      error: { code: 'session_expired' },
    });
    client.close();
  });

  it('runs the commands of one connection in the order they arrived', async () => {
    const client = await RawApiClient.connect(core.wsUrl);
    const login = client.command('auth.login', { username: 'sofie.berg', password: 'demo1234' });
    // Sent right behind the login, before its slow password check finished.
    const list = client.command('directory.list');
    expect(await login).toMatchObject({ ok: true });
    expect(await list).toMatchObject({ ok: true });
    client.close();
  });
});
