import { describe, expect, it } from 'vitest';
import { SipCredentialStore } from '../../../src/server/api/sip-credentials';
import { DigestAuthenticator } from '../../../src/server/registrar/authenticator';
import { parseMessage, type SipRequest } from '../../../src/server/sip';
import { digestAuthorization } from '../support/sip-peer';

const REALM = 'nordlys.sentral.invalid';

function register(authorization?: string): SipRequest {
  return parseMessage(
    [
      `REGISTER sip:${REALM} SIP/2.0`,
      'Via: SIP/2.0/WSS a.invalid;branch=z9hG4bKauth1',
      'Max-Forwards: 70',
      `To: <sip:kari.nordmann@${REALM}>`,
      `From: <sip:kari.nordmann@${REALM}>;tag=1`,
      'Call-ID: auth-test',
      'CSeq: 1 REGISTER',
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;
}

describe('digest authenticator', () => {
  let now = 1_700_000_000_000;
  const store = new SipCredentialStore(12 * 3600_000, () => now);
  const cred = store.issue('user-1', 'kari.nordmann', REALM);
  const auth = new DigestAuthenticator({
    credentials: store,
    nonceMaxAgeMs: 300_000,
    now: () => now,
  });

  const answer = (challenge: string, password = cred.password) =>
    digestAuthorization({
      challenge,
      username: 'kari.nordmann',
      password,
      method: 'REGISTER',
      uri: `sip:${REALM}`,
    });

  it('challenges a request without credentials with 401, MD5 and qop=auth', () => {
    const r = auth.authenticate(register(), REALM, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(401);
    expect(r.response.get('WWW-Authenticate')).toMatch(
      /^Digest realm="nordlys.sentral.invalid", nonce="[^"]+".*algorithm=MD5.*qop="auth"/,
    );
  });

  it('accepts the issued credential within the nonce lifetime', () => {
    const challenge = (
      auth.authenticate(register(), REALM, false) as { response: { get(n: string): string } }
    ).response.get('WWW-Authenticate');
    now += 60_000;
    const r = auth.authenticate(register(answer(challenge)), REALM, false);
    expect(r.ok).toBe(true);
  });

  it('re-challenges an expired nonce with stale=true when the credentials are right', () => {
    const challenge = (
      auth.authenticate(register(), REALM, false) as { response: { get(n: string): string } }
    ).response.get('WWW-Authenticate');
    now += 301_000;
    const r = auth.authenticate(register(answer(challenge)), REALM, false);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(401);
    expect(r.response.get('WWW-Authenticate')).toMatch(/stale=true/i);
  });

  it('answers 403 (not stale) to an expired nonce with the wrong password', () => {
    const challenge = (
      auth.authenticate(register(), REALM, false) as { response: { get(n: string): string } }
    ).response.get('WWW-Authenticate');
    now += 301_000;
    const r = auth.authenticate(register(answer(challenge, 'wrong')), REALM, false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.response.status).toBe(403);
  });

  it('stops accepting a revoked credential (logout)', () => {
    const other = store.issue('user-1', 'kari.nordmann', REALM);
    const challenge = (
      auth.authenticate(register(), REALM, false) as { response: { get(n: string): string } }
    ).response.get('WWW-Authenticate');
    store.revoke(other);
    const r = auth.authenticate(register(answer(challenge, other.password)), REALM, false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.response.status).toBe(403);
  });

  it('challenges with 407 Proxy-Authenticate for requests the core routes', () => {
    const r = auth.authenticate(register(), REALM, true);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.response.status).toBe(407);
      expect(r.response.get('Proxy-Authenticate')).toMatch(/^Digest /);
    }
  });
});
