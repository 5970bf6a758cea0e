/**
 * Per-session SIP credentials. The browser never learns or stores the login password: at login
 * the core issues a random SIP password bound to the user and the API session, and the
 * registrar's digest check accepts any live credential of that user. Kept in memory; the API
 * server also keeps each session's HA1 in the store and gives it back here after a restart
 * ({@link SipCredentialStore.restore}), so phones re-register with what they have.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ephemeralHa1, issueEphemeral, parseEphemeralUsername } from '../edge/autheph';

export interface IssuedSipCredential {
  /** Digest username (the SIP user part, the login username). */
  username: string;
  password: string;
  /** HA1 = MD5(username:realm:password), what the digest check needs. */
  ha1: string;
  realm: string;
  userId: string;
  expiresAt: number;
}

export class SipCredentialStore {
  /** username → live credentials by HA1 (one per logged-in session, usually one or two). */
  readonly #byUser = new Map<string, Map<string, IssuedSipCredential>>();

  constructor(
    private readonly ttlMs = 12 * 3600_000,
    private readonly now: () => number = Date.now,
    /** With an edge (EDGE_SECRET): ephemeral credentials Kamailio checks too (src/server/edge). */
    private readonly ephemeralSecret?: string,
  ) {}

  issue(userId: string, username: string, realm: string): IssuedSipCredential {
    if (this.ephemeralSecret) {
      // Stateless: the digest username says when it expires and the secret checks it.
      const eph = issueEphemeral(this.ephemeralSecret, username, this.now() + this.ttlMs);
      const ha1 = ephemeralHa1(this.ephemeralSecret, eph.username, realm);
      return { ...eph, ha1, realm, userId };
    }
    const password = randomBytes(18).toString('base64url');
    const ha1 = createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
    const cred: IssuedSipCredential = {
      username,
      password,
      ha1,
      realm,
      userId,
      expiresAt: this.now() + this.ttlMs,
    };
    this.#add(cred);
    return cred;
  }

  /**
   * A credential issued before a restart, known by its HA1 only (the password stays with the
   * browser). With ephemeral credentials nothing is needed: the secret checks them.
   */
  restore(cred: IssuedSipCredential): void {
    if (!this.ephemeralSecret && cred.expiresAt > this.now()) this.#add(cred);
  }

  revoke(cred: IssuedSipCredential): void {
    const set = this.#byUser.get(cred.username);
    set?.delete(cred.ha1);
    if (set?.size === 0) this.#byUser.delete(cred.username);
  }

  #add(cred: IssuedSipCredential): void {
    let set = this.#byUser.get(cred.username);
    if (!set) this.#byUser.set(cred.username, (set = new Map()));
    set.set(cred.ha1, cred);
  }

  /** Live HA1 values for a digest username in a realm; the digest check tries each. */
  ha1Candidates(username: string, realm: string): IssuedSipCredential[] {
    const eph = this.ephemeralSecret ? parseEphemeralUsername(username) : undefined;
    if (this.ephemeralSecret && eph && eph.expiresAt > this.now()) {
      // The credential names the plain user, so the router checks it like any other.
      const ha1 = ephemeralHa1(this.ephemeralSecret, username, realm);
      return [
        { username: eph.user, password: '', ha1, realm, userId: '', expiresAt: eph.expiresAt },
      ];
    }
    const set = this.#byUser.get(username);
    if (!set) return [];
    const now = this.now();
    const live: IssuedSipCredential[] = [];
    for (const cred of set.values()) {
      if (cred.expiresAt <= now) set.delete(cred.ha1);
      else if (cred.realm === realm) live.push(cred);
    }
    return live;
  }
}
