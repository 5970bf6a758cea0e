import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../../src/server/sip/errors';
import { parseDigest } from '../../../src/server/sip/digest';
import { unquote } from '../../../src/server/sip/grammar';
import { createResponse } from '../../../src/server/sip/helpers';
import type { SipRequest } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import { CRLF, INVITE, REGISTER, RINGING, SDP, parseRequest, parseResponse } from './messages';

/** Runs `fn`, expecting a SipParseError, and returns it. */
function parseError(text: string, options?: Parameters<typeof parseMessage>[1]): SipParseError {
  try {
    parseMessage(text, options);
  } catch (error) {
    if (error instanceof SipParseError) return error;
    throw error;
  }
  throw new Error('expected a SipParseError');
}

const OPTIONS_LINES = [
  'OPTIONS sip:200@sentral.example SIP/2.0',
  'Via: SIP/2.0/WS a.invalid;branch=z9hG4bKopt1',
  'From: <sip:101@sentral.example>;tag=1',
  'To: <sip:200@sentral.example>',
  'Call-ID: opt-1',
  'CSeq: 5 OPTIONS',
  'Max-Forwards: 70',
];

/** OPTIONS_LINES with `replace` applied (a null value drops the line), then an empty body. */
function options(replace: Record<string, string | null> = {}, extra: string[] = []): string {
  const lines = OPTIONS_LINES.flatMap((line) => {
    const name = line.slice(0, line.indexOf(':'));
    if (!(name in replace)) return [line];
    const value = replace[name];
    return value === null || value === undefined ? [] : [value];
  });
  return [...lines, ...extra, '', ''].join(CRLF);
}

describe('parsing and serializing', () => {
  it('a SIP.js INVITE over WebSocket exposes every header the core uses', () => {
    const req = parseRequest(INVITE);
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:200@sentral.example');
    expect(req.parsedUri.user).toBe('200');
    expect(req.parsedUri.host).toBe('sentral.example');
    expect(req.callId).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(req.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(req.from.displayName).toBe('Anna Operator');
    expect(req.from.tag).toBe('0k3u6kpf2h');
    expect(req.to.tag).toBeUndefined();
    expect(req.to.uri.toString()).toBe('sip:200@sentral.example');
    expect(req.vias).toHaveLength(1);
    expect(req.topVia?.transport).toBe('WSS');
    expect(req.topVia?.host).toBe('9b7lq2bkh2sm.invalid');
    expect(req.topVia?.branch).toBe('z9hG4bK2315842');
    expect(req.maxForwards).toBe(70);
    expect(req.contacts[0]?.uri.params.get('transport')).toBe('ws');
    expect(req.contacts[0]?.uri.params.get('ob')).toBeNull();
    expect(req.getAll('Allow')).toHaveLength(9);
    expect(req.contentType).toBe('application/sdp');
    expect(req.body).toBe(SDP);
    expect(req.contentLength).toBe(Buffer.byteLength(SDP));
  });

  it('an INVITE serializes back to exactly the bytes it was parsed from', () => {
    expect(parseMessage(INVITE).toString()).toBe(INVITE);
  });

  it('a REGISTER with Authorization round-trips and its Contact parameters are readable', () => {
    const req = parseRequest(REGISTER);
    expect(req.toString()).toBe(REGISTER);
    const contact = req.contacts[0];
    expect(contact?.params.get('expires')).toBe('600');
    expect(contact?.params.get('reg-id')).toBe('1');
    expect(contact?.params.get('+sip.ice')).toBeNull();
    expect(unquote(contact?.params.get('+sip.instance') ?? '')).toBe(
      '<urn:uuid:2f5f2f68-9e1c-4d0c-b3c5-4e3e8a7a9c11>',
    );
    expect(req.getAll('Authorization')).toHaveLength(1);
    const auth = parseDigest(req.get('Authorization') ?? '');
    expect(auth.scheme).toBe('Digest');
    expect(auth['username']).toBe('101');
    expect(auth['nc']).toBe('00000001');
    expect(req.getAll('Supported')).toEqual(['path', 'gruu', 'outbound']);
  });

  it('a provisional response round-trips and its Record-Route splits into routes', () => {
    const res = parseResponse(RINGING);
    expect(res.toString()).toBe(RINGING);
    expect(res.status).toBe(180);
    expect(res.reason).toBe('Ringing');
    expect(res.to.tag).toBe('8ad9e7');
    expect(res.getAll('Record-Route')).toEqual([
      '<sip:edge.sentral.example;transport=ws;lr>',
      '<sip:core.sentral.example;lr>',
    ]);
    expect(res.topVia?.received).toBe('192.0.2.7');
    expect(res.topVia?.rport).toBe(51000);
  });

  it('compact header forms resolve to their long names and serialize long', () => {
    const text = [
      'SUBSCRIBE sip:200@sentral.example SIP/2.0',
      'v: SIP/2.0/WS a.invalid;branch=z9hG4bKc1',
      'f: <sip:101@sentral.example>;tag=1',
      't: <sip:200@sentral.example>',
      'i: compact-1',
      'CSeq: 1 SUBSCRIBE',
      'm: <sip:101@a.invalid;transport=ws>',
      'k: replaces',
      's: hello',
      'e: gzip',
      'o: dialog',
      'r: <sip:300@sentral.example>',
      'b: <sip:101@sentral.example>',
      'x: 1800',
      'u: presence',
      'c: text/plain',
      'l: 2',
      '',
      'hi',
    ].join(CRLF);
    const req = parseRequest(text);
    expect(req.topVia?.branch).toBe('z9hG4bKc1');
    expect(req.from.tag).toBe('1');
    expect(req.callId).toBe('compact-1');
    expect(req.contacts).toHaveLength(1);
    expect(req.get('Supported')).toBe('replaces');
    expect(req.get('Subject')).toBe('hello');
    expect(req.get('Content-Encoding')).toBe('gzip');
    expect(req.get('Event')).toBe('dialog');
    expect(req.get('Refer-To')).toBe('<sip:300@sentral.example>');
    expect(req.get('Referred-By')).toBe('<sip:101@sentral.example>');
    expect(req.get('Session-Expires')).toBe('1800');
    expect(req.get('Allow-Events')).toBe('presence');
    expect(req.get('Content-Type')).toBe('text/plain');
    expect(req.body).toBe('hi');
    const out = req.toString();
    expect(out).toContain('\r\nCall-ID: compact-1\r\n');
    expect(out).toContain('\r\nAllow-Events: presence\r\n');
    expect(out).toContain('\r\nContent-Length: 2\r\n');
    expect(out).not.toMatch(/\r\n[a-z]: /);
  });

  it('header names match whatever their case', () => {
    const req = parseRequest(INVITE.replace('Call-ID:', 'cALL-iD:').replace('CSeq:', 'CSEQ:'));
    expect(req.get('call-id')).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(req.get('I')).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(req.cseq.seq).toBe(1);
  });

  it('an INVITE with folded headers parses to the same message as the unfolded one', () => {
    const folded = INVITE.replace(
      'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842',
      'Via: SIP/2.0/WSS\r\n 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842',
    )
      .replace('From: "Anna Operator" <sip:101', 'From:\r\n\t"Anna Operator"\r\n    <sip:101')
      .replace('Allow: ACK,CANCEL,INVITE,', 'Allow: ACK,CANCEL,INVITE,\r\n  ')
      .replace('CSeq: 1 INVITE', 'CSeq: 1\r\n INVITE');
    expect(folded).not.toBe(INVITE);
    const a = parseRequest(folded);
    const b = parseRequest(INVITE);
    expect(a.topVia?.branch).toBe(b.topVia?.branch);
    expect(a.from.displayName).toBe(b.from.displayName);
    expect(a.getAll('Allow')).toEqual(b.getAll('Allow'));
    expect(a.cseq).toEqual(b.cseq);
    expect(a.body).toBe(b.body);
    expect(a.entries().map(([n]) => n)).toEqual(b.entries().map(([n]) => n));
  });

  it('list headers split at commas, but not inside quoted strings or angle brackets', () => {
    const text = options({}, [
      'Contact: "Doe, John" <sip:doe,john@a.example;x=1>;q=0.5, <sip:jane@b.example>',
      'Contact: sip:third@c.example',
      'Via: SIP/2.0/TCP p1.example;branch=z9hG4bKp1, SIP/2.0/TCP p2.example:5070;branch=z9hG4bKp2',
      'Route: <sip:r1.example;lr>,<sip:r2.example;lr>',
      'Route: <sip:r3.example;lr>',
      'Warning: 399 host "one, two"',
    ]);
    const req = parseRequest(text);
    const contacts = req.contacts;
    expect(contacts.map((c) => c.displayName ?? null)).toEqual(['Doe, John', null, null]);
    expect(contacts[0]?.uri.user).toBe('doe,john');
    expect(contacts[0]?.params.get('q')).toBe('0.5');
    expect(req.vias.map((v) => v.host)).toEqual(['a.invalid', 'p1.example', 'p2.example']);
    expect(req.vias[2]?.port).toBe(5070);
    expect(req.getAll('Route')).toEqual([
      '<sip:r1.example;lr>',
      '<sip:r2.example;lr>',
      '<sip:r3.example;lr>',
    ]);
    expect(req.getAll('Warning')).toEqual(['399 host "one, two"']);
    expect(req.get('Route')).toBe('<sip:r1.example;lr>');
  });

  it('a body longer than Content-Length is cut to it (the rest of a frame is ignored)', () => {
    const req = parseRequest(INVITE + 'garbage after the body');
    expect(req.body).toBe(SDP);
  });

  it('a body shorter than Content-Length is refused with 400', () => {
    const error = parseError(INVITE.slice(0, -10));
    expect(error.kind).toBe('request');
    expect(error.status).toBe(400);
    expect(error.partial?.callId).toBe('5pmle7c9n4pkq0d3cqq1');
  });

  it('without Content-Length the rest of the frame is the body', () => {
    const req = parseRequest(
      options({}, ['Content-Type: text/plain']).slice(0, -2) + CRLF + 'free text',
    );
    expect(req.body).toBe('free text');
  });

  it('Content-Length counts UTF-8 bytes, in and out', () => {
    const body = 'Grüße, Jörg 👋';
    const bytes = Buffer.byteLength(body);
    expect(bytes).toBeGreaterThan(body.length);
    const text = options({}, ['Content-Type: text/plain', `Content-Length: ${bytes}`]) + body;
    const req = parseRequest(text);
    expect(req.body).toBe(body);
    expect(req.contentLength).toBe(bytes);
    expect(req.toString()).toContain(`Content-Length: ${bytes}\r\n`);
    const cut = parseRequest(options({}, ['Content-Length: 4']) + body);
    expect(cut.body).toBe('Grü');
  });

  it('serializing recomputes Content-Length after the body changes', () => {
    const req = parseRequest(INVITE);
    req.body = 'v=0\r\n';
    const out = req.toString();
    expect(out).toContain('\r\nContent-Length: 5\r\n');
    expect(out.endsWith('\r\n\r\nv=0\r\n')).toBe(true);
    expect(out.match(/Content-Length/g)).toHaveLength(1);
  });

  it('line ends before the start line are skipped', () => {
    expect(parseRequest('\r\n\r\n' + INVITE).method).toBe('INVITE');
  });

  it('a message with bare LF line ends still parses', () => {
    const req = parseRequest(options().replace(/\r\n/g, '\n'));
    expect(req.callId).toBe('opt-1');
    expect(req.toString()).toContain('\r\nCall-ID: opt-1\r\n');
  });

  it('a header without a value is kept as an empty string', () => {
    const req = parseRequest(options({}, ['Subject:']));
    expect(req.get('Subject')).toBe('');
    expect(req.has('Subject')).toBe(true);
  });

  it('Max-Forwards may be absent', () => {
    expect(parseRequest(options({ 'Max-Forwards': null })).maxForwards).toBeUndefined();
  });
});

describe('refusing malformed messages', () => {
  it.each([
    ['Via', 'Missing Via'],
    ['From', 'Missing From'],
    ['To', 'Missing To'],
    ['Call-ID', 'Missing Call-ID'],
    ['CSeq', 'Missing CSeq'],
  ])('a request without %s is a 400 "%s"', (header, reason) => {
    const error = parseError(options({ [header]: null }));
    expect(error.kind).toBe('request');
    expect(error.status).toBe(400);
    expect(error.reason).toBe(reason);
    expect(error.partial?.has(header)).toBe(false);
  });

  it('a CSeq method that differs from the request method is a 400', () => {
    const error = parseError(options({ CSeq: 'CSeq: 5 INVITE' }));
    expect(error.status).toBe(400);
    expect(error.reason).toBe('CSeq method does not match');
  });

  it('a CSeq number of 2**31 or more is a 400', () => {
    expect(parseError(options({ CSeq: 'CSeq: 2147483648 OPTIONS' })).status).toBe(400);
    expect(parseRequest(options({ CSeq: 'CSeq: 2147483647 OPTIONS' })).cseq.seq).toBe(2147483647);
  });

  it('a Max-Forwards above 255 or not a number is a 400', () => {
    expect(parseError(options({ 'Max-Forwards': 'Max-Forwards: 256' })).reason).toBe(
      'Bad Max-Forwards',
    );
    expect(parseError(options({ 'Max-Forwards': 'Max-Forwards: ten' })).status).toBe(400);
  });

  it('a SIP version other than 2.0 is a 505', () => {
    const error = parseError(options().replace('SIP/2.0\r\n', 'SIP/3.0\r\n'));
    expect(error.status).toBe(505);
    expect(error.kind).toBe('request');
  });

  it('an unsupported Request-URI scheme is a 416, a malformed one a 400', () => {
    expect(
      parseError(options().replace('sip:200@sentral.example', 'mailto:a@b.example')).status,
    ).toBe(416);
    expect(parseError(options().replace('sip:200@sentral.example', 'sip:')).status).toBe(400);
    expect(
      parseRequest(options().replace('sip:200@sentral.example', 'tel:+4722334455')).parsedUri.user,
    ).toBe('+4722334455');
  });

  it('a header line without a colon is a 400', () => {
    expect(parseError(options({}, ['this is not a header'])).reason).toBe('Malformed header line');
  });

  it('a lone LF or CR inside the header section (line ends mixed) is a 400 the partial can answer', () => {
    // Found by the fuzzer: the LF ended up inside a value, and building the 400 then threw.
    for (const mixed of ['Max-Forwards: 70\nX-Next: 1', 'Max-Forwards: 70\rX-Next: 1']) {
      const error = parseError(options({ 'Max-Forwards': mixed }));
      expect([error.status, error.reason]).toEqual([400, 'Malformed header line']);
      expect(error.partial?.has('Max-Forwards')).toBe(false);
      const answer = createResponse(error.partial as SipRequest, error.status, error.reason);
      expect(answer.toString()).toMatch(/^SIP\/2\.0 400 Malformed header line\r\n/);
      expect(answer.get('Call-ID')).toBe('opt-1');
    }
  });

  it('two different Call-IDs are a 400', () => {
    expect(parseError(options({}, ['Call-ID: opt-2'])).reason).toBe('Multiple Call-ID values');
  });

  it('text without a SIP start line is garbage', () => {
    for (const text of [
      'hello world',
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0000\u0001\u0002',
      '   ',
    ]) {
      const error = parseError(text);
      expect(error.kind).toBe('garbage');
      expect(error.partial).toBeUndefined();
    }
  });

  it('a response with a broken header is refused as a response, without partial', () => {
    const error = parseError(RINGING.replace('CSeq: 1 INVITE', 'CSeq: one INVITE'));
    expect(error.kind).toBe('response');
    expect(error.partial).toBeUndefined();
    expect(parseError(RINGING.replace('SIP/2.0 180 Ringing', 'SIP/2.0 18 Ringing')).kind).toBe(
      'response',
    );
  });

  it('a request over the size limit is a 413 whose partial still has the headers', () => {
    const error = parseError(INVITE, { maxSize: 600 });
    expect(error.status).toBe(413);
    expect(error.kind).toBe('request');
    expect(error.partial?.callId).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(parseMessage(INVITE, { maxSize: INVITE.length }).type).toBe('request');
  });

  it('a request cut inside its headers by the size limit keeps only complete header lines', () => {
    const cut = INVITE.indexOf('Call-ID: ') + 12;
    const partial = parseError(INVITE, { maxSize: cut }).partial;
    expect(partial?.get('CSeq')).toBe('1 INVITE');
    expect(partial?.has('Call-ID')).toBe(false);
  });

  it('the partial request keeps Via, From, To, Call-ID and CSeq as received', () => {
    const error = parseError(options({ To: 'To: "unbalanced <sip:200@sentral.example>' }));
    expect(error.reason).toBe('Bad To');
    const partial = error.partial;
    expect(partial?.get('Via')).toBe('SIP/2.0/WS a.invalid;branch=z9hG4bKopt1');
    expect(partial?.get('To')).toBe('"unbalanced <sip:200@sentral.example>');
    expect(partial?.get('CSeq')).toBe('5 OPTIONS');
  });
});
