/**
 * Issue 5 end to end, in two real browsers through the core with Chromium's fake devices: the
 * Ready step, the call-quality badge on loopback, a microphone switch mid-call (replaceTrack:
 * the call stays up and audio keeps flowing), and the call's quality in the local call log.
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});

test.afterAll(async () => {
  await core?.stop();
});

/** The id of the track each live audio sender sends. */
async function senderTracks(phone: Softphone): Promise<string[]> {
  return phone.page.evaluate(() =>
    (window as unknown as { __sentralPcs: RTCPeerConnection[] }).__sentralPcs
      .filter((pc) => pc.connectionState !== 'closed')
      .flatMap((pc) => pc.getSenders())
      .map((s) => s.track?.id ?? 'none'),
  );
}

test('ready step, quality badge, microphone switch mid-call and the quality in the call log', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');

    const ready = kari.page.locator('button[data-testid=ready-button]');
    await expect(ready).toHaveText('Ready for calls');
    await ready.click();
    await expect(ready).toHaveCount(0);

    await kari.dial('1007');
    await expect(ola.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await ola.answer();
    await kari.expectCallState('established');
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // The first sample comes 5 s into the call; loopback is as good as it gets.
    const badge = kari.line(1).locator('[data-testid=quality-badge]');
    await expect(badge).toHaveAttribute('data-rating', 'good', { timeout: 15_000 });
    await expect(badge).toContainText('Good quality');

    // Switch the microphone to another fake device mid-call.
    await kari.page.locator('button[data-testid=audio-settings-button]').click();
    const microphone = kari.page.locator('select[data-testid=audio-microphone]');
    await expect(microphone).toBeVisible();
    const values = await microphone
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    const other = values.find((v) => v !== '');
    expect(other, `microphones listed: ${values.join(', ')}`).toBeTruthy();
    const before = await senderTracks(kari);
    await microphone.selectOption(other ?? '');
    await expect.poll(() => senderTracks(kari), { timeout: 10_000 }).not.toEqual(before);
    await kari.expectCallState('established');
    await ola.expectCallState('established');
    expect(await kari.sending()).toEqual(['microphone']);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    await kari.page.locator('button[data-testid=hangup]').click();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'local_hangup',
    );
    await expect(kari.page.locator('[data-testid=call-log-quality]').first()).toContainText(
      'Good quality',
    );
  } finally {
    await kari.close();
    await ola.close();
  }
});
