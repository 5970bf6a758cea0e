/**
 * The switchboard end to end with real audio: an outside caller (JsSIP in Node with a tone as
 * its microphone) calls the company's main number and waits in the queue; the operator picks
 * it and talks to it in her browser, then transfers it blind to a colleague, who answers in his
 * browser. Audio must flow caller ↔ operator, then caller ↔ colleague (ADR 0005 re-pointing).
 */
import { expect, test } from '@playwright/test';
import JsSIP from 'jssip';
import { startCore, type RunningCore } from './core-process';
import { installNodeGlobals, packetsReceived, toneStream } from './node-peer';
import { operatorApi } from './operator-api';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('outside caller → queue → operator picks → blind transfer → colleague answers; audio both ways at each step', async ({
  browser,
}) => {
  installNodeGlobals();
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  const api = await operatorApi(core.wsUrl, 'kari.nordmann');
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${core.wsUrl}/sip`)],
    uri: 'sip:+4790000002@outside.invalid',
    display_name: 'Kunde Utenfra',
    register: false,
  });
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');
    ua.start();
    await new Promise<void>((resolve) => ua.once('connected', () => resolve()));

    let ended = '';
    const session = ua.call('sip:+4721000000@nordlys.sentral.invalid', {
      mediaStream: tone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        ended: (e: { originator: string; cause: string }) => (ended = `${e.originator}:${e.cause}`),
        failed: (e: { originator: string; cause: string }) =>
          (ended = `failed ${e.originator}:${e.cause}`),
      },
    });

    // The caller waits in Sentralbord (nobody logged in); the operator picks it.
    const joined = await api.event('queue.caller_joined', (d) => d.number === '+4790000002');
    expect(joined).toMatchObject({ name: 'Kunde Utenfra', priority: 'normal', position: 1 });
    expect((await api.command('queue.pick', { callId: joined.callId })).ok).toBe(true);
    // A pick is answered by the softphone itself (Call-Info: answer-after=0): no ringing card.
    await kari.expectCallState('established');
    await expect(kari.line(1).locator('.party-number')).toContainText('+4790000002');
    await expect(kari.page.locator('[data-testid=incoming-call]')).toHaveCount(0);
    const callerPc = () => session.connection as RTCPeerConnection;

    // Caller ↔ operator audio.
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    const callerBefore = await packetsReceived(callerPc());
    await expect
      .poll(async () => (await packetsReceived(callerPc())) - callerBefore, { timeout: 10_000 })
      .toBeGreaterThan(20);

    // Blind transfer to Ola (1007): Kari's call ends, Ola's phone rings with the caller's identity.
    expect((await api.command('transfer.blind', { target: '1007' })).ok).toBe(true);
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    const incoming = ola.page.locator('[data-testid=incoming-call]');
    await expect(incoming.locator('[data-testid=caller-number]')).toContainText('+4790000002');
    await ola.answer();
    await ola.expectCallState('established');

    // Caller ↔ colleague audio on the caller's same RTCPeerConnection.
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect
      .poll(
        async () => {
          const a = await packetsReceived(callerPc());
          await new Promise((r) => setTimeout(r, 1000));
          return (await packetsReceived(callerPc())) - a;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(20);
    expect(ended).toBe('');

    await ola.page.locator('button[data-testid=hangup]').click();
    await expect.poll(() => ended).toBe('remote:Terminated');
  } finally {
    ua.stop();
    tone.stop();
    api.close();
    await kari.close();
    await ola.close();
  }
});

test('operator parks the caller (no audio while parked) and a colleague picks it up; audio flows again', async ({
  browser,
}) => {
  installNodeGlobals();
  const kari = await Softphone.open(browser, core.url);
  const ase = await Softphone.open(browser, core.url);
  const api = await operatorApi(core.wsUrl, 'kari.nordmann');
  const aseApi = await operatorApi(core.wsUrl, 'ase.strom');
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${core.wsUrl}/sip`)],
    uri: 'sip:+4790000003@outside.invalid',
    register: false,
  });
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ase.loginAndRegister('ase.strom');
    ua.start();
    await new Promise<void>((resolve) => ua.once('connected', () => resolve()));
    let ended = '';
    const session = ua.call('sip:+4721000000@nordlys.sentral.invalid', {
      mediaStream: tone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        ended: (e: { originator: string; cause: string }) => (ended = `${e.originator}:${e.cause}`),
        failed: (e: { originator: string; cause: string }) =>
          (ended = `failed ${e.originator}:${e.cause}`),
      },
    });
    const callerPc = () => session.connection as RTCPeerConnection;
    const callerPacketsOver = async (ms: number) => {
      const a = await packetsReceived(callerPc());
      await new Promise((r) => setTimeout(r, ms));
      return (await packetsReceived(callerPc())) - a;
    };
    const joined = await api.event('queue.caller_joined', (d) => d.number === '+4790000003');
    expect((await api.command('queue.pick', { callId: joined.callId })).ok).toBe(true);
    await kari.expectCallState('established');
    await expect.poll(() => callerPacketsOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // Park: Kari's call ends, the caller stays connected but hears nothing.
    const parked = (await api.command('park.park')) as { ok: boolean; result: { slot: string } };
    expect(parked.ok).toBe(true);
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await callerPacketsOver(1500)).toBeLessThanOrEqual(2);

    // Åse picks it up from the shared list (her phone answers by itself): audio both ways on
    // the caller's same PC.
    expect((await aseApi.command('park.pickup', { slot: parked.result.slot })).ok).toBe(true);
    await ase.expectCallState('established');
    await expect.poll(() => ase.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => callerPacketsOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(ended).toBe('');
    session.terminate();
    await expect(ase.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
  } finally {
    ua.stop();
    tone.stop();
    api.close();
    aseApi.close();
    await kari.close();
    await ase.close();
  }
});
