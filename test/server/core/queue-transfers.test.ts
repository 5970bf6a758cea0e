/**
 * An answered caller going back into a queue: blind transfer to a queue's number, and a
 * recall whose operator is busy landing in the caller's queue with recall priority.
 */
import { describe, expect, it } from 'vitest';
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
} from '../support/transfer-scenarios';

const { RENE_OFFER, CALLER_ANSWER } = TRANSFER_SDP;

const scenario = scenarioCore({ RECALL_AFTER_S: '2' });
const { user } = scenario;

async function queueId(api: Registered['api'], name: string): Promise<string> {
  const snap = (await api.command('switchboard.snapshot')) as {
    result: { queues: Array<{ id: string; name: string }> };
  };
  return snap.result.queues.find((q) => q.name === name)?.id ?? '';
}

describe('an answered caller back in a queue', () => {
  it("blind transfer to a queue's number: the caller is held in the core, offered to that queue's agent, and re-pointed on answer", async () => {
    const ola = await user('ola.hansen');
    const nina = await user('nina.jensen');
    const kundeservice = await queueId(nina.api, 'Kundeservice');
    await nina.api.command('agent.login', { queueId: kundeservice });
    const caller = await scenario.callerTalkingTo(ola);

    expect(await ola.api.command('transfer.blind', { target: '21 00 00 30' })).toMatchObject({
      ok: true,
    }); // +4721000030 written the way people say it
    ola.peer.send(respond(await ola.peer.expectRequest('BYE'), 200, 'OK'));
    const hold = await answerOffer(caller.peer, CALLER_ANSWER);
    expect(hold.body).toContain('a=inactive');

    const joined = await nina.api.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.queueId === kundeservice,
    );
    expect(joined.data).toMatchObject({ number: '+4797000001', priority: 'normal' });
    const offer = await nina.peer.expectRequest('INVITE');
    expect(offer.body).toBe(''); // delayed offer: the caller already has a session
    expect(offer.header('X-Sentral-Queue')).toBe('Kundeservice');
    expect(offer.header('From')).toMatch(/^"Kunde" <sip:\+4797000001@/);
    nina.peer.send(
      respond(offer, 200, 'OK', {
        toTag: 'n1',
        contact: `<sip:nina@${nina.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const repoint = await answerCoreReinvite(caller);
    expect(repoint.body).toBe(RENE_OFFER);
    expect((await nina.peer.expectRequest('ACK')).body).toBe(CALLER_ANSWER);
    const left = await nina.api.waitForEvent(
      (e) => e.event === 'queue.caller_left' && e.data.queueId === kundeservice,
    );
    expect(left.data).toMatchObject({ reason: 'answered' });
    await nina.api.command('agent.logout', { queueId: kundeservice });

    // Nina hangs up; the call's records are written when it ends.
    nina.peer.send(
      inDialog({
        method: 'BYE',
        host: nina.peer.host,
        requestUri: uriOf(offer.header('Contact')),
        from: `${offer.header('To')};tag=n1`,
        to: offer.header('From') ?? '',
        callId: offer.header('Call-ID') ?? '',
        cseq: 1,
      }),
    );
    caller.peer.send(respond(await caller.peer.expectRequest('BYE'), 200, 'OK'));
    // Operators follow the call's life as call.state events (consecutive repeats collapsed).
    const callId = left.data.callId as string;
    await nina.api.waitForEvent(
      (e) => e.event === 'call.state' && e.data.callId === callId && e.data.state === 'ended',
    );
    const states = nina.api
      .events()
      .filter((e) => e.event === 'call.state' && e.data.callId === callId)
      .map((e) => e.data.state)
      .filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['queued', 'connected', 'queued', 'connected', 'ended']);
    const ninaIds = (
      await scenario.core.core.db.query<{ id: string }>(
        `SELECT id FROM users WHERE username = 'nina.jensen'`,
      )
    )[0]?.id;
    const offered = nina.api
      .events()
      .find(
        (e) =>
          e.event === 'call.state' &&
          e.data.callId === callId &&
          e.data.state === 'queued' &&
          e.data.queueId === kundeservice &&
          (e.data.ringing as string[]).length > 0,
      );
    expect(offered?.data).toMatchObject({
      number: '+4797000001',
      name: 'Kunde',
      ringing: [ninaIds],
    });

    // The call is over: commands on it are refused and change nothing.
    expect(await ola.api.command('transfer.blind', { target: '1015', callId })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await ola.api.command('park.park', { callId })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await nina.api.command('transfer.consult', { target: '1007', callId })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await ola.api.command('call.hangup', { callId })).toMatchObject({
      error: { code: 'not_found' },
    });

    await scenario.core.core.switchboard.flush();
    const rows = await scenario.core.core.db.query<{ queue: string; outcome: string }>(
      `SELECT q.name AS queue, r.outcome FROM call_records r JOIN queues q ON q.id = r.queue_id
        WHERE r.leg = 'inbound' AND r.call_id = $1 ORDER BY r.started_at`,
      [left.data.callId],
    );
    expect(rows).toEqual([
      { queue: 'Salg', outcome: 'transferred' },
      { queue: 'Kundeservice', outcome: 'answered' },
    ]);
  });

  it('a recall whose operator is busy goes to the caller’s queue with recall priority and its reason', async () => {
    const rene = await user('rene.lie'); // transfers
    const lars = await user('lars.johansen'); // 1009, busy
    const sofie = await user('sofie.berg'); // 1017, René's other call
    const camilla = await user('camilla.kristiansen'); // Salg agent who gets the recall
    const caller = await scenario.callerTalkingTo(rene);
    const salg = await queueId(camilla.api, 'Salg');
    await camilla.api.command('agent.login', { queueId: salg });

    await rene.api.command('transfer.blind', { target: '1009' });
    rene.peer.send(respond(await rene.peer.expectRequest('BYE'), 200, 'OK'));
    const toLars = await lars.peer.expectRequest('INVITE');
    lars.peer.send(respond(toLars, 180, 'Ringing', { toTag: 'l1', contact: `<sip:l@x>` }));

    // Meanwhile René's phone makes another call, to Sofie, and she answers: René is busy.
    const other = await authenticatedInvite(rene, '1017');
    const toSofie = await sofie.peer.expectRequest('INVITE');
    sofie.peer.send(
      respond(toSofie, 200, 'OK', {
        toTag: 's1',
        contact: `<sip:s@${sofie.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const ok = await rene.peer.expectResponse(200, 'INVITE');
    rene.peer.send(
      inDialog({
        method: 'ACK',
        host: rene.peer.host,
        requestUri: uriOf(ok.header('Contact')),
        from: `<sip:rene.lie@${DOMAIN}>;tag=${rene.fromTag}`,
        to: ok.header('To') ?? '',
        callId: other.callId,
        cseq: other.cseq,
      }),
    );
    await sofie.peer.expectRequest('ACK');

    // Lars declines: the recall cannot ring René, so the caller goes back to Salg first in line.
    lars.peer.send(respond(toLars, 486, 'Busy Here', { toTag: 'l1' }));
    await lars.peer.expectRequest('ACK');
    const joined = await camilla.api.waitForEvent(
      (e) =>
        e.event === 'queue.caller_joined' &&
        e.data.queueId === salg &&
        e.data.priority === 'recall',
    );
    expect(joined.data).toMatchObject({ number: '+4797000001', priority: 'recall' });
    const offer = await camilla.peer.expectRequest('INVITE');
    expect(offer.header('X-Sentral-Recall')).toBe('busy');
    expect(offer.body).toBe('');
    await rene.peer.expectSilence(100); // René's phone is not rung
    camilla.peer.send(
      respond(offer, 200, 'OK', {
        toTag: 'c1',
        contact: `<sip:c@${camilla.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    const repoint = await answerCoreReinvite(caller);
    expect(repoint.body).toBe(RENE_OFFER);
    await camilla.api.command('agent.logout', { queueId: salg });
  });

  it('recalls to the operator when the colleague rejects, marked rejected', async () => {
    const martin = await user('martin.andersen');
    const even = await user('even.dahl'); // 1018
    const caller = await scenario.callerTalkingTo(martin);
    await martin.api.command('transfer.blind', { target: '1018' });
    martin.peer.send(respond(await martin.peer.expectRequest('BYE'), 200, 'OK'));
    const inv = await even.peer.expectRequest('INVITE');
    even.peer.send(respond(inv, 603, 'Decline', { toTag: 'e1' }));
    await even.peer.expectRequest('ACK');
    const recall = await martin.peer.expectRequest('INVITE');
    expect(recall.header('X-Sentral-Recall')).toBe('rejected');
    expect(recall.header('From')).toMatch(/^"Kunde" <sip:\+4797000001@/);
    martin.peer.send(
      respond(recall, 200, 'OK', {
        toTag: 'm1',
        contact: `<sip:m@${martin.peer.host}>`,
        body: RENE_OFFER,
      }),
    );
    expect((await answerCoreReinvite(caller)).body).toBe(RENE_OFFER);
  });

  it('refuses a transfer to an outside number (needs a trunk) with a clear error, call unchanged', async () => {
    const ida = await user('ida.pedersen');
    const caller = await scenario.callerTalkingTo(ida);
    expect(await ida.api.command('transfer.blind', { target: '+4799999999' })).toMatchObject({
      error: { code: 'not_found' },
    });
    await caller.peer.expectSilence(200);
    await ida.peer.expectSilence(0);
  });
});
