/**
 * Two people log in to the web app in two browsers and call each other through the core, with
 * real (fake-device) audio verified by RTP counters on both sides.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { startCore, type RunningCore } from './core-process';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});

test.afterAll(async () => {
  await core?.stop();
});

test('a call between two browsers carries audio both ways, holds, resumes, sends DTMF and hangs up', async ({
  browser,
}) => {
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');

    await kari.dial('1007');
    const incoming = ola.page.locator('[data-testid=incoming-call]');
    await expect(incoming).toBeVisible();
    await expect(incoming.locator('[data-testid=caller-name]')).toHaveText('Kari Nordmann');
    await expect(incoming.locator('[data-testid=caller-number]')).toContainText('1001');
    await kari.expectCallState('ringing');

    await ola.answer();
    await kari.expectCallState('established');
    await ola.expectCallState('established');

    // Audio flows both ways.
    await expect
      .poll(() => kari.packetsReceivedOver(1000), { timeout: 10_000 })
      .toBeGreaterThan(20);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // The README's screenshot is refreshed on request only, so a test run leaves the tree clean.
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync('docs/screenshots', { recursive: true });
      await kari.page.screenshot({ path: 'docs/screenshots/softphone-in-call.png' });
    }

    // Hold: Ola hears hold music made in Kari's browser — never Kari's microphone; resume
    // puts the microphone back.
    expect(await kari.sending()).toEqual(['microphone']);
    await kari.page.locator('button[data-testid=hold]').click();
    await kari.expectCallState('held');
    expect(await kari.sending()).toEqual(['generated']);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await kari.page.locator('button[data-testid=hold]').click();
    await kari.expectCallState('established');
    expect(await kari.sending()).toEqual(['microphone']);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // DTMF reaches the other side.
    for (const key of ['5', '0', 'hash']) {
      await kari.page.locator(`button[data-testid=dtmf-${key}]`).click();
    }
    await expect(ola.page.locator('[data-testid=dtmf-received]')).toHaveText('50#');

    // Hang-up ends both sides.
    await kari.page.locator('button[data-testid=hangup]').click();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'local_hangup',
    );
    await expect(ola.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await expect
      .poll(async () => (await fetch(`${core.url}/healthz`).then((r) => r.json())).calls)
      .toBe(0);
  } finally {
    await kari.close();
    await ola.close();
  }
});

test('a rejected call shows "busy" to the caller', async ({ browser }) => {
  const rene = await Softphone.open(browser, core.url);
  const bjorn = await Softphone.open(browser, core.url);
  try {
    await rene.loginAndRegister('rene.lie');
    await bjorn.loginAndRegister('bjorn.odegard');
    await rene.dial('1004');
    await expect(bjorn.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await bjorn.page.locator('[data-testid=incoming-call] button[data-testid=reject]').click();
    const reason = rene.page.locator('[data-testid=end-reason]');
    await expect(reason).toHaveAttribute('data-reason', 'busy');
    await expect(reason).toContainText(/busy/i);
  } finally {
    await rene.close();
    await bjorn.close();
  }
});

test('calling a number nobody has shows "not found"', async ({ browser }) => {
  const hege = await Softphone.open(browser, core.url);
  try {
    await hege.loginAndRegister('hege.solberg');
    await hege.dial('9999');
    const reason = hege.page.locator('[data-testid=end-reason]');
    await expect(reason).toHaveAttribute('data-reason', 'not_found');
    await expect(reason).toContainText(/not found/i);
  } finally {
    await hege.close();
  }
});

test('a wrong password gives a clear login error and no session', async ({ browser }) => {
  const page = await Softphone.open(browser, core.url);
  try {
    await page.login('kari.nordmann', 'not-the-password');
    await expect(page.page.locator('[data-testid=login-error]')).toHaveText(
      /wrong username or password/i,
    );
    await expect(page.page.locator('[data-testid=reg-state]')).toHaveCount(0);
  } finally {
    await page.close();
  }
});
