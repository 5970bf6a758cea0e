/**
 * The Via header field value (RFC 3261 §20.42, RFC 3581 `rport`).
 *
 * @packageDocumentation
 */
import { SipSyntaxError } from './errors';
import { formatParams, parseParams, readToken, skipLws } from './grammar';

/** The branch prefix that marks an RFC 3261 transaction id (§8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';

/** Fields accepted by the {@link Via} constructor. */
export interface ViaInit {
  protocol?: string;
  transport: string;
  host: string;
  port?: number | undefined;
  params?: Iterable<readonly [string, string | null]>;
}

/** One Via value: `SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK...;rport`. */
export class Via {
  /** `SIP/2.0` (name uppercased). */
  protocol: string;
  /** Uppercased transport: `UDP`, `TCP`, `TLS`, `WS`, `WSS`, `SCTP`... */
  transport: string;
  /** Sent-by host as written; IPv6 references keep their brackets. */
  host: string;
  port: number | undefined;
  /** Names lowercased; values as written, null when valueless (`rport`). */
  params: Map<string, string | null>;

  constructor(init: ViaInit) {
    this.protocol = init.protocol ?? 'SIP/2.0';
    this.transport = init.transport.toUpperCase();
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ? new Map(init.params) : new Map();
  }

  get branch(): string | undefined {
    return this.params.get('branch') ?? undefined;
  }

  set branch(value: string | undefined) {
    if (value === undefined) this.params.delete('branch');
    else this.params.set('branch', value);
  }

  /** The `received` address a server added (§18.2.1). */
  get received(): string | undefined {
    return this.params.get('received') ?? undefined;
  }

  /** `true` when the client asked for rport (no value yet), the port once a server filled it in. */
  get rport(): number | true | undefined {
    if (!this.params.has('rport')) return undefined;
    const value = this.params.get('rport');
    if (value === null || value === undefined) return true;
    const n = Number(value);
    return Number.isInteger(n) ? n : true;
  }

  /** `host[:port]` exactly as the transaction key uses it. */
  get sentBy(): string {
    return this.port === undefined
      ? this.host.toLowerCase()
      : `${this.host.toLowerCase()}:${this.port}`;
  }

  toString(): string {
    const port = this.port === undefined ? '' : `:${this.port}`;
    return `${this.protocol}/${this.transport} ${this.host}${port}${formatParams(this.params)}`;
  }
}

function readSlashedToken(s: string, i: number, what: string): [string, number] {
  i = skipLws(s, i);
  const end = readToken(s, i);
  if (end === i) throw new SipSyntaxError(`Via: missing ${what}`);
  return [s.slice(i, end), end];
}

function expectSlash(s: string, i: number): number {
  i = skipLws(s, i);
  if (s.charCodeAt(i) !== 47) throw new SipSyntaxError('Via: expected /');
  return i + 1;
}

/**
 * Parses one Via value (split the header at commas first, see
 * `SipMessage.getAll`). Whitespace is allowed around `/`, `:`, `;` and `=`
 * as the grammar's LWS allows. Throws {@link SipSyntaxError}.
 */
export function parseVia(value: string): Via {
  const [name, afterName] = readSlashedToken(value, 0, 'protocol name');
  const [version, afterVersion] = readSlashedToken(
    value,
    expectSlash(value, afterName),
    'protocol version',
  );
  const [transport, afterTransport] = readSlashedToken(
    value,
    expectSlash(value, afterVersion),
    'transport',
  );
  let i = afterTransport;
  const hostStart = skipLws(value, i);
  if (hostStart === i) throw new SipSyntaxError('Via: expected whitespace before sent-by');
  i = hostStart;
  if (value.charCodeAt(i) === 91) {
    const close = value.indexOf(']', i);
    if (close === -1) throw new SipSyntaxError('Via: unterminated IPv6 reference');
    i = close + 1;
  } else {
    while (i < value.length) {
      const c = value.charCodeAt(i);
      const ok =
        (c >= 48 && c <= 57) ||
        (c >= 65 && c <= 90) ||
        (c >= 97 && c <= 122) ||
        c === 45 ||
        c === 46 ||
        c === 95;
      if (!ok) break;
      i++;
    }
  }
  if (i === hostStart) throw new SipSyntaxError('Via: missing sent-by host');
  const host = value.slice(hostStart, i);
  let port: number | undefined;
  const afterHost = skipLws(value, i);
  if (value.charCodeAt(afterHost) === 58) {
    const start = skipLws(value, afterHost + 1);
    let end = start;
    while (end < value.length && value.charCodeAt(end) >= 48 && value.charCodeAt(end) <= 57) end++;
    port = Number(value.slice(start, end));
    if (end === start || end - start > 5 || port > 65535) throw new SipSyntaxError('Via: bad port');
    i = end;
  }
  const params = new Map<string, string | null>();
  i = parseParams(value, i, params);
  if (skipLws(value, i) !== value.length) throw new SipSyntaxError('Via: unexpected text');
  const via = new Via({ protocol: `${name.toUpperCase()}/${version}`, transport, host, port });
  via.params = params;
  return via;
}
