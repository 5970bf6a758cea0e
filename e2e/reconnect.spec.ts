/**
 * Network trouble mid-call (issue 5, ADR 0010): two browsers in a call, one browser's SIP
 * WebSocket is closed from the page (the core keeps running). That browser shows
 * "reconnecting", reconnects, re-registers and ICE-restarts the call; the core re-attaches the
 * leg to the new WebSocket; the banner says "restored", the call is still up on both sides and
 * RTP flows both ways again.
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { trackSipSockets } from './fixtures';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});

test.afterAll(async () => {
  await core?.stop();
});

/** Closes the page's open SIP WebSocket(s), as a network drop would; returns how many. */
function dropSipSocket(phone: Softphone): Promise<number> {
  return phone.page.evaluate(() => {
    const list = (window as unknown as { __sentralSipSockets: WebSocket[] }).__sentralSipSockets;
    const open = list.filter((ws) => ws.readyState === WebSocket.OPEN);
    for (const ws of open) ws.close();
    return open.length;
  });
}

function openSipSockets(phone: Softphone): Promise<number> {
  return phone.page.evaluate(
    () =>
      (window as unknown as { __sentralSipSockets: WebSocket[] }).__sentralSipSockets.filter(
        (ws) => ws.readyState === WebSocket.OPEN,
      ).length,
  );
}

test('a dropped SIP WebSocket mid-call: reconnecting, restored, the call stays up with audio both ways', async ({
  browser,
}) => {
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  await kari.page.addInitScript(trackSipSockets);
  await kari.page.reload();
  if (process.env.E2E_DEBUG) kari.page.on('console', (m) => console.log('[kari]', m.text()));
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');
    expect(await openSipSockets(kari)).toBe(1);

    await kari.dial('1007');
    await expect(ola.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await ola.answer();
    await kari.expectCallState('established');
    await ola.expectCallState('established');
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    const banner = kari.page.locator('[data-testid=connection-banner]');
    await expect(banner).toHaveCount(0);

    const droppedAt = Date.now();
    expect(await dropSipSocket(kari)).toBe(1);
    await expect(banner).toHaveAttribute('data-state', 'reconnecting', { timeout: 5000 });
    await expect(banner).toContainText('Reconnecting');

    await expect(banner).toHaveAttribute('data-state', 'recovered', { timeout: 15_000 });
    await expect(banner).toHaveText('Connection restored.');
    // Drop → re-registered and ICE-restarted, as measured from the test (for the report).
    test
      .info()
      .annotations.push({ type: 'recovery-ms', description: String(Date.now() - droppedAt) });
    await expect(kari.page.locator('[data-testid=reg-state]')).toHaveAttribute(
      'data-state',
      'registered',
    );
    expect(await openSipSockets(kari)).toBe(1);
    expect(core.log()).toContain('phone came back; call re-attached');

    // The call survived on both sides, and audio flows both ways after the ICE restart.
    await kari.expectCallState('established');
    await ola.expectCallState('established');
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect(kari.page.locator('[data-testid=audio-degraded]')).toHaveCount(0);

    // The core reaches Kari on her new WebSocket: Ola's hang-up arrives.
    await ola.page.locator('button[data-testid=hangup]').click();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    // "Restored" goes away by itself.
    await expect(banner).toHaveCount(0, { timeout: 10_000 });
    await expect
      .poll(async () => (await fetch(`${core.url}/healthz`).then((r) => r.json())).calls)
      .toBe(0);
  } finally {
    await kari.close();
    await ola.close();
  }
});
