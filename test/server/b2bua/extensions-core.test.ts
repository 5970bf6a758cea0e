/**
 * The same rules through a whole core (router, request checks, switchboard): a caller from
 * outside dialling a queue gets 422 for a too-small session interval and 420 for Require:
 * 100rel before being queued; one that merely supports 100rel waits with an ordinary
 * 182 Queued; a stray PRACK is 481.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideInvite } from '../support/scenarios';
import { SipPeer, rand } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
const peers: SipPeer[] = [];

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  for (const p of peers) p.close();
  await core?.close();
});

async function caller(): Promise<SipPeer> {
  const peer = await SipPeer.connect(core.wsUrl);
  peers.push(peer);
  return peer;
}

/** An INVITE from outside to the main queue's public number with extra header lines. */
function queueInvite(peer: SipPeer, extra: string[]): string {
  return outsideInvite({
    peer,
    to: '+4721000000',
    fromNumber: '+4799988877',
    callId: rand(),
    fromTag: rand(),
  }).replace('\r\nContent-Type:', `\r\n${extra.join('\r\n')}\r\nContent-Type:`);
}

describe('session timers and 100rel through the core', () => {
  it('answers a queue caller asking for 60 s with 422 and Min-SE: 90, queueing nobody', async () => {
    const peer = await caller();
    peer.send(queueInvite(peer, ['Supported: timer', 'Session-Expires: 60']));
    const res = await peer.expectResponse(422, 'INVITE');
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 422 Session Interval Too Small');
    expect(res.header('Min-SE')).toBe('90');
    expect(core.core.b2bua.activeCalls).toBe(0);
  });

  it('answers Require: 100rel with 420 and Unsupported: 100rel', async () => {
    const peer = await caller();
    peer.send(queueInvite(peer, ['Require: 100rel', 'Supported: 100rel, timer']));
    const res = await peer.expectResponse(420, 'INVITE');
    expect(res.header('Unsupported')).toBe('100rel');
    expect(core.core.b2bua.activeCalls).toBe(0);
  });

  it('queues a caller that supports 100rel and timers with an unreliable 182', async () => {
    const peer = await caller();
    peer.send(queueInvite(peer, ['Supported: 100rel, timer', 'Session-Expires: 1800']));
    const queued = await peer.expectResponse(182, 'INVITE');
    expect(queued.header('RSeq')).toBeUndefined();
    expect(queued.header('Require')).toBeUndefined();
    expect(core.core.b2bua.activeCalls).toBe(1);
    peer.close();
    await expect.poll(() => core.core.b2bua.activeCalls).toBe(0);
  });

  it('answers a PRACK outside any dialog with 481', async () => {
    const peer = await caller();
    peer.send(
      [
        'PRACK sip:sentral@nordlys.sentral.invalid SIP/2.0',
        `Via: SIP/2.0/WSS ${peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        'To: <sip:+4721000000@nordlys.sentral.invalid>',
        `From: <sip:+4799988877@outside.invalid>;tag=${rand()}`,
        `Call-ID: ${rand()}`,
        'CSeq: 2 PRACK',
        'RAck: 1 1 INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await peer.expectResponse(481, 'PRACK');
  });
});
