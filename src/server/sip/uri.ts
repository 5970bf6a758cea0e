/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966) and the name-addr /
 * addr-spec forms of From, To, Contact, Route and Record-Route (§20.10).
 *
 * Components keep their escaped form as written, so a parsed URI
 * serializes back to what was received; {@link uriEquals} unescapes where
 * §19.1.4 says to compare unescaped.
 *
 * @packageDocumentation
 */
import { SipSyntaxError } from './errors';
import {
  formatParams,
  isTokenChar,
  parseParams,
  quote,
  readQuoted,
  skipLws,
  unquote,
} from './grammar';

const UNRESERVED = "-_.!~*'()%";
function charSet(extra: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) set[c] = 1;
  }
  for (const ch of UNRESERVED + extra) set[ch.charCodeAt(0)] = 1;
  return set;
}
const USER = charSet('&=+$,;?/');
const PASSWORD = charSet('&=+$,');
const PARAM = charSet('[]/:&+$');
const HEADER = charSet('[]/?:+$');
/** Hostname characters: alnum, '-', '.', plus '_' (seen in the wild). */
const HOST = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) HOST[c] = 1;
}
for (const ch of '-._') HOST[ch.charCodeAt(0)] = 1;
const IPV6 = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF:.') IPV6[ch.charCodeAt(0)] = 1;

function allIn(s: string, set: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || set[c] !== 1) return false;
  }
  return true;
}

function isHostChar(c: number): boolean {
  return c < 128 && HOST[c] === 1;
}

/** `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` */
export function isValidScheme(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0) | 0x20;
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lower = c | 0x20;
    if (!(
      (lower >= 97 && lower <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 45 ||
      c === 46
    ))
      return false;
  }
  return true;
}

/** Fields accepted by the {@link SipUri} constructor. */
export interface SipUriInit {
  scheme?: string;
  user?: string | undefined;
  password?: string | undefined;
  host?: string;
  port?: number | undefined;
  params?: Iterable<readonly [string, string | null]>;
  headers?: Iterable<readonly [string, string]>;
  opaque?: string | undefined;
}

/**
 * A parsed URI. For `sip`/`sips` every component is filled; for `tel` the
 * number is in `user` and `host` is empty; any other scheme keeps everything
 * after the colon in `opaque`.
 */
export class SipUri {
  /** Lowercased scheme: `sip`, `sips`, `tel` or anything else. */
  scheme: string;
  /** User part as written (still %-escaped); the number for `tel`. */
  user: string | undefined;
  password: string | undefined;
  /** Host as written, lowercase not forced; IPv6 references keep their brackets. */
  host: string;
  port: number | undefined;
  /** URI parameters, names lowercased, values as written (null when valueless, e.g. `lr`). */
  params: Map<string, string | null>;
  /** URI headers (`?name=value&...`), as written. */
  headers: Map<string, string>;
  /** Everything after `scheme:` for schemes this stack does not parse. */
  opaque: string | undefined;

  constructor(init: SipUriInit = {}) {
    this.scheme = (init.scheme ?? 'sip').toLowerCase();
    this.user = init.user;
    this.password = init.password;
    this.host = init.host ?? '';
    this.port = init.port;
    this.params = init.params ? new Map(init.params) : new Map();
    this.headers = init.headers ? new Map(init.headers) : new Map();
    this.opaque = init.opaque;
  }

  /** `sip` or `sips`. */
  get isSip(): boolean {
    return this.scheme === 'sip' || this.scheme === 'sips';
  }

  /** `host` or `host:port` as used in Via sent-by and flow lookups. */
  get hostport(): string {
    return this.port === undefined ? this.host : `${this.host}:${this.port}`;
  }

  clone(): SipUri {
    return new SipUri(this);
  }

  toString(): string {
    if (this.opaque !== undefined) return `${this.scheme}:${this.opaque}`;
    let out = this.scheme + ':';
    if (this.scheme === 'tel') return out + (this.user ?? '') + formatParams(this.params);
    if (this.user !== undefined) {
      out += this.user;
      if (this.password !== undefined) out += ':' + this.password;
      out += '@';
    }
    out += this.host;
    if (this.port !== undefined) out += ':' + this.port;
    out += formatParams(this.params);
    let sep = '?';
    for (const [name, value] of this.headers) {
      out += `${sep}${name}=${value}`;
      sep = '&';
    }
    return out;
  }
}

/**
 * Parses a URI. Throws {@link SipSyntaxError} when it does not match the
 * grammar (whitespace anywhere, a bad host or port, empty parameters...).
 */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new SipSyntaxError(`not a URI: ${JSON.stringify(text.slice(0, 80))}`);
  const rawScheme = text.slice(0, colon);
  if (!isValidScheme(rawScheme)) throw new SipSyntaxError(`bad URI scheme`);
  const scheme = rawScheme.toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSip(scheme, rest);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 32 || c === 127 || c === 60 || c === 62 || c === 34)
      throw new SipSyntaxError(`bad character in ${scheme} URI`);
  }
  if (rest.length === 0) throw new SipSyntaxError(`empty ${scheme} URI`);
  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi === -1 ? rest : rest.slice(0, semi);
    const uri = new SipUri({ scheme, user: number });
    if (semi !== -1) readUriParams(rest, semi, uri.params);
    return uri;
  }
  return new SipUri({ scheme, opaque: rest });
}

function parseSip(scheme: string, s: string): SipUri {
  const uri = new SipUri({ scheme });
  let i = 0;
  const at = s.indexOf('@');
  if (at !== -1) {
    const userinfo = s.slice(0, at);
    const pw = userinfo.indexOf(':');
    const user = pw === -1 ? userinfo : userinfo.slice(0, pw);
    if (user.length === 0 || !allIn(user, USER)) throw new SipSyntaxError('bad user part');
    uri.user = user;
    if (pw !== -1) {
      const password = userinfo.slice(pw + 1);
      if (!allIn(password, PASSWORD)) throw new SipSyntaxError('bad password');
      uri.password = password;
    }
    i = at + 1;
  }
  const hostStart = i;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close === -1) throw new SipSyntaxError('unterminated IPv6 reference');
    for (let k = i + 1; k < close; k++) {
      if (IPV6[s.charCodeAt(k)] !== 1) throw new SipSyntaxError('bad IPv6 reference');
    }
    i = close + 1;
  } else {
    while (i < s.length && isHostChar(s.charCodeAt(i))) i++;
  }
  if (i === hostStart) throw new SipSyntaxError('missing host');
  uri.host = s.slice(hostStart, i);
  if (s.charCodeAt(i) === 58) {
    const portStart = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const port = Number(s.slice(portStart, i));
    if (i === portStart || i - portStart > 5 || port > 65535) throw new SipSyntaxError('bad port');
    uri.port = port;
  }
  if (s.charCodeAt(i) === 59) i = readUriParams(s, i, uri.params);
  if (s.charCodeAt(i) === 63) {
    for (const pair of s.slice(i + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      if (name.length === 0 || !allIn(name, HEADER) || !allIn(value, HEADER))
        throw new SipSyntaxError('bad URI header');
      uri.headers.set(name, value);
    }
    i = s.length;
  }
  if (i !== s.length) throw new SipSyntaxError(`unexpected character in URI at ${i}`);
  return uri;
}

/** Reads `;name[=value]` URI parameters from `s[i] === ';'`; returns the index after them. */
function readUriParams(s: string, i: number, out: Map<string, string | null>): number {
  while (i < s.length && s.charCodeAt(i) === 59) {
    const start = ++i;
    let eq = -1;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 59 || c === 63) break;
      if (c === 61 && eq === -1) eq = i;
      else if (c >= 128 || PARAM[c] !== 1) throw new SipSyntaxError('bad URI parameter');
      i++;
    }
    const nameEnd = eq === -1 ? i : eq;
    if (nameEnd === start) throw new SipSyntaxError('empty URI parameter');
    out.set(s.slice(start, nameEnd).toLowerCase(), eq === -1 ? null : s.slice(eq + 1, i));
  }
  return i;
}

/** Replaces `%XX` escapes by the byte they stand for (one char per byte). */
export function unescapeUriPart(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'] as const;

/**
 * URI equality per RFC 3261 §19.1.4: user and password compared unescaped
 * and case-sensitively, host case-insensitively, ports must both be absent or
 * equal, `user`/`ttl`/`method`/`maddr`/`transport` must match when either
 * side has them, other parameters only when both have them, and headers must
 * match exactly. Other schemes compare case-insensitively as a whole.
 */
export function uriEquals(a: SipUri | string, b: SipUri | string): boolean {
  const x = typeof a === 'string' ? parseUri(a) : a;
  const y = typeof b === 'string' ? parseUri(b) : b;
  if (x.scheme !== y.scheme) return false;
  if (!x.isSip) return x.toString().toLowerCase() === y.toString().toLowerCase();
  if (unescapeOpt(x.user) !== unescapeOpt(y.user)) return false;
  if (unescapeOpt(x.password) !== unescapeOpt(y.password)) return false;
  if (x.host.toLowerCase() !== y.host.toLowerCase() || x.port !== y.port) return false;
  for (const name of SIGNIFICANT_PARAMS) {
    if (x.params.has(name) !== y.params.has(name)) return false;
  }
  for (const [name, value] of x.params) {
    if (!y.params.has(name)) continue;
    const other = y.params.get(name);
    if (lowerUnescaped(value) !== lowerUnescaped(other ?? null)) return false;
  }
  if (x.headers.size !== y.headers.size) return false;
  const yHeaders = new Map<string, string>();
  for (const [name, value] of y.headers) yHeaders.set(name.toLowerCase(), unescapeUriPart(value));
  for (const [name, value] of x.headers) {
    if (yHeaders.get(name.toLowerCase()) !== unescapeUriPart(value)) return false;
  }
  return true;
}

function unescapeOpt(s: string | undefined): string | undefined {
  return s === undefined ? undefined : unescapeUriPart(s);
}

function lowerUnescaped(s: string | null): string | null {
  return s === null ? null : unescapeUriPart(s).toLowerCase();
}

/**
 * A name-addr or addr-spec: optional display name, URI, header parameters
 * (`tag`, `expires`, `q`, `+sip.instance`...). Parameter names are
 * lowercased; values keep their quotes (use {@link unquote}).
 */
export class NameAddr {
  /** Unquoted, unescaped display name; undefined when there is none. */
  displayName: string | undefined;
  uri: SipUri;
  params: Map<string, string | null>;

  constructor(
    uri: SipUri | string,
    displayName?: string,
    params?: Iterable<readonly [string, string | null]>,
  ) {
    this.uri = typeof uri === 'string' ? parseUri(uri) : uri;
    this.displayName = displayName;
    this.params = params ? new Map(params) : new Map();
  }

  get tag(): string | undefined {
    return this.params.get('tag') ?? undefined;
  }

  set tag(value: string | undefined) {
    if (value === undefined) this.params.delete('tag');
    else this.params.set('tag', value);
  }

  clone(): NameAddr {
    return new NameAddr(this.uri.clone(), this.displayName, this.params);
  }

  /** Always the name-addr form (`"Display" <uri>;params`), which is safe for any URI. */
  toString(): string {
    const name = this.displayName ? quote(this.displayName) + ' ' : '';
    return `${name}<${this.uri.toString()}>${formatParams(this.params)}`;
  }
}

/**
 * Parses a name-addr (`"Bob" <sip:bob@b.example>;tag=1`, `Bob <sip:...>`)
 * or an addr-spec (`sip:bob@b.example;tag=1`, where everything after the
 * first `;` is a header parameter). Throws {@link SipSyntaxError}.
 */
export function parseNameAddr(value: string): NameAddr {
  let i = skipLws(value, 0);
  let displayName: string | undefined;
  let uriText: string;
  let angle = false;
  if (value.charCodeAt(i) === 34) {
    const end = readQuoted(value, i);
    if (end === -1) throw new SipSyntaxError('unbalanced quote in display name');
    displayName = unquote(value.slice(i, end));
    i = skipLws(value, end);
    if (value.charCodeAt(i) !== 60) throw new SipSyntaxError('expected < after display name');
    angle = true;
  } else {
    let j = i;
    while (j < value.length) {
      const c = value.charCodeAt(j);
      if (c === 60 || c === 59 || c === 34) break;
      j++;
    }
    if (value.charCodeAt(j) === 60) {
      angle = true;
      const words = value.slice(i, j).trim();
      for (let k = 0; k < words.length; k++) {
        const c = words.charCodeAt(k);
        if (!isTokenChar(c) && c !== 32 && c !== 9)
          throw new SipSyntaxError('display name must be a quoted string or tokens');
      }
      if (words.length > 0) displayName = words.replace(/[ \t]+/g, ' ');
      i = j;
    }
  }
  if (angle) {
    const gt = value.indexOf('>', i + 1);
    if (gt === -1) throw new SipSyntaxError('missing >');
    uriText = value.slice(i + 1, gt);
    i = gt + 1;
  } else {
    let j = i;
    while (j < value.length) {
      const c = value.charCodeAt(j);
      if (c === 59 || c === 32 || c === 9) break;
      if (c === 44 || c === 63 || c === 60 || c === 62)
        throw new SipSyntaxError('a URI with , ? or > must be enclosed in <>');
      j++;
    }
    uriText = value.slice(i, j);
    i = j;
  }
  const uri = parseUri(uriText);
  const params = new Map<string, string | null>();
  i = parseParams(value, i, params);
  if (skipLws(value, i) !== value.length) throw new SipSyntaxError('unexpected text after address');
  const addr = new NameAddr(uri, displayName);
  addr.params = params;
  return addr;
}
