/** Scripted steps shared by the transfer scenarios: a queued caller answered by an agent. */
import { afterAll, beforeAll, expect } from 'vitest';
import { SipPeer, rand, type ReceivedMessage } from './sip-peer';
import {
  SDP,
  inDialog,
  loginAndRegister,
  outsideInvite,
  respond,
  uriOf,
  type Registered,
} from './scenarios';
import { startTestCore, type TestCore } from './test-core';

/** Distinct session descriptions, so a test can tell whose offer reached whom. */
export const TRANSFER_SDP = {
  OLA_SDP: SDP.replace('40000', '41000'),
  RENE_OFFER: SDP.replace('40000', '42000'),
  CALLER_ANSWER: SDP.replace('40000', '43000'),
};

export interface TalkingCaller {
  peer: SipPeer;
  callId: string;
  from: string;
  to: string;
  coreUri: string;
  agentLeg: { invite: ReceivedMessage; tag: string };
}

/**
 * An outside caller (+4797000001 "Kunde") in the Salg queue, answered by `agent` (a Salg
 * member) with TRANSFER_SDP.OLA_SDP; the agent leaves the queue again afterwards.
 */
export async function callerTalkingTo(
  wsUrl: string,
  agent: Registered,
  opened: Array<{ close(): void }>,
): Promise<TalkingCaller> {
  const snap = (await agent.api.command('switchboard.snapshot')) as {
    result: { queues: Array<{ id: string; name: string }> };
  };
  const salg = snap.result.queues.find((q) => q.name === 'Salg')?.id ?? '';
  await agent.api.command('agent.login', { queueId: salg });
  const peer = await SipPeer.connect(wsUrl);
  opened.push(peer);
  const callId = rand();
  const fromTag = rand();
  peer.send(
    outsideInvite({
      peer,
      to: '+4721000020',
      fromNumber: '+4797000001',
      fromName: 'Kunde',
      callId,
      fromTag,
    }),
  );
  await peer.expectResponse(182, 'INVITE');
  const offer = await agent.peer.expectRequest('INVITE');
  const agentTag = rand();
  agent.peer.send(
    respond(offer, 200, 'OK', {
      toTag: agentTag,
      contact: `<sip:agent@${agent.peer.host}>`,
      body: TRANSFER_SDP.OLA_SDP,
    }),
  );
  const ok = await peer.expectResponse(200, 'INVITE');
  const from = `"Kunde" <sip:+4797000001@outside.invalid>;tag=${fromTag}`;
  peer.send(
    inDialog({
      method: 'ACK',
      host: peer.host,
      requestUri: uriOf(ok.header('Contact')),
      from,
      to: ok.header('To') ?? '',
      callId,
      cseq: 1,
    }),
  );
  await agent.peer.expectRequest('ACK');
  // Leave the queue so the next scenario's agent gets the next caller (this one is in wrap-up).
  await agent.api.command('agent.logout', { queueId: salg });
  return {
    peer,
    callId,
    from,
    to: ok.header('To') ?? '',
    coreUri: uriOf(ok.header('Contact')),
    agentLeg: { invite: offer, tag: agentTag },
  };
}

/** The caller side of ADR 0005: answer the core's re-INVITE carrying the new party's offer. */
export async function answerCoreReinvite(caller: { peer: SipPeer }): Promise<ReceivedMessage> {
  return answerOffer(caller.peer, TRANSFER_SDP.CALLER_ANSWER);
}

/**
 * Answers the next re-INVITE a peer gets (in the dialog `callId`, when given) with `body` and
 * waits for the core's ACK (no body).
 */
export async function answerOffer(
  peer: SipPeer,
  body: string,
  callId?: string,
): Promise<ReceivedMessage> {
  const reinvite = await peer.expect(
    (m) => m.method === 'INVITE' && (callId === undefined || m.header('Call-ID') === callId),
  );
  peer.send(respond(reinvite, 200, 'OK', { contact: `<sip:party@${peer.host}>`, body }));
  const ack = await peer.expect(
    (m) => m.method === 'ACK' && m.header('Call-ID') === reinvite.header('Call-ID'),
  );
  expect(ack.body).toBe('');
  return reinvite;
}

/**
 * One test core for a file's scenarios (started before, closed after them), and its users:
 * `user(name)` logs in and registers a scripted phone, closed with the core.
 */
export function scenarioCore(env: Record<string, string>) {
  const opened: Array<{ close(): void }> = [];
  const scenario = {
    core: undefined as unknown as TestCore,
    opened,
    async user(username: string): Promise<Registered> {
      const r = await loginAndRegister(scenario.core.wsUrl, username);
      opened.push(r.peer, r.api);
      return r;
    },
    callerTalkingTo(agent: Registered): Promise<TalkingCaller> {
      return callerTalkingTo(scenario.core.wsUrl, agent, opened);
    },
  };
  beforeAll(async () => {
    scenario.core = await startTestCore(env);
  });
  afterAll(async () => {
    for (const o of opened) o.close();
    await scenario.core?.close();
  });
  return scenario;
}
