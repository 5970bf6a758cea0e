/**
 * An independent SIP implementation as a peer: a JsSIP user agent in Node (WebSocket from `ws`,
 * WebRTC from @roamhq/wrtc with a generated tone as its microphone) registers to the core and
 * calls a SIP.js user in a real browser. The call is established with audio and torn down cleanly.
 */
import { expect, test } from '@playwright/test';
import JsSIP from 'jssip';
import { startCore, type RunningCore } from './core-process';
import { Softphone } from './softphone';
import { apiLogin, installNodeGlobals, toneStream } from './node-peer';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('a JsSIP user agent in Node registers and calls a SIP.js browser user, with audio', async ({
  browser,
}) => {
  installNodeGlobals();
  const jonas = await Softphone.open(browser, core.url);
  const login = await apiLogin(core.wsUrl, 'mads.berntsen');
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(login.sip.wsServer)],
    uri: login.sip.aor,
    authorization_user: login.sip.authorizationUsername,
    password: login.sip.password,
    display_name: 'Mads Berntsen (JsSIP)',
    register: true,
    session_timers: true,
    user_agent: 'JsSIP interop test',
  });
  try {
    await jonas.loginAndRegister('jonas.strand'); // 1036
    const registered = new Promise<void>((resolve, reject) => {
      ua.once('registered', () => resolve());
      ua.once('registrationFailed', (e: { cause: string }) =>
        reject(new Error(`JsSIP registration failed: ${e.cause}`)),
      );
    });
    ua.start();
    await registered;

    let onEnded: (outcome: string) => void = () => undefined;
    let onConfirmed: () => void = () => undefined;
    const ended = new Promise<string>((resolve) => (onEnded = resolve));
    const confirmed = new Promise<void>((resolve) => (onConfirmed = resolve));
    type EndEvent = { originator: string; cause: string };
    const session = ua.call('sip:1036@nordlys.sentral.invalid', {
      mediaStream: tone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        confirmed: () => onConfirmed(),
        ended: (e: EndEvent) => onEnded(`${e.originator}:${e.cause}`),
        failed: (e: EndEvent) => onEnded(`failed ${e.originator}:${e.cause}`),
      },
    });

    const incoming = jonas.page.locator('[data-testid=incoming-call]');
    await expect(incoming.locator('[data-testid=caller-name]')).toHaveText('Mads Berntsen');
    await jonas.answer();
    await confirmed;
    await jonas.expectCallState('established');

    // The browser hears the JsSIP tone, and JsSIP receives the browser's fake microphone.
    await expect
      .poll(() => jonas.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    const jsSipReceived = async () => {
      const stats = await (session.connection as RTCPeerConnection).getStats();
      let packets = 0;
      stats.forEach((s: { type: string; packetsReceived?: number }) => {
        if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0;
      });
      return packets;
    };
    await expect.poll(jsSipReceived, { timeout: 10_000 }).toBeGreaterThan(20);

    session.terminate();
    expect(await ended).toBe('local:Terminated');
    await expect(jonas.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await expect
      .poll(async () => (await fetch(`${core.url}/healthz`).then((r) => r.json())).calls)
      .toBe(0);
  } finally {
    ua.stop();
    tone.stop();
    login.close();
    await jonas.close();
  }
});
