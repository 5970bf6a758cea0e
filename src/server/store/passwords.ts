/**
 * Password hashing with scrypt from `node:crypto` (no native dependency).
 *
 * Encoded form: `scrypt$16384$8$1$<base64 salt>$<base64 hash>` — the cost
 * parameters travel with the hash, so they can be raised later and old hashes
 * still verify.
 *
 * @packageDocumentation
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** Cost parameters used for new hashes (about 16 MiB and ~50 ms per hash). */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Upper bounds accepted from a stored hash, so a corrupt row cannot exhaust memory. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keylen, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** `maxmem` must exceed 128·N·r; give it headroom. */
function optionsFor(N: number, r: number, p: number): ScryptOptions {
  return { N, r, p, maxmem: 256 * N * r };
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, optionsFor(N, r, p));
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^[0-9]{1,8}$/.test(part) ? Number(part) : 0));
  if (N === undefined || r === undefined || p === undefined) return null;
  // N must be a power of two above 1.
  if (N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return null;
  if (r < 1 || r > MAX_R || p < 1 || p > MAX_P) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return null;
  return { N, r, p, salt, key };
}

/**
 * Checks a password against an encoded hash in constant time for the comparison.
 * A malformed hash verifies as `false` (after the same work as a real check).
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return verifyAgainstDummy(password);
  const { N, r, p, salt, key } = parsed;
  const candidate = await scryptAsync(password, salt, key.length, optionsFor(N, r, p));
  return timingSafeEqual(candidate, key);
}

const DUMMY_SALT = randomBytes(SALT_BYTES);
const DUMMY_KEY = randomBytes(KEY_BYTES);

/**
 * Does the work of one {@link verifyPassword} with the default parameters and
 * always answers `false`. Call it when the user is unknown (or has no password),
 * so that a failed login costs the same time either way and does not reveal
 * which usernames exist.
 */
export async function verifyAgainstDummy(password = ''): Promise<false> {
  const { N, r, p } = SCRYPT_PARAMS;
  const candidate = await scryptAsync(password, DUMMY_SALT, KEY_BYTES, optionsFor(N, r, p));
  timingSafeEqual(candidate, DUMMY_KEY);
  return false;
}

/** True when a stored hash uses weaker parameters than {@link SCRYPT_PARAMS} (rehash on next login). */
export function needsRehash(encoded: string): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return true;
  return (
    parsed.N < SCRYPT_PARAMS.N ||
    parsed.r < SCRYPT_PARAMS.r ||
    parsed.p < SCRYPT_PARAMS.p ||
    parsed.key.length < KEY_BYTES
  );
}
