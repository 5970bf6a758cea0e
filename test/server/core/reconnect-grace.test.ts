/**
 * The core keeps a connected call while a browser's SIP WebSocket is gone (ADR 0010): the
 * phone comes back on a new WebSocket, REGISTERs with the same Contact, and its ICE-restart
 * re-INVITE is relayed to the other party; a phone that does not come back within
 * CALL_RECONNECT_GRACE_S has its call ended (BYE to the other side); nobody else may take the
 * dialog over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipPeer, digestAuthorization, rand } from '../support/sip-peer';
import {
  DOMAIN,
  SDP,
  ack,
  authenticatedInvite,
  inDialog,
  invite,
  loginAndRegister,
  register,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

const GRACE_S = 1.5;
let core: TestCore;
const opened: Registered[] = [];
const peers: SipPeer[] = [];

beforeAll(async () => {
  core = await startTestCore({ CALL_RECONNECT_GRACE_S: String(GRACE_S) });
});
afterAll(async () => {
  for (const p of peers) p.close();
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A digest-authenticated INVITE whose Contact carries `;ob`, as SIP.js sends it (its REGISTER
 * Contact has no `;ob`: the core must still see the same phone).
 */
async function sipJsLikeInvite(from: Registered, target: string): Promise<{ callId: string }> {
  const callId = rand();
  const withOb = (text: string) => text.replace(';transport=ws>', ';transport=ws;ob>');
  from.peer.send(withOb(invite({ from, target, callId, cseq: 1 })));
  const challenge = await from.peer.expectResponse(407, 'INVITE');
  from.peer.send(
    ack(from, target, callId, 1, challenge.header('To') ?? '', challenge.header('Via') ?? ''),
  );
  const authorization = digestAuthorization({
    challenge: challenge.header('Proxy-Authenticate') ?? '',
    username: from.username,
    password: from.password,
    method: 'INVITE',
    uri: `sip:${target}@${DOMAIN}`,
  });
  from.peer.send(withOb(invite({ from, target, callId, cseq: 2, authorization })));
  return { callId };
}

/** A connected call from `a` to `b` (b's extension), both ACKed. */
async function connect(a: Registered, b: Registered, extension: string, ob = false) {
  const { callId } = ob
    ? await sipJsLikeInvite(a, extension)
    : await authenticatedInvite(a, extension);
  const inv = await b.peer.expectRequest('INVITE');
  const bTag = rand();
  const bContact = `<sip:${b.contactUser}@${b.peer.host};transport=ws>`;
  b.peer.send(respond(inv, 200, 'OK', { toTag: bTag, contact: bContact, body: ANSWER_SDP }));
  const ok = await a.peer.expectResponse(200, 'INVITE');
  const dialog = {
    callId,
    from: `<sip:${a.username}@${DOMAIN}>;tag=${a.fromTag}`,
    to: ok.header('To') ?? '',
    requestUri: uriOf(ok.header('Contact')),
  };
  a.peer.send(inDialog({ method: 'ACK', host: a.peer.host, ...dialog, cseq: 2 }));
  await b.peer.expectRequest('ACK');
  // B's side of the dialog, as B would address the core.
  const bDialog = {
    callId: inv.header('Call-ID') ?? '',
    from: `${inv.header('To') ?? ''};tag=${bTag}`,
    to: inv.header('From') ?? '',
    requestUri: uriOf(inv.header('Contact')),
  };
  return { a: dialog, b: bDialog, bContact };
}

/**
 * The same phone (same Contact host and user) on a new WebSocket: REGISTERs again with digest,
 * as SIP.js does after `UserAgent.reconnect()`.
 */
async function comeBack(r: Registered, host: string): Promise<SipPeer> {
  const peer = await SipPeer.connect(core.wsUrl);
  peers.push(peer);
  const base = {
    username: r.username,
    host,
    contactUser: r.contactUser,
    callId: r.callId,
    fromTag: rand(),
  };
  peer.send(register({ ...base, cseq: r.cseq++ }));
  const challenge = await peer.expectResponse(401, 'REGISTER');
  const authorization = digestAuthorization({
    challenge: challenge.header('WWW-Authenticate') ?? '',
    username: r.username,
    password: r.password,
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
  });
  peer.send(register({ ...base, cseq: r.cseq++, authorization }));
  await peer.expectResponse(200, 'REGISTER');
  return peer;
}

describe('reconnect grace: a dropped browser WebSocket does not end the call', () => {
  it('keeps the call while the caller is away and relays its ICE-restart re-INVITE from the new WebSocket', async () => {
    const a = await user('lars.johansen');
    const b = await user('martin.andersen'); // 1011
    const dialogs = await connect(a, b, '1011', true);
    const aHost = a.peer.host;

    a.peer.close();
    await a.peer.waitClosed();
    // The other party is not hung up on.
    await b.peer.expectSilence(300);
    expect(activeCalls()).toBe(1);

    const back = await comeBack(a, aHost);
    const restartSdp = SDP.replace('40000', '41000').replace('s=-', 's=ice-restart');
    back.send(inDialog({ method: 'INVITE', host: aHost, ...dialogs.a, cseq: 3, body: restartSdp }));
    const reinvite = await b.peer.expectRequest('INVITE');
    expect(reinvite.body).toBe(restartSdp);
    b.peer.send(respond(reinvite, 200, 'OK', { contact: dialogs.bContact, body: ANSWER_SDP }));
    const ok = await back.expectResponse(200, 'INVITE');
    expect(ok.body).toBe(ANSWER_SDP);
    back.send(inDialog({ method: 'ACK', host: aHost, ...dialogs.a, cseq: 3 }));
    expect((await b.peer.expectRequest('ACK')).header('CSeq')).toBe('2 ACK');

    // Past the grace period the call is still up: the re-attach stopped the timer.
    await sleep(GRACE_S * 1000 + 300);
    expect(activeCalls()).toBe(1);
    await b.peer.expectSilence(0);

    // B hangs up: the BYE reaches A on its new WebSocket.
    b.peer.send(inDialog({ method: 'BYE', host: b.peer.host, ...dialogs.b, cseq: 2 }));
    expect((await b.peer.expectResponse(200, 'BYE')).status).toBe(200);
    const bye = await back.expectRequest('BYE');
    expect(bye.header('Call-ID')).toBe(dialogs.a.callId);
    expect(activeCalls()).toBe(0);
  });

  it('re-attaches the callee on its REGISTER alone: the caller’s BYE reaches the new WebSocket', async () => {
    const a = await user('kari.nordmann');
    const b = await user('ida.pedersen');
    const ext = await calleeExtension('ida.pedersen');
    const dialogs = await connect(a, b, ext);
    const bHost = b.peer.host;
    b.peer.close();
    await b.peer.waitClosed();
    await a.peer.expectSilence(200);
    const back = await comeBack(b, bHost);
    a.peer.send(inDialog({ method: 'BYE', host: a.peer.host, ...dialogs.a, cseq: 3 }));
    await a.peer.expectResponse(200, 'BYE');
    const bye = await back.expectRequest('BYE');
    expect(bye.header('Call-ID')).toBe(dialogs.b.callId);
    expect(activeCalls()).toBe(0);
  });

  it('ends the call with a BYE to the other party when the phone does not come back in time', async () => {
    const a = await user('ola.hansen');
    const b = await user('sofie.berg'); // 1017
    await connect(a, b, '1017');
    const droppedAt = Date.now();
    b.peer.close();
    await b.peer.waitClosed();
    // Nothing during the grace period…
    await a.peer.expectSilence(GRACE_S * 1000 - 400);
    expect(activeCalls()).toBe(1);
    // …then the caller is hung up on.
    const bye = await a.peer.expectRequest('BYE');
    const waited = Date.now() - droppedAt;
    expect(waited).toBeGreaterThanOrEqual(GRACE_S * 1000 - 50);
    expect(waited).toBeLessThan(GRACE_S * 1000 + 1500);
    expect(bye.header('CSeq')).toMatch(/ BYE$/);
    await sleep(50);
    expect(activeCalls()).toBe(0);
    const ended = core.core.b2bua.calls().length;
    expect(ended).toBe(0);
  });

  it('refuses the dialog to another user on another WebSocket (403), even with the same Contact', async () => {
    const a = await user('even.dahl');
    const b = await user('sindre.jacobsen'); // 1020
    const mallory = await user('thea.halvorsen');
    const dialogs = await connect(a, b, '1020');
    const aHost = a.peer.host;
    a.peer.close();
    await a.peer.waitClosed();

    // Mallory registers her own AOR with A's Contact on a new WebSocket…
    const impostor = await comeBack({ ...mallory, contactUser: a.contactUser }, aHost);
    // …and tries to take A's dialog over with a re-INVITE.
    impostor.send(inDialog({ method: 'INVITE', host: aHost, ...dialogs.a, cseq: 3, body: SDP }));
    const refused = await impostor.expectResponse(403, 'INVITE');
    expect(refused.status).toBe(403);
    // From her own, already registered WebSocket too.
    mallory.peer.send(inDialog({ method: 'BYE', host: mallory.peer.host, ...dialogs.a, cseq: 4 }));
    await mallory.peer.expectResponse(403, 'BYE');
    // B heard nothing and the call waits for A.
    await b.peer.expectSilence(100);
    expect(activeCalls()).toBe(1);
    // A request for a dialog that does not exist is 481, as before.
    impostor.send(
      inDialog({ method: 'INVITE', host: aHost, ...dialogs.a, callId: rand(), cseq: 5, body: SDP }),
    );
    await impostor.expectResponse(481, 'INVITE');
    // Nobody came back: B is hung up on after the grace period.
    await b.peer.expectRequest('BYE');
  });
});

async function calleeExtension(username: string): Promise<string> {
  const callee = await core.core.people.findByUsername(username);
  if (!callee?.extension) throw new Error(`${username} has no extension`);
  return callee.extension;
}
