/**
 * Ephemeral credentials (auth_ephemeral's scheme) issued and checked by the core.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueEphemeral, parseEphemeralUsername } from '../../src/server/edge/autheph';
import { SipCredentialStore } from '../../src/server/api/sip-credentials';

describe('ephemeral credentials', () => {
  it('are <expiry>:<user> with base64(HMAC-SHA1(secret, username)) as password', () => {
    const cred = issueEphemeral('s3cret', 'alice', 1_800_000_000_999);
    expect(cred.username).toBe('1800000000:alice');
    expect(cred.password).toBe(
      createHmac('sha1', 's3cret').update('1800000000:alice').digest('base64'),
    );
    expect(cred.expiresAt).toBe(1_800_000_000_000);
    expect(parseEphemeralUsername(cred.username)).toEqual({
      expiresAt: 1_800_000_000_000,
      user: 'alice',
    });
    expect(parseEphemeralUsername('alice')).toBeUndefined();
  });

  it('are what the credential store issues when an edge secret is set, and checks statelessly', () => {
    let now = 1_700_000_000_000;
    const store = new SipCredentialStore(3600_000, () => now, 's3cret');
    const issued = store.issue('u1', 'alice', 'nordlys.sentral.invalid');
    expect(issued.username).toBe('1700003600:alice');
    const ha1 = createHash('md5')
      .update(`${issued.username}:nordlys.sentral.invalid:${issued.password}`)
      .digest('hex');
    // Another core with the same secret (no shared state) accepts the same credentials.
    const other = new SipCredentialStore(3600_000, () => now, 's3cret');
    const [candidate] = other.ha1Candidates(issued.username, 'nordlys.sentral.invalid');
    expect(candidate?.ha1).toBe(ha1);
    expect(candidate?.username).toBe('alice');
    now += 3600_000;
    expect(other.ha1Candidates(issued.username, 'nordlys.sentral.invalid')).toEqual([]);
  });

  it('a store without a secret keeps issuing per-session random passwords', () => {
    const store = new SipCredentialStore();
    const issued = store.issue('u1', 'alice', 'd');
    expect(issued.username).toBe('alice');
    expect(store.ha1Candidates('1999999999:alice', 'd')).toEqual([]);
  });
});
