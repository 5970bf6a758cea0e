/**
 * Consultation from the browser softphone's two lines (ADR 0006, issue 5): an outside caller
 * (JsSIP + libwebrtc in Node) is picked by the operator, whose browser softphone answers by
 * itself; the operator consults a colleague — the core holds line 1 and puts a second call,
 * without SDP and with auto-answer, on the operator's phone — swaps twice and completes.
 * Audio is checked by RTP counters at each step.
 */
import { expect, test } from '@playwright/test';
import JsSIP from 'jssip';
import { startCore, type RunningCore } from './core-process';
import { installNodeGlobals, packetsOver, toneStream } from './node-peer';
import { operatorApi } from './operator-api';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('the softphone takes the consultation on its second line: swap both ways, then complete; audio at each step', async ({
  browser,
}) => {
  installNodeGlobals();
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  const api = await operatorApi(core.wsUrl, 'kari.nordmann');
  const tone = toneStream();
  const caller = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${core.wsUrl}/sip`)],
    uri: 'sip:+4790000011@outside.invalid',
    display_name: 'Kunde Konsult',
    register: false,
  });
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen'); // 1007
    caller.start();
    await new Promise<void>((resolve) => caller.once('connected', () => resolve()));

    let ended = '';
    const session = caller.call('sip:+4721000000@nordlys.sentral.invalid', {
      mediaStream: tone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        ended: (e: { originator: string; cause: string }) => (ended = `${e.originator}:${e.cause}`),
        failed: (e: { originator: string; cause: string }) =>
          (ended = `failed ${e.originator}:${e.cause}`),
      },
    });
    const callerPc = () => session.connection as RTCPeerConnection | undefined;
    const callerHears = () =>
      expect.poll(() => packetsOver(callerPc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    const callerSilent = async () => {
      await new Promise((r) => setTimeout(r, 500)); // packets in flight land
      expect(await packetsOver(callerPc, 1500)).toBeLessThanOrEqual(2);
    };

    // The pick is answered by Kari's softphone itself: no click.
    const joined = await api.event('queue.caller_joined', (d) => d.number === '+4790000011');
    expect((await api.command('queue.pick', { callId: joined.callId })).ok).toBe(true);
    await kari.expectCallState('established');
    await expect(kari.line(1).locator('.party-number')).toContainText('+4790000011');
    await expect(kari.page.locator('[data-testid=incoming-call]')).toHaveCount(0);
    // The first media of the call: ICE and DTLS between Chromium and the Node peer may take a
    // while on a loaded two-core machine. If it never comes, say what state each side is in.
    try {
      await expect
        .poll(() => kari.packetsReceivedOver(1000), { timeout: 20_000 })
        .toBeGreaterThan(20);
    } catch (error) {
      const pc = callerPc();
      console.error('no audio at Kari after the pick', {
        kari: await kari.connectionStates(),
        kariStats: await kari.audioStats(),
        caller: pc ? `${pc.connectionState}/${pc.iceConnectionState}` : 'no connection',
        callerEnded: ended,
      });
      throw error;
    }
    await callerHears();

    // Consult Ola: the core holds the caller and line 1; line 2 (no SDP, auto-answer) offers
    // from Kari's phone and rings Ola with it.
    expect((await api.command('transfer.consult', { target: '1007' })).ok).toBe(true);
    const incoming = ola.page.locator('[data-testid=incoming-call]');
    await expect(incoming.locator('[data-testid=caller-number]')).toContainText('1001');
    await expect(kari.line(2)).toHaveCount(1);
    await expect(kari.page.locator('[data-testid=waiting-call]')).toHaveCount(0);
    await ola.answer();
    await ola.expectCallState('established');
    await api.event('call.consult', (d) => d.state === 'talking');
    await kari.expectLineState(1, 'established');
    await kari.expectLineState(2, 'established');
    await expect(kari.line(1).locator('[data-testid=line-state]')).toHaveText(
      'Held by the other party',
    );
    await expect(kari.line(2).locator('[data-testid=line-state]')).toHaveText('Talking');
    // Operator ↔ colleague; the held caller hears nothing.
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    await callerSilent();

    // Swap: Kari talks to the caller again, Ola waits on hold.
    expect((await api.command('transfer.swap')).ok).toBe(true);
    await expect(kari.line(2).locator('[data-testid=line-state]')).toHaveText(
      'Held by the other party',
    );
    await expect(kari.line(1).locator('[data-testid=line-state]')).toHaveText('Talking');
    await callerHears();
    await kari.page.waitForTimeout(500);
    expect(await ola.packetsReceivedOver(1500)).toBeLessThanOrEqual(2);

    // And back to Ola.
    expect((await api.command('transfer.swap')).ok).toBe(true);
    await expect(kari.line(1).locator('[data-testid=line-state]')).toHaveText(
      'Held by the other party',
    );
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await callerSilent();

    // Complete: both of Kari's lines end; the caller and Ola talk.
    expect((await api.command('transfer.complete')).ok).toBe(true);
    await expect(kari.page.locator('sentral-line')).toHaveCount(0);
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await expect(kari.page.locator('input[data-testid=dial-input]')).toBeVisible();
    await callerHears();
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await ola.expectCallState('established');
    expect(ended).toBe('');

    session.terminate();
    await expect(ola.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
  } finally {
    caller.stop();
    tone.stop();
    api.close();
    await kari.close();
    await ola.close();
  }
});
