import { describe, expect, it } from 'vitest';
import { TollFraudGuard } from '../../../src/server/trunks/toll-fraud';
import {
  choosePresentedNumber,
  presentableNumbers,
} from '../../../src/server/trunks/presented-number';
import { DigestClient, authorize } from '../../../src/server/trunks/digest-client';
import type { SipRequest } from '../../../src/server/sip';
import {
  parseMessage,
  type ClientTransaction,
  type ClientTransactionHandlers,
  type Flow,
  type SipResponse,
} from '../../../src/server/sip';
import { md5 } from '../support/sip-peer';

const limits = { allowedPrefixes: ['+47', '+46'], callsPerMinute: 3 };

describe('the toll-fraud guard', () => {
  it('refuses numbers outside the allowed prefixes with 403', () => {
    const guard = new TollFraudGuard(() => 0);
    expect(guard.check('t1', '+4790000011', limits)).toEqual({ ok: true });
    expect(guard.check('t1', '+881234567890', limits)).toEqual({
      ok: false,
      status: 403,
      reason: 'Destination Not Allowed',
    });
    expect(guard.check('t1', '+4790000011', { ...limits, allowedPrefixes: [] }).ok).toBe(false);
  });

  it('allows callsPerMinute external calls per tenant in any minute, then 503', () => {
    let now = 0;
    const guard = new TollFraudGuard(() => now);
    for (let i = 0; i < 3; i++) expect(guard.check('t1', '+4790000011', limits).ok).toBe(true);
    expect(guard.check('t1', '+4790000011', limits)).toEqual({
      ok: false,
      status: 503,
      reason: 'External Call Limit Reached',
    });
    // Another tenant has its own budget.
    expect(guard.check('t2', '+4790000011', limits).ok).toBe(true);
    now = 59_999;
    expect(guard.check('t1', '+4790000011', limits).ok).toBe(false);
    now = 60_001;
    expect(guard.check('t1', '+4790000011', limits).ok).toBe(true);
  });
});

describe('the presented number', () => {
  const allowed = presentableNumbers({
    mainNumber: '+4721000000',
    mobile: '+4740001001',
    departmentNumber: '22 33 44 55',
  });

  it('offers the main number first, then the mobile and the department number', () => {
    expect(allowed).toEqual([
      { number: '+4721000000', kind: 'main' },
      { number: '+4740001001', kind: 'mobile' },
      { number: '+4722334455', kind: 'department' },
    ]);
  });

  it('shows the main number unless the phone asks for another allowed one', () => {
    expect(choosePresentedNumber(allowed, undefined)).toEqual({ ok: true, number: '+4721000000' });
    expect(choosePresentedNumber(allowed, '<sip:+4740001001@nordlys.sentral.invalid>')).toEqual({
      ok: true,
      number: '+4740001001',
    });
    expect(choosePresentedNumber(allowed, '<tel:22334455>')).toEqual({
      ok: true,
      number: '+4722334455',
    });
  });

  it('refuses a number the user may not show', () => {
    expect(choosePresentedNumber(allowed, '<sip:+4799999999@evil.invalid>')).toEqual({
      ok: false,
      reason: 'Number Not Allowed',
    });
    expect(choosePresentedNumber([], undefined).ok).toBe(false);
  });
});

function invite(): SipRequest {
  return parseMessage(
    [
      'INVITE sip:+4790000011@carrier.invalid:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfirst;rport',
      'Max-Forwards: 70',
      'From: <sip:+4721000000@nordlys.invalid>;tag=abc',
      'To: <sip:+4790000011@carrier.invalid>',
      'Call-ID: trunk-test-1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;
}

function challenge(status: 401 | 407, value: string): SipResponse {
  const header = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return parseMessage(
    [
      `SIP/2.0 ${status} Unauthorized`,
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfirst;rport=5070',
      'From: <sip:+4721000000@nordlys.invalid>;tag=abc',
      'To: <sip:+4790000011@carrier.invalid>;tag=carrier',
      'Call-ID: trunk-test-1',
      'CSeq: 1 INVITE',
      `${header}: ${value}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipResponse;
}

/** The carrier's side of the check, computed independently with node:crypto. */
function carrierAccepts(authorization: string, password: string): boolean {
  const p = Object.fromEntries(
    [...authorization.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
  );
  const ha1 = md5(`${p.username}:${p.realm}:${password}`);
  const ha2 = md5(`INVITE:${p.uri}`);
  const expected = p.qop
    ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : md5(`${ha1}:${p.nonce}:${ha2}`);
  return p.response === expected;
}

describe('answering a carrier digest challenge', () => {
  const credentials = { username: 'nordlys', password: 's3cret' };

  it('adds Proxy-Authorization the carrier accepts, with CSeq + 1 and a new branch (407, qop=auth)', () => {
    const req = invite();
    const ok = authorize(
      req,
      challenge(407, 'Digest realm="carrier", nonce="n1", qop="auth", algorithm=MD5, opaque="o"'),
      credentials,
    );
    expect(ok).toBe(true);
    const auth = req.get('Proxy-Authorization') ?? '';
    expect(auth).toMatch(/^Digest username="nordlys", realm="carrier", nonce="n1"/);
    expect(auth).toContain('opaque="o"');
    expect(carrierAccepts(auth, 's3cret')).toBe(true);
    expect(carrierAccepts(auth, 'wrong')).toBe(false);
    expect(req.cseq.seq).toBe(2);
    expect(req.topVia?.branch).toMatch(/^z9hG4bK/);
    expect(req.topVia?.branch).not.toBe('z9hG4bKfirst');
    expect(req.get('Via')).toContain('rport');
  });

  it('answers a 401 without qop (RFC 2069 form) with Authorization', () => {
    const req = invite();
    expect(authorize(req, challenge(401, 'Digest realm="c", nonce="n2"'), credentials)).toBe(true);
    expect(carrierAccepts(req.get('Authorization') ?? '', 's3cret')).toBe(true);
  });

  it('leaves a challenge it cannot answer (another scheme or algorithm) to the caller', () => {
    expect(authorize(invite(), challenge(401, 'Basic realm="c"'), credentials)).toBe(false);
    expect(
      authorize(
        invite(),
        challenge(401, 'Digest realm="c", nonce="n", algorithm=SHA-256'),
        credentials,
      ),
    ).toBe(false);
  });

  it('re-sends once on a trunk flow and hides the challenge from the B2BUA; a second challenge goes through', () => {
    const sent: SipRequest[] = [];
    const handlers: ClientTransactionHandlers[] = [];
    const inner = {
      sendRequest(req: SipRequest, _flow: Flow, h: ClientTransactionHandlers) {
        sent.push(req);
        handlers.push(h);
        return {} as ClientTransaction;
      },
    };
    const trunkFlow = { id: 'trunk' } as Flow;
    const client = new DigestClient(inner, (f) => (f === trunkFlow ? credentials : undefined));
    const seen: number[] = [];
    client.sendRequest(invite(), trunkFlow, {
      onResponse: (r) => seen.push(r.status),
      onTimeout: () => {},
      onTransportError: () => {},
    });
    handlers[0]?.onResponse(challenge(407, 'Digest realm="carrier", nonce="n1"'));
    expect(sent).toHaveLength(2);
    expect(seen).toEqual([]);
    expect(sent[1]?.get('Proxy-Authorization')).toBeDefined();
    // Wrong password at the carrier: the second 407 reaches the B2BUA, no loop.
    handlers[1]?.onResponse(challenge(407, 'Digest realm="carrier", nonce="n3"'));
    expect(sent).toHaveLength(2);
    expect(seen).toEqual([407]);
  });

  it('passes requests on other flows through untouched', () => {
    const sent: SipRequest[] = [];
    const inner = {
      sendRequest(req: SipRequest) {
        sent.push(req);
        return {} as ClientTransaction;
      },
    };
    const client = new DigestClient(inner, () => undefined);
    const req = invite();
    client.sendRequest(req, { id: 'ws' } as Flow, {
      onResponse: () => {},
      onTimeout: () => {},
      onTransportError: () => {},
    });
    expect(sent).toEqual([req]);
  });
});
