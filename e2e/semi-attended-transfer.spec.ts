/**
 * Semi-attended transfer end to end (issue 5): the operator picks an outside caller from the
 * queue, consults a colleague and completes while the colleague's phone still rings. The
 * operator is free at once; the colleague answers and talks to the caller, with audio checked
 * both ways by RTP counters (bytes and packets received).
 */
import { expect, test } from '@playwright/test';
import { startCore, type RunningCore } from './core-process';
import { expectReceiving, outsideCaller, PEOPLE, registeredPhones } from './fixtures';
import { operatorApi } from './operator-api';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('consult, complete while the colleague rings; the colleague answers and talks to the caller', async ({
  browser,
}) => {
  const [kari, ola] = await registeredPhones(browser, core.url, [
    PEOPLE.kari.username,
    PEOPLE.ola.username,
  ]);
  const api = await operatorApi(core.wsUrl, PEOPLE.kari.username);
  const caller = await outsideCaller(core.wsUrl, '+4790000031', 'Kunde Semi');
  try {
    if (!kari || !ola) throw new Error('phones did not open');
    caller.call();
    const row = kari.page.locator('[data-testid=waiting-caller]');
    await expect(row.locator('[data-testid=caller-name]')).toHaveText('Kunde Semi');
    await row.locator('[data-testid=pick]').click();
    await kari.expectCallState('established');
    await caller.expectHearing();
    await expectReceiving(kari);

    // Consult Ola by his extension; his phone rings with Kari as the caller.
    await kari.page.locator('[data-testid=transfer-target]').fill(PEOPLE.ola.extension);
    await kari.page.locator('[data-testid=consult]').click();
    const consultation = kari.page.locator('[data-testid=consultation]');
    await expect(consultation).toHaveAttribute('data-state', 'ringing');
    const incoming = ola.page.locator('[data-testid=incoming-call]');
    await expect(incoming.locator('[data-testid=caller-number]')).toContainText(
      PEOPLE.kari.extension,
    );
    // The caller is held meanwhile.
    await caller.expectSilence();

    // Complete while Ola still rings: semi-attended. Kari is done with the call at once.
    await kari.page.locator('[data-testid=consult-complete]').click();
    await api.event('call.consult', (d) => d.state === 'completed');
    await expect(consultation).toHaveCount(0);
    await expect(kari.page.locator('sentral-line')).toHaveCount(0);
    await expect(kari.page.locator('input[data-testid=dial-input]')).toBeVisible();
    await expect(incoming).toBeVisible(); // still ringing at Ola's

    // Ola answers: he and the caller hear each other; the caller's call never ended.
    await ola.answer();
    await ola.expectCallState('established');
    await expectReceiving(ola);
    await caller.expectHearing();
    expect(caller.ended()).toBe('');
    await expect(kari.page.locator('sentral-line')).toHaveCount(0);

    caller.hangUp();
    await expect(ola.page.locator('[data-testid=end-reason]')).toHaveAttribute(
      'data-reason',
      'remote_hangup',
    );
    await expect
      .poll(async () => (await fetch(`${core.url}/healthz`).then((r) => r.json())).calls)
      .toBe(0);
  } finally {
    caller.stop();
    api.close();
    await kari?.close();
    await ola?.close();
  }
});
