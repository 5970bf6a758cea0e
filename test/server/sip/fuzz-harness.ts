/**
 * The SIP fuzzer's parts, shared by test/server/sip/fuzz.test.ts (a few thousand messages per
 * run) and bench/sip-fuzz.bench.ts (≥ 100,000): fast-check arbitraries for mutations of valid
 * messages, a pure function applying them to the bytes, and one step that pushes a message
 * through the parser and through the WebSocket transport's receive path (with the core's
 * request checks behind it, as the router runs them) and lists every property it broke.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkRequest } from '../../../src/server/core/request-checks';
import { SipParseError } from '../../../src/server/sip/errors';
import { createResponse } from '../../../src/server/sip/helpers';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import { SipStreamFramer } from '../../../src/server/sip/tcp-transport';
import {
  WsTransport,
  parseErrorAnswer,
  type Flow,
  type SipWebSocket,
} from '../../../src/server/sip/transport';
import { framingProblem } from './wire-checks';

const CRLF = '\r\n';
const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  '',
].join(CRLF);

function message(lines: string[], body = ''): Buffer {
  return Buffer.from(
    [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join(CRLF),
    'utf8',
  );
}

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/rfc4475/${name}.dat`, import.meta.url));

/** Valid messages the mutations start from: what browsers and phones send, and RFC 4475's valid ones. */
export const BASES: readonly { name: string; bytes: Buffer }[] = [
  {
    name: 'sipjs-invite',
    bytes: message(
      [
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
        'Content-Type: application/sdp',
      ],
      SDP,
    ),
  },
  {
    name: 'sipjs-register',
    bytes: message([
      'REGISTER sip:sentral.example SIP/2.0',
      'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK8837461',
      'Max-Forwards: 70',
      'To: <sip:101@sentral.example>',
      'From: <sip:101@sentral.example>;tag=q3k1t0rm8v',
      'Call-ID: 7a1c4bq0tq2e5hn6u8gd',
      'CSeq: 2 REGISTER',
      'Authorization: Digest username="101", realm="sentral.example", nonce="abc", uri="sip:sentral.example", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"',
      'Contact: <sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws>;+sip.instance="<urn:uuid:1>";reg-id=1;expires=600',
      'Expires: 600',
      'Supported: path, gruu, outbound',
    ]),
  },
  {
    name: 'options',
    bytes: message([
      'OPTIONS sip:sentral.example SIP/2.0',
      'Via: SIP/2.0/WS probe.invalid;branch=z9hG4bKopt1;rport',
      'Max-Forwards: 70',
      'To: <sip:sentral.example>',
      'From: <sip:probe@sentral.example>;tag=p1',
      'Call-ID: opt-1',
      'CSeq: 1 OPTIONS',
      'Accept: application/sdp',
    ]),
  },
  {
    name: 'ringing',
    bytes: message([
      'SIP/2.0 180 Ringing',
      'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842;received=192.0.2.7;rport=51000',
      'Record-Route: <sip:edge.sentral.example;transport=ws;lr>',
      'To: <sip:200@sentral.example>;tag=8ad9e7',
      'From: "Anna Operator" <sip:101@sentral.example>;tag=0k3u6kpf2h',
      'Call-ID: 5pmle7c9n4pkq0d3cqq1',
      'CSeq: 1 INVITE',
      'Contact: <sip:200@192.0.2.50:5060;transport=tcp>',
    ]),
  },
  ...['wsinv', 'intmeth', 'esc01', 'longreq', 'mpart01', 'unreason', 'semiuri'].map((name) => ({
    name: `rfc4475-${name}`,
    bytes: fixture(name),
  })),
];

/** RFC 4475 invalid messages, mutated too: their refusals copy odd partial headers. */
export const INVALID_BASES: readonly { name: string; bytes: Buffer }[] = [
  'badinv01',
  'clerr',
  'insuf',
  'multi01',
  'mcl01',
  'badvers',
  'unkscm',
  'scalar02',
  'quotbal',
  'regbadct',
  'escruri',
  'bigcode',
].map((name) => ({ name: `rfc4475-${name}`, bytes: fixture(name) }));

/** Every starting point: the valid ones first, so their indices stay those of BASES. */
const STARTS = [...BASES, ...INVALID_BASES];

/** One change to a message's bytes. Positions are taken modulo the current length. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-header'; line: number }
  | { kind: 'delete-header'; line: number }
  | { kind: 'huge-value'; line: number; size: number; fill: string }
  | { kind: 'content-length'; value: string }
  | { kind: 'content-length-delta'; delta: number }
  | { kind: 'insert-bytes'; at: number; bytes: number[] }
  | { kind: 'line-end'; which: number; to: '\n' | '\r' | '\n\r' | '' }
  | { kind: 'all-lf' }
  | { kind: 'fold'; line: number };

const BAD_BYTES: readonly number[][] = [
  [0x00],
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // UTF-16 surrogate in UTF-8
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xe2, 0x82], // cut sequence
  [0x0d],
  [0x0a],
  [0x0d, 0x0a],
  [0x0d, 0x0a, 0x0d, 0x0a],
  [0x20],
  [0x09],
  [0x3a], // ':'
  [0x3b], // ';'
  [0x2c], // ','
  [0x22], // '"'
  [0x3c], // '<'
  [0x3e], // '>'
  [0x25], // '%'
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-header' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('delete-header' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('huge-value' as const),
    line: fc.nat(),
    size: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 256, max: 8192 }) },
      { weight: 1, arbitrary: fc.constantFrom(65_000, 70_000) },
    ),
    fill: fc.constantFrom('a', ';', ',', '"', '\\', '<', '%', ' ', 'é', '\t'),
  }),
  fc.record({
    kind: fc.constant('content-length' as const),
    value: fc.constantFrom(
      '99999999999999999999',
      '4294967296',
      '2147483648',
      '9007199254740993',
      '-1',
      '1e3',
      '0x10',
      '',
      ' 5',
      '00000000000000000000000000007',
    ),
  }),
  fc.record({
    kind: fc.constant('content-length-delta' as const),
    delta: fc.integer({ min: -200, max: 200 }).filter((d) => d !== 0),
  }),
  fc.record({
    kind: fc.constant('insert-bytes' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.constantFrom(...BAD_BYTES),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
    ),
  }),
  fc.record({
    kind: fc.constant('line-end' as const),
    which: fc.nat(),
    to: fc.constantFrom('\n' as const, '\r' as const, '\n\r' as const, '' as const),
  }),
  fc.constant({ kind: 'all-lf' as const }),
  fc.record({ kind: fc.constant('fold' as const), line: fc.nat() }),
);

/** A starting message (index into BASES, then INVALID_BASES) and one to four mutations. */
export const caseArb = fc.record({
  base: fc.nat({ max: STARTS.length - 1 }),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  /** Text frame (decoded as UTF-8 by the sender) or binary frame. */
  binary: fc.boolean(),
  /** Where a TCP stream splits the bytes into reads (positions modulo the length). */
  cuts: fc.array(fc.nat(), { maxLength: 3 }),
});
export type FuzzCase = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The header section's lines (after the start line) as [start, end) offsets in `text`. */
function headerLines(text: string): Array<[number, number]> {
  const headEnd = text.indexOf('\r\n\r\n');
  const limit = headEnd === -1 ? text.length : headEnd;
  const out: Array<[number, number]> = [];
  let pos = text.indexOf('\r\n');
  while (pos !== -1 && pos < limit) {
    const start = pos + 2;
    let end = text.indexOf('\r\n', start);
    if (end === -1 || end > limit) end = limit;
    if (end > start) out.push([start, end]);
    pos = end === limit ? -1 : end;
  }
  return out;
}

/** Applies one mutation; latin1 keeps one char per byte, so any byte survives the round trip. */
function apply(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'duplicate-header':
    case 'delete-header':
    case 'huge-value':
    case 'fold': {
      const lines = headerLines(text);
      if (lines.length === 0) return text;
      const [s, e] = lines[m.line % lines.length] as [number, number];
      const line = text.slice(s, e);
      if (m.kind === 'duplicate-header') return `${text.slice(0, e)}\r\n${line}${text.slice(e)}`;
      if (m.kind === 'delete-header') return text.slice(0, s) + text.slice(e + 2);
      if (m.kind === 'fold') {
        const sp = line.indexOf(' ', line.indexOf(':') + 2);
        if (sp === -1) return text;
        return `${text.slice(0, s + sp)}\r\n   ${text.slice(s + sp + 1)}`;
      }
      const fill = Buffer.from(m.fill.repeat(m.size), 'utf8').toString('latin1');
      return text.slice(0, e) + fill + text.slice(e);
    }
    case 'content-length':
    case 'content-length-delta': {
      const match = /\r\n(Content-Length|l) *: *([^\r\n]*)/i.exec(text);
      if (!match) return text;
      const value =
        m.kind === 'content-length' ? m.value : String(Math.max(0, Number(match[2]) + m.delta));
      const at = match.index + match[0].length - (match[2] ?? '').length;
      return text.slice(0, at) + value + text.slice(match.index + match[0].length);
    }
    case 'insert-bytes': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + String.fromCharCode(...m.bytes) + text.slice(at);
    }
    case 'line-end': {
      const ends: number[] = [];
      for (let i = text.indexOf('\r\n'); i !== -1; i = text.indexOf('\r\n', i + 2)) ends.push(i);
      if (ends.length === 0) return text;
      const at = ends[m.which % ends.length] as number;
      return text.slice(0, at) + m.to + text.slice(at + 2);
    }
    case 'all-lf': {
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd === -1) return text.replaceAll('\r\n', '\n');
      return text.slice(0, headEnd + 4).replaceAll('\r\n', '\n') + text.slice(headEnd + 4);
    }
  }
}

/** The mutated bytes of a case. */
export function mutate(c: FuzzCase): Buffer {
  let text = (STARTS[c.base] as { bytes: Buffer }).bytes.toString('latin1');
  for (const m of c.mutations) text = apply(text, m);
  return Buffer.from(text, 'latin1');
}

/** A WebSocket double for the transport: frames in with `receive`, frames out in `sent`. */
class FakeSocket extends EventEmitter implements SipWebSocket {
  readyState = 1;
  readonly sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.readyState = 3;
    this.emit('close', code ?? 1005, Buffer.alloc(0));
  }
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER, REGISTER';

/** Every property `data` broke on its way through the parser and the transport; [] is a pass. */
export interface FuzzOutcome {
  problems: string[];
  /** What became of it: `accepted`, `refused <status>`, `dropped`, `garbage`. */
  verdict: string;
  /** Milliseconds for the parser step and the transport step together. */
  ms: number;
}

/**
 * One message through both paths. Parser: returns a message or throws SipParseError, nothing
 * else; an accepted message serializes to something that parses again, and an accepted request
 * passes the core's request checks without throwing. Transport: nothing escapes to onError;
 * every answer is a well-framed 4xx/5xx response, which parses back whenever the request did.
 */
export function fuzzOne(data: Buffer, binary: boolean, cuts: readonly number[] = []): FuzzOutcome {
  const problems: string[] = [];
  const t0 = performance.now();
  let verdict = 'accepted';
  const text = data.toString('utf8');
  let accepted: SipRequest | SipResponse | undefined;
  try {
    accepted = parseMessage(text);
  } catch (error) {
    if (error instanceof SipParseError) {
      verdict = error.kind === 'request' ? `refused ${error.status}` : error.kind;
      if (error.kind === 'request' && error.partial) {
        const answer = safe(problems, 'error answer', () =>
          createResponse(error.partial as SipRequest, error.status, error.reason).toString(),
        );
        const framing = answer === undefined ? undefined : framingProblem(answer);
        if (framing) problems.push(`error answer: ${framing}`);
      }
      // What the UDP and TCP transports send: the Via stamped with received/rport, 413 → 513.
      const shared = safe(problems, 'parseErrorAnswer', () =>
        parseErrorAnswer(error, 513, { address: '192.0.2.7', port: 5060 }),
      );
      if (shared !== undefined) {
        const framing = framingProblem(shared);
        if (framing) problems.push(`parseErrorAnswer: ${framing}`);
      }
    } else {
      problems.push(`parser threw ${describe(error)}`);
    }
  }
  if (accepted) {
    const msg = accepted;
    const wire = safe(problems, 'serialize', () => msg.toString());
    if (wire !== undefined)
      safe(problems, 'reparse of the serialized message', () => parseMessage(wire));
    if (msg.type === 'request') {
      safe(problems, 'request checks', () => checkRequest(msg, { allow: ALLOW })?.toString());
    }
  }

  // The transport's receive path, with the router's request checks behind it.
  const socket = new FakeSocket();
  const errors: unknown[] = [];
  // Frames above 64 KiB are refused by the transport even when the parser alone would take them.
  let delivered = false;
  const transport = new WsTransport({
    onMessage: (msg: SipRequest | SipResponse, flow: Flow) => {
      delivered = true;
      if (msg.type !== 'request' || msg.method === 'ACK') return;
      const refusal = checkRequest(msg, { allow: ALLOW });
      if (refusal) flow.send(refusal.toString());
    },
    onError: (error) => errors.push(error),
  });
  transport.handleConnection(socket, { socket: { remoteAddress: '192.0.2.7', remotePort: 5 } });
  try {
    socket.emit('message', binary ? data : Buffer.from(text, 'utf8'), binary);
  } catch (error) {
    problems.push(`transport threw ${describe(error)}`);
  }
  for (const error of errors) problems.push(`transport reported ${describe(error)}`);
  for (const frame of socket.sent) {
    if (frame === '\r\n') continue; // keep-alive pong
    const framing = framingProblem(frame);
    if (framing) {
      problems.push(`answer: ${framing}`);
      continue;
    }
    const status = Number(frame.slice(8, 11));
    if (status < 400 || status > 599) problems.push(`answer status ${status}`);
    if (delivered) {
      try {
        parseMessage(frame);
      } catch (error) {
        problems.push(`answer to an accepted request does not parse: ${describe(error)}`);
      }
    }
  }
  streamPath(problems, data, cuts);
  if (!accepted && verdict === 'accepted') verdict = 'dropped';
  return { problems, verdict, ms: performance.now() - t0 };
}

const STREAM_LIMIT = 64 * 1024;

/**
 * The TCP path: the bytes arrive in reads cut at `cuts`; the framer never throws, never holds
 * more than its limit, and every message it cuts out parses or is refused with SipParseError.
 */
function streamPath(problems: string[], data: Buffer, cuts: readonly number[]): void {
  const framer = new SipStreamFramer(STREAM_LIMIT);
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, data.length]) {
    const frames = safe(problems, 'stream framer', () => framer.push(data.subarray(from, to)));
    from = to;
    if (frames === undefined) return;
    if (framer.pending > STREAM_LIMIT) problems.push(`stream framer holds ${framer.pending} bytes`);
    for (const frame of frames) {
      if (frame.kind === 'fatal' && frame.status !== 400 && frame.status !== 513) {
        problems.push(`stream framer fatal ${frame.status}`);
      }
      if (frame.kind !== 'message') continue;
      try {
        parseMessage(frame.data.toString('utf8'));
      } catch (error) {
        if (!(error instanceof SipParseError)) {
          problems.push(`parser threw on a stream frame ${describe(error)}`);
        }
      }
    }
  }
}

function safe<T>(problems: string[], what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    problems.push(`${what} threw ${describe(error)}`);
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
