/**
 * Core restart end to end (issue 5): the core is stopped and started again on the same port
 * with the same PGlite directory on disk. While it is down the operator's softphone says it is
 * reconnecting and the queue board marks its data stale. When it is back both apps reconnect
 * on their own and resume their sessions (kept in the store across restarts, migration 0014):
 * nobody logs in again; the phone registers with the credential it had, a queue call is picked
 * with audio both ways, and the board shows live, right numbers: today's answered and
 * unanswered callers from before the restart (read back from the queue log; the caller still
 * waiting when the core stopped counts as unanswered) plus the new call.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCore, type RunningCore } from './core-process';
import { expectReceiving, freePort, outsideCaller, PEOPLE } from './fixtures';
import { Softphone } from './softphone';

let dataDir = '';
let env: Record<string, string> = {};
let core: RunningCore | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000); // a new PGlite directory on disk: created, migrated and seeded
  dataDir = mkdtempSync(join(tmpdir(), 'sentral-e2e-restart-'));
  // A fixed port, so the apps reconnect to the same URL; SIP over UDP/TCP is not needed.
  env = {
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    SIP_UDP_PORT: 'off',
    SIP_TCP_PORT: 'off',
  };
  core = await startCore(env);
});
test.afterAll(async () => {
  await core?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const loginForm = (page: Page) => page.locator('input[name=username]');

test('core restart: reconnecting and stale while down; sessions resume after, registered again, a call with audio and live board numbers', async ({
  browser,
}) => {
  test.setTimeout(150_000); // two core starts on a loaded two-core machine
  if (!core) throw new Error('no core');
  const kari = await Softphone.open(browser, core.url);
  const board = await Softphone.open(browser, core.url);
  const answered = await outsideCaller(core.wsUrl, '+4790000073', 'Kunde Besvart');
  const gaveUp = await outsideCaller(core.wsUrl, '+4790000074', 'Kunde Ga Opp');
  const before = await outsideCaller(core.wsUrl, '+4790000071', 'Kunde Før');
  let after: Awaited<ReturnType<typeof outsideCaller>> | undefined;
  try {
    await kari.loginAndRegister(PEOPLE.kari.username);
    await board.login(PEOPLE.board.username);
    const tile = board.page.getByRole('region', { name: 'Sentralbord' });
    const waitingCount = tile.locator('[data-testid=waiting] .value');
    const answeredCount = tile.locator('[data-testid=answered] dd');
    const unansweredCount = tile.locator('[data-testid=unanswered] dd');
    const staleBanner = board.page.locator('[data-testid=stale-banner]');
    const rows = kari.page.locator('[data-testid=waiting-caller]');

    // Today so far: one caller answered (picked, talked, hung up), one gave up waiting.
    answered.call();
    await expect(rows.locator('[data-testid=caller-name]')).toHaveText('Kunde Besvart', {
      timeout: 15_000,
    });
    await rows.locator('[data-testid=pick]').click();
    await kari.expectCallState('established');
    answered.hangUp();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    gaveUp.call();
    await expect(rows).toHaveCount(1);
    gaveUp.hangUp();
    await expect(rows).toHaveCount(0);
    await expect(answeredCount).toHaveText('1');
    await expect(unansweredCount).toHaveText('1');

    // A caller waits: the board and the queue panel show it.
    before.call();
    await expect(waitingCount).toHaveText('1', { timeout: 15_000 });
    await expect(rows).toHaveCount(1);
    await expect(staleBanner).toHaveCount(0);

    // The core stops: the softphone is reconnecting, the board's data is marked stale.
    await core.stop();
    const regState = kari.page.locator('[data-testid=reg-state]');
    await expect(regState).toHaveAttribute('data-state', 'reconnecting', { timeout: 15_000 });
    await expect(kari.page.locator('[data-testid=connection-banner]')).toHaveAttribute(
      'data-state',
      'reconnecting',
    );
    await expect(staleBanner).toBeVisible({ timeout: 15_000 });
    await expect(tile).toHaveAttribute('aria-busy', 'true');
    await expect.poll(() => before.ended(), { timeout: 15_000 }).not.toBe('');

    // It starts again on the same port and data: both apps reconnect by themselves and resume
    // their sessions — no login screen; the phone registers again with the credential it had.
    core = await startCore(env);
    await expect(regState).toHaveAttribute('data-state', 'registered', { timeout: 45_000 });
    await expect(loginForm(kari.page)).toHaveCount(0);
    await expect(loginForm(board.page)).toHaveCount(0);

    // The board is live again, with nobody waiting (the caller of before the restart is gone)
    // and the day's figures of before the restart.
    await expect(tile).toBeVisible({ timeout: 15_000 });
    await expect(staleBanner).toHaveCount(0, { timeout: 30_000 });
    await expect(tile).toHaveAttribute('aria-busy', 'false');
    // Unanswered: the one who gave up, and the one the stopping core left (it logged them).
    await expect(waitingCount).toHaveText('0');
    await expect(answeredCount).toHaveText('1');
    await expect(unansweredCount).toHaveText('2');

    // A new caller: counted on the board, picked by Kari, audio both ways.
    after = await outsideCaller(core.wsUrl, '+4790000072', 'Kunde Etter');
    after.call();
    await expect(waitingCount).toHaveText('1', { timeout: 15_000 });
    await expect(rows.locator('[data-testid=caller-name]')).toHaveText('Kunde Etter');
    await rows.locator('[data-testid=pick]').click();
    await kari.expectCallState('established');
    await expectReceiving(kari);
    await after.expectHearing();
    await expect(waitingCount).toHaveText('0');
    await expect(answeredCount).toHaveText('2');
    await expect(unansweredCount).toHaveText('2');

    after.hangUp();
    await expect(kari.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
  } finally {
    answered.stop();
    gaveUp.stop();
    before.stop();
    after?.stop();
    await kari.close();
    await board.close();
  }
});
