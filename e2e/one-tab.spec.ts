/**
 * One tab owns the phone (issue 5): a second tab of the same user does not open a SIP
 * WebSocket or register; it mirrors the calls and its commands run in the owner tab (where the
 * media is). Closing the owner hands the phone over: the second tab registers and takes calls.
 */
import { expect, test, type Page } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { trackSipSockets } from './fixtures';
import { DEMO_PASSWORD, Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});

test.afterAll(async () => {
  await core?.stop();
});

const openSipSockets = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __sentralSipSockets: WebSocket[] }).__sentralSipSockets.filter(
        (ws) => ws.readyState === WebSocket.OPEN,
      ).length,
  );

test('a second tab mirrors the first, answers through it, and takes over when it closes', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  await kari.page.addInitScript(trackSipSockets);
  await kari.page.reload();
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');

    const tab2 = await kari.context.newPage();
    await tab2.addInitScript(trackSipSockets);
    await tab2.goto('/');
    const username = tab2.locator('input[name=username]');
    const badge = tab2.locator('[data-testid=reg-state]');
    await expect(username.or(badge)).toBeVisible();
    if (await username.isVisible()) {
      await username.fill('kari.nordmann');
      await tab2.locator('input[name=password]').fill(DEMO_PASSWORD);
      await tab2.locator('button[type=submit]').click();
    }
    // Mirrored, not registered itself: no SIP WebSocket in the second tab.
    await expect(badge).toHaveAttribute('data-state', 'registered', { timeout: 15_000 });
    expect(await openSipSockets(tab2)).toBe(0);
    expect(await openSipSockets(kari.page)).toBe(1);

    // Ola calls Kari: both tabs ring; the second tab answers, the first carries the audio.
    await ola.dial('1001');
    await expect(tab2.locator('[data-testid=incoming-call]')).toBeVisible();
    await expect(kari.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await tab2.locator('[data-testid=incoming-call] button[data-testid=answer]').click();
    await kari.expectCallState('established');
    await ola.expectCallState('established');
    await expect(tab2.locator('[data-testid=call-state]')).toHaveAttribute(
      'data-state',
      'established',
    );
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);

    // Hang up from the second tab: the call ends everywhere.
    await tab2.locator('button[data-testid=hangup]').click();
    await expect(ola.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );

    // The owner tab closes: the second tab opens its own SIP WebSocket and registers.
    await kari.page.close();
    await expect.poll(() => openSipSockets(tab2), { timeout: 15_000 }).toBe(1);
    await expect(badge).toHaveAttribute('data-state', 'registered', { timeout: 15_000 });
    await ola.dial('1001');
    await expect(tab2.locator('[data-testid=incoming-call]')).toBeVisible({ timeout: 15_000 });
    await tab2.locator('[data-testid=incoming-call] button[data-testid=answer]').click();
    await ola.expectCallState('established');
    await expect(tab2.locator('[data-testid=call-state]')).toHaveAttribute(
      'data-state',
      'established',
    );
  } finally {
    await kari.close();
    await ola.close();
  }
});
