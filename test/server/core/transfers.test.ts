import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../support/sip-peer';
import { inDialog, loginAndRegister, respond, uriOf, type Registered } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';
import { TRANSFER_SDP, answerCoreReinvite, callerTalkingTo } from '../support/transfer-scenarios';

let core: TestCore;
const opened: Array<{ close(): void }> = [];

beforeAll(async () => {
  core = await startTestCore({ RECALL_AFTER_S: '2', PARK_RECALL_S: '3' });
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function agent(username: string): Promise<Registered> {
  const r = await loginAndRegister(core.wsUrl, username);
  opened.push(r.peer, r.api);
  return r;
}

const { OLA_SDP, RENE_OFFER, CALLER_ANSWER } = TRANSFER_SDP;

function callerTalkingToOla(ola: Registered) {
  return callerTalkingTo(core.wsUrl, ola, opened);
}

const answerReinvite = answerCoreReinvite;

describe('blind transfer with recall (ADR 0005 flow)', () => {
  it("moves the caller to the colleague: BYE to the operator, offerless INVITE, caller re-INVITEd with the colleague's offer", async () => {
    const ola = await agent('ola.hansen');
    const rene = await agent('rene.lie'); // 1008
    const caller = await callerTalkingToOla(ola);

    const transfer = ola.api.command('transfer.blind', { target: '1008' });
    expect(await transfer).toMatchObject({ ok: true });
    const bye = await ola.peer.expectRequest('BYE');
    ola.peer.send(respond(bye, 200, 'OK'));

    const inv = await rene.peer.expectRequest('INVITE');
    expect(inv.body).toBe(''); // delayed offer: René offers in his 200
    expect(inv.header('From')).toMatch(/^"Kunde" <sip:\+4797000001@/); // the original caller
    expect(inv.header('Referred-By')).toBe('<sip:1007@nordlys.sentral.invalid>'); // who transferred
    rene.peer.send(
      respond(inv, 200, 'OK', {
        toTag: 'rene1',
        contact: `<sip:rene@${rene.peer.host}>`,
        body: RENE_OFFER,
      }),
    );

    const reinvite = await answerReinvite(caller);
    expect(reinvite.body).toBe(RENE_OFFER);
    const reneAck = await rene.peer.expectRequest('ACK');
    expect(reneAck.body).toBe(CALLER_ANSWER);

    // From now on the caller and René talk: a BYE from René reaches the caller.
    rene.peer.send(
      inDialog({
        method: 'BYE',
        host: rene.peer.host,
        requestUri: uriOf(inv.header('Contact')),
        from: `${inv.header('To')};tag=rene1`,
        to: inv.header('From') ?? '',
        callId: inv.header('Call-ID') ?? '',
        cseq: 1,
      }),
    );
    await rene.peer.expectResponse(200, 'BYE');
    const callerBye = await caller.peer.expectRequest('BYE');
    expect(callerBye.header('Call-ID')).toBe(caller.callId);
    caller.peer.send(respond(callerBye, 200, 'OK'));

    await core.core.switchboard.flush();
    const rows = await core.core.db.query<{
      leg: string;
      outcome: string;
      transferred_to: string | null;
      transferred_by: string | null;
      user_id: string | null;
    }>(
      `SELECT leg, outcome, transferred_to, transferred_by, user_id FROM call_records WHERE call_id = (
         SELECT call_id FROM call_records WHERE caller_number = '+4797000001' AND transferred_to = '1008' LIMIT 1)
       ORDER BY started_at`,
    );
    const ids = Object.fromEntries(
      (
        await core.core.db.query<{ id: string; username: string }>(
          `SELECT id, username FROM users WHERE username IN ('ola.hansen','rene.lie')`,
        )
      ).map((u) => [u.username, u.id]),
    );
    // The queue visit ends as transferred; Ola's ring was answered; René's ring carries who transferred.
    expect(rows).toEqual([
      {
        leg: 'inbound',
        outcome: 'transferred',
        transferred_to: '1008',
        transferred_by: ids['ola.hansen'],
        user_id: ids['ola.hansen'],
      },
      {
        leg: 'outbound',
        outcome: 'answered',
        transferred_to: null,
        transferred_by: null,
        user_id: ids['ola.hansen'],
      },
      {
        leg: 'outbound',
        outcome: 'answered',
        transferred_to: null,
        transferred_by: ids['ola.hansen'],
        user_id: ids['rene.lie'],
      },
    ]);
  });

  it('recalls to the operator when the colleague is busy, marked with the reason', async () => {
    const ola = await agent('martin.andersen');
    const lars = await agent('lars.johansen'); // 1009
    const caller = await callerTalkingToOla(ola);
    await ola.api.command('transfer.blind', { target: '1009' });
    ola.peer.send(respond(await ola.peer.expectRequest('BYE'), 200, 'OK'));
    const inv = await lars.peer.expectRequest('INVITE');
    lars.peer.send(respond(inv, 486, 'Busy Here', { toTag: 'lars1' }));
    await lars.peer.expectRequest('ACK');

    const recall = await ola.peer.expectRequest('INVITE');
    expect(recall.header('X-Sentral-Recall')).toBe('busy');
    expect(recall.body).toBe('');
    ola.peer.send(
      respond(recall, 200, 'OK', {
        toTag: 'olaR',
        contact: `<sip:ola@${ola.peer.host}>`,
        body: OLA_SDP,
      }),
    );
    const reinvite = await answerReinvite(caller);
    expect(reinvite.body).toBe(OLA_SDP);
    expect((await ola.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);
  });

  it('recalls after the recall time when nobody answers', async () => {
    const ola = await agent('camilla.kristiansen');
    const silje = await agent('silje.larsen'); // 1010
    const caller = await callerTalkingToOla(ola);
    await ola.api.command('transfer.blind', { target: '1010' });
    ola.peer.send(respond(await ola.peer.expectRequest('BYE'), 200, 'OK'));
    const inv = await silje.peer.expectRequest('INVITE');
    silje.peer.send(
      respond(inv, 180, 'Ringing', { toTag: 's1', contact: `<sip:s@${silje.peer.host}>` }),
    );
    const cancel = await silje.peer.expect((m) => m.method === 'CANCEL', 5000);
    silje.peer.send(respond(cancel, 200, 'OK'));
    silje.peer.send(respond(inv, 487, 'Request Terminated', { toTag: 's1' }));
    const recall = await ola.peer.expectRequest('INVITE');
    expect(recall.header('X-Sentral-Recall')).toBe('no_answer');
    expect(caller.callId).toBeTruthy();
  });

  it('refuses a transfer without an answered call, to nobody, or by someone not on the call', async () => {
    const ida = await agent('ida.pedersen');
    expect(await ida.api.command('transfer.blind', { target: '1008' })).toMatchObject({
      error: { code: 'not_found' },
    });
    const ola = await agent('kare.maeland');
    await callerTalkingToOla(ola);
    expect(await ola.api.command('transfer.blind', { target: '9999' })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await ola.api.command('transfer.blind', { target: '1040' })).toMatchObject({
      error: { code: 'conflict' },
    }); // not registered
  });

  it('carries out a REFER from the answering phone (RFC 3515): 202, NOTIFY sipfrag, then the blind transfer', async () => {
    const ida = await agent('ida.pedersen');
    const kare = await agent('kare.maeland'); // 1013
    const caller = await callerTalkingToOla(ida);
    const inv = caller.agentLeg.invite;
    const refer = [
      `REFER ${uriOf(inv.header('Contact'))} SIP/2.0`,
      `Via: SIP/2.0/WSS ${ida.peer.host};branch=z9hG4bK${rand()}`,
      'Max-Forwards: 70',
      `From: ${inv.header('To')};tag=${caller.agentLeg.tag}`,
      `To: ${inv.header('From')}`,
      `Call-ID: ${inv.header('Call-ID')}`,
      'CSeq: 2 REFER',
      `Contact: <sip:ida@${ida.peer.host};transport=ws>`,
      'Refer-To: <sip:1013@nordlys.sentral.invalid>',
      `Referred-By: <sip:1012@nordlys.sentral.invalid>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    ida.peer.send(refer);
    await ida.peer.expectResponse(202, 'REFER');
    const trying = await ida.peer.expectRequest('NOTIFY');
    expect(trying.header('Event')).toBe('refer');
    expect(trying.header('Content-Type')).toBe('message/sipfrag;version=2.0');
    expect(trying.body).toBe('SIP/2.0 100 Trying\r\n');
    ida.peer.send(respond(trying, 200, 'OK'));
    const done = await ida.peer.expectRequest('NOTIFY');
    expect(done.body).toBe('SIP/2.0 200 OK\r\n');
    expect(done.header('Subscription-State')).toMatch(/^terminated/);
    ida.peer.send(respond(done, 200, 'OK'));
    ida.peer.send(respond(await ida.peer.expectRequest('BYE'), 200, 'OK'));

    const toKare = await kare.peer.expectRequest('INVITE');
    expect(toKare.header('Referred-By')).toBe('<sip:1012@nordlys.sentral.invalid>');
    kare.peer.send(
      respond(toKare, 200, 'OK', {
        toTag: 'k1',
        contact: `<sip:k@${kare.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const reinvite = await answerReinvite(caller);
    expect(reinvite.body).toBe(RENE_OFFER);
    expect((await kare.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);
  });

  it('refuses an attended REFER whose Replaces matches no call of the transferor (403), call unchanged', async () => {
    const martin = await agent('lars.johansen');
    const caller = await callerTalkingToOla(martin);
    const inv = caller.agentLeg.invite;
    martin.peer.send(
      [
        `REFER ${uriOf(inv.header('Contact'))} SIP/2.0`,
        `Via: SIP/2.0/WSS ${martin.peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `From: ${inv.header('To')};tag=${caller.agentLeg.tag}`,
        `To: ${inv.header('From')}`,
        `Call-ID: ${inv.header('Call-ID')}`,
        'CSeq: 2 REFER',
        'Refer-To: <sip:1040@nordlys.sentral.invalid?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await martin.peer.expectResponse(403, 'REFER');
    await martin.peer.expectSilence(300);
  });

  it('parks a call on the shared list (caller on inactive streams) and another operator picks it up', async () => {
    const silje = await agent('silje.larsen');
    const kari = await agent('kari.nordmann'); // operator
    const caller = await callerTalkingToOla(silje);
    const parked = (await silje.api.command('park.park')) as {
      ok: boolean;
      result: { slot: string };
    };
    expect(parked).toMatchObject({ ok: true, result: { slot: '1' } });
    silje.peer.send(respond(await silje.peer.expectRequest('BYE'), 200, 'OK'));

    // The caller is re-offered its own session, inactive, with a higher o= version.
    const hold = await caller.peer.expectRequest('INVITE');
    expect(hold.body).toContain('a=inactive');
    expect(hold.body).toContain('o=- 1 2 IN IP4 127.0.0.1');
    expect(hold.body).not.toMatch(/a=(sendrecv|sendonly|recvonly)/);
    caller.peer.send(
      respond(hold, 200, 'OK', {
        contact: `<sip:caller@${caller.peer.host}>`,
        body: CALLER_ANSWER.replace('PCMU/8000', 'PCMU/8000\r\na=inactive'),
      }),
    );
    await caller.peer.expectRequest('ACK');

    const list = await kari.api.waitForEvent(
      (e) => e.event === 'park.list' && (e.data.parked as unknown[]).length === 1,
    );
    expect((list.data.parked as Array<Record<string, unknown>>)[0]).toMatchObject({
      slot: '1',
      number: '+4797000001',
      name: 'Kunde',
    });

    expect(await kari.api.command('park.pickup', { slot: '1' })).toMatchObject({ ok: true });
    expect(await kari.api.command('park.pickup', { slot: '1' })).toMatchObject({
      error: { code: 'not_found' },
    });
    const inv = await kari.peer.expectRequest('INVITE');
    expect(inv.header('Call-Info')).toMatch(/answer-after=0/);
    expect(inv.body).toBe('');
    kari.peer.send(
      respond(inv, 200, 'OK', {
        toTag: 'kp',
        contact: `<sip:k@${kari.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const reinvite = await answerReinvite(caller);
    expect(reinvite.body).toBe(RENE_OFFER);
    expect((await kari.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);
  });

  it('rings the parker again when nobody picks the parked call up in time', async () => {
    const rene = await agent('rene.lie');
    const caller = await callerTalkingToOla(rene);
    await rene.api.command('park.park');
    rene.peer.send(respond(await rene.peer.expectRequest('BYE'), 200, 'OK'));
    const hold = await caller.peer.expectRequest('INVITE');
    caller.peer.send(
      respond(hold, 200, 'OK', {
        contact: `<sip:caller@${caller.peer.host}>`,
        body: CALLER_ANSWER,
      }),
    );
    const recall = await rene.peer.expect((m) => m.method === 'INVITE', 6000);
    expect(recall.header('X-Sentral-Recall')).toBe('park_timeout');
  });

  it('takes a parked caller who hangs up off the shared list', async () => {
    const ola = await agent('ola.hansen');
    const caller = await callerTalkingToOla(ola);
    const { result } = (await ola.api.command('park.park')) as { result: { slot: string } };
    ola.peer.send(respond(await ola.peer.expectRequest('BYE'), 200, 'OK'));
    const hold = await caller.peer.expectRequest('INVITE');
    caller.peer.send(
      respond(hold, 200, 'OK', {
        contact: `<sip:caller@${caller.peer.host}>`,
        body: CALLER_ANSWER,
      }),
    );
    await ola.api.waitForEvent(
      (e) =>
        e.event === 'park.list' &&
        (e.data.parked as Array<{ slot: string }>).some((p) => p.slot === result.slot),
    );
    const seenBefore = ola.api.events().length;
    caller.peer.send(
      inDialog({
        method: 'BYE',
        host: caller.peer.host,
        requestUri: caller.coreUri,
        from: caller.from,
        to: caller.to,
        callId: caller.callId,
        cseq: 5,
      }),
    );
    await caller.peer.expectResponse(200, 'BYE');
    await ola.api.waitForEvent(
      (e) =>
        e.event === 'park.list' &&
        ola.api.events().indexOf(e) >= seenBefore &&
        !(e.data.parked as Array<{ callId: string }>).length,
    );
  });
});
