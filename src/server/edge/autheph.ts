/**
 * Ephemeral SIP credentials (draft-uberti-behave-turn-rest, Kamailio's auth_ephemeral): the
 * username is `<expiry unix seconds>:<user>` and the password base64(HMAC-SHA1(secret,
 * username)). Whoever holds the secret can check them without any shared state, so the edge
 * (Kamailio) and every core verify the same credentials the core issued at login.
 */
import { createHash, createHmac } from 'node:crypto';

export interface EphemeralCredential {
  /** `<expiry>:<user>`, the digest username. */
  username: string;
  password: string;
  /** Expiry in milliseconds since the epoch (whole seconds). */
  expiresAt: number;
}

/** The password for an ephemeral username. */
export function ephemeralPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Credentials for `user` valid until `expiresAtMs` (rounded down to whole seconds). */
export function issueEphemeral(
  secret: string,
  user: string,
  expiresAtMs: number,
): EphemeralCredential {
  const expiry = Math.floor(expiresAtMs / 1000);
  const username = `${expiry}:${user}`;
  return { username, password: ephemeralPassword(secret, username), expiresAt: expiry * 1000 };
}

/** `<expiry>:<user>` split, or undefined when the username has another shape. */
export function parseEphemeralUsername(
  username: string,
): { expiresAt: number; user: string } | undefined {
  const m = /^(\d{1,12}):(.+)$/.exec(username);
  if (!m?.[1] || !m[2]) return undefined;
  return { expiresAt: Number(m[1]) * 1000, user: m[2] };
}

/** Digest HA1 (MD5 of `username:realm:password`) of an ephemeral username. */
export function ephemeralHa1(secret: string, username: string, realm: string): string {
  const password = ephemeralPassword(secret, username);
  return createHash('md5').update(`${username}:${realm}:${password}`).digest('hex');
}
