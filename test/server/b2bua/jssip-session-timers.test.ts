/**
 * An independent SIP implementation with its default session timers: two JsSIP user agents in
 * Node (WebSocket from `ws`, WebRTC from @roamhq/wrtc) call each other through the core. The
 * caller asks for 90 s (`sessionTimersExpires`); the core answers per RFC 4028 §9, offers the
 * callee its own 1800 s leg, answers a refresh UPDATE locally (the callee never sees it) and
 * passes a real re-offer by UPDATE through to the callee (RFC 3311).
 */
import JsSIP from 'jssip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogin, installNodeGlobals, toneStream } from '../../../e2e/node-peer';
import { startTestCore, type TestCore } from '../support/test-core';

interface Header {
  getHeader(name: string): string | undefined;
}
interface Response extends Header {
  status_code: number;
}
interface Session {
  on(event: string, fn: (e: unknown) => void): void;
  answer(options: unknown): void;
  terminate(): void;
  renegotiate(options: unknown, done?: () => void): boolean;
  sendRequest(method: string, options: unknown): void;
  connection: RTCPeerConnection | undefined;
}

let core: TestCore;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  core = await startTestCore(); // before the browser globals: PGlite reads `window`
  installNodeGlobals();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) c();
  await core?.close();
});

async function startUa(username: string): Promise<JsSIP.UA> {
  const login = await apiLogin(core.wsUrl, username);
  cleanups.push(() => login.close());
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(login.sip.wsServer)],
    uri: login.sip.aor,
    authorization_user: login.sip.authorizationUsername,
    password: login.sip.password,
    register: true,
    // JsSIP's default: session timers on, refreshed with UPDATE.
    session_timers: true,
    user_agent: 'JsSIP session-timer test',
  });
  cleanups.push(() => ua.stop());
  const registered = new Promise<void>((resolve, reject) => {
    ua.once('registered', () => resolve());
    ua.once('registrationFailed', (e: { cause: string }) => reject(new Error(e.cause)));
  });
  ua.start();
  await registered;
  return ua;
}

function waitFor<T>(register: (resolve: (v: T) => void) => void, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

describe('JsSIP session timers through the core', () => {
  it('negotiates 90 s with the caller and 1800 s with the callee; refreshes stay on their leg; a re-offer passes', async () => {
    const caller = await startUa('mads.berntsen');
    const callee = await startUa('jonas.strand'); // 1036
    const calleeTone = toneStream();
    const callerTone = toneStream();
    cleanups.push(
      () => calleeTone.stop(),
      () => callerTone.stop(),
    );

    let calleeInvite: Header | undefined;
    let calleeSession: Session | undefined;
    const calleeUpdates: string[] = [];
    callee.on('newRTCSession', (event: unknown) => {
      const e = event as unknown as { originator: string; session: Session; request: Header };
      if (e.originator !== 'remote') return;
      calleeInvite = e.request;
      calleeSession = e.session;
      e.session.on('update', (u) => {
        const req = (u as { request: { body?: string } }).request;
        calleeUpdates.push(req.body ? 'with SDP' : 'without SDP');
      });
      e.session.answer({ mediaStream: calleeTone.stream, pcConfig: { iceServers: [] } });
    });

    let accepted: Response | undefined;
    let session: Session | undefined;
    const confirmed = waitFor<undefined>((resolve) => {
      session = caller.call('sip:1036@nordlys.sentral.invalid', {
        mediaStream: callerTone.stream,
        pcConfig: { iceServers: [] },
        sessionTimersExpires: 90,
        eventHandlers: {
          accepted: (e: { response: Response }) => (accepted = e.response),
          confirmed: () => resolve(undefined),
        },
      }) as unknown as Session;
    });
    await confirmed;
    if (!session || !accepted || !calleeInvite || !calleeSession) throw new Error('no call');

    // The caller's leg: its 90 s, JsSIP (it supports timers and named no refresher) refreshes.
    expect(accepted.status_code).toBe(200);
    expect(accepted.getHeader('Session-Expires')).toBe('90;refresher=uac');
    expect(accepted.getHeader('Require')).toBe('timer');
    // The callee's leg: the core's own offer, never the caller's 90 s; no 100rel claimed.
    expect(calleeInvite.getHeader('Session-Expires')).toBe('1800');
    expect(calleeInvite.getHeader('Min-SE')).toBe('90');
    expect(calleeInvite.getHeader('Supported')).toBe('replaces, norefersub, timer');

    // A refresh as JsSIP's timer sends it (UPDATE without SDP) is answered by the core itself.
    const refresh = await waitFor<Response>((resolve) => {
      session?.sendRequest('UPDATE', {
        extraHeaders: ['Session-Expires: 90;refresher=uac', 'Supported: timer'],
        eventHandlers: {
          onSuccessResponse: (r: Response) => resolve(r),
          onErrorResponse: (r: Response) => resolve(r),
        },
      });
    });
    expect(refresh.status_code).toBe(200);
    expect(refresh.getHeader('Session-Expires')).toBe('90;refresher=uac');
    expect(refresh.getHeader('Require')).toBe('timer');

    // A real re-offer by UPDATE goes through to the callee, who answers it.
    await waitFor<undefined>((resolve) => {
      session?.renegotiate({ useUpdate: true }, () => resolve(undefined));
    });
    expect(calleeUpdates).toEqual(['with SDP']);

    const ended = waitFor<string>((resolve) =>
      calleeSession?.on('ended', (e) => resolve((e as { cause: string }).cause)),
    );
    session.terminate();
    expect(await ended).toBe('Terminated');
    await expect.poll(() => core.core.b2bua.activeCalls).toBe(0);
  });
});
