/**
 * SIP message model: requests and responses over one ordered header list.
 *
 * Header values are stored as received (unfolded) and written back as
 * stored, so a proxied or logged message keeps its shape; the typed
 * accessors (`vias`, `from`, `cseq`...) parse on first use and cache until
 * that header changes. Treat the objects they return as read-only: change a
 * header with {@link SipMessage.set} and friends.
 *
 * @packageDocumentation
 */
import { SipSyntaxError } from './errors';
import { headerName, isListHeader } from './headers';
import { reasonPhrase } from './reasons';
import { byteLength, serialize } from './serializer';
import { parseNameAddr, parseUri } from './uri';
import type { NameAddr, SipUri } from './uri';
import { parseVia } from './via';
import type { Via } from './via';
import { splitList, skipLws } from './grammar';

/** One header line: `key` is the lowercase long name used for lookups. */
export interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
}

/** Headers for a constructor: `[name, value]` pairs, or a record (arrays give several lines). */
export type HeaderInit =
  Iterable<readonly [string, string]> | Readonly<Record<string, string | readonly string[]>>;

/** Parsed CSeq. */
export interface CSeq {
  seq: number;
  method: string;
}

function checkValue(value: string): string {
  if (value.includes('\r') || value.includes('\n'))
    throw new TypeError('header value must not contain CR or LF');
  return value;
}

/** Parses `1*DIGIT LWS Method` and enforces the 2**31 limit of §8.1.1.5. */
export function parseCSeq(value: string): CSeq {
  let i = skipLws(value, 0);
  const start = i;
  while (i < value.length && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
  if (i === start || i - start > 10) throw new SipSyntaxError('CSeq: bad number');
  const seq = Number(value.slice(start, i));
  if (seq >= 2 ** 31) throw new SipSyntaxError('CSeq: number too large');
  const methodStart = skipLws(value, i);
  if (methodStart === i) throw new SipSyntaxError('CSeq: missing method');
  const method = value.slice(methodStart).trimEnd();
  if (method.length === 0 || /[\s]/.test(method)) throw new SipSyntaxError('CSeq: bad method');
  return { seq, method };
}

/** Common base of {@link SipRequest} and {@link SipResponse}. */
export abstract class SipMessage {
  /** @internal The header lines in order; use the methods below instead. */
  _fields: HeaderField[] = [];
  /** Body as text; Content-Length is recomputed from it when serializing. */
  body = '';
  // Parsed forms of the typed headers; fixed fields keep every message the same shape.
  private cachedVias: Via[] | undefined = undefined;
  private cachedFrom: NameAddr | undefined = undefined;
  private cachedTo: NameAddr | undefined = undefined;
  private cachedCSeq: CSeq | undefined = undefined;
  private cachedContacts: NameAddr[] | undefined = undefined;

  abstract readonly type: 'request' | 'response';
  /** The first line without CRLF. */
  abstract startLine(): string;
  abstract clone(): SipMessage;

  protected init(headers: HeaderInit | undefined, body: string | undefined): void {
    if (body !== undefined) this.body = body;
    if (headers === undefined) return;
    const pairs: Iterable<readonly [string, string | readonly string[]]> =
      Symbol.iterator in headers
        ? (headers as Iterable<readonly [string, string]>)
        : Object.entries(headers as Record<string, string | readonly string[]>);
    for (const [name, value] of pairs) {
      if (typeof value === 'string') this.add(name, value);
      else for (const v of value) this.add(name, v);
    }
  }

  /** First value of a header (for list headers the first list element), or undefined. */
  get(name: string): string | undefined {
    const key = headerName(name).key;
    for (const field of this._fields) {
      if (field.key === key) {
        if (!isListHeader(key) || !field.value.includes(',')) return field.value;
        return splitList(field.value).find((v) => v.length > 0);
      }
    }
    return undefined;
  }

  /**
   * Every value of a header in order. List headers (Via, Route, Contact,
   * Allow, Supported...) are split at commas outside quotes and `<>`; other
   * headers (Authorization, WWW-Authenticate, Date...) give one value per line.
   */
  getAll(name: string): string[] {
    const key = headerName(name).key;
    const list = isListHeader(key);
    const out: string[] = [];
    for (const field of this._fields) {
      if (field.key !== key) continue;
      if (list && field.value.includes(',')) {
        for (const v of splitList(field.value)) if (v.length > 0) out.push(v);
      } else {
        out.push(field.value);
      }
    }
    return out;
  }

  has(name: string): boolean {
    const key = headerName(name).key;
    return this._fields.some((f) => f.key === key);
  }

  /** Replaces every line of the header by `value` (one line per array element), in place of the first. */
  set(name: string, value: string | readonly string[]): this {
    const { key, name: written } = headerName(name);
    const values = typeof value === 'string' ? [value] : value;
    const lines = values.map((v) => ({ name: written, key, value: checkValue(v) }));
    const at = this._fields.findIndex((f) => f.key === key);
    this._fields = this._fields.filter((f) => f.key !== key);
    this._fields.splice(at === -1 ? this._fields.length : at, 0, ...lines);
    this.touch(key);
    return this;
  }

  /** Appends a line after the header's last line (or at the end). */
  add(name: string, value: string): this {
    const { key, name: written } = headerName(name);
    let at = this._fields.length;
    for (let i = this._fields.length - 1; i >= 0; i--) {
      if (this._fields[i]?.key === key) {
        at = i + 1;
        break;
      }
    }
    this._fields.splice(at, 0, { name: written, key, value: checkValue(value) });
    this.touch(key);
    return this;
  }

  /** Inserts a line before the header's first line (or at the top): Via, Record-Route. */
  prepend(name: string, value: string): this {
    const { key, name: written } = headerName(name);
    const at = this._fields.findIndex((f) => f.key === key);
    this._fields.splice(at === -1 ? 0 : at, 0, { name: written, key, value: checkValue(value) });
    this.touch(key);
    return this;
  }

  /** Removes every line of the header; true if there was one. */
  remove(name: string): boolean {
    const key = headerName(name).key;
    const before = this._fields.length;
    this._fields = this._fields.filter((f) => f.key !== key);
    this.touch(key);
    return this._fields.length !== before;
  }

  /**
   * Removes the first value only (the first list element of a comma-joined
   * line) and returns it: popping the top Route or Via.
   */
  removeFirst(name: string): string | undefined {
    const key = headerName(name).key;
    const index = this._fields.findIndex((f) => f.key === key);
    const field = this._fields[index];
    if (field === undefined) return undefined;
    this.touch(key);
    if (isListHeader(key) && field.value.includes(',')) {
      const values = splitList(field.value).filter((v) => v.length > 0);
      const first = values.shift();
      if (values.length > 0) {
        this._fields[index] = { ...field, value: values.join(', ') };
        return first;
      }
    }
    this._fields.splice(index, 1);
    return field.value;
  }

  /** All header lines in order as `[name, value]`. */
  entries(): [string, string][] {
    return this._fields.map((f) => [f.name, f.value]);
  }

  private touch(key: string): void {
    switch (key) {
      case 'via':
        this.cachedVias = undefined;
        break;
      case 'from':
        this.cachedFrom = undefined;
        break;
      case 'to':
        this.cachedTo = undefined;
        break;
      case 'cseq':
        this.cachedCSeq = undefined;
        break;
      case 'contact':
        this.cachedContacts = undefined;
        break;
    }
  }

  private required(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new SipSyntaxError(`missing ${name}`);
    return value;
  }

  /** Call-ID; throws {@link SipSyntaxError} when missing. */
  get callId(): string {
    return this.required('Call-ID');
  }

  /** CSeq; throws {@link SipSyntaxError} when missing or malformed. */
  get cseq(): CSeq {
    return (this.cachedCSeq ??= parseCSeq(this.required('CSeq')));
  }

  /** From; throws {@link SipSyntaxError} when missing or malformed. */
  get from(): NameAddr {
    return (this.cachedFrom ??= parseNameAddr(this.required('From')));
  }

  /** To; throws {@link SipSyntaxError} when missing or malformed. */
  get to(): NameAddr {
    return (this.cachedTo ??= parseNameAddr(this.required('To')));
  }

  /** Every Via, top first; throws {@link SipSyntaxError} when one is malformed. */
  get vias(): Via[] {
    return (this.cachedVias ??= this.getAll('Via').map(parseVia));
  }

  /** The top Via, or undefined. */
  get topVia(): Via | undefined {
    return this.vias[0];
  }

  /** Contact addresses except the `*` wildcard (see {@link contactWildcard}). */
  get contacts(): NameAddr[] {
    return (this.cachedContacts ??= this.getAll('Contact')
      .filter((v) => v !== '*')
      .map(parseNameAddr));
  }

  /** `Contact: *` (REGISTER: remove all bindings). */
  get contactWildcard(): boolean {
    return this.getAll('Contact').includes('*');
  }

  /** Max-Forwards, undefined when absent; throws {@link SipSyntaxError} when not 0–255. */
  get maxForwards(): number | undefined {
    const value = this.get('Max-Forwards');
    if (value === undefined) return undefined;
    if (!/^[0-9]{1,5}$/.test(value)) throw new SipSyntaxError('bad Max-Forwards');
    const n = Number(value);
    if (n > 255) throw new SipSyntaxError('Max-Forwards above 255');
    return n;
  }

  /** UTF-8 length of the body: the Content-Length this message serializes with. */
  get contentLength(): number {
    return byteLength(this.body);
  }

  get contentType(): string | undefined {
    return this.get('Content-Type');
  }

  /** Wire form (CRLF, recomputed Content-Length). */
  toString(): string {
    return serialize(this);
  }

  protected copyInto<T extends SipMessage>(target: T): T {
    target._fields = this._fields.slice();
    target.body = this.body;
    return target;
  }
}

/** A request. `uri` is the Request-URI as text; `parsedUri` parses it on demand. */
export class SipRequest extends SipMessage {
  readonly type = 'request' as const;
  method: string;
  private uriText: string;
  private uriCache: SipUri | undefined;

  constructor(method: string, uri: string, headers?: HeaderInit, body?: string) {
    super();
    this.method = method;
    this.uriText = uri;
    this.init(headers, body);
  }

  /** Request-URI as text (as received, or as set). */
  get uri(): string {
    return this.uriText;
  }

  set uri(value: string) {
    this.uriText = value;
    this.uriCache = undefined;
  }

  /** Parsed Request-URI (cached until `uri` changes); throws {@link SipSyntaxError} when malformed. */
  get parsedUri(): SipUri {
    return (this.uriCache ??= parseUri(this.uriText));
  }

  startLine(): string {
    return `${this.method} ${this.uriText} SIP/2.0`;
  }

  clone(): SipRequest {
    return this.copyInto(new SipRequest(this.method, this.uriText));
  }
}

/** A response. */
export class SipResponse extends SipMessage {
  readonly type = 'response' as const;
  status: number;
  reason: string;

  constructor(status: number, reason?: string, headers?: HeaderInit, body?: string) {
    super();
    this.status = status;
    this.reason = reason ?? reasonPhrase(status);
    this.init(headers, body);
  }

  /** The reason may come from anywhere (a TU, a peer); line breaks never reach the wire. */
  startLine(): string {
    const reason = /[\r\n]/.test(this.reason) ? this.reason.replace(/[\r\n]+/g, ' ') : this.reason;
    return `SIP/2.0 ${this.status} ${reason}`;
  }

  clone(): SipResponse {
    return this.copyInto(new SipResponse(this.status, this.reason));
  }
}

/** Narrowing helper. */
export function isRequest(msg: SipMessage): msg is SipRequest {
  return msg.type === 'request';
}

/** Narrowing helper. */
export function isResponse(msg: SipMessage): msg is SipResponse {
  return msg.type === 'response';
}
