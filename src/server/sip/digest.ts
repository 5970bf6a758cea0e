/**
 * HTTP Digest authentication for SIP (RFC 3261 §22, RFC 2617 / RFC 7616,
 * MD5 only — what SIP phones and SIP.js speak).
 *
 * Nonces are stateless: `timestamp.salt.HMAC(secret, timestamp.salt)`, so
 * any core holding the secret can check one and tell an expired nonce
 * (answer again with `stale=true`, the client retries silently) from a
 * forged one.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SipSyntaxError } from './errors';
import { isTokenChar, quote, readQuoted, skipLws, unquote } from './grammar';

/**
 * A parsed Authorization / WWW-Authenticate / Proxy-* value: the auth
 * params by lowercased name, values unquoted and unescaped, plus the
 * `scheme` as written (`Digest`; a parameter literally named `scheme` is
 * ignored). Null prototype, so any name is safe to index.
 */
export type DigestParams = Readonly<Record<string, string>> & { readonly scheme: string };

/**
 * Parses `Digest realm="x", nonce="y", qop="auth", ...`: quoted strings
 * with escapes, unquoted tokens, whitespace around `=` and `,`. Other
 * schemes parse too (check `scheme`). Throws {@link SipSyntaxError} when the
 * value is not `scheme [param=value *(, param=value)]`.
 */
export function parseDigest(value: string): DigestParams {
  let i = skipLws(value, 0);
  const schemeStart = i;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  if (i === schemeStart) throw new SipSyntaxError('missing auth scheme');
  const params = Object.create(null) as Record<string, string>;
  const scheme = value.slice(schemeStart, i);
  let first = true;
  for (;;) {
    i = skipLws(value, i);
    if (i >= value.length) break;
    if (!first) {
      if (value.charCodeAt(i) !== 44) throw new SipSyntaxError('expected , between auth params');
      i = skipLws(value, i + 1);
    }
    first = false;
    const nameStart = i;
    while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
    if (i === nameStart) throw new SipSyntaxError('empty auth param name');
    const name = value.slice(nameStart, i).toLowerCase();
    i = skipLws(value, i);
    if (value.charCodeAt(i) !== 61) throw new SipSyntaxError(`auth param ${name} without value`);
    i = skipLws(value, i + 1);
    let paramValue: string;
    if (value.charCodeAt(i) === 34) {
      const end = readQuoted(value, i);
      if (end === -1) throw new SipSyntaxError(`unterminated value of ${name}`);
      paramValue = unquote(value.slice(i, end));
      i = end;
    } else {
      const start = i;
      while (i < value.length) {
        const c = value.charCodeAt(i);
        if (c === 44 || c === 32 || c === 9) break;
        i++;
      }
      if (i === start) throw new SipSyntaxError(`empty value of ${name}`);
      paramValue = value.slice(start, i);
    }
    if (name !== 'scheme') params[name] = paramValue;
  }
  params['scheme'] = scheme;
  return params as DigestParams;
}

/** Options of {@link buildChallenge}. */
export interface ChallengeOptions {
  realm: string;
  nonce: string;
  opaque?: string;
  /** The request carried an expired but genuine nonce: the client retries without asking the user. */
  stale?: boolean;
  algorithm?: 'MD5';
  qop?: 'auth';
}

/** A WWW-Authenticate / Proxy-Authenticate value. */
export function buildChallenge(options: ChallengeOptions): string {
  let out = `Digest realm=${quote(options.realm)}, nonce=${quote(options.nonce)}`;
  if (options.opaque !== undefined) out += `, opaque=${quote(options.opaque)}`;
  if (options.stale) out += ', stale=TRUE';
  out += `, algorithm=${options.algorithm ?? 'MD5'}`;
  out += `, qop=${quote(options.qop ?? 'auth')}`;
  return out;
}

/** Inputs of {@link computeDigestResponse}: the password or the stored HA1. */
export type DigestResponseInput = {
  username: string;
  realm: string;
  method: string;
  uri: string;
  nonce: string;
  /** Omit both `qop`, `nc` and `cnonce` for the RFC 2069 form. */
  qop?: string | undefined;
  nc?: string | undefined;
  cnonce?: string | undefined;
  algorithm?: string | undefined;
} & ({ password: string; ha1?: undefined } | { ha1: string; password?: undefined });

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** `MD5(username:realm:password)`, what a registrar may store instead of the password. */
export function computeHa1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

/** The `response` value a client sends (RFC 2617 §3.2.2.1, qop=auth or none; MD5 or MD5-sess). */
export function computeDigestResponse(input: DigestResponseInput): string {
  let ha1 = input.ha1 ?? computeHa1(input.username, input.realm, input.password ?? '');
  if (input.algorithm?.toUpperCase() === 'MD5-SESS') {
    ha1 = md5(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  }
  const ha2 = md5(`${input.method}:${input.uri}`);
  if (input.qop === undefined || input.qop === '') return md5(`${ha1}:${input.nonce}:${ha2}`);
  return md5(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

/**
 * Checks the `response` of parsed credentials against the password or HA1,
 * in constant time. The caller still checks realm, nonce freshness
 * ({@link checkNonce}) and that `uri` matches the Request-URI.
 */
export function verifyDigestResponse(
  credentials: DigestParams,
  secret: { method: string } & ({ password: string } | { ha1: string }),
): boolean {
  const { username, realm, nonce, uri, response } = credentials;
  if (username === undefined || realm === undefined || nonce === undefined) return false;
  if (uri === undefined || response === undefined) return false;
  const common = {
    username,
    realm,
    method: secret.method,
    uri,
    nonce,
    qop: credentials['qop'],
    nc: credentials['nc'],
    cnonce: credentials['cnonce'],
    algorithm: credentials['algorithm'],
  };
  const expected =
    'ha1' in secret
      ? computeDigestResponse({ ...common, ha1: secret.ha1 })
      : computeDigestResponse({ ...common, password: secret.password });
  return safeEqual(expected, response.toLowerCase());
}

/** Constant-time string comparison (length differences still return early, as they must). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

function nonceMac(secret: string | Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** A fresh nonce carrying its creation time, signed with `secret`. */
export function createNonce(secret: string | Buffer, nowMs: number): string {
  const payload = `${Math.floor(nowMs).toString(36)}.${randomBytes(9).toString('base64url')}`;
  return `${payload}.${nonceMac(secret, payload)}`;
}

/** Result of {@link checkNonce}. */
export type NonceCheck = 'valid' | 'stale' | 'invalid';

/** Allowed clock skew between cores for a nonce stamped in the future. */
const FUTURE_SKEW_MS = 60_000;

/**
 * `valid`: ours and younger than `maxAgeMs`; `stale`: ours but older (send
 * a new challenge with `stale=true`); `invalid`: not made with `secret`.
 */
export function checkNonce(
  nonce: string,
  secret: string | Buffer,
  nowMs: number,
  maxAgeMs: number,
): NonceCheck {
  const parts = nonce.split('.');
  if (parts.length !== 3) return 'invalid';
  const [stamp = '', salt = '', mac = ''] = parts;
  if (!/^[0-9a-z]{1,12}$/.test(stamp) || salt.length === 0) return 'invalid';
  if (!safeEqual(nonceMac(secret, `${stamp}.${salt}`), mac)) return 'invalid';
  const created = parseInt(stamp, 36);
  if (created > nowMs + FUTURE_SKEW_MS) return 'invalid';
  return nowMs - created > maxAgeMs ? 'stale' : 'valid';
}
