/** Sample messages and test doubles shared by the SIP stack tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SipTransportError } from '../../../src/server/sip/errors';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import type { Flow, TransportName } from '../../../src/server/sip/transport';

export const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 101',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Oyr3',
  'a=ice-pwd:A5n6zD8x9FyfCv9Q1lqkS1cW',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  '',
].join('\r\n');

export const CRLF = '\r\n';

/** A SIP.js-style INVITE over WebSocket with SDP. */
export const INVITE = [
  'INVITE sip:200@sentral.example SIP/2.0',
  'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842',
  'To: <sip:200@sentral.example>',
  'From: "Anna Operator" <sip:101@sentral.example>;tag=0k3u6kpf2h',
  'CSeq: 1 INVITE',
  'Call-ID: 5pmle7c9n4pkq0d3cqq1',
  'Max-Forwards: 70',
  'Contact: <sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws;ob>',
  'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
  'Supported: outbound',
  'User-Agent: SIP.js/0.21.2',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP)}`,
  '',
  SDP,
].join(CRLF);

/** A REGISTER answering a digest challenge. */
export const REGISTER = [
  'REGISTER sip:sentral.example SIP/2.0',
  'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK7701556',
  'Max-Forwards: 70',
  'To: <sip:101@sentral.example>',
  'From: <sip:101@sentral.example>;tag=s1i8p1rh3f',
  'Call-ID: r5v0a1kf3rjl2k8q4jba',
  'CSeq: 2 REGISTER',
  'Authorization: Digest algorithm=MD5, username="101", realm="sentral.example", nonce="lq1x.abc.def", uri="sip:sentral.example", response="0f4c5a7c1b8e4c3a2d1f0e9d8c7b6a59", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, cnonce="9u1n1ntue3m1", nc=00000001',
  'Contact: <sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance="<urn:uuid:2f5f2f68-9e1c-4d0c-b3c5-4e3e8a7a9c11>";expires=600',
  'Expires: 600',
  'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
  'Supported: path, gruu, outbound',
  'User-Agent: SIP.js/0.21.2',
  'Content-Length: 0',
  '',
  '',
].join(CRLF);

/** A 180 Ringing with a To tag, Record-Route and Contact. */
export const RINGING = [
  'SIP/2.0 180 Ringing',
  'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842;received=192.0.2.7;rport=51000',
  'Record-Route: <sip:edge.sentral.example;transport=ws;lr>, <sip:core.sentral.example;lr>',
  'To: <sip:200@sentral.example>;tag=8ad9e7',
  'From: "Anna Operator" <sip:101@sentral.example>;tag=0k3u6kpf2h',
  'Call-ID: 5pmle7c9n4pkq0d3cqq1',
  'CSeq: 1 INVITE',
  'Contact: <sip:200@192.0.2.50:5060;transport=tcp>',
  'Content-Length: 0',
  '',
  '',
].join(CRLF);

export function parseRequest(text: string): SipRequest {
  const msg = parseMessage(text);
  if (msg.type !== 'request') throw new Error('expected a request');
  return msg;
}

export function parseResponse(text: string): SipResponse {
  const msg = parseMessage(text);
  if (msg.type !== 'response') throw new Error('expected a response');
  return msg;
}

const fixtureDir = fileURLToPath(new URL('../../fixtures/rfc4475/', import.meta.url));

/** An RFC 4475 torture message, decoded as UTF-8 (what a WebSocket text frame would carry). */
export function torture(name: string): string {
  return readFileSync(`${fixtureDir}${name}.dat`, 'utf8');
}

/** The raw bytes of an RFC 4475 message as a latin1 string (one char per octet). */
export function tortureBytes(name: string): string {
  return readFileSync(`${fixtureDir}${name}.dat`, 'latin1');
}

/** An in-memory flow that records what is sent on it. */
export class FakeFlow implements Flow {
  readonly sent: string[] = [];
  closed = false;
  readonly remote = { address: '192.0.2.7', port: 51000 };

  constructor(
    readonly id = 'flow-1',
    readonly reliable = true,
    readonly transport: TransportName = 'WS',
  ) {}

  send(data: string): void {
    if (this.closed) throw new SipTransportError('closed');
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
  }

  /** Every sent message, parsed. */
  messages(): (SipRequest | SipResponse)[] {
    return this.sent.map((s) => parseMessage(s));
  }

  /** Status codes of the responses sent, in order. */
  statuses(): number[] {
    return this.messages().flatMap((m) => (m.type === 'response' ? [m.status] : []));
  }

  /** Methods of the requests sent, in order. */
  methods(): string[] {
    return this.messages().flatMap((m) => (m.type === 'request' ? [m.method] : []));
  }
}
