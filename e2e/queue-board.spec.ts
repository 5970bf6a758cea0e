/**
 * The queue board's numbers end to end (issue 5): three outside callers reach the main queue;
 * one gives up while waiting, the operator picks another, the third is still waiting. The wall
 * board login (`tavle`) must show exactly that for Sentralbord — 1 waiting, 1 answered and
 * 1 unanswered today — and the operator's queue panel the one caller still waiting.
 *
 * With UPDATE_SCREENSHOTS=1 it also writes the README's switchboard (a caller waiting, the
 * caller card of the call in progress) and queue board screenshots.
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { outsideCaller, PEOPLE, readmeScreenshot, registeredPhones } from './fixtures';
import { operatorApi } from './operator-api';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

const VIEWPORT = { width: 1280, height: 800 };

test('the board shows the waiting, answered and unanswered callers the scenario made', async ({
  browser,
}) => {
  const [kari] = await registeredPhones(browser, core.url, [PEOPLE.kari.username]);
  const board = await Softphone.open(browser, core.url);
  const api = await operatorApi(core.wsUrl, PEOPLE.kari.username);
  const answered = await outsideCaller(core.wsUrl, '+4790000041', 'Marte Kundesen');
  const gaveUp = await outsideCaller(core.wsUrl, '+4790000042', 'Per Utålmodig');
  const waiting = await outsideCaller(core.wsUrl, '+4790000043', 'Sara Venter');
  try {
    if (!kari) throw new Error('phone did not open');
    await kari.page.setViewportSize(VIEWPORT);
    await board.page.setViewportSize(VIEWPORT);
    await board.login(PEOPLE.board.username);
    const tile = board.page.getByRole('region', { name: 'Sentralbord' });
    await expect(tile).toBeVisible({ timeout: 15_000 });
    const waitingCount = tile.locator('[data-testid=waiting] .value');
    const answeredCount = tile.locator('[data-testid=answered] dd');
    const unansweredCount = tile.locator('[data-testid=unanswered] dd');
    // A fresh core: nothing has happened today.
    await expect(waitingCount).toHaveText('0');
    await expect(answeredCount).toHaveText('0');
    await expect(unansweredCount).toHaveText('0');

    // Two callers wait; the board counts them.
    answered.call();
    await api.event('queue.caller_joined', (d) => d.number === '+4790000041');
    gaveUp.call();
    await api.event('queue.caller_joined', (d) => d.number === '+4790000042');
    await expect(waitingCount).toHaveText('2');

    // One gives up: unanswered.
    gaveUp.hangUp();
    await api.event('queue.caller_left', (d) => d.reason === 'abandoned');
    await expect(waitingCount).toHaveText('1');
    await expect(unansweredCount).toHaveText('1');
    await expect(answeredCount).toHaveText('0');

    // Kari picks the other from her queue panel: answered.
    const rows = kari.page.locator('[data-testid=waiting-caller]');
    await expect(rows).toHaveCount(1);
    await expect(rows.locator('[data-testid=caller-name]')).toHaveText('Marte Kundesen');
    await rows.locator('[data-testid=pick]').click();
    await kari.expectCallState('established');
    await answered.expectHearing();
    await expect(waitingCount).toHaveText('0');
    await expect(answeredCount).toHaveText('1');

    // A third caller waits while Kari talks.
    waiting.call();
    await expect(rows).toHaveCount(1);
    await expect(rows.locator('[data-testid=caller-name]')).toHaveText('Sara Venter');
    await expect(kari.page.locator('sentral-caller-card [data-testid=card-name]')).toHaveText(
      'Marte Kundesen',
    );

    // The board: exactly what happened — 1 waiting, 1 answered, 1 unanswered — and no
    // caller's number or name (ADR 0007).
    await expect(waitingCount).toHaveText('1');
    await expect(answeredCount).toHaveText('1');
    await expect(unansweredCount).toHaveText('1');
    await expect(tile.locator('[data-testid=waiting]')).toHaveAttribute('data-waiting', 'true');
    await expect(board.page.locator('[data-testid=stale-banner]')).toHaveCount(0);
    const boardText = await board.page.locator('sentral-queue-board').innerText();
    for (const hidden of ['Sara Venter', 'Marte Kundesen', '90 00 00 43', '90 00 00 41'])
      expect(boardText).not.toContain(hidden);
    // The other queues saw none of it.
    const salg = board.page.getByRole('region', { name: 'Salg' });
    await expect(salg.locator('[data-testid=waiting] .value')).toHaveText('0');
    await expect(salg.locator('[data-testid=answered] dd')).toHaveText('0');

    if (process.env.UPDATE_SCREENSHOTS) {
      // The picture shows a phone that is ready for calls, not the one-time Ready prompt.
      await kari.page.locator('[data-testid=ready-button]').click();
      await expect(kari.page.locator('[data-testid=ready-button]')).toHaveCount(0);
    }
    await readmeScreenshot(kari, 'switchboard.png');
    await readmeScreenshot(board, 'queue-board.png');

    answered.hangUp();
    waiting.hangUp();
    await expect(waitingCount).toHaveText('0');
    await expect(unansweredCount).toHaveText('2');
    await expect(answeredCount).toHaveText('1');
  } finally {
    answered.stop();
    gaveUp.stop();
    waiting.stop();
    api.close();
    await kari?.close();
    await board.close();
  }
});
