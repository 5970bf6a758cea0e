/**
 * Consultation and attended transfer, driven through the API (transfer.consult / complete /
 * cancel / swap) and by a phone's REFER with Replaces (RFC 5589 §7), with scripted SIP peers
 * standing in for the caller, the operator's phone and the colleague.
 */
import { describe, expect, it } from 'vitest';
import { rand, type ReceivedMessage } from '../support/sip-peer';
import {
  DOMAIN,
  authenticatedInvite,
  inDialog,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import {
  TRANSFER_SDP,
  answerCoreReinvite,
  answerOffer,
  scenarioCore,
  type TalkingCaller,
} from '../support/transfer-scenarios';

const { OLA_SDP, RENE_OFFER, CALLER_ANSWER } = TRANSFER_SDP;
/** The operator phone's offer on its second line, the colleague's answer and later offer. */
const LINE2_OFFER = OLA_SDP.replace('41000', '44000');
const COLLEAGUE_ANSWER = RENE_OFFER;
const COLLEAGUE_REOFFER = RENE_OFFER.replace('42000', '45000');

const scenario = scenarioCore({ RECALL_AFTER_S: '2' });
const { user } = scenario;

const inactive = (sdp: string) => sdp.replace('PCMU/8000', 'PCMU/8000\r\na=inactive');

/**
 * The operator's first line answers the core's hold re-INVITE: the caller's own description
 * re-offered inactive (so the operator's phone stops sending to the caller).
 */
async function lineHeld(operator: Registered, caller: TalkingCaller, hold = true) {
  const reoffer = await answerOffer(
    operator.peer,
    hold ? inactive(OLA_SDP) : OLA_SDP,
    caller.agentLeg.invite.header('Call-ID'),
  );
  expect(reoffer.body).toContain('m=audio 40000'); // the caller's description
  expect(reoffer.body.includes('a=inactive')).toBe(hold);
  return reoffer;
}

/** The caller answers the core's hold re-INVITE (every stream inactive). */
async function callerHeld(caller: TalkingCaller): Promise<ReceivedMessage> {
  const hold = await answerOffer(caller.peer, inactive(CALLER_ANSWER));
  expect(hold.body).toContain('a=inactive');
  expect(hold.body).toContain('m=audio 41000'); // still the operator's own description
  return hold;
}

/**
 * Operator consults `colleague` (ADR 0006): caller held; the operator's phone answers a second
 * line (auto-answer, no SDP in the INVITE) with LINE2_OFFER; that offer rings the colleague.
 */
async function consultRinging(
  operator: Registered,
  colleague: Registered,
  caller: TalkingCaller,
  extension: string,
) {
  expect(await operator.api.command('transfer.consult', { target: extension })).toMatchObject({
    ok: true,
  });
  await callerHeld(caller);
  await lineHeld(operator, caller);
  const line2 = await operator.peer.expect((m) => m.method === 'INVITE' && !!m.header('Call-Info'));
  expect(line2.body).toBe('');
  expect(line2.header('Call-Info')).toMatch(/answer-after=0/);
  operator.peer.send(
    respond(line2, 200, 'OK', {
      toTag: 'l2',
      contact: `<sip:line2@${operator.peer.host}>`,
      body: LINE2_OFFER,
    }),
  );
  const toColleague = await colleague.peer.expectRequest('INVITE');
  expect(toColleague.body).toBe(LINE2_OFFER);
  return { line2, toColleague };
}

/** …and the colleague answers: the operator's line gets the answer in its ACK. */
async function consultAnswered(
  operator: Registered,
  colleague: Registered,
  caller: TalkingCaller,
  extension: string,
) {
  const { line2, toColleague } = await consultRinging(operator, colleague, caller, extension);
  colleague.peer.send(
    respond(toColleague, 200, 'OK', {
      toTag: 'c1',
      contact: `<sip:colleague@${colleague.peer.host}>`,
      body: COLLEAGUE_ANSWER,
    }),
  );
  const colleagueAck = await colleague.peer.expectRequest('ACK');
  const lineAck = await operator.peer.expectRequest('ACK');
  return { toColleague, line2, colleagueAck, lineAck };
}

function consultEvents(api: Registered['api']) {
  return api
    .events()
    .filter((e) => e.event === 'call.consult')
    .map((e) => ({ state: e.data.state, talkingTo: e.data.talkingTo, reason: e.data.reason }));
}

describe('consultation through the API', () => {
  it('attended: caller held, colleague on the second line, swap both ways, then complete hands the caller over', async () => {
    const ola = await user('ola.hansen'); // 1007
    const nina = await user('nina.jensen'); // 1015
    const caller = await scenario.callerTalkingTo(ola);

    const { toColleague, line2, colleagueAck, lineAck } = await consultAnswered(
      ola,
      nina,
      caller,
      '1015',
    );
    // The colleague sees who consults; the operator's second line shows the colleague.
    expect(toColleague.header('From')).toMatch(/^"Ola Hansen" <sip:1007@/);
    expect(line2.header('From')).toMatch(/^"Nina Jensen" <sip:1015@/);
    expect(colleagueAck.body).toBe('');
    expect(lineAck.body).toBe(COLLEAGUE_ANSWER);
    await ola.api.waitForEvent((e) => e.event === 'call.consult' && e.data.state === 'talking');

    // Swap to the caller: the colleague is held, the caller resumed with the operator's media.
    expect(await ola.api.command('transfer.swap')).toMatchObject({
      ok: true,
      result: { talkingTo: 'caller' },
    });
    const ninaHold = await answerOffer(nina.peer, inactive(COLLEAGUE_ANSWER));
    expect(ninaHold.body).toContain('a=inactive');
    expect(ninaHold.body).toContain('m=audio 44000');
    const line2Hold = await answerOffer(ola.peer, inactive(LINE2_OFFER), line2.header('Call-ID'));
    expect(line2Hold.body).toContain('m=audio 42000'); // Nina's description, inactive
    expect(line2Hold.body).toContain('a=inactive');
    const resume = await answerOffer(caller.peer, CALLER_ANSWER);
    expect(resume.body).toContain('m=audio 41000');
    expect(resume.body).not.toContain('a=inactive');
    await lineHeld(ola, caller, false);
    // And back to the colleague.
    expect(await ola.api.command('transfer.swap')).toMatchObject({
      result: { talkingTo: 'target' },
    });
    await callerHeld(caller);
    await lineHeld(ola, caller);
    const ninaResume = await answerOffer(nina.peer, COLLEAGUE_ANSWER);
    expect(ninaResume.body).not.toContain('a=inactive');
    const line2Resume = await answerOffer(ola.peer, LINE2_OFFER, line2.header('Call-ID'));
    expect(line2Resume.body).not.toContain('a=inactive');
    // Each re-offer carries a higher o= version than the last one that party got.
    const version = (m: ReceivedMessage) => Number(/^o=\S+ \S+ (\d+)/m.exec(m.body)?.[1]);
    expect(version(ninaResume)).toBeGreaterThan(version(ninaHold));

    // Complete: both of Ola's lines are released, Nina offers afresh, the caller gets it.
    expect(await ola.api.command('transfer.complete')).toMatchObject({ ok: true });
    const byes = [await ola.peer.expectRequest('BYE'), await ola.peer.expectRequest('BYE')];
    expect(new Set(byes.map((b) => b.header('Call-ID')))).toEqual(
      new Set([caller.agentLeg.invite.header('Call-ID'), line2.header('Call-ID')]),
    );
    for (const bye of byes) ola.peer.send(respond(bye, 200, 'OK'));
    const takeOver = await nina.peer.expectRequest('INVITE');
    expect(takeOver.body).toBe(''); // she offers
    expect(takeOver.header('P-Asserted-Identity')).toMatch(/^"Kunde" <sip:\+4797000001@/);
    nina.peer.send(
      respond(takeOver, 200, 'OK', {
        contact: `<sip:colleague@${nina.peer.host}>`,
        body: COLLEAGUE_REOFFER,
      }),
    );
    const repoint = await answerCoreReinvite(caller);
    expect(repoint.body).toBe(COLLEAGUE_REOFFER);
    expect((await nina.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);

    await ola.api.waitForEvent((e) => e.event === 'call.consult' && e.data.state === 'completed');
    expect(consultEvents(ola.api)).toEqual([
      { state: 'ringing', talkingTo: 'target', reason: undefined },
      { state: 'talking', talkingTo: 'target', reason: undefined },
      { state: 'talking', talkingTo: 'caller', reason: undefined },
      { state: 'talking', talkingTo: 'target', reason: undefined },
      { state: 'completed', talkingTo: 'target', reason: undefined },
    ]);

    // The caller and Nina now share the call: her BYE reaches the caller.
    nina.peer.send(
      inDialog({
        method: 'BYE',
        host: nina.peer.host,
        requestUri: uriOf(toColleague.header('Contact')),
        from: `${toColleague.header('To')};tag=c1`,
        to: toColleague.header('From') ?? '',
        callId: toColleague.header('Call-ID') ?? '',
        cseq: 2,
      }),
    );
    await nina.peer.expectResponse(200, 'BYE');
    const callerBye = await caller.peer.expectRequest('BYE');
    caller.peer.send(respond(callerBye, 200, 'OK'));

    await scenario.core.core.switchboard.flush();
    const [visit] = await scenario.core.core.db.query<{ outcome: string; transferred_to: string }>(
      `SELECT outcome, transferred_to FROM call_records
        WHERE leg = 'inbound' AND caller_number = '+4797000001' AND transferred_to = '1015'`,
    );
    expect(visit).toEqual({ outcome: 'transferred', transferred_to: '1015' });
    const [logged] = await scenario.core.core.db.query<{ data: { to: string; mode: string } }>(
      `SELECT data FROM queue_log WHERE event = 'transferred' AND data->>'to' = '1015'`,
    );
    expect(logged?.data).toEqual({ to: '1015', mode: 'attended' });
  });

  it('semi-attended: complete while the colleague still rings; when she answers, her offer goes to the caller', async () => {
    const rene = await user('rene.lie');
    const jorgen = await user('jorgen.karlsen'); // 1016
    const caller = await scenario.callerTalkingTo(rene);
    const { line2, toColleague: inv } = await consultRinging(rene, jorgen, caller, '1016');
    jorgen.peer.send(
      respond(inv, 180, 'Ringing', { toTag: 'j1', contact: `<sip:j@${jorgen.peer.host}>` }),
    );
    await rene.api.waitForEvent((e) => e.event === 'call.consult' && e.data.state === 'ringing');

    expect(await rene.api.command('transfer.complete')).toMatchObject({ ok: true });
    // René is released from both lines (the second one ACKed first: it never got an answer).
    const lineAck = await rene.peer.expectRequest('ACK');
    expect(lineAck.header('Call-ID')).toBe(line2.header('Call-ID'));
    const byes = [await rene.peer.expectRequest('BYE'), await rene.peer.expectRequest('BYE')];
    expect(new Set(byes.map((b) => b.header('Call-ID')))).toEqual(
      new Set([caller.agentLeg.invite.header('Call-ID'), line2.header('Call-ID')]),
    );
    for (const bye of byes) rene.peer.send(respond(bye, 200, 'OK'));

    // The same ringing INVITE now belongs to the transfer: Jørgen answers René's old offer,
    // is confirmed, then re-INVITEd without SDP so that his offer goes to the caller.
    jorgen.peer.send(
      respond(inv, 200, 'OK', {
        toTag: 'j1',
        contact: `<sip:j@${jorgen.peer.host}>`,
        body: COLLEAGUE_ANSWER,
      }),
    );
    expect((await jorgen.peer.expectRequest('ACK')).body).toBe('');
    const takeOver = await jorgen.peer.expectRequest('INVITE');
    expect(takeOver.body).toBe('');
    jorgen.peer.send(
      respond(takeOver, 200, 'OK', {
        contact: `<sip:j@${jorgen.peer.host}>`,
        body: COLLEAGUE_REOFFER,
      }),
    );
    const repoint = await answerCoreReinvite(caller);
    expect(repoint.body).toBe(COLLEAGUE_REOFFER);
    expect((await jorgen.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);

    await scenario.core.core.switchboard.flush();
    const [logged] = await scenario.core.core.db.query<{ data: { to: string; mode: string } }>(
      `SELECT data FROM queue_log WHERE event = 'transferred' AND data->>'to' = '1016'`,
    );
    expect(logged?.data).toEqual({ to: '1016', mode: 'semi_attended' });
  });

  it('semi-attended recall: nobody answers within the recall time, the call comes back to the operator', async () => {
    const lars = await user('lars.johansen');
    const sofie = await user('sofie.berg'); // 1017
    const caller = await scenario.callerTalkingTo(lars);
    const { toColleague: inv } = await consultRinging(lars, sofie, caller, '1017');
    sofie.peer.send(
      respond(inv, 180, 'Ringing', { toTag: 's1', contact: `<sip:s@${sofie.peer.host}>` }),
    );
    await lars.api.waitForEvent((e) => e.event === 'call.consult' && e.data.state === 'ringing');
    await lars.api.command('transfer.complete');
    await lars.peer.expectRequest('ACK');
    lars.peer.send(respond(await lars.peer.expectRequest('BYE'), 200, 'OK'));
    lars.peer.send(respond(await lars.peer.expectRequest('BYE'), 200, 'OK'));

    const cancel = await sofie.peer.expect((m) => m.method === 'CANCEL', 5000);
    sofie.peer.send(respond(cancel, 200, 'OK'));
    sofie.peer.send(respond(inv, 487, 'Request Terminated', { toTag: 's1' }));
    const recall = await lars.peer.expect((m) => m.method === 'INVITE', 5000);
    expect(recall.header('X-Sentral-Recall')).toBe('no_answer');
    expect(recall.header('From')).toMatch(/^"Kunde" <sip:\+4797000001@/);
  });

  it('cancel: the colleague and the second line are hung up, the caller is resumed', async () => {
    const silje = await user('silje.larsen');
    const even = await user('even.dahl'); // 1018
    const caller = await scenario.callerTalkingTo(silje);
    const { line2 } = await consultAnswered(silje, even, caller, '1018');

    expect(await silje.api.command('transfer.cancel')).toMatchObject({ ok: true });
    even.peer.send(respond(await even.peer.expectRequest('BYE'), 200, 'OK'));
    const lineBye = await silje.peer.expectRequest('BYE');
    expect(lineBye.header('Call-ID')).toBe(line2.header('Call-ID'));
    silje.peer.send(respond(lineBye, 200, 'OK'));
    const resume = await answerOffer(caller.peer, CALLER_ANSWER);
    expect(resume.body).toContain('m=audio 41000');
    expect(resume.body).not.toContain('a=inactive');
    await lineHeld(silje, caller, false);
    const ended = await silje.api.waitForEvent(
      (e) => e.event === 'call.consult' && e.data.state === 'ended',
    );
    expect(ended.data).toMatchObject({ reason: 'cancelled', talkingTo: 'caller' });
    // The consultation is over: nothing left to swap with.
    expect(await silje.api.command('transfer.swap')).toMatchObject({
      error: { code: 'conflict' },
    });
  });

  it('a busy colleague ends the consultation with reason busy and resumes the caller', async () => {
    const martin = await user('martin.andersen');
    const thea = await user('thea.halvorsen'); // 1019
    const caller = await scenario.callerTalkingTo(martin);
    const { line2, toColleague: inv } = await consultRinging(martin, thea, caller, '1019');
    thea.peer.send(respond(inv, 486, 'Busy Here', { toTag: 't1' }));
    await thea.peer.expectRequest('ACK');
    // Martin's second line goes (ACKed without an answer, then BYE); the caller comes back.
    await martin.peer.expectRequest('ACK');
    const bye = await martin.peer.expectRequest('BYE');
    expect(bye.header('Call-ID')).toBe(line2.header('Call-ID'));
    const resume = await answerOffer(caller.peer, CALLER_ANSWER);
    expect(resume.body).not.toContain('a=inactive');
    await lineHeld(martin, caller, false);
    const ended = await martin.api.waitForEvent(
      (e) => e.event === 'call.consult' && e.data.state === 'ended',
    );
    expect(ended.data).toMatchObject({ reason: 'busy', target: { extension: '1019' } });
  });

  it('refuses consultation commands that make no sense, with stable codes and no SIP sent', async () => {
    const ida = await user('ida.pedersen');
    expect(await ida.api.command('transfer.consult', { target: '1015' })).toMatchObject({
      error: { code: 'not_found' },
    });
    const caller = await scenario.callerTalkingTo(ida);
    for (const command of ['transfer.complete', 'transfer.cancel', 'transfer.swap'] as const) {
      expect(await ida.api.command(command)).toMatchObject({ error: { code: 'conflict' } });
    }
    expect(await ida.api.command('transfer.consult', { target: '1012' })).toMatchObject({
      error: { code: 'bad_request' },
    }); // herself
    expect(await ida.api.command('transfer.consult', { target: '9999' })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await ida.api.command('transfer.consult', { target: '1040' })).toMatchObject({
      error: { code: 'conflict' },
    }); // not registered
    await caller.peer.expectSilence(200); // nobody put the caller on hold
  });
});

describe('attended transfer by REFER with Replaces (RFC 5589 §7)', () => {
  it("joins the caller to the colleague the phone called itself, releasing both of the transferor's dialogs", async () => {
    const kare = await user('kare.maeland'); // 1013
    const sindre = await user('sindre.jacobsen'); // 1020
    const caller = await scenario.callerTalkingTo(kare);

    // Kåre's phone calls Sindre itself (a second dialog through the core).
    const consult = await authenticatedInvite(kare, '1020');
    const toSindre = await sindre.peer.expectRequest('INVITE');
    sindre.peer.send(
      respond(toSindre, 200, 'OK', {
        toTag: 'sj',
        contact: `<sip:sindre@${sindre.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const ok = await kare.peer.expectResponse(200, 'INVITE');
    const coreTag = /tag=([^;>\s]+)/.exec(ok.header('To') ?? '')?.[1] ?? '';
    kare.peer.send(
      inDialog({
        method: 'ACK',
        host: kare.peer.host,
        requestUri: uriOf(ok.header('Contact')),
        from: `<sip:kare.maeland@${DOMAIN}>;tag=${kare.fromTag}`,
        to: ok.header('To') ?? '',
        callId: consult.callId,
        cseq: consult.cseq,
      }),
    );
    await sindre.peer.expectRequest('ACK');

    const inv = caller.agentLeg.invite;
    const replaces = encodeURIComponent(
      `${consult.callId};to-tag=${coreTag};from-tag=${kare.fromTag}`,
    );
    kare.peer.send(
      [
        `REFER ${uriOf(inv.header('Contact'))} SIP/2.0`,
        `Via: SIP/2.0/WSS ${kare.peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `From: ${inv.header('To')};tag=${caller.agentLeg.tag}`,
        `To: ${inv.header('From')}`,
        `Call-ID: ${inv.header('Call-ID')}`,
        'CSeq: 2 REFER',
        `Contact: <sip:kare@${kare.peer.host};transport=ws>`,
        `Refer-To: <sip:1020@${DOMAIN}?Replaces=${replaces}>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await kare.peer.expectResponse(202, 'REFER');
    for (const line of ['SIP/2.0 100 Trying\r\n', 'SIP/2.0 200 OK\r\n']) {
      const notify = await kare.peer.expectRequest('NOTIFY');
      expect(notify.body).toBe(line);
      kare.peer.send(respond(notify, 200, 'OK'));
    }
    const byes = [await kare.peer.expectRequest('BYE'), await kare.peer.expectRequest('BYE')];
    expect(new Set(byes.map((b) => b.header('Call-ID')))).toEqual(
      new Set([inv.header('Call-ID'), consult.callId]),
    );
    for (const bye of byes) kare.peer.send(respond(bye, 200, 'OK'));

    const takeOver = await sindre.peer.expectRequest('INVITE');
    expect(takeOver.header('Call-ID')).toBe(toSindre.header('Call-ID')); // the same dialog
    expect(takeOver.body).toBe('');
    sindre.peer.send(
      respond(takeOver, 200, 'OK', {
        contact: `<sip:sindre@${sindre.peer.host}>`,
        body: COLLEAGUE_REOFFER,
      }),
    );
    const repoint = await answerCoreReinvite(caller);
    expect(repoint.body).toBe(COLLEAGUE_REOFFER);
    expect((await sindre.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);

    // Sindre hangs up: the caller gets the BYE (they share one call now).
    sindre.peer.send(
      inDialog({
        method: 'BYE',
        host: sindre.peer.host,
        requestUri: uriOf(toSindre.header('Contact')),
        from: `${toSindre.header('To')};tag=sj`,
        to: toSindre.header('From') ?? '',
        callId: toSindre.header('Call-ID') ?? '',
        cseq: 2,
      }),
    );
    await sindre.peer.expectResponse(200, 'BYE');
    caller.peer.send(respond(await caller.peer.expectRequest('BYE'), 200, 'OK'));
    await scenario.core.core.switchboard.flush();
    const [logged] = await scenario.core.core.db.query<{ data: { to: string; mode: string } }>(
      `SELECT data FROM queue_log WHERE event = 'transferred' AND data->>'to' = '1020'`,
    );
    expect(logged?.data).toEqual({ to: '1020', mode: 'attended' });
  });
});
