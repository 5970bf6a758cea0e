import { describe, expect, it } from 'vitest';
import {
  SUPPORTED_OPTION_TAGS,
  checkRequest,
  rejectInvalidRequest,
  unsupportedTags,
} from '../../../src/server/core/request-checks';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';
const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n';

/** A request from its start line, extra header lines and body; the usual headers added. */
function request(
  start: string,
  extra: string[] = [],
  body = '',
  opts: { toTag?: boolean } = {},
): SipRequest {
  const method = start.split(' ')[0] ?? '';
  const lines = [
    start,
    'Via: SIP/2.0/WSS client.invalid;branch=z9hG4bKcheck1',
    'From: <sip:ida@sentral.example>;tag=f1',
    `To: <sip:200@sentral.example>${opts.toTag ? ';tag=t1' : ''}`,
    'Call-ID: checks-1',
    `CSeq: 1 ${method}`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  const msg = parseMessage(lines.join('\r\n'));
  if (msg.type !== 'request') throw new Error('not a request');
  return msg;
}

const check = (req: SipRequest) => checkRequest(req, { allow: ALLOW });
const INVITE = 'INVITE sip:200@sentral.example SIP/2.0';

describe('request checks before routing', () => {
  it('lets an ordinary INVITE with SDP, Supported and Max-Forwards 70 through', () => {
    const req = request(
      INVITE,
      ['Max-Forwards: 70', 'Supported: replaces, outbound', 'Content-Type: application/sdp'],
      SDP,
    );
    expect(check(req)).toBeUndefined();
  });

  it('never answers ACK or CANCEL, whatever they carry', () => {
    expect(check(request('ACK sip:200@sentral.example SIP/2.0', ['Max-Forwards: 0']))).toBe(
      undefined,
    );
    expect(check(request('CANCEL sip:200@sentral.example SIP/2.0', ['Require: foo']))).toBe(
      undefined,
    );
  });

  describe('483 Too Many Hops', () => {
    it('answers an out-of-dialog INVITE with Max-Forwards 0', () => {
      const res = check(request(INVITE, ['Max-Forwards: 0']));
      expect([res?.status, res?.reason]).toEqual([483, 'Too Many Hops']);
    });

    it('answers an OPTIONS for a user with Max-Forwards 0 (RFC 4475 zeromf)', () => {
      expect(
        check(request('OPTIONS sip:user@example.com SIP/2.0', ['Max-Forwards: 0']))?.status,
      ).toBe(483);
    });

    it('lets an OPTIONS to the core itself through at Max-Forwards 0 (it is the final recipient)', () => {
      expect(check(request('OPTIONS sip:sentral.example SIP/2.0', ['Max-Forwards: 0']))).toBe(
        undefined,
      );
    });

    it('lets an in-dialog BYE through at Max-Forwards 0 (the core is the dialog UAS)', () => {
      const bye = request('BYE sip:200@sentral.example SIP/2.0', ['Max-Forwards: 0'], '', {
        toTag: true,
      });
      expect(check(bye)).toBeUndefined();
    });

    it('lets Max-Forwards 1 and a missing Max-Forwards (RFC 2543) through', () => {
      expect(check(request(INVITE, ['Max-Forwards: 1']))).toBeUndefined();
      expect(check(request(INVITE))).toBeUndefined();
    });
  });

  describe('420 Bad Extension', () => {
    it('lists every unknown Require tag in Unsupported, in order, each once', () => {
      const res = check(
        request('OPTIONS sip:user@example.com SIP/2.0', [
          'Require: nothingSupportsThis, outbound',
          'Require: nothingSupportsThisEither, nothingSupportsThis',
        ]),
      );
      expect(res?.status).toBe(420);
      expect(res?.reason).toBe('Bad Extension');
      expect(res?.toString()).toContain(
        '\r\nUnsupported: nothingSupportsThis, nothingSupportsThisEither\r\n',
      );
      expect(res?.getAll('Unsupported')).toEqual([
        'nothingSupportsThis',
        'nothingSupportsThisEither',
      ]);
    });

    it('refuses 100rel, replaces and path in Require until they are implemented', () => {
      for (const tag of ['100rel', 'replaces', 'path', 'gruu']) {
        const res = check(request(INVITE, [`Require: ${tag}`]));
        expect([res?.status, res?.get('Unsupported')]).toEqual([420, tag]);
      }
    });

    it('accepts the tags it supports, in any case', () => {
      expect(SUPPORTED_OPTION_TAGS).toEqual(['outbound', 'timer']);
      expect(check(request(INVITE, ['Require: Outbound']))).toBeUndefined();
      expect(check(request(INVITE, ['Require: timer']))).toBeUndefined();
      expect(unsupportedTags(['outbound', 'OUTBOUND', ''])).toEqual([]);
    });

    it('refuses a session interval below Min-SE with 422 and Min-SE: 90 (RFC 4028 §9)', () => {
      const res = check(request(INVITE, ['Supported: timer', 'Session-Expires: 89;refresher=uac']));
      expect([res?.status, res?.reason, res?.get('Min-SE')]).toEqual([
        422,
        'Session Interval Too Small',
        '90',
      ]);
      expect(check(request(INVITE, ['Session-Expires: 90']))).toBeUndefined();
    });

    it('ignores Proxy-Require: the core answers as a UAS (RFC 3261 §8.2.2.3)', () => {
      expect(check(request(INVITE, ['Proxy-Require: noProxiesSupportThis']))).toBeUndefined();
    });
  });

  describe('415 Unsupported Media Type', () => {
    it('answers an INVITE with an unknown body type, with Accept: application/sdp', () => {
      const res = check(request(INVITE, ['Content-Type: application/unknownformat'], '<audio/>'));
      expect([res?.status, res?.reason]).toEqual([415, 'Unsupported Media Type']);
      expect(res?.get('Accept')).toBe('application/sdp');
    });

    it('answers a compressed INVITE body with Accept-Encoding: identity', () => {
      const res = check(
        request(INVITE, ['Content-Type: application/sdp', 'Content-Encoding: gzip'], SDP),
      );
      expect(res?.status).toBe(415);
      expect(res?.get('Accept-Encoding')).toBe('identity');
    });

    it('accepts SDP with parameters, in any case, and an INVITE without a body', () => {
      expect(
        check(request(INVITE, ['Content-Type: Application/SDP; charset=utf-8'], SDP)),
      ).toBeUndefined();
      expect(check(request(INVITE, ['Content-Type: application/sdp']))).toBeUndefined();
    });

    it('leaves other methods’ bodies to their handlers', () => {
      const msg = request(
        'MESSAGE sip:200@sentral.example SIP/2.0',
        ['Content-Type: text/plain'],
        'hello',
      );
      expect(check(msg)).toBeUndefined();
    });
  });

  describe('406 Not Acceptable', () => {
    it('answers an INVITE whose Accept leaves out SDP, with Warning 399 (RFC 4475 sdp01)', () => {
      const res = check(
        request(INVITE, ['Accept: text/nobodyKnowsThis', 'Content-Type: application/sdp'], SDP),
      );
      expect([res?.status, res?.reason]).toEqual([406, 'Not Acceptable']);
      expect(res?.get('Warning')).toMatch(/^399 sentral "/);
    });

    it('accepts application/sdp, application/* and */* among the ranges, and an empty Accept', () => {
      for (const accept of ['text/plain, application/sdp;level=1', 'application/*', '*/*', '']) {
        expect(check(request(INVITE, [`Accept: ${accept}`]))).toBeUndefined();
      }
    });
  });

  describe('400 Bad Request', () => {
    it('answers a repeated single-valued header by its name', () => {
      const res = check(
        request(INVITE, ['Content-Type: application/sdp', 'c: application/sdp'], SDP),
      );
      expect([res?.status, res?.reason]).toEqual([400, 'Multiple Content-Type values']);
      expect(check(request(INVITE, ['Expires: 60', 'Expires: 60']))?.reason).toBe(
        'Multiple Expires values',
      );
    });

    it('answers a body without Content-Type', () => {
      const res = check(request(INVITE, [], SDP));
      expect([res?.status, res?.reason]).toEqual([400, 'Missing Content-Type']);
    });

    it('answers a REGISTER whose To is not a SIP address of record (RFC 4475 unksm2)', () => {
      const lines = [
        'REGISTER sip:example.com SIP/2.0',
        'To: isbn:2983792873',
        'From: <http://www.example.com>;tag=3234233',
        'Call-ID: unksm2-like',
        'CSeq: 1 REGISTER',
        'Via: SIP/2.0/WSS client.invalid;branch=z9hG4bKcheck2',
        'Contact: <name:John_Smith>',
        'l: 0',
        '',
        '',
      ];
      const req = parseMessage(lines.join('\r\n')) as SipRequest;
      const res = check(req);
      expect([res?.status, res?.reason]).toEqual([400, 'To Is Not a SIP Address of Record']);
    });
  });

  describe('501 Not Implemented', () => {
    it('answers a method the core does not know, with Allow', () => {
      const res = check(request('RE%47IST%45R sip:sentral.example SIP/2.0'));
      expect([res?.status, res?.reason]).toEqual([501, 'Not Implemented']);
      expect(res?.get('Allow')).toBe('INVITE');
      expect(res?.getAll('Allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS']);
    });

    it('leaves known methods (SUBSCRIBE, PUBLISH, PRACK) to the router', () => {
      for (const m of ['SUBSCRIBE', 'PUBLISH', 'PRACK', 'MESSAGE', 'REFER']) {
        expect(check(request(`${m} sip:200@sentral.example SIP/2.0`))).toBeUndefined();
      }
    });
  });

  it('answers in RFC 3261 order: 483 before 501 before 420 before 415', () => {
    const status = (extra: string[], start = INVITE, body = '') =>
      check(request(start, extra, body))?.status;
    expect(status(['Max-Forwards: 0'], 'FOO sip:u@sentral.example SIP/2.0')).toBe(483);
    expect(status(['Require: x'], 'FOO sip:u@sentral.example SIP/2.0')).toBe(501);
    expect(status(['Require: x', 'Content-Type: text/x'], INVITE, 'x')).toBe(420);
  });

  it('the router hook responds on the transaction and reports that it did', () => {
    const sent: SipResponse[] = [];
    const tx = { respond: (res: SipResponse) => sent.push(res) };
    expect(rejectInvalidRequest(request(INVITE, ['Max-Forwards: 0']), tx, ALLOW)).toBe(true);
    expect(rejectInvalidRequest(request(INVITE), tx, ALLOW)).toBe(false);
    expect(sent.map((r) => r.status)).toEqual([483]);
    expect(sent[0]?.callId).toBe('checks-1');
    expect(sent[0]?.to.tag).toBeDefined();
  });
});
