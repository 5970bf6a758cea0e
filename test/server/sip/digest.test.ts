import { describe, expect, it } from 'vitest';
import {
  buildChallenge,
  checkNonce,
  computeDigestResponse,
  computeHa1,
  createNonce,
  parseDigest,
  safeEqual,
  verifyDigestResponse,
} from '../../../src/server/sip/digest';
import { SipSyntaxError } from '../../../src/server/sip/errors';

/** RFC 2617 §3.5. */
const RFC2617_AUTHORIZATION = `Digest username="Mufasa",
                 realm="testrealm@host.com",
                 nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 uri="/dir/index.html",
                 qop=auth,
                 nc=00000001,
                 cnonce="0a4f113b",
                 response="6629fae49393a05397450978507c4ef1",
                 opaque="5ccc069c403ebaf9f0171e9517f40e41"`.replace(/\n\s+/g, ' ');

describe('digest authentication', () => {
  it('computes the RFC 2617 example response from the password and from HA1', () => {
    const input = {
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      nc: '00000001',
      cnonce: '0a4f113b',
      qop: 'auth',
    };
    expect(computeDigestResponse({ ...input, password: 'Circle Of Life' })).toBe(
      '6629fae49393a05397450978507c4ef1',
    );
    const ha1 = computeHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
    expect(computeDigestResponse({ ...input, ha1 })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('parses the RFC 2617 Authorization header and verifies it', () => {
    const creds = parseDigest(RFC2617_AUTHORIZATION);
    expect(creds.scheme).toBe('Digest');
    expect(creds['username']).toBe('Mufasa');
    expect(creds['qop']).toBe('auth');
    expect(creds['nc']).toBe('00000001');
    expect(creds['opaque']).toBe('5ccc069c403ebaf9f0171e9517f40e41');
    expect(verifyDigestResponse(creds, { method: 'GET', password: 'Circle Of Life' })).toBe(true);
    expect(verifyDigestResponse(creds, { method: 'GET', password: 'circle of life' })).toBe(false);
    expect(verifyDigestResponse(creds, { method: 'POST', password: 'Circle Of Life' })).toBe(false);
  });

  it('reads escaped quotes and commas inside quoted values, and other schemes', () => {
    const creds = parseDigest('Digest realm="a \\"quoted\\", realm" ,nonce = abc,stale=TRUE');
    expect(creds['realm']).toBe('a "quoted", realm');
    expect(creds['nonce']).toBe('abc');
    expect(creds['stale']).toBe('TRUE');
    expect(parseDigest('NoOneKnowsThisScheme opaque-data=here').scheme).toBe(
      'NoOneKnowsThisScheme',
    );
  });

  it.each(['', 'Digest realm', 'Digest realm="open', 'Digest a=1 b=2', 'Digest =x'])(
    '%j is refused',
    (value) => {
      expect(() => parseDigest(value)).toThrow(SipSyntaxError);
    },
  );

  it('supports the RFC 2069 form without qop', () => {
    const creds = parseDigest(
      `Digest username="u", realm="r", nonce="n", uri="sip:r", response="${computeDigestResponse({ username: 'u', realm: 'r', password: 'p', method: 'REGISTER', uri: 'sip:r', nonce: 'n' })}"`,
    );
    expect(
      verifyDigestResponse(creds, { method: 'REGISTER', ha1: computeHa1('u', 'r', 'p') }),
    ).toBe(true);
  });

  it('builds a challenge a client parses back', () => {
    const challenge = buildChallenge({
      realm: 'sentral.example',
      nonce: 'n1',
      opaque: 'o',
      stale: true,
      algorithm: 'MD5',
      qop: 'auth',
    });
    expect(challenge).toBe(
      'Digest realm="sentral.example", nonce="n1", opaque="o", stale=TRUE, algorithm=MD5, qop="auth"',
    );
    const parsed = parseDigest(challenge);
    expect(parsed['realm']).toBe('sentral.example');
    expect(parsed['qop']).toBe('auth');
    expect(buildChallenge({ realm: 'r', nonce: 'n' })).not.toContain('stale');
  });

  it('a nonce is valid while young, stale once older than the limit, invalid when forged', () => {
    const secret = 'core-secret';
    const t0 = 1_700_000_000_000;
    const nonce = createNonce(secret, t0);
    expect(nonce).not.toMatch(/["\\\s,]/);
    expect(createNonce(secret, t0)).not.toBe(nonce);
    expect(checkNonce(nonce, secret, t0 + 1000, 300_000)).toBe('valid');
    expect(checkNonce(nonce, secret, t0 + 300_000, 300_000)).toBe('valid');
    expect(checkNonce(nonce, secret, t0 + 300_001, 300_000)).toBe('stale');
    expect(checkNonce(nonce, 'other-secret', t0 + 1000, 300_000)).toBe('invalid');
    const [stamp, salt, mac] = nonce.split('.');
    expect(
      checkNonce(`${(t0 + 5000).toString(36)}.${salt}.${mac}`, secret, t0 + 6000, 300_000),
    ).toBe('invalid');
    expect(checkNonce(`${stamp}.${salt}.${mac?.slice(1)}`, secret, t0, 300_000)).toBe('invalid');
    expect(checkNonce('garbage', secret, t0, 300_000)).toBe('invalid');
    expect(checkNonce(createNonce(secret, t0 + 3_600_000), secret, t0, 300_000)).toBe('invalid');
  });

  it('compares strings without short-circuiting on the first difference', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
