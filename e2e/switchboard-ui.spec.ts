/**
 * The operator's switchboard view end to end, by mouse and keyboard only: an outside caller
 * waits in the main queue and shows in Kari's queue panel; she picks it (her softphone answers
 * by itself), sees the caller card with a note she adds, consults Ola by typing his extension,
 * and completes the transfer. Audio checked by RTP counters; the queue board login sees the
 * queue but never the caller's number.
 */
import { expect, test } from '@playwright/test';
import JsSIP from 'jssip';
import { startCore, type RunningCore } from './core-process';
import { installNodeGlobals, packetsOver, toneStream } from './node-peer';
import { Softphone } from './softphone';

let core: RunningCore;

test.beforeAll(async () => {
  core = await startCore();
});
test.afterAll(async () => {
  await core?.stop();
});

test('pick from the queue panel, note on the caller card, consult and complete by buttons', async ({
  browser,
}) => {
  installNodeGlobals();
  const kari = await Softphone.open(browser, core.url);
  const ola = await Softphone.open(browser, core.url);
  const board = await Softphone.open(browser, core.url);
  const tone = toneStream();
  const caller = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${core.wsUrl}/sip`)],
    uri: 'sip:+4790000021@outside.invalid',
    display_name: 'Kunde Panel',
    register: false,
  });
  try {
    await kari.loginAndRegister('kari.nordmann');
    await ola.loginAndRegister('ola.hansen'); // 1007
    await board.login('tavle');
    caller.start();
    await new Promise<void>((resolve) => caller.once('connected', () => resolve()));
    let ended = '';
    const session = caller.call('sip:+4721000000@nordlys.sentral.invalid', {
      mediaStream: tone.stream,
      pcConfig: { iceServers: [] },
      eventHandlers: {
        ended: (e: { originator: string; cause: string }) => (ended = `${e.originator}:${e.cause}`),
        failed: (e: { originator: string; cause: string }) =>
          (ended = `failed ${e.originator}:${e.cause}`),
      },
    });
    const callerPc = () => session.connection as RTCPeerConnection | undefined;

    // The caller shows in Kari's queue panel, named and with a ticking wait.
    const row = kari.page.locator('[data-testid=waiting-caller]');
    await expect(row).toHaveCount(1);
    await expect(row.locator('[data-testid=caller-name]')).toHaveText('Kunde Panel');
    await expect(row.locator('[data-testid=caller-number]')).toHaveText('90 00 00 21');

    // The wall board counts the caller but shows no number or name.
    await expect(board.page.locator('[data-testid=queue-board]')).toBeVisible();
    await expect(board.page.locator('sentral-queue-board')).toContainText('Sentralbord');
    await expect(board.page.locator('sentral-queue-board')).not.toContainText('90 00 00 21');
    await expect(board.page.locator('sentral-queue-board')).not.toContainText('Kunde Panel');

    // Pick by keyboard: focus the row, Enter. The softphone answers by itself.
    await row.focus();
    await kari.page.keyboard.press('Enter');
    await kari.expectCallState('established');
    await expect(row).toHaveCount(0);
    await expect.poll(() => packetsOver(callerPc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);

    // The caller card: first call from this number; add a note.
    const card = kari.page.locator('sentral-caller-card');
    await expect(card.locator('[data-testid=card-name]')).toHaveText('Kunde Panel');
    await expect(card.locator('[data-testid=card-no-calls]')).toBeVisible();
    await card.locator('[data-testid=note-new]').fill('Vil snakke med salg om fornyelse');
    await card.locator('[data-testid=note-add]').click();
    await expect(card.locator('[data-testid=card-note]')).toContainText(
      'Vil snakke med salg om fornyelse',
    );

    // Consult Ola: type his extension, press Consult; the second line answers by itself.
    await kari.page.locator('[data-testid=transfer-target]').fill('1007');
    await kari.page.locator('[data-testid=consult]').click();
    await expect(kari.page.locator('[data-testid=consultation]')).toHaveAttribute(
      'data-state',
      'ringing',
    );
    await ola.answer();
    await ola.expectCallState('established');
    await expect(kari.page.locator('[data-testid=consultation]')).toHaveAttribute(
      'data-state',
      'talking',
    );
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(await packetsOver(callerPc, 1500)).toBeLessThanOrEqual(2); // held: silence

    // Complete: Kari's lines end; the caller and Ola talk.
    await kari.page.locator('[data-testid=consult-complete]').click();
    await expect(kari.page.locator('[data-testid=consultation]')).toHaveCount(0);
    await expect(kari.page.locator('[data-testid=call-note]')).toContainText('Transferred');
    await expect.poll(() => packetsOver(callerPc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => ola.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
    expect(ended).toBe('');
    session.terminate();
  } finally {
    caller.stop();
    tone.stop();
    await kari.close();
    await ola.close();
    await board.close();
  }
});
