/**
 * Presence in the operator's directory end to end (issue 5): while a colleague's phone rings
 * and while he talks, the operator's colleague list says so — in words with an icon, not by
 * colour alone — and says "Free" again once he hangs up. Three browsers: the operator, the
 * colleague, and a second colleague who calls him (audio checked, so it is a real call).
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { expectReceiving, PEOPLE, registeredPhones } from './fixtures';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test("a colleague's presence turns ringing, busy and free again in the operator's directory", async ({
  browser,
}) => {
  const [kari, ola, rene] = await registeredPhones(browser, core.url, [
    PEOPLE.kari.username,
    PEOPLE.ola.username,
    PEOPLE.rene.username,
  ]);
  try {
    if (!kari || !ola || !rene) throw new Error('phones did not open');
    const entry = (name: string) =>
      kari.page.locator('[data-testid=directory-entry]').filter({ hasText: name });
    const olaPresence = entry(PEOPLE.ola.name).locator('[data-testid=presence]');
    const renePresence = entry(PEOPLE.rene.name).locator('[data-testid=presence]');
    const expectPresence = async (
      badge: typeof olaPresence,
      state: 'free' | 'ringing' | 'busy',
      word: string,
    ) => {
      await expect(badge).toHaveAttribute('data-state', state, { timeout: 15_000 });
      await expect(badge).toHaveText(word);
      // The state is also a shape, beside the word: not told by colour alone.
      await expect(badge.locator('svg[aria-hidden=true]')).toHaveCount(1);
    };

    // Both registered and idle: free.
    await expectPresence(olaPresence, 'free', 'Free');
    await expectPresence(renePresence, 'free', 'Free');

    // René calls Ola: Ola rings, then talks; both are busy in Kari's list.
    await rene.dial(PEOPLE.ola.extension);
    await expect(ola.page.locator('[data-testid=incoming-call]')).toBeVisible();
    await expectPresence(olaPresence, 'ringing', 'Ringing');
    await ola.answer();
    await ola.expectCallState('established');
    await rene.expectCallState('established');
    await expectReceiving(ola);
    await expectReceiving(rene);
    await expectPresence(olaPresence, 'busy', 'Busy');
    await expectPresence(renePresence, 'busy', 'Busy');
    // Kari's own row is not busy: she is not on the call.
    await expect(entry(PEOPLE.kari.name).locator('[data-testid=presence]')).toHaveAttribute(
      'data-state',
      'free',
    );

    // Ola hangs up: both free again.
    await ola.page.locator('button[data-testid=hangup]').click();
    await expect(rene.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await expectPresence(olaPresence, 'free', 'Free');
    await expectPresence(renePresence, 'free', 'Free');
  } finally {
    await kari?.close();
    await ola?.close();
    await rene?.close();
  }
});
