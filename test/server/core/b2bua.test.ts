import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TRANSITIONS, CallState, transitionCall } from '../../../src/server/b2bua/call-state';
import { rand } from '../support/sip-peer';
import {
  SDP,
  authenticatedInvite,
  inDialog,
  loginAndRegister,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
const opened: Registered[] = [];

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  for (const r of opened) {
    r.peer.close();
    r.api.close();
  }
  await core?.close();
});

async function user(username: string): Promise<Registered> {
  const r = await loginAndRegister(core.wsUrl, username);
  opened.push(r);
  return r;
}

const activeCalls = () => core.core.b2bua.activeCalls;
const ANSWER_SDP = SDP.replace('40000', '40002');

describe('call state machine', () => {
  it.each(CALL_TRANSITIONS)('allows %s → %s', (from, to) => {
    expect(transitionCall(from, to)).toBe(to);
  });
  it('throws on a move outside the diagram', () => {
    expect(() => transitionCall(CallState.Active, CallState.Ringing)).toThrow(/Illegal/);
    expect(() => transitionCall(CallState.Ended, CallState.Active)).toThrow(/Illegal/);
  });
});

describe('B2BUA call flows (scripted SIP peers over WebSocket)', () => {
  it('connects two users as two legs, relays re-INVITE and INFO, and BYE ends both', async () => {
    const a = await user('lars.johansen'); // 1009
    const b = await user('martin.andersen'); // 1011
    const { callId } = await authenticatedInvite(a, '1011');
    await a.peer.expectResponse(100, 'INVITE');

    const inv = await b.peer.expectRequest('INVITE');
    // Caller ID comes from the authenticated user, not the From the caller wrote.
    expect(inv.header('From')).toMatch(
      /^"Lars Johansen" <sip:1009@nordlys\.sentral\.invalid>;tag=/,
    );
    expect(inv.header('P-Asserted-Identity')).toBe(
      '"Lars Johansen" <sip:1009@nordlys.sentral.invalid>',
    );
    expect(inv.header('Call-ID')).not.toBe(callId); // a leg of its own
    expect(inv.body).toBe(SDP);

    const bTag = rand();
    const bContact = `<sip:${b.contactUser}@${b.peer.host};transport=ws>`;
    b.peer.send(respond(inv, 180, 'Ringing', { toTag: bTag, contact: bContact }));
    const ringing = await a.peer.expectResponse(180, 'INVITE');
    expect(ringing.header('Contact')).toBeDefined(); // SIP.js drops a tagged 1xx without one

    b.peer.send(respond(inv, 200, 'OK', { toTag: bTag, contact: bContact, body: ANSWER_SDP }));
    const ok = await a.peer.expectResponse(200, 'INVITE');
    expect(ok.body).toBe(ANSWER_SDP);
    const aTo = ok.header('To') ?? '';
    const aFrom = `<sip:${a.username}@nordlys.sentral.invalid>;tag=${a.fromTag}`;
    const coreUriForA = uriOf(ok.header('Contact'));

    // The core holds B's ACK until A's ACK arrives.
    await b.peer.expectSilence(200);
    a.peer.send(
      inDialog({
        method: 'ACK',
        host: a.peer.host,
        requestUri: coreUriForA,
        from: aFrom,
        to: aTo,
        callId,
        cseq: 2,
      }),
    );
    const bAck = await b.peer.expectRequest('ACK');
    expect(bAck.header('CSeq')).toBe('1 ACK');
    expect(activeCalls()).toBe(1);

    // Hold from A: re-INVITE with sendonly is passed to B and B's answer comes back.
    const holdSdp = SDP.replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=sendonly');
    a.peer.send(
      inDialog({
        method: 'INVITE',
        host: a.peer.host,
        requestUri: coreUriForA,
        from: aFrom,
        to: aTo,
        callId,
        cseq: 3,
        body: holdSdp,
      }),
    );
    const reinv = await b.peer.expectRequest('INVITE');
    expect(reinv.body).toContain('a=sendonly');
    expect(reinv.header('CSeq')).toBe('2 INVITE');
    b.peer.send(
      respond(reinv, 200, 'OK', {
        contact: bContact,
        body: ANSWER_SDP.replace('PCMU/8000', 'PCMU/8000\r\na=recvonly'),
      }),
    );
    const reOk = await a.peer.expectResponse(200, 'INVITE');
    expect(reOk.body).toContain('a=recvonly');
    a.peer.send(
      inDialog({
        method: 'ACK',
        host: a.peer.host,
        requestUri: coreUriForA,
        from: aFrom,
        to: aTo,
        callId,
        cseq: 3,
      }),
    );
    expect((await b.peer.expectRequest('ACK')).header('CSeq')).toBe('2 ACK');

    // DTMF over SIP INFO reaches B.
    a.peer.send(
      inDialog({
        method: 'INFO',
        host: a.peer.host,
        requestUri: coreUriForA,
        from: aFrom,
        to: aTo,
        callId,
        cseq: 4,
        body: 'Signal=5\r\nDuration=160\r\n',
        contentType: 'application/dtmf-relay',
      }),
    );
    const info = await b.peer.expectRequest('INFO');
    expect(info.body).toBe('Signal=5\r\nDuration=160\r\n');
    expect(info.header('Content-Type')).toBe('application/dtmf-relay');
    b.peer.send(respond(info, 200, 'OK'));
    await a.peer.expectResponse(200, 'INFO');

    // B hangs up: A gets a BYE, both legs end.
    const bFrom = `${inv.header('To')};tag=${bTag}`;
    b.peer.send(
      inDialog({
        method: 'BYE',
        host: b.peer.host,
        requestUri: uriOf(inv.header('Contact')),
        from: bFrom,
        to: inv.header('From') ?? '',
        callId: inv.header('Call-ID') ?? '',
        cseq: 1,
      }),
    );
    await b.peer.expectResponse(200, 'BYE');
    const bye = await a.peer.expectRequest('BYE');
    expect(bye.header('Call-ID')).toBe(callId);
    a.peer.send(respond(bye, 200, 'OK'));
    expect(activeCalls()).toBe(0);
  });

  it('rings every registration of the callee; the first answer wins and the others are cancelled', async () => {
    const a = await user('camilla.kristiansen'); // 1014
    const b1 = await user('sofie.berg'); // 1017
    const b2 = await loginAndRegister(core.wsUrl, 'sofie.berg'); // a second device
    opened.push(b2);
    const { callId } = await authenticatedInvite(a, '1017');
    const inv1 = await b1.peer.expectRequest('INVITE');
    const inv2 = await b2.peer.expectRequest('INVITE');
    b1.peer.send(
      respond(inv1, 180, 'Ringing', { toTag: 't1', contact: `<sip:x@${b1.peer.host}>` }),
    );
    b2.peer.send(
      respond(inv2, 180, 'Ringing', { toTag: 't2', contact: `<sip:y@${b2.peer.host}>` }),
    );
    b2.peer.send(
      respond(inv2, 200, 'OK', {
        toTag: 't2',
        contact: `<sip:y@${b2.peer.host}>`,
        body: ANSWER_SDP,
      }),
    );
    await a.peer.expectResponse(200, 'INVITE');
    const cancel = await b1.peer.expectRequest('CANCEL');
    expect(cancel.header('Call-ID')).toBe(inv1.header('Call-ID'));
    b1.peer.send(respond(cancel, 200, 'OK'));
    b1.peer.send(respond(inv1, 487, 'Request Terminated', { toTag: 't1' }));
    expect((await b1.peer.expectRequest('ACK')).header('CSeq')).toBe('1 ACK');
    expect(callId).toBeTruthy();
    // The caller's browser goes away before its ACK: the answered device is hung up.
    a.peer.close();
    await b2.peer.expectRequest('BYE');
    await expect.poll(() => activeCalls()).toBe(0);
  });

  it('passes "busy" back to the caller when the callee answers 486', async () => {
    const a = await user('thea.halvorsen');
    const b = await user('sindre.jacobsen'); // 1020
    await authenticatedInvite(a, '1020');
    const inv = await b.peer.expectRequest('INVITE');
    b.peer.send(respond(inv, 486, 'Busy Here', { toTag: rand() }));
    await b.peer.expectRequest('ACK');
    const res = await a.peer.expect((m) => (m.status ?? 0) >= 400);
    expect(res.status).toBe(486);
  });

  it('answers 404 for a number nobody has and 480 for a user who is not registered', async () => {
    const a = await user('mathilde.moen');
    await authenticatedInvite(a, '9999');
    expect((await a.peer.expect((m) => (m.status ?? 0) >= 400)).status).toBe(404);
    await authenticatedInvite(a, '1040'); // Live Åsheim, not logged in
    expect((await a.peer.expect((m) => (m.status ?? 0) >= 400)).status).toBe(480);
  });

  it("cancels the callee's ringing leg when the caller gives up, and answers 487", async () => {
    const a = await user('andre.gundersen');
    const b = await user('marianne.haugen'); // 1024
    const { callId, branch } = await authenticatedInvite(a, '1024');
    const inv = await b.peer.expectRequest('INVITE');
    b.peer.send(respond(inv, 180, 'Ringing', { toTag: 'r1', contact: `<sip:z@${b.peer.host}>` }));
    await a.peer.expectResponse(180, 'INVITE');
    a.peer.send(
      [
        'CANCEL sip:1024@nordlys.sentral.invalid SIP/2.0',
        `Via: SIP/2.0/WSS ${a.peer.host};branch=${branch}`,
        'Max-Forwards: 70',
        'To: <sip:1024@nordlys.sentral.invalid>',
        `From: "Spoofed Name" <sip:${a.username}@nordlys.sentral.invalid>;tag=${a.fromTag}`,
        `Call-ID: ${callId}`,
        'CSeq: 2 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await a.peer.expectResponse(200, 'CANCEL');
    await a.peer.expectResponse(487, 'INVITE');
    const cancel = await b.peer.expectRequest('CANCEL');
    b.peer.send(respond(cancel, 200, 'OK'));
    b.peer.send(respond(inv, 487, 'Request Terminated', { toTag: 'r1' }));
    await b.peer.expectRequest('ACK');
    expect(activeCalls()).toBe(0);
  });

  it('answers 481 to a BYE for a dialog that does not exist', async () => {
    const a = await user('hakon.saether');
    a.peer.send(
      inDialog({
        method: 'BYE',
        host: a.peer.host,
        requestUri: 'sip:sentral@127.0.0.1',
        from: `<sip:${a.username}@nordlys.sentral.invalid>;tag=x`,
        to: '<sip:1001@nordlys.sentral.invalid>;tag=nope',
        callId: rand(),
        cseq: 1,
      }),
    );
    await a.peer.expectResponse(481, 'BYE');
  });

  it('hangs up the other leg when a browser disconnects mid-call', async () => {
    const a = await user('solveig.braten');
    const b = await user('oyvind.lund'); // 1027
    await authenticatedInvite(a, '1027');
    const inv = await b.peer.expectRequest('INVITE');
    b.peer.send(
      respond(inv, 200, 'OK', { toTag: 'd1', contact: `<sip:q@${b.peer.host}>`, body: ANSWER_SDP }),
    );
    await a.peer.expectResponse(200, 'INVITE');
    a.peer.close();
    await b.peer.expectRequest('BYE');
    await expect.poll(() => activeCalls()).toBe(0);
  });
});
