/**
 * Languages in a real browser: a browser set to Norwegian gets the app in bokmål from the first
 * paint (login page, then the phone and the directory after sign-in), with Norwegian dates;
 * the header's switch turns it into English in place — the phone stays registered, nothing
 * reloads — and the choice survives a reload (IndexedDB), whatever the browser's language.
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { DEMO_PASSWORD } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('a Norwegian browser gets bokmål; the switch changes to English in place and is remembered', async ({
  browser,
}) => {
  const context = await browser.newContext({
    baseURL: core.url,
    locale: 'nb-NO',
    permissions: ['microphone'],
  });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.locator('html')).toHaveAttribute('lang', 'nb');
    await expect(page.locator('sentral-login h1')).toHaveText('Logg inn i Sentral');
    await expect(page.locator('sentral-login button[type=submit]')).toHaveText('Logg inn');

    await page.locator('input[name=username]').fill('kari.nordmann');
    await page.locator('input[name=password]').fill(DEMO_PASSWORD);
    await page.locator('button[type=submit]').click();
    await expect(page.locator('[data-testid=reg-state]')).toHaveAttribute(
      'data-state',
      'registered',
      { timeout: 15_000 },
    );
    await expect(page.locator('sentral-softphone h2')).toHaveText('Telefon');
    await expect(page.locator('sentral-directory h2')).toHaveText('Kolleger');
    await expect(page.locator('[data-testid=ready-button]')).toHaveText('Klar for samtaler');

    // The switch: English at once, on the same page (the phone is still registered).
    const switcher = page.locator('sentral-language-switch select');
    await switcher.selectOption('en');
    await expect(page.locator('sentral-softphone h2')).toHaveText('Phone');
    await expect(page.locator('sentral-directory h2')).toHaveText('Colleagues');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.locator('[data-testid=reg-state]')).toHaveAttribute(
      'data-state',
      'registered',
    );

    // Remembered in this browser: a reload (a new sign-in) stays in English.
    await page.reload();
    await expect(page.locator('sentral-login button[type=submit]')).toHaveText('Sign in');
    await expect(page.locator('sentral-language-switch select')).toHaveValue('en');
  } finally {
    await context.close();
  }
});
