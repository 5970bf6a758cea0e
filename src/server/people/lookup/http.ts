/**
 * An outside directory service over HTTP, configured rather than coded:
 *
 * ```ts
 * new HttpLookup({
 *   name: '1881',
 *   urlTemplate: 'https://dir.example/search?q={number}',
 *   resultPath: 'hits.0',
 *   fields: { name: ['firstName', 'lastName'], company: 'org.name', address: ['street', 'postCity'] },
 * });
 * ```
 *
 * Placeholders: `{number}` is the E.164 number (`+4740001001`, sent URL-encoded as
 * `%2B4740001001`), `{digits}` the same without `+`, `{tenant}` the tenant id. Field paths are
 * dotted (`hits.0.name`, `hits[0].name`); a list of paths is joined with spaces (for the
 * address with ", "). A 404 or an answer without a hit is "not found"; every failure (time
 * limit, other HTTP status, body too large, not JSON) resolves to null as well and is reported
 * through `onError` — the provider never rejects.
 */
import { BoundedFetchError, fetchBounded, httpUrl } from '../calendar/fetch-bounded';
import { LookupError, result } from './types';
import type { LookupProvider, LookupResult } from './types';

export type FieldPath = string | readonly string[];

export interface HttpLookupOptions {
  /** Provider name, also the `source` of its results. Default `http`. */
  readonly name?: string;
  readonly urlTemplate: string;
  /** Where the hit is in the answer; an array there means its first element. Default: the root. */
  readonly resultPath?: string;
  readonly fields: {
    readonly name?: FieldPath;
    readonly company?: FieldPath;
    readonly address?: FieldPath;
  };
  /** Extra request headers, e.g. an API key. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 2 000 ms. */
  readonly timeoutMs?: number;
  /** Default 256 KiB. */
  readonly maxBytes?: number;
  readonly onError?: (error: LookupError) => void;
}

export const DEFAULT_HTTP_LOOKUP_TIMEOUT_MS = 2_000;
export const DEFAULT_HTTP_LOOKUP_MAX_BYTES = 256 * 1024;

export class HttpLookup implements LookupProvider {
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: HttpLookupOptions) {
    this.name = options.name ?? 'http';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_LOOKUP_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_HTTP_LOOKUP_MAX_BYTES;
    if (!/\{(number|digits)\}/.test(options.urlTemplate)) {
      throw new TypeError('urlTemplate needs a {number} or {digits} placeholder');
    }
    httpUrl(this.url('+4700000000', 'tenant')); // Throws now for a template that can never work.
  }

  /** The request URL for a number (exposed for tests and admin previews). */
  url(e164: string, tenantId: string): string {
    return this.options.urlTemplate.replace(/\{(number|digits|tenant)\}/g, (_, key: string) =>
      encodeURIComponent(
        key === 'number' ? e164 : key === 'digits' ? e164.replace(/^\+/, '') : tenantId,
      ),
    );
  }

  async lookup(tenantId: string, e164: string, signal: AbortSignal): Promise<LookupResult | null> {
    let text: string;
    try {
      ({ text } = await fetchBounded(this.url(e164, tenantId), {
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
        signal,
        headers: { accept: 'application/json', ...this.options.headers },
      }));
    } catch (cause) {
      if (cause instanceof BoundedFetchError && cause.status === 404) return null;
      this.report(toLookupError(cause));
      return null;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      this.report(new LookupError('parse', 'Answer is not JSON', null, { cause }));
      return null;
    }
    let hit = this.options.resultPath ? at(body, this.options.resultPath) : body;
    if (Array.isArray(hit)) hit = hit[0];
    if (hit === null || typeof hit !== 'object') return null;
    const { fields } = this.options;
    return result(this.name, {
      name: pick(hit, fields.name, ' '),
      company: pick(hit, fields.company, ' '),
      address: pick(hit, fields.address, ', '),
    });
  }

  private report(error: LookupError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A failing error hook must not turn a lookup failure into a crash.
    }
  }
}

function toLookupError(cause: unknown): LookupError {
  if (!(cause instanceof BoundedFetchError)) {
    return new LookupError('network', 'Lookup failed', null, { cause });
  }
  return new LookupError(cause.kind, cause.message, cause.status, { cause });
}

/** The value at a dotted path (`hits.0.name`, `hits[0].name`); undefined when absent. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (key === '') continue;
    if (current === null || typeof current !== 'object') return undefined;
    // Own properties only: a path must not reach prototypes (`__proto__`, `constructor`).
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function pick(hit: object, path: FieldPath | undefined, joiner: string): string | null {
  if (path === undefined) return null;
  const paths = typeof path === 'string' ? [path] : path;
  const parts: string[] = [];
  for (const p of paths) {
    const v = at(hit, p);
    if (typeof v === 'string' && v.trim() !== '') parts.push(v.trim());
    else if (typeof v === 'number' && Number.isFinite(v)) parts.push(String(v));
  }
  return parts.length > 0 ? parts.join(joiner) : null;
}
