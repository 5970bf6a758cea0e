/**
 * Password hashing: argon2id (RFC 9106) for every new hash, with OWASP's parameters (19 MiB,
 * 2 passes, 1 lane), through @node-rs/argon2 (prebuilt native binaries, no install script).
 * Encoded as the standard PHC string `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
 *
 * Hashes from before (`scrypt$16384$8$1$<base64 salt>$<base64 hash>`, `node:crypto`) still
 * verify, and {@link needsRehash} says to replace them with argon2id at the next login. The
 * cost parameters travel with every hash, so they can be raised later.
 *
 * @packageDocumentation
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Options } from '@node-rs/argon2';

/** `Algorithm.Argon2id` (the package declares its enum as an ambient const enum). */
const ARGON2ID = 2 as Options['algorithm'];

/** argon2id parameters for new hashes (OWASP Password Storage Cheat Sheet, 2024). */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** Upper bounds accepted from a stored argon2 hash, so a corrupt row cannot exhaust memory. */
const ARGON2_MAX = { memoryCost: 262_144, timeCost: 10, parallelism: 8 } as const;
const ARGON2_PREFIX = '$argon2id$';

/** Parameters of the scrypt hashes written before argon2id (still verified). */
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

/** Hashes a password with argon2id and a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password.normalize('NFC'), {
    algorithm: ARGON2ID,
    ...ARGON2_PARAMS,
  });
}

/** The legacy scrypt form, kept for tests of old hashes (never used for new passwords). */
export async function hashPasswordScrypt(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, optionsFor(N, r, p));
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The m, t, p of a PHC argon2id string, or null when it is not one within our bounds. */
function argon2Params(
  encoded: string,
): { memoryCost: number; timeCost: number; parallelism: number } | null {
  const match =
    /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/.exec(
      encoded,
    );
  if (!match) return null;
  const [memoryCost, timeCost, parallelism] = match.slice(1, 4).map(Number) as [
    number,
    number,
    number,
  ];
  if (memoryCost > ARGON2_MAX.memoryCost || timeCost > ARGON2_MAX.timeCost) return null;
  if (parallelism < 1 || parallelism > ARGON2_MAX.parallelism || timeCost < 1) return null;
  return { memoryCost, timeCost, parallelism };
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
 * Checks a password against an encoded hash (argon2id, or a legacy scrypt hash) in constant
 * time for the comparison. A malformed hash verifies as `false` (after the same work as a
 * real check).
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (encoded.startsWith(ARGON2_PREFIX)) {
    if (!argon2Params(encoded)) return verifyAgainstDummy(password);
    try {
      return await argon2Verify(encoded, password.normalize('NFC'));
    } catch {
      return false;
    }
  }
  const parsed = parseHash(encoded);
  if (!parsed) return verifyAgainstDummy(password);
  const { N, r, p, salt, key } = parsed;
  const candidate = await scryptAsync(password, salt, key.length, optionsFor(N, r, p));
  return timingSafeEqual(candidate, key);
}

/** A real argon2id hash of a random password, made once, for {@link verifyAgainstDummy}. */
let dummyHash: Promise<string> | undefined;

/**
 * Does the work of one {@link verifyPassword} with today's parameters and always answers
 * `false`. Call it when the user is unknown (or has no password), so that a failed login costs
 * the same time either way and does not reveal which usernames exist.
 */
export async function verifyAgainstDummy(password = ''): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  try {
    await argon2Verify(await dummyHash, password.normalize('NFC'));
  } catch {
    // Only the time it took matters.
  }
  return false;
}

/** True when a stored hash is not argon2id with at least today's parameters (rehash at login). */
export function needsRehash(encoded: string): boolean {
  const params = argon2Params(encoded);
  if (!params) return true;
  return (
    params.memoryCost < ARGON2_PARAMS.memoryCost ||
    params.timeCost < ARGON2_PARAMS.timeCost ||
    params.parallelism < ARGON2_PARAMS.parallelism
  );
}
