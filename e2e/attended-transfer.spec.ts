/**
 * Attended transfer end to end with real WebRTC stacks (ADR 0006): an outside caller (JsSIP +
 * libwebrtc in Node) is picked by an operator whose desk phone is a second JsSIP user agent
 * (it auto-answers a second line), who consults a colleague in the browser (SIP.js in
 * Chromium) and completes. Audio must flow caller ↔ operator, then operator ↔ colleague
 * with the caller held silent, then caller ↔ colleague.
 */
import { expect, test } from '@playwright/test';
import JsSIP from 'jssip';
import { startCore, type RunningCore } from './core-process';
import { apiLogin, installNodeGlobals, packetsOver, toneStream } from './node-peer';
import { operatorApi } from './operator-api';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

interface JsSipSession {
  connection: RTCPeerConnection;
  direction: 'incoming' | 'outgoing';
  answer(options: unknown): void;
  terminate(): void;
  isEnded(): boolean;
  on(event: string, fn: (e: { originator: string; cause: string }) => void): void;
}

test('consult a colleague with the caller held, then complete: caller ↔ colleague audio on the same connections', async ({
  browser,
}) => {
  installNodeGlobals();
  const ola = await Softphone.open(browser, core.url);
  const api = await operatorApi(core.wsUrl, 'kari.nordmann');
  const deskLogin = await apiLogin(core.wsUrl, 'kari.nordmann');
  const callerTone = toneStream();
  const deskTone = toneStream();
  // Kari's desk phone: answers every call at once (picks and the consultation's second line).
  const desk = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(deskLogin.sip.wsServer)],
    uri: deskLogin.sip.aor,
    authorization_user: deskLogin.sip.authorizationUsername,
    password: deskLogin.sip.password,
    register: true,
  });
  const lines: JsSipSession[] = [];
  const deskEnded: string[] = [];
  desk.on('newRTCSession', (e: { session: JsSipSession }) => {
    const s = e.session;
    if (s.direction !== 'incoming') return;
    lines.push(s);
    s.on('ended', (x) => deskEnded.push(`${lines.indexOf(s) + 1}:${x.originator}`));
    s.answer({ mediaStream: deskTone.stream, pcConfig: { iceServers: [] } });
  });
  const caller = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${core.wsUrl}/sip`)],
    uri: 'sip:+4790000009@outside.invalid',
    display_name: 'Kunde Attended',
    register: false,
  });
  try {
    await ola.loginAndRegister('ola.hansen'); // 1007
    const registered = new Promise<void>((resolve) => desk.once('registered', () => resolve()));
    desk.start();
    await registered;
    caller.start();
    await new Promise<void>((resolve) => caller.once('connected', () => resolve()));

    let ended = '';
    const session = caller.call('sip:+4721000000@nordlys.sentral.invalid', {
      mediaStream: callerTone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        ended: (e: { originator: string; cause: string }) => (ended = `${e.originator}:${e.cause}`),
        failed: (e: { originator: string; cause: string }) =>
          (ended = `failed ${e.originator}:${e.cause}`),
      },
    });
    const callerPc = () => session.connection as RTCPeerConnection | undefined;
    const line = (n: number) => () => lines[n - 1]?.connection;

    const joined = await api.event('queue.caller_joined', (d) => d.number === '+4790000009');
    expect((await api.command('queue.pick', { callId: joined.callId })).ok).toBe(true);
    await expect.poll(() => packetsOver(callerPc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => packetsOver(line(1), 1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // Consult Ola: the caller is held, Kari's desk phone takes a second line, Ola's rings.
    expect((await api.command('transfer.consult', { target: '1007' })).ok).toBe(true);
    const incoming = ola.page.locator('[data-testid=incoming-call]');
    await expect(incoming.locator('[data-testid=caller-number]')).toContainText('1001');
    await ola.answer();
    await ola.expectCallState('established');
    await api.event('call.consult', (d) => d.state === 'talking');
    expect(lines).toHaveLength(2);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => packetsOver(line(2), 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    // The held caller hears nothing meanwhile.
    expect(await packetsOver(callerPc, 1500)).toBeLessThanOrEqual(2);

    // Complete: both of Kari's lines end; the caller and Ola talk.
    expect((await api.command('transfer.complete')).ok).toBe(true);
    await expect.poll(() => deskEnded.length).toBe(2);
    expect(deskEnded.sort()).toEqual(['1:remote', '2:remote']);
    await expect.poll(() => packetsOver(callerPc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(ended).toBe('');
    await ola.expectCallState('established');

    session.terminate();
    await expect(ola.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
  } finally {
    caller.stop();
    desk.stop();
    callerTone.stop();
    deskTone.stop();
    api.close();
    deskLogin.close();
    await ola.close();
  }
});
