/**
 * Recall end to end (issue 5): the operator transfers an outside caller blind to a colleague
 * who does not answer. After the recall time the colleague's phone stops ringing and the call
 * rings the operator again, marked as a recall with its reason. She answers and talks to the
 * caller again, audio checked both ways.
 *
 * RECALL_AFTER_S is 4 s here: short, so the test waits little, yet long enough for the
 * colleague's phone to ring visibly first and for the operator to answer the recall (its own
 * ringing is bounded by the same time, after which the caller goes back to the queue).
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { expectReceiving, outsideCaller, PEOPLE, registeredPhones } from './fixtures';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore({ RECALL_AFTER_S: '4' });
});
test.afterAll(async () => {
  await core?.stop();
});

test('a blind transfer nobody answers comes back to the operator marked as a recall, with the reason', async ({
  browser,
}) => {
  const [kari, ola] = await registeredPhones(browser, core.url, [
    PEOPLE.kari.username,
    PEOPLE.ola.username,
  ]);
  const caller = await outsideCaller(core.wsUrl, '+4790000051', 'Kunde Tilbake');
  try {
    if (!kari || !ola) throw new Error('phones did not open');
    caller.call();
    const row = kari.page.locator('[data-testid=waiting-caller]');
    await expect(row.locator('[data-testid=caller-name]')).toHaveText('Kunde Tilbake');
    await row.locator('[data-testid=pick]').click();
    await kari.expectCallState('established');
    await caller.expectHearing();

    // Blind transfer to Ola from the switchboard: Kari's call ends, Ola's phone rings with the
    // caller's identity; he lets it ring.
    await kari.page.locator('[data-testid=transfer-target]').fill(PEOPLE.ola.extension);
    await kari.page.locator('[data-testid=transfer-blind]').click();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    const olaRings = ola.page.locator('[data-testid=incoming-call]');
    await expect(olaRings.locator('[data-testid=caller-number]')).toContainText('+4790000051');
    await expect(olaRings.locator('[data-testid=recall]')).toHaveCount(0);
    // Meanwhile the caller is held by the core: nothing reaches it.
    await caller.expectSilence();

    // The recall time passes: Ola's phone stops ringing, Kari's rings with the same caller,
    // marked as a recall because nobody answered.
    const kariRings = kari.page.locator('[data-testid=incoming-call]');
    await expect(kariRings).toBeVisible({ timeout: 15_000 });
    await expect(olaRings).toHaveCount(0);
    await expect(kariRings.locator('[data-testid=caller-number]')).toContainText('+4790000051');
    const mark = kariRings.locator('[data-testid=recall]');
    await expect(mark).toHaveAttribute('data-reason', 'no_answer');
    await expect(mark).toContainText('Recall: Not answered');
    expect(caller.ended()).toBe('');

    // Kari answers the recall and talks to the caller again.
    await kari.answer();
    await kari.expectCallState('established');
    await expect(kari.line(1).locator('.party-number')).toContainText('+4790000051');
    await expectReceiving(kari);
    await caller.expectHearing();
    await expect(ola.page.locator('sentral-line')).toHaveCount(0);

    caller.hangUp();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
  } finally {
    caller.stop();
    await kari?.close();
    await ola?.close();
  }
});
