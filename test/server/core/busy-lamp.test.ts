/**
 * Busy-lamp field for desk phones: SUBSCRIBE to the dialog event package (RFC 4235) for a
 * colleague; NOTIFYs follow their calls (idle → early → confirmed → idle).
 */
import { describe, expect, it } from 'vitest';
import { digestAuthorization, rand, type ReceivedMessage } from '../support/sip-peer';
import {
  DOMAIN,
  SDP,
  authenticatedInvite,
  inDialog,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { scenarioCore } from '../support/transfer-scenarios';

const scenario = scenarioCore({});
const { user } = scenario;

function subscribe(
  from: Registered,
  target: string,
  opts: { cseq: number; callId: string; expires: number; authorization?: string },
): string {
  return [
    `SUBSCRIBE sip:${target}@${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${from.peer.host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: <sip:${target}@${DOMAIN}>`,
    `From: <sip:${from.username}@${DOMAIN}>;tag=${from.fromTag}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} SUBSCRIBE`,
    `Contact: <sip:${from.contactUser}@${from.peer.host};transport=ws>`,
    'Event: dialog',
    'Accept: application/dialog-info+xml',
    `Expires: ${opts.expires}`,
    ...(opts.authorization ? [`Proxy-Authorization: ${opts.authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The next NOTIFY, answered 200; returns it. */
async function nextNotify(peer: Registered['peer']): Promise<ReceivedMessage> {
  const notify = await peer.expectRequest('NOTIFY');
  peer.send(respond(notify, 200, 'OK'));
  return notify;
}

const lamp = (n: ReceivedMessage) =>
  /<state>confirmed<\/state>/.test(n.body)
    ? 'busy'
    : /<state>early<\/state>/.test(n.body)
      ? 'ringing'
      : 'idle';

describe('busy-lamp subscriptions (RFC 4235)', () => {
  it('notifies a desk phone as a colleague rings, talks and hangs up, and ends on unsubscribe', async () => {
    const ase = await user('ase.strom'); // the desk phone watching
    const ola = await user('ola.hansen'); // 1007, watched
    const kari = await user('kari.nordmann'); // calls Ola
    const callId = rand();
    ase.peer.send(subscribe(ase, '1007', { cseq: 1, callId, expires: 600 }));
    const challenge = await ase.peer.expectResponse(407, 'SUBSCRIBE');
    const authorization = digestAuthorization({
      challenge: challenge.header('Proxy-Authenticate') ?? '',
      username: ase.username,
      password: ase.password,
      method: 'SUBSCRIBE',
      uri: `sip:1007@${DOMAIN}`,
    });
    ase.peer.send(subscribe(ase, '1007', { cseq: 2, callId, expires: 600, authorization }));
    const ok = await ase.peer.expectResponse(200, 'SUBSCRIBE');
    expect(ok.header('Expires')).toBe('600');
    const first = await nextNotify(ase.peer);
    expect(first.header('Event')).toBe('dialog');
    expect(first.header('Subscription-State')).toBe('active;expires=600');
    expect(first.header('Content-Type')).toBe('application/dialog-info+xml');
    expect(first.body).toContain('entity="sip:1007@nordlys.sentral.invalid"');
    expect(first.body).toContain('version="0"');
    expect(lamp(first)).toBe('idle');

    await authenticatedInvite(kari, '1007');
    const inv = await ola.peer.expectRequest('INVITE');
    ola.peer.send(
      respond(inv, 180, 'Ringing', { toTag: 'o1', contact: `<sip:o@${ola.peer.host}>` }),
    );
    expect(lamp(await nextNotify(ase.peer))).toBe('ringing');
    ola.peer.send(
      respond(inv, 200, 'OK', { toTag: 'o1', contact: `<sip:o@${ola.peer.host}>`, body: SDP }),
    );
    expect(lamp(await nextNotify(ase.peer))).toBe('busy');
    ola.peer.send(
      inDialog({
        method: 'BYE',
        host: ola.peer.host,
        requestUri: uriOf(inv.header('Contact')),
        from: `${inv.header('To')};tag=o1`,
        to: inv.header('From') ?? '',
        callId: inv.header('Call-ID') ?? '',
        cseq: 2,
      }),
    );
    const idle = await nextNotify(ase.peer);
    expect(lamp(idle)).toBe('idle');
    expect(Number(/version="(\d+)"/.exec(idle.body)?.[1])).toBeGreaterThanOrEqual(3);

    // Unsubscribe: Expires 0 in the dialog → 200 and a final NOTIFY, then nothing more.
    const toTag = /tag=([^;>\s]+)/.exec(ok.header('To') ?? '')?.[1] ?? '';
    ase.peer.send(
      [
        `SUBSCRIBE ${uriOf(ok.header('Contact'))} SIP/2.0`,
        `Via: SIP/2.0/WSS ${ase.peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:1007@${DOMAIN}>;tag=${toTag}`,
        `From: <sip:${ase.username}@${DOMAIN}>;tag=${ase.fromTag}`,
        `Call-ID: ${callId}`,
        'CSeq: 3 SUBSCRIBE',
        'Event: dialog',
        'Expires: 0',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await ase.peer.expectResponse(200, 'SUBSCRIBE');
    expect((await nextNotify(ase.peer)).header('Subscription-State')).toMatch(/^terminated/);
    expect(scenario.core.core.dialogEvents.size).toBe(0);
  });

  it('refuses other event packages (489) and unknown colleagues (404)', async () => {
    const ida = await user('ida.pedersen');
    const send = async (target: string, event: string) => {
      const callId = rand();
      const msg = subscribe(ida, target, { cseq: 1, callId, expires: 60 }).replace(
        'Event: dialog',
        `Event: ${event}`,
      );
      ida.peer.send(msg);
      const challenge = await ida.peer.expectResponse(407, 'SUBSCRIBE');
      const authorization = digestAuthorization({
        challenge: challenge.header('Proxy-Authenticate') ?? '',
        username: ida.username,
        password: ida.password,
        method: 'SUBSCRIBE',
        uri: `sip:${target}@${DOMAIN}`,
      });
      ida.peer.send(
        subscribe(ida, target, { cseq: 2, callId, expires: 60, authorization }).replace(
          'Event: dialog',
          `Event: ${event}`,
        ),
      );
    };
    await send('1007', 'presence');
    expect((await ida.peer.expectResponse(489, 'SUBSCRIBE')).header('Allow-Events')).toBe('dialog');
    await send('9999', 'dialog');
    await ida.peer.expectResponse(404, 'SUBSCRIBE');
  });
});
