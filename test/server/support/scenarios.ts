/** Message templates and multi-step helpers for scripted SIP scenarios against a test core. */
import { RawApiClient } from './api-client';
import { SipPeer, digestAuthorization, rand } from './sip-peer';

export const DOMAIN = 'nordlys.sentral.invalid';
export const SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

export interface Registered {
  peer: SipPeer;
  username: string;
  password: string;
  contactUser: string;
  fromTag: string;
  callId: string;
  cseq: number;
  api: RawApiClient;
}

export function register(opts: {
  username: string;
  host: string;
  contactUser: string;
  callId: string;
  fromTag: string;
  cseq: number;
  expires?: number;
  authorization?: string;
}): string {
  const expires = opts.expires ?? 600;
  return [
    `REGISTER sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${opts.host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: <sip:${opts.username}@${DOMAIN}>`,
    `From: <sip:${opts.username}@${DOMAIN}>;tag=${opts.fromTag}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} REGISTER`,
    `Contact: <sip:${opts.contactUser}@${opts.host};transport=ws>;expires=${expires}`,
    `Expires: ${expires}`,
    ...(opts.authorization ? [`Authorization: ${opts.authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Logs in over the API, then REGISTERs a scripted peer with the issued SIP credentials. */
export async function loginAndRegister(wsUrl: string, username: string): Promise<Registered> {
  const api = await RawApiClient.connect(wsUrl);
  const reply = (await api.command('auth.login', { username, password: 'demo1234' })) as {
    ok: boolean;
    result: { sip: { authorizationUsername: string; password: string } };
  };
  if (!reply.ok) throw new Error(`login failed: ${JSON.stringify(reply)}`);
  const peer = await SipPeer.connect(wsUrl);
  const r: Registered = {
    peer,
    username,
    password: reply.result.sip.password,
    contactUser: rand(),
    fromTag: rand(),
    callId: rand(),
    cseq: 1,
    api,
  };
  const base = {
    username,
    host: peer.host,
    contactUser: r.contactUser,
    callId: r.callId,
    fromTag: r.fromTag,
  };
  peer.send(register({ ...base, cseq: r.cseq++ }));
  const challenge = await peer.expectResponse(401, 'REGISTER');
  const authorization = digestAuthorization({
    challenge: challenge.header('WWW-Authenticate') ?? '',
    username: reply.result.sip.authorizationUsername,
    password: r.password,
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
  });
  peer.send(register({ ...base, cseq: r.cseq++, authorization }));
  await peer.expectResponse(200, 'REGISTER');
  return r;
}

export interface InviteOpts {
  from: Registered;
  target: string;
  callId?: string;
  branch?: string;
  cseq?: number;
  authorization?: string;
  /** Extra header lines (`Name: value`). */
  headers?: readonly string[];
}

export function invite(o: InviteOpts): string {
  return [
    `INVITE sip:${o.target}@${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${o.from.peer.host};branch=${o.branch ?? `z9hG4bK${rand()}`}`,
    'Max-Forwards: 70',
    `To: <sip:${o.target}@${DOMAIN}>`,
    `From: "Spoofed Name" <sip:${o.from.username}@${DOMAIN}>;tag=${o.from.fromTag}`,
    `Call-ID: ${o.callId ?? rand()}`,
    `CSeq: ${o.cseq ?? 1} INVITE`,
    `Contact: <sip:${o.from.contactUser}@${o.from.peer.host};transport=ws>`,
    ...(o.authorization ? [`Proxy-Authorization: ${o.authorization}`] : []),
    ...(o.headers ?? []),
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n');
}

/** Sends an INVITE, answers the 407 with digest credentials; returns call identifiers. */
export async function authenticatedInvite(
  from: Registered,
  target: string,
  headers: readonly string[] = [],
): Promise<{ callId: string; branch: string; cseq: number }> {
  const callId = rand();
  from.peer.send(invite({ from, target, callId, cseq: 1, headers }));
  const challenge = await from.peer.expectResponse(407, 'INVITE');
  from.peer.send(
    ack(from, target, callId, 1, challenge.header('To') ?? '', challenge.header('Via') ?? ''),
  );
  const branch = `z9hG4bK${rand()}`;
  const authorization = digestAuthorization({
    challenge: challenge.header('Proxy-Authenticate') ?? '',
    username: from.username,
    password: from.password,
    method: 'INVITE',
    uri: `sip:${target}@${DOMAIN}`,
  });
  from.peer.send(invite({ from, target, callId, cseq: 2, branch, authorization, headers }));
  return { callId, branch, cseq: 2 };
}

/** ACK for a non-2xx final response (same branch as the INVITE, RFC 3261 §17.1.1.3). */
export function ack(
  from: Registered,
  target: string,
  callId: string,
  cseq: number,
  to: string,
  via: string,
): string {
  return [
    `ACK sip:${target}@${DOMAIN} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `To: ${to}`,
    `From: <sip:${from.username}@${DOMAIN}>;tag=${from.fromTag}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A response from a scripted callee to a request it received. */
export function respond(
  req: { header(name: string): string | undefined; headers(name: string): string[] },
  status: number,
  reason: string,
  opts: { toTag?: string; contact?: string; body?: string } = {},
): string {
  const to = req.header('To') ?? '';
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    ...req.headers('Via').map((v) => `Via: ${v}`),
    `To: ${opts.toTag && !to.includes('tag=') ? `${to};tag=${opts.toTag}` : to}`,
    `From: ${req.header('From')}`,
    `Call-ID: ${req.header('Call-ID')}`,
    `CSeq: ${req.header('CSeq')}`,
    ...(opts.contact ? [`Contact: ${opts.contact}`] : []),
    ...(opts.body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(opts.body ?? '')}`,
    '',
    opts.body ?? '',
  ];
  return lines.join('\r\n');
}

/** An in-dialog request built from a dialog's fields. */
export function inDialog(opts: {
  method: string;
  host: string;
  requestUri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  body?: string;
  contentType?: string;
}): string {
  return [
    `${opts.method} ${opts.requestUri} SIP/2.0`,
    `Via: SIP/2.0/WSS ${opts.host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: ${opts.to}`,
    `From: ${opts.from}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} ${opts.method}`,
    ...(opts.body ? [`Content-Type: ${opts.contentType ?? 'application/sdp'}`] : []),
    `Content-Length: ${Buffer.byteLength(opts.body ?? '')}`,
    '',
    opts.body ?? '',
  ].join('\r\n');
}

/** Extracts the URI inside <…> of a Contact/To value. */
export function uriOf(value: string | undefined): string {
  return /<([^>]+)>/.exec(value ?? '')?.[1] ?? '';
}

/** An INVITE from a caller outside the company (no credentials) to a public number. */
export function outsideInvite(opts: {
  peer: { host: string };
  to: string;
  fromNumber: string;
  fromName?: string;
  callId: string;
  fromTag: string;
  branch?: string;
  cseq?: number;
}): string {
  const name = opts.fromName ? `"${opts.fromName}" ` : '';
  return [
    `INVITE sip:${opts.to}@${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${opts.peer.host};branch=${opts.branch ?? `z9hG4bK${rand()}`}`,
    'Max-Forwards: 70',
    `To: <sip:${opts.to}@${DOMAIN}>`,
    `From: ${name}<sip:${opts.fromNumber}@outside.invalid>;tag=${opts.fromTag}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq ?? 1} INVITE`,
    `Contact: <sip:caller@${opts.peer.host};transport=ws>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n');
}
