/**
 * The call log and the keyboard: Ola answers with Numpad Enter, Kari hangs up with Numpad −;
 * both call logs show the call (kept in each browser's IndexedDB), and a click on Kari's row
 * calls Ola back. `?` opens the shortcut help and Escape closes it without touching the call.
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

test('keypad answer and hang-up, the call in both call logs, call back from the log, the shortcut help', async ({
  browser,
}) => {
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen');

    await kari.dial('1007');
    await expect(ola.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await ola.page.keyboard.press('NumpadEnter');
    await kari.expectCallState('established');
    await ola.expectCallState('established');

    // The help opens over the call and Escape closes it; the call stays up.
    await kari.page.keyboard.press('?');
    const help = kari.page.locator('dialog[data-testid=shortcuts-help]');
    await expect(help).toBeVisible();
    await expect(help.locator('[data-testid=shortcut]').first()).toBeVisible();
    await kari.page.keyboard.press('Escape');
    await expect(help).toBeHidden();
    await kari.expectCallState('established');

    await kari.page.keyboard.press('NumpadSubtract');
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'local_hangup',
    );

    const kariRow = kari.page.locator('[data-testid=call-log-row]').first();
    await expect(kariRow).toHaveAttribute('data-direction', 'out');
    await expect(kariRow).toHaveAttribute('data-answered', 'true');
    await expect(kariRow.locator('[data-testid=call-log-name]')).toHaveText('Ola Hansen');
    const olaRow = ola.page.locator('[data-testid=call-log-row]').first();
    await expect(olaRow).toHaveAttribute('data-direction', 'in');
    await expect(olaRow.locator('[data-testid=call-log-name]')).toHaveText('Kari Nordmann');

    // Call back from the log.
    await kariRow.click();
    await expect(ola.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await ola.page.keyboard.press('Escape');
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'busy',
    );
  } finally {
    await kari.close();
    await ola.close();
  }
});
