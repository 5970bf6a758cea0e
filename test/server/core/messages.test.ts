/** Text messages to a colleague: SIP MESSAGE to their phones, and SMS through the gateway. */
import { describe, expect, it } from 'vitest';
import type { LoggingSmsGateway } from '../../../src/server/people/sms-gateway';
import { RawApiClient } from '../support/api-client';
import { respond } from '../support/scenarios';
import { scenarioCore } from '../support/transfer-scenarios';

const scenario = scenarioCore({});
const { user } = scenario;

describe('message.send', () => {
  it("delivers a SIP MESSAGE from the sender's extension to each of the colleague's phones", async () => {
    const kari = await user('kari.nordmann');
    const ola = await user('ola.hansen');
    const sending = kari.api.command('message.send', {
      to: '1007',
      text: 'Per Hansen ringte, ring tilbake på 900 11 222 <b>i dag</b>',
    });
    const msg = await ola.peer.expectRequest('MESSAGE');
    expect(msg.header('From')).toMatch(
      /^"Kari Nordmann" <sip:1001@nordlys\.sentral\.invalid>;tag=/,
    );
    expect(msg.header('Content-Type')).toBe('text/plain;charset=UTF-8');
    expect(msg.body).toBe('Per Hansen ringte, ring tilbake på 900 11 222 <b>i dag</b>');
    ola.peer.send(respond(msg, 200, 'OK'));
    expect(await sending).toMatchObject({ ok: true, result: { delivered: 1, sms: false } });
  });

  it('sends an SMS to the mobile when asked, even with no phone online; refuses what cannot arrive', async () => {
    const kari = await user('kari.nordmann');
    const gateway = scenario.core.core.sms as LoggingSmsGateway;
    expect(
      await kari.api.command('message.send', {
        to: 'hege.solberg',
        text: 'Møte flyttet til 14',
        sms: true,
      }),
    ).toMatchObject({ ok: true, result: { delivered: 0, sms: true } });
    const hege = (
      await scenario.core.core.db.query<{ mobile: string }>(
        `SELECT mobile FROM users WHERE username = 'hege.solberg'`,
      )
    )[0]?.mobile;
    expect(gateway.sent.at(-1)).toEqual({ to: hege, from: '1001', text: 'Møte flyttet til 14' });
    expect(
      await kari.api.command('message.send', { to: 'hege.solberg', text: 'Bare SIP' }),
    ).toMatchObject({ error: { code: 'conflict' } }); // no phone online, no SMS asked
    expect(await kari.api.command('message.send', { to: '9999', text: 'x' })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await kari.api.command('message.send', { to: '1007', text: '   ' })).toMatchObject({
      error: { code: 'bad_request' },
    });
    // From a chosen number the sender may show (the main number, their mobile); never another.
    expect(
      await kari.api.command('message.send', {
        to: 'hege.solberg',
        text: 'Ring kunden',
        sms: true,
        from: '21 00 00 00',
      }),
    ).toMatchObject({ ok: true, result: { sms: true } });
    expect(gateway.sent.at(-1)).toEqual({ to: hege, from: '+4721000000', text: 'Ring kunden' });
    const sentBefore = gateway.sent.length;
    expect(
      await kari.api.command('message.send', {
        to: 'hege.solberg',
        text: 'x',
        sms: true,
        from: '+4799999999',
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(gateway.sent).toHaveLength(sentBefore);
    const board = await RawApiClient.connect(scenario.core.wsUrl);
    scenario.opened.push(board);
    await board.command('auth.login', { username: 'tavle', password: 'demo1234' });
    expect(await board.command('message.send', { to: '1007', text: 'x' })).toMatchObject({
      error: { code: 'forbidden' },
    });
  });
});
