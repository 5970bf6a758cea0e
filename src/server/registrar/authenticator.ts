/**
 * Digest authentication of SIP requests (RFC 3261 §22, RFC 2617 MD5, qop=auth) against the
 * per-session credentials the API issued. Nonces are stateless (timestamp + HMAC) and expire;
 * an expired nonce with otherwise correct credentials is re-challenged with `stale=true`, so
 * user agents retry without asking the user.
 *
 * Wrong credentials get 403 whether or not the user exists, after the same amount of work, so
 * the answer says nothing about which usernames are valid.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  buildChallenge,
  checkNonce,
  createNonce,
  createResponse,
  parseDigest,
  type SipRequest,
  type SipResponse,
} from '../sip';
import type { IssuedSipCredential } from '../api/sip-credentials';

export interface CredentialLookup {
  ha1Candidates(username: string, realm: string): IssuedSipCredential[];
}

export type AuthResult =
  { ok: true; credential: IssuedSipCredential } | { ok: false; response: SipResponse };

export interface AuthenticatorOptions {
  credentials: CredentialLookup;
  /** HMAC key for nonces; random per process unless given (scale-out shares one). */
  secret?: Buffer;
  nonceMaxAgeMs?: number;
  now?: () => number;
}

const DUMMY_HA1 = createHash('md5').update(randomBytes(16)).digest('hex');

export class DigestAuthenticator {
  readonly #secret: Buffer;
  readonly #maxAge: number;
  readonly #now: () => number;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.#secret = opts.secret ?? randomBytes(32);
    this.#maxAge = opts.nonceMaxAgeMs ?? 5 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * @param proxy challenge with 407/Proxy-Authenticate (INVITE and other requests the core
   *   routes) instead of 401/WWW-Authenticate (REGISTER).
   */
  authenticate(req: SipRequest, realm: string, proxy: boolean): AuthResult {
    const header = req.get(proxy ? 'Proxy-Authorization' : 'Authorization');
    if (header === undefined)
      return { ok: false, response: this.#challenge(req, realm, proxy, false) };

    let creds: Record<string, string>;
    try {
      creds = parseDigest(header);
    } catch {
      return { ok: false, response: createResponse(req, 400, 'Malformed Authorization') };
    }
    const { username, nonce, uri, response, cnonce, nc, qop } = creds;
    if (creds.realm !== realm || !nonce) {
      return { ok: false, response: this.#challenge(req, realm, proxy, false) };
    }
    if (
      !username ||
      !uri ||
      !response ||
      (creds.algorithm && creds.algorithm.toUpperCase() !== 'MD5')
    ) {
      return { ok: false, response: createResponse(req, 400, 'Malformed Authorization') };
    }
    if (qop !== undefined && (qop !== 'auth' || !cnonce || !nc)) {
      return { ok: false, response: createResponse(req, 400, 'Malformed Authorization') };
    }
    const nonceState = checkNonce(nonce, this.#secret, this.#now(), this.#maxAge);
    if (nonceState === 'invalid') {
      return { ok: false, response: this.#challenge(req, realm, proxy, false) };
    }

    const candidates = this.opts.credentials.ha1Candidates(username, realm);
    const ha1s = candidates.length > 0 ? candidates.map((c) => c.ha1) : [DUMMY_HA1];
    const ha2 = md5(`${req.method}:${uri}`);
    let matched: IssuedSipCredential | undefined;
    ha1s.forEach((ha1, i) => {
      const expected =
        qop === 'auth'
          ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)
          : md5(`${ha1}:${nonce}:${ha2}`);
      if (safeEqual(expected, response.toLowerCase()) && candidates[i]) matched = candidates[i];
    });
    if (!matched) return { ok: false, response: createResponse(req, 403, 'Forbidden') };
    if (nonceState === 'stale')
      return { ok: false, response: this.#challenge(req, realm, proxy, true) };
    return { ok: true, credential: matched };
  }

  #challenge(req: SipRequest, realm: string, proxy: boolean, stale: boolean): SipResponse {
    const res = createResponse(req, proxy ? 407 : 401);
    res.set(
      proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate',
      buildChallenge({
        realm,
        nonce: createNonce(this.#secret, this.#now()),
        stale,
        algorithm: 'MD5',
        qop: 'auth',
      }),
    );
    return res;
  }
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
