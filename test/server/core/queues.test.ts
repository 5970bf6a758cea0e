import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { SipPeer, rand } from '../support/sip-peer';
import {
  SDP,
  inDialog,
  loginAndRegister,
  outsideInvite,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
const opened: Array<{ close(): void }> = [];

beforeAll(async () => {
  core = await startTestCore();
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

async function queueId(api: RawApiClient, name: string): Promise<string> {
  const snap = (await api.command('switchboard.snapshot')) as {
    result: { queues: Array<{ id: string; name: string }> };
  };
  const q = snap.result.queues.find((x) => x.name === name);
  if (!q) throw new Error(`no queue ${name}`);
  return q.id;
}

async function outsideCaller() {
  const peer = await SipPeer.connect(core.wsUrl);
  opened.push(peer);
  return { peer, callId: rand(), fromTag: rand() };
}

const ANSWER = SDP.replace('40000', '40010');

describe('queues through the core (scripted SIP peers, real ACD, real database)', () => {
  it('queues an outside caller with 182 Queued and connects the agent who answers', async () => {
    const ola = await agent('ola.hansen');
    const salg = await queueId(ola.api, 'Salg');
    expect(await ola.api.command('agent.login', { queueId: salg })).toMatchObject({ ok: true });

    const caller = await outsideCaller();
    caller.peer.send(
      outsideInvite({
        peer: caller.peer,
        to: '+4721000020',
        fromNumber: '+4799887766',
        fromName: 'Ekstern Kunde',
        callId: caller.callId,
        fromTag: caller.fromTag,
      }),
    );
    const queued = await caller.peer.expectResponse(182, 'INVITE');
    expect(queued.header('Contact')).toBeDefined();
    expect(queued.header('To')).toMatch(/;tag=/);

    const offer = await ola.peer.expectRequest('INVITE');
    expect(offer.header('From')).toMatch(
      /^"Ekstern Kunde" <sip:\+4799887766@nordlys\.sentral\.invalid>/,
    );
    expect(offer.header('X-Sentral-Queue')).toBe('Salg');
    expect(offer.body).toBe(SDP);

    const joined = await ola.api.waitForEvent((e) => e.event === 'queue.caller_joined');
    expect(joined.data).toMatchObject({
      queueId: salg,
      number: '+4799887766',
      name: 'Ekstern Kunde',
      priority: 'normal',
      position: 1,
    });

    const contact = `<sip:${ola.contactUser}@${ola.peer.host};transport=ws>`;
    ola.peer.send(respond(offer, 180, 'Ringing', { toTag: 'ola1', contact }));
    ola.peer.send(respond(offer, 200, 'OK', { toTag: 'ola1', contact, body: ANSWER }));
    const ok = await caller.peer.expectResponse(200, 'INVITE');
    expect(ok.body).toBe(ANSWER);
    caller.peer.send(
      inDialog({
        method: 'ACK',
        host: caller.peer.host,
        requestUri: uriOf(ok.header('Contact')),
        from: `"Ekstern Kunde" <sip:+4799887766@outside.invalid>;tag=${caller.fromTag}`,
        to: ok.header('To') ?? '',
        callId: caller.callId,
        cseq: 1,
      }),
    );
    await ola.peer.expectRequest('ACK');

    const left = await ola.api.waitForEvent((e) => e.event === 'queue.caller_left');
    expect(left.data).toMatchObject({
      queueId: salg,
      reason: 'answered',
      agentId: ola.api && expect.any(String),
    });
    await ola.api.waitForEvent((e) => e.event === 'agent.state' && e.data.state === 'on_call');

    // The caller hangs up: the agent gets a BYE and goes to wrap-up.
    caller.peer.send(
      inDialog({
        method: 'BYE',
        host: caller.peer.host,
        requestUri: uriOf(ok.header('Contact')),
        from: `<sip:+4799887766@outside.invalid>;tag=${caller.fromTag}`,
        to: ok.header('To') ?? '',
        callId: caller.callId,
        cseq: 2,
      }),
    );
    await caller.peer.expectResponse(200, 'BYE');
    const bye = await ola.peer.expectRequest('BYE');
    ola.peer.send(respond(bye, 200, 'OK'));
    await ola.api.waitForEvent((e) => e.event === 'agent.state' && e.data.state === 'wrap_up');

    // Events carry a gap-free seq.
    const seqs = ola.api.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));

    // Records: the queue log and one call record with wait, talk and outcome.
    await core.core.switchboard.flush();
    const log = await core.core.db.query<{ event: string }>(
      `SELECT event FROM queue_log WHERE queue_id = $1 ORDER BY id`,
      [salg],
    );
    expect(log.map((r) => r.event)).toEqual(['agent_login', 'joined', 'offered', 'answered']);
    const [cdr] = await core.core.db.query<{
      outcome: string;
      direction: string;
      caller_number: string;
      wait_ms: number;
      talk_ms: number;
    }>(
      `SELECT outcome, direction, caller_number, wait_ms, talk_ms FROM call_records WHERE queue_id = $1 AND leg = 'inbound'`,
      [salg],
    );
    expect(cdr).toMatchObject({
      outcome: 'answered',
      direction: 'incoming',
      caller_number: '+4799887766',
    });
    expect(Number(cdr?.wait_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(cdr?.talk_ms)).toBeGreaterThanOrEqual(0);
  });

  it('counts a caller who hangs up while waiting as abandoned, with the wait time', async () => {
    const ks = await agent('nina.jensen'); // Kundeservice, not logged in to the queue
    const kundeservice = await queueId(ks.api, 'Kundeservice');
    const caller = await outsideCaller();
    const branch = `z9hG4bK${rand()}`;
    caller.peer.send(
      outsideInvite({
        peer: caller.peer,
        to: '+4721000030',
        fromNumber: '+4798765432',
        callId: caller.callId,
        fromTag: caller.fromTag,
        branch,
      }),
    );
    await caller.peer.expectResponse(182, 'INVITE');
    await ks.api.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.queueId === kundeservice,
    );
    caller.peer.send(
      [
        'CANCEL sip:+4721000030@nordlys.sentral.invalid SIP/2.0',
        `Via: SIP/2.0/WSS ${caller.peer.host};branch=${branch}`,
        'Max-Forwards: 70',
        'To: <sip:+4721000030@nordlys.sentral.invalid>',
        `From: <sip:+4798765432@outside.invalid>;tag=${caller.fromTag}`,
        `Call-ID: ${caller.callId}`,
        'CSeq: 1 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await caller.peer.expectResponse(200, 'CANCEL');
    await caller.peer.expectResponse(487, 'INVITE');
    const left = await ks.api.waitForEvent(
      (e) => e.event === 'queue.caller_left' && e.data.queueId === kundeservice,
    );
    expect(left.data).toMatchObject({ reason: 'abandoned' });
    expect(Number(left.data.waitedMs)).toBeGreaterThanOrEqual(0);
    await core.core.switchboard.flush();
    const [cdr] = await core.core.db.query<{ outcome: string }>(
      `SELECT outcome FROM call_records WHERE queue_id = $1 AND leg = 'inbound'`,
      [kundeservice],
    );
    expect(cdr?.outcome).toBe('abandoned');
  });

  it('lets an operator pick a waiting caller: the phone is rung with auto-answer; a second pick gets conflict', async () => {
    const kari = await agent('kari.nordmann'); // operator
    const ase = await agent('ase.strom'); // operator
    const caller = await outsideCaller();
    // The main number leads to Sentralbord; nobody is logged in there, so the caller waits.
    caller.peer.send(
      outsideInvite({
        peer: caller.peer,
        to: '+4721000000',
        fromNumber: '+4791234567',
        callId: caller.callId,
        fromTag: caller.fromTag,
      }),
    );
    await caller.peer.expectResponse(182, 'INVITE');
    const joined = await kari.api.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4791234567',
    );
    const callId = String(joined.data.callId);

    const [first, second] = await Promise.all([
      kari.api.command('queue.pick', { callId }),
      ase.api.command('queue.pick', { callId }),
    ]);
    const results = [first, second].map((r) => (r as { ok: boolean }).ok);
    expect(results.filter(Boolean)).toHaveLength(1);
    const loser = [first, second].find((r) => !(r as { ok: boolean }).ok);
    expect(loser).toMatchObject({ error: { code: 'conflict' } });
    const winner = results[0] ? kari : ase;

    const inv = await winner.peer.expectRequest('INVITE');
    expect(inv.header('Call-Info')).toMatch(/answer-after=0/);
    winner.peer.send(
      respond(inv, 200, 'OK', {
        toTag: 'pick1',
        contact: `<sip:p@${winner.peer.host}>`,
        body: ANSWER,
      }),
    );
    await caller.peer.expectResponse(200, 'INVITE');
    const left = await kari.api.waitForEvent(
      (e) => e.event === 'queue.caller_left' && e.data.callId === callId,
    );
    expect(left.data).toMatchObject({ reason: 'picked' });
  });

  it('refuses a pick by an agent (role) and of an unknown caller', async () => {
    const ida = await agent('ida.pedersen'); // agent
    expect(await ida.api.command('queue.pick', { callId: 'whatever' })).toMatchObject({
      error: { code: 'forbidden' },
    });
    const kari = await RawApiClient.connect(core.wsUrl);
    opened.push(kari);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    expect(await kari.command('queue.pick', { callId: 'no-such-call' })).toMatchObject({
      error: { code: 'not_found' },
    });
  });

  it("refuses agent commands for a queue the user is not a member of, or another tenant's id", async () => {
    const ida = await agent('ida.pedersen'); // Salg, not Kundeservice
    const kundeservice = await queueId(ida.api, 'Kundeservice');
    expect(await ida.api.command('agent.login', { queueId: kundeservice })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(
      await ida.api.command('agent.login', { queueId: '00000000-0000-0000-0000-000000000000' }),
    ).toMatchObject({ error: { code: 'not_found' } });
  });

  it('challenges an unauthenticated INVITE to a colleague (only public numbers are open)', async () => {
    const caller = await outsideCaller();
    caller.peer.send(
      outsideInvite({
        peer: caller.peer,
        to: '1007',
        fromNumber: '+4799000000',
        callId: caller.callId,
        fromTag: caller.fromTag,
      }),
    );
    await caller.peer.expectResponse(407, 'INVITE');
  });

  it('reports per-queue statistics computed from the records to supervisors only', async () => {
    await core.core.switchboard.flush();
    const ingrid = await RawApiClient.connect(core.wsUrl);
    opened.push(ingrid);
    await ingrid.command('auth.login', { username: 'ingrid.bakke', password: 'demo1234' });
    const range = { from: Date.now() - 3600_000, to: Date.now() + 60_000 };
    const reply = (await ingrid.command('stats.queues', range)) as {
      ok: boolean;
      result: {
        queues: Array<{ queueName: string; offered: number; answered: number; abandoned: number }>;
      };
    };
    expect(reply.ok).toBe(true);
    const byName = Object.fromEntries(reply.result.queues.map((q) => [q.queueName, q]));
    expect(byName.Salg).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(byName.Kundeservice).toMatchObject({ offered: 1, answered: 0, abandoned: 1 });
    const agents = (await ingrid.command('stats.agents', range)) as {
      result: {
        agents: Array<{
          displayName: string;
          offered: number;
          answered: number;
          answerRate: number | null;
        }>;
      };
    };
    expect(agents.result.agents.find((a) => a.displayName === 'Ola Hansen')).toMatchObject({
      offered: 1,
      answered: 1,
      answerRate: 100,
    });
    expect(await ingrid.command('stats.queues', { from: 10, to: 5 })).toMatchObject({
      error: { code: 'bad_request' },
    });

    const ida = await agent('ida.pedersen');
    expect(await ida.api.command('stats.queues', range)).toMatchObject({
      error: { code: 'forbidden' },
    });
  });
});

describe('queue order through the core', () => {
  it('serves a VIP caller before a normal caller who arrived earlier', async () => {
    const lookup = await RawApiClient.connect(core.wsUrl);
    opened.push(lookup);
    await lookup.command('auth.login', { username: 'ingrid.bakke', password: 'demo1234' });
    const kundeservice = await queueId(lookup, 'Kundeservice');

    const normal = await outsideCaller();
    normal.peer.send(
      outsideInvite({
        peer: normal.peer,
        to: '+4721000030',
        fromNumber: '+4755500001',
        callId: normal.callId,
        fromTag: normal.fromTag,
      }),
    );
    await normal.peer.expectResponse(182, 'INVITE');
    await lookup.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4755500001',
    );
    const vip = await outsideCaller();
    vip.peer.send(
      outsideInvite({
        peer: vip.peer,
        to: '+4721000030',
        fromNumber: '+4790000001',
        callId: vip.callId,
        fromTag: vip.fromTag,
      }),
    );
    await vip.peer.expectResponse(182, 'INVITE');
    const joined = await lookup.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4790000001',
    );
    expect(joined.data).toMatchObject({ priority: 'vip', position: 1 });

    const snap = (await lookup.command('switchboard.snapshot')) as {
      result: {
        seq: number;
        callers: Array<{ queueId: string; number: string; position: number }>;
      };
    };
    const order = snap.result.callers
      .filter((c) => c.queueId === kundeservice)
      .map((c) => c.number);
    expect(order.slice(0, 2)).toEqual(['+4790000001', '+4755500001']);

    // The first agent to log in is offered the VIP.
    const even = await agent('even.dahl');
    await even.api.command('agent.login', { queueId: kundeservice });
    const offer = await even.peer.expectRequest('INVITE');
    expect(offer.header('From')).toContain('+4790000001');
  });
});

describe('call.hangup', () => {
  it('lets a supervisor end a waiting caller by id, and refuses agents and unknown ids', async () => {
    const ingrid = await RawApiClient.connect(core.wsUrl);
    opened.push(ingrid);
    await ingrid.command('auth.login', { username: 'ingrid.bakke', password: 'demo1234' });
    const caller = await outsideCaller();
    caller.peer.send(
      outsideInvite({
        peer: caller.peer,
        to: '+4721000000',
        fromNumber: '+4755500009',
        callId: caller.callId,
        fromTag: caller.fromTag,
      }),
    );
    await caller.peer.expectResponse(182, 'INVITE');
    const joined = await ingrid.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4755500009',
    );

    const agentUser = await agent('sofie.berg');
    expect(
      await agentUser.api.command('call.hangup', { callId: String(joined.data.callId) }),
    ).toMatchObject({ error: { code: 'not_found' } });
    expect(await ingrid.command('call.hangup', { callId: 'nope' })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(
      await ingrid.command('call.hangup', { callId: String(joined.data.callId) }),
    ).toMatchObject({ ok: true });
    const final = await caller.peer.expect((m) => (m.status ?? 0) >= 400);
    expect(final.status).toBe(480);
    await ingrid.waitForEvent(
      (e) => e.event === 'queue.caller_left' && e.data.callId === joined.data.callId,
    );
  });
});
