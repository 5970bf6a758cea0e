/**
 * Two-factor login in a real browser: the admin must set it up at the first sign-in (QR code
 * and key shown, a code from an authenticator — computed here with otpauth from the key the
 * page shows — confirms it, recovery codes shown once), and the next sign-in asks for a code.
 */
import { expect, test } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { startCore, type RunningCore } from './core-process';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

const codeFor = (secret: string, at = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  });

test('the admin sets up two-factor login at first sign-in, then signs in with a code', async ({
  browser,
}) => {
  const first = await Softphone.open(browser, core.url);
  const again = await Softphone.open(browser, core.url);
  try {
    await first.login('admin', 'admin1234');
    const setup = first.page.locator('sentral-two-factor-setup');
    await expect(setup.locator('[data-testid=two-factor-qr] rect').first()).toBeAttached();
    const key = (await setup.locator('[data-testid=two-factor-secret]').textContent()) ?? '';
    const secret = key.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await setup.locator('[data-testid=two-factor-code]').fill(codeFor(secret));
    await setup.locator('[data-testid=two-factor-confirm]').click();
    await expect(setup.locator('[data-testid=recovery-codes] li')).toHaveCount(10);
    await setup.locator('[data-testid=two-factor-done]').click();
    await expect(first.page.locator('sentral-switchboard')).toBeVisible();

    // A new sign-in: the password, then the code (the next time step: each code works once).
    await again.login('admin', 'admin1234');
    await expect(again.page.locator('input[name=code]')).toBeVisible();
    await again.page.locator('input[name=code]').fill(codeFor(secret, Date.now() + 30_000));
    await again.page.locator('button[type=submit]').click();
    await expect(again.page.locator('sentral-switchboard')).toBeVisible();
  } finally {
    await first.close();
    await again.close();
  }
});
