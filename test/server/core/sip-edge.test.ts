import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { SipPeer, digestAuthorization, rand } from '../support/sip-peer';
import { DOMAIN, invite, loginAndRegister, register } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  await core?.close();
});

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/rfc4475/${name}.dat`, import.meta.url), 'latin1');

async function healthz(): Promise<{ ok: boolean; calls: number; registrations: number }> {
  return (await fetch(`${core.url}/healthz`)).json() as Promise<never>;
}

describe('SIP over WebSocket edge', () => {
  it('refuses a WebSocket upgrade without the "sip" subprotocol', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${core.url}/sip`, {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it('answers OPTIONS with 200 and the methods it allows', async () => {
    const peer = await SipPeer.connect(core.wsUrl);
    peer.send(
      [
        `OPTIONS sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WSS ${peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:${DOMAIN}>`,
        `From: <sip:probe@${DOMAIN}>;tag=${rand()}`,
        `Call-ID: ${rand()}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const res = await peer.expectResponse(200, 'OPTIONS');
    expect(res.header('Allow')).toContain('INVITE');
    expect(res.header('Allow')).toContain('REGISTER');
    peer.close();
  });
});

describe('health', () => {
  it('reports how late its event loop runs (p50 ≤ p99 ≤ max, ms), per window when asked to reset', async () => {
    type Health = { eventLoopDelayMs: { p50: number; p99: number; max: number } };
    const read = async (reset = false) =>
      ((await (await fetch(`${core.url}/healthz${reset ? '?reset=1' : ''}`)).json()) as Health)
        .eventLoopDelayMs;
    await read(true);
    await new Promise((r) => setTimeout(r, 100));
    const d = await read();
    expect(d.p50).toBeGreaterThanOrEqual(0);
    expect(d.p99).toBeGreaterThanOrEqual(d.p50);
    expect(d.max).toBeGreaterThanOrEqual(d.p99);
    expect(Number.isFinite(d.max)).toBe(true);
  });
});

describe('registrar', () => {
  it('challenges a REGISTER with a digest nonce, then binds the contact to the flow', async () => {
    const reg = await loginAndRegister(core.wsUrl, 'silje.larsen');
    expect((await healthz()).registrations).toBeGreaterThanOrEqual(1);
    // The binding lives on the WebSocket: closing it removes the registration.
    const before = (await healthz()).registrations;
    reg.peer.close();
    await expect.poll(async () => (await healthz()).registrations).toBe(before - 1);
    reg.api.close();
  });

  it('returns 200 with the binding and its expiry, and removes it with Expires: 0', async () => {
    const api = await RawApiClient.connect(core.wsUrl);
    const login = (await api.command('auth.login', {
      username: 'ida.pedersen',
      password: 'demo1234',
    })) as {
      result: { sip: { password: string } };
    };
    const peer = await SipPeer.connect(core.wsUrl);
    const base = {
      username: 'ida.pedersen',
      host: peer.host,
      contactUser: 'ida',
      callId: rand(),
      fromTag: rand(),
    };
    peer.send(register({ ...base, cseq: 1 }));
    const challenge = (await peer.expectResponse(401, 'REGISTER')).header('WWW-Authenticate') ?? '';
    expect(challenge).toMatch(/^Digest /);
    expect(challenge).toContain(`realm="${DOMAIN}"`);
    expect(challenge).toContain('qop="auth"');
    const auth = (cseqMethod: string) =>
      digestAuthorization({
        challenge,
        username: 'ida.pedersen',
        password: login.result.sip.password,
        method: cseqMethod,
        uri: `sip:${DOMAIN}`,
      });
    peer.send(register({ ...base, cseq: 2, authorization: auth('REGISTER') }));
    const ok = await peer.expectResponse(200, 'REGISTER');
    expect(ok.header('Contact')).toMatch(
      new RegExp(`<sip:ida@${peer.host};transport=ws>;expires=(600|599)`),
    );

    peer.send(register({ ...base, cseq: 3, expires: 0, authorization: auth('REGISTER') }));
    const removed = await peer.expectResponse(200, 'REGISTER');
    expect(removed.header('Contact')).toBeUndefined();
    peer.close();
    api.close();
  });

  it('answers 423 with Min-Expires to a too-short registration', async () => {
    const api = await RawApiClient.connect(core.wsUrl);
    const login = (await api.command('auth.login', {
      username: 'even.dahl',
      password: 'demo1234',
    })) as {
      result: { sip: { password: string } };
    };
    const peer = await SipPeer.connect(core.wsUrl);
    const base = {
      username: 'even.dahl',
      host: peer.host,
      contactUser: 'even',
      callId: rand(),
      fromTag: rand(),
    };
    peer.send(register({ ...base, cseq: 1, expires: 5 }));
    const challenge = (await peer.expectResponse(401)).header('WWW-Authenticate') ?? '';
    const authorization = digestAuthorization({
      challenge,
      username: 'even.dahl',
      password: login.result.sip.password,
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
    });
    peer.send(register({ ...base, cseq: 2, expires: 5, authorization }));
    const res = await peer.expectResponse(423);
    expect(res.header('Min-Expires')).toBe('60');
    peer.close();
    api.close();
  });

  it('answers wrong credentials with 403, the same for a known and an unknown user', async () => {
    const answers: number[] = [];
    for (const username of ['kari.nordmann', 'no.such.user']) {
      const peer = await SipPeer.connect(core.wsUrl);
      const base = {
        username,
        host: peer.host,
        contactUser: rand(),
        callId: rand(),
        fromTag: rand(),
      };
      peer.send(register({ ...base, cseq: 1 }));
      const challenge = (await peer.expectResponse(401)).header('WWW-Authenticate') ?? '';
      const authorization = digestAuthorization({
        challenge,
        username,
        password: 'guess',
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
      });
      peer.send(register({ ...base, cseq: 2, authorization }));
      const res = await peer.expect((m) => m.status !== undefined && m.status >= 200);
      answers.push(res.status ?? 0);
      expect(res.text).not.toMatch(/unknown|no such|not exist/i);
      peer.close();
    }
    expect(answers).toEqual([403, 403]);
  });

  it('re-challenges a nonce it did not issue instead of accepting it', async () => {
    const peer = await SipPeer.connect(core.wsUrl);
    const base = {
      username: 'kari.nordmann',
      host: peer.host,
      contactUser: rand(),
      callId: rand(),
      fromTag: rand(),
    };
    const forged = `Digest realm="${DOMAIN}", nonce="forged", qop="auth"`;
    const authorization = digestAuthorization({
      challenge: forged,
      username: 'kari.nordmann',
      password: 'x',
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
    });
    peer.send(register({ ...base, cseq: 1, authorization }));
    const res = await peer.expectResponse(401);
    expect(res.header('WWW-Authenticate')).not.toContain('nonce="forged"');
    peer.close();
  });
});

describe('calls need authentication', () => {
  it('challenges an INVITE with 407 and never routes it unauthenticated', async () => {
    const callee = await loginAndRegister(core.wsUrl, 'nina.jensen');
    const intruder = await SipPeer.connect(core.wsUrl);
    const fake = {
      peer: intruder,
      username: 'kari.nordmann',
      password: '',
      contactUser: 'x',
      fromTag: rand(),
      callId: rand(),
      cseq: 1,
      api: callee.api,
    };
    intruder.send(invite({ from: fake, target: '1015' }));
    const res = await intruder.expectResponse(407, 'INVITE');
    expect(res.header('Proxy-Authenticate')).toMatch(/^Digest /);
    await callee.peer.expectSilence(300);
    expect((await healthz()).calls).toBe(0);
    intruder.close();
    callee.peer.close();
    callee.api.close();
  });
});

describe('malformed SIP (RFC 4475 §3.1.2) never crashes the core', () => {
  const cases: Array<[string, number]> = [
    ['badinv01', 400],
    ['clerr', 400],
    ['insuf', 400],
    ['mismatch01', 400],
    ['badvers', 505],
    ['unkscm', 416],
  ];
  for (const [name, status] of cases) {
    it(`answers ${name}.dat with ${status}`, async () => {
      const peer = await SipPeer.connect(core.wsUrl);
      peer.send(fixture(name));
      const res = await peer.expect((m) => m.status !== undefined);
      expect(res.status).toBe(status);
      peer.close();
    });
  }

  it('drops a malformed response silently', async () => {
    const peer = await SipPeer.connect(core.wsUrl);
    peer.send('SIP/2.0 200 OK\r\nVia: garbage\r\nCSeq: x\r\n\r\n');
    await peer.expectSilence(300);
    expect(peer.closed).toBe(false);
    peer.close();
  });

  it('closes a flow that keeps sending garbage, and keeps serving others', async () => {
    const peer = await SipPeer.connect(core.wsUrl);
    for (let i = 0; i < 3; i++) peer.send('\u0000\u0001 this is not SIP at all');
    expect(await peer.waitClosed()).toBe(true);
    expect((await healthz()).ok).toBe(true);
  });
});
