/**
 * RFC 4475 torture messages (test/fixtures/rfc4475, IETF Trust, simplified
 * BSD licence; see INDEX.md there). Each test asserts what the RFC says a
 * conforming element does with the message.
 */
import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../../src/server/sip/errors';
import { createResponse } from '../../../src/server/sip/helpers';
import type { SipRequest } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import { unescapeUriPart, uriEquals } from '../../../src/server/sip/uri';
import { torture, tortureBytes } from './messages';

function request(name: string): SipRequest {
  const msg = parseMessage(torture(name));
  if (msg.type !== 'request') throw new Error(`${name} is not a request`);
  return msg;
}

function refusal(name: string): SipParseError {
  try {
    parseMessage(torture(name));
  } catch (error) {
    if (error instanceof SipParseError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe('RFC 4475 §3.1.1 valid messages parse', () => {
  it('wsinv: whitespace, folding, odd case and escapes everywhere still give the right values', () => {
    const req = request('wsinv');
    expect(req.method).toBe('INVITE');
    expect(req.parsedUri.params.has('unknownparam')).toBe(true);
    expect(req.to.uri.toString()).toBe('sip:vivekg@chair-dnrc.example.com');
    expect(req.to.tag).toBe('1918181833n');
    expect(req.from.displayName).toBe('J Rosenberg \\"');
    expect(req.from.tag).toBe('98asjd8');
    expect(req.maxForwards).toBe(68);
    expect(req.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(req.vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(req.get('Subject')).toBe('');
    expect(req.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(req.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    expect(req.getAll('Route')).toEqual([
      '<sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
    ]);
    const contact = req.contacts[0];
    expect(contact?.displayName).toBe('Quoted string ""');
    expect([...(contact?.params ?? [])]).toEqual([
      ['newparam', 'newvalue'],
      ['secondparam', null],
      ['q', '0.33'],
    ]);
    expect(req.body).toHaveLength(150);
  });

  it('intmeth: a method and URI made of every legal odd character parse', () => {
    const req = request('intmeth');
    expect(req.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(req.cseq.method).toBe(req.method);
    expect(req.parsedUri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(req.parsedUri.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(req.parsedUri.host).toBe('example.com');
    expect(req.to.displayName).toBe('BEL:\u0007 NUL:\u0000 DEL:\u007f');
    expect(req.from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(req.from.tag).toBe("_token~1'+`*%!-.");
    expect(req.from.params.get("fromparam''~+*_!.-%")).toBe('"работающий"');
    expect(req.callId).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    expect(req.maxForwards).toBe(255);
    // The RFC's value starts with a UTF-8 byte order mark; it is data, not whitespace.
    expect(req.get("extensionHeader-!.%*+_`'~")).toBe('\ufeff大停電');
    expect(req.topVia?.branch).toBe("z9hG4bK-.!%66*_+`'~");
  });

  it('esc01: escaped characters in URIs compare equal to their unescaped form', () => {
    const req = request('esc01');
    expect(req.parsedUri.user).toBe('sips%3Auser%40example.com');
    expect(unescapeUriPart(req.parsedUri.user ?? '')).toBe('sips:user@example.com');
    expect(uriEquals(req.to.uri, 'sip:user@example.com')).toBe(true);
    expect(unescapeUriPart(req.from.uri.user ?? '')).toBe('I have spaces');
    const contact = req.contacts[0]?.uri;
    expect(uriEquals(contact ?? '', 'sip:caller@host5.example.net;lr;name=value%41')).toBe(true);
  });

  it('escnull: escaped NULs in URIs are legal and survive unescaping', () => {
    const req = request('escnull');
    expect(req.method).toBe('REGISTER');
    expect(unescapeUriPart(req.to.uri.user ?? '')).toBe('null-\u0000-null');
    expect(req.contacts.map((c) => unescapeUriPart(c.uri.user ?? ''))).toEqual([
      '\u0000',
      '\u0000\u0000',
    ]);
  });

  it('lwsdisp: a token display name directly followed by < parses', () => {
    const req = request('lwsdisp');
    expect(req.from.displayName).toBe('caller');
    expect(req.from.tag).toBe('323');
  });

  it('unreason: a UTF-8 reason phrase full of symbols is kept as text', () => {
    const res = parseMessage(torture('unreason'));
    expect(res.type).toBe('response');
    if (res.type !== 'response') return;
    expect(res.status).toBe(200);
    expect(res.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    expect(res.body).toHaveLength(154);
  });

  it('noreason: an empty reason phrase is allowed', () => {
    const res = parseMessage(torture('noreason'));
    expect(res.type === 'response' && res.reason).toBe('');
  });

  it('dblreq: of two requests in one datagram only the first (with Content-Length 0) counts', () => {
    const req = request('dblreq');
    expect(req.method).toBe('REGISTER');
    expect(req.callId).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412');
    expect(req.body).toBe('');
  });

  it('mpart01: a binary multipart body is read octet for octet', () => {
    const msg = parseMessage(tortureBytes('mpart01'), { encoding: 'latin1' });
    expect(msg.type).toBe('request');
    expect(msg.body).toHaveLength(553);
    expect(msg.contentType).toBe('multipart/mixed;boundary=7a9cbec02ceef655');
    expect(msg.body.startsWith('--7a9cbec02ceef655\r\n')).toBe(true);
    expect(msg.body.endsWith('--7a9cbec02ceef655--\r\n')).toBe(true);
  });

  it('longreq: very long values and 34 Via lines in every spelling parse', () => {
    const req = request('longreq');
    expect(req.vias).toHaveLength(34);
    expect(req.vias.at(-1)?.received).toBe('192.0.2.5');
    expect(req.to.displayName?.length).toBeGreaterThan(100);
    expect(req.body).toHaveLength(150);
  });

  it('semiuri: a ; in the user part and a folded Accept list parse', () => {
    const req = request('semiuri');
    expect(req.parsedUri.user).toBe('user;par=u%40example.net');
    expect(req.parsedUri.host).toBe('example.com');
    expect(req.parsedUri.params.size).toBe(0);
    expect(req.getAll('Accept')).toHaveLength(6);
  });

  it('transports: Via transports are kept whatever they are', () => {
    expect(request('transports').vias.map((v) => v.transport)).toEqual([
      'UDP',
      'SCTP',
      'TLS',
      'UNKNOWN',
      'TCP',
    ]);
  });

  it('esc02: escapes in the method and header names are just characters', () => {
    const req = request('esc02');
    expect(req.method).toBe('RE%47IST%45R');
    expect(req.getAll('Contact')).toHaveLength(2);
    expect(req.getAll('C%6Fntact')).toHaveLength(1);
  });
});

describe('RFC 4475 §3.1.2 invalid messages are refused, never half-processed', () => {
  it.each([
    ['badinv01', 400, 'Bad Via'],
    ['clerr', 400, 'Body shorter than Content-Length'],
    ['ltgtruri', 400, 'Bad Request-URI'],
    ['lwsruri', 400, 'Malformed Request-Line'],
    ['lwsstart', 400, 'Malformed Request-Line'],
    ['trws', 400, 'Malformed Request-Line'],
    ['escruri', 400, 'Bad Request-URI'],
    ['mismatch01', 400, 'CSeq method does not match'],
    ['mismatch02', 400, 'CSeq method does not match'],
    ['badaspec', 400, 'Bad To'],
    ['baddn', 400, 'Bad From'],
    ['quotbal', 400, 'Bad To'],
    ['regbadct', 400, 'Bad Contact'],
    ['scalar02', 400, 'Bad CSeq'],
    ['mcl01', 400, 'Multiple Content-Length values'],
    ['multi01', 400, 'Multiple CSeq values'],
    ['insuf', 400, 'Missing From'],
    ['badvers', 505, 'Version Not Supported'],
    ['unkscm', 416, 'Unsupported URI Scheme'],
    ['novelsc', 416, 'Unsupported URI Scheme'],
  ])('%s: a request answered %i (%s)', (name, status, reason) => {
    const error = refusal(name);
    expect(error.kind).toBe('request');
    expect(error.status).toBe(status);
    expect(error.reason).toBe(reason);
    expect(error.partial).toBeDefined();
  });

  it.each(['scalarlg', 'bigcode'])(
    '%s: a malformed response is refused as a response (dropped)',
    (name) => {
      const error = refusal(name);
      expect(error.kind).toBe('response');
      expect(error.partial).toBeUndefined();
    },
  );

  it('badvers: the 505 can be built from the partial request with its headers copied', () => {
    const error = refusal('badvers');
    const partial = error.partial;
    if (!partial) throw new Error('no partial');
    const res = createResponse(partial, error.status, error.reason);
    expect(res.status).toBe(505);
    expect(res.get('Via')).toBe('SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw');
    expect(res.get('Call-ID')).toBe('badvers.31417@c.example.com');
    expect(res.get('CSeq')).toBe('1 OPTIONS');
    expect(res.to.tag).toBeDefined();
  });

  it('insuf: without From, To and Call-ID the partial cannot carry a usable response', () => {
    const partial = refusal('insuf').partial;
    expect(partial?.has('From')).toBe(false);
    expect(partial?.has('To')).toBe(false);
    expect(partial?.has('Call-ID')).toBe(false);
    expect(partial?.get('CSeq')).toBe('193942 INVITE');
  });
});

describe('RFC 4475 §3.3/3.4 application-layer messages parse so the TU can decide', () => {
  it.each([
    'unksm2',
    'bext01',
    'invut',
    'regaut01',
    'zeromf',
    'cparam01',
    'cparam02',
    'regescrt',
    'sdp01',
    'inv2543',
    'badbranch',
    'baddate',
    'bcast',
  ])('%s parses, with its own Call-ID and CSeq', (name) => {
    const msg = parseMessage(torture(name));
    expect(msg.callId.startsWith(`${name}.`)).toBe(true);
    expect(msg.type).toBe(name === 'bcast' ? 'response' : 'request');
    if (msg.type === 'request') expect(msg.cseq.method).toBe(msg.method);
  });

  it('zeromf: Max-Forwards 0 is readable, so the TU can answer 483', () => {
    expect(request('zeromf').maxForwards).toBe(0);
  });

  it('cparam01/cparam02: a parameter outside <> belongs to the Contact, inside to the URI', () => {
    expect(request('cparam01').contacts[0]?.params.has('unknownparam')).toBe(true);
    expect(request('cparam01').contacts[0]?.uri.params.has('unknownparam')).toBe(false);
    expect(request('cparam02').contacts[0]?.uri.params.has('unknownparam')).toBe(true);
  });

  it('bext01: the Require list is readable, so the TU can answer 420 with Unsupported', () => {
    expect(request('bext01').getAll('Require')).toEqual([
      'nothingSupportsThis',
      'nothingSupportsThisEither',
    ]);
  });

  it('unksm2: unknown schemes in To, From and Contact are kept opaque', () => {
    const req = request('unksm2');
    expect(req.to.uri.scheme).toBe('isbn');
    expect(req.to.uri.opaque).toBe('2983792873');
    expect(req.from.uri.scheme).toBe('http');
    expect(req.contacts[0]?.uri.toString()).toBe('name:John_Smith');
  });

  it('regescrt: an escaped Route header inside a Contact URI stays in the URI', () => {
    expect(request('regescrt').contacts[0]?.uri.headers.get('Route')).toBe(
      '%3Csip:sip.example.com%3E',
    );
  });

  it('inv2543: an RFC 2543 INVITE without branch, Max-Forwards or Content-Length is accepted', () => {
    const req = request('inv2543');
    expect(req.topVia?.branch).toBeUndefined();
    expect(req.maxForwards).toBeUndefined();
    expect(req.body.startsWith('v=0')).toBe(true);
  });
});
