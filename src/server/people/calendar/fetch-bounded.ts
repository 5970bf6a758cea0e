/**
 * A GET with a deadline and a size cap, for feeds and lookups on servers we do not control:
 * the deadline covers the whole exchange (connect, headers and body), the body is read in
 * chunks and abandoned as soon as it passes the cap, and every failure comes back as one
 * `BoundedFetchError` kind.
 */

export type BoundedFetchFailure = 'timeout' | 'aborted' | 'http' | 'too_large' | 'network';

export class BoundedFetchError extends Error {
  override readonly name = 'BoundedFetchError';
  constructor(
    readonly kind: BoundedFetchFailure,
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BoundedFetchOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface BoundedResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/** Parses `raw` as an http(s) URL (`webcal:` is read as `https:`); throws `network` otherwise. */
export function httpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim().replace(/^webcals?:\/\//i, 'https://'));
  } catch (cause) {
    throw new BoundedFetchError('network', 'Not a valid URL', null, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BoundedFetchError('network', `Unsupported URL scheme ${url.protocol}`);
  }
  return url;
}

export async function fetchBounded(
  rawUrl: string,
  options: BoundedFetchOptions,
): Promise<BoundedResponse> {
  const url = httpUrl(rawUrl);
  const { timeoutMs, maxBytes, signal } = options;
  if (signal?.aborted) throw new BoundedFetchError('aborted', 'Aborted before the request');
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  const failure = (cause: unknown): BoundedFetchError => {
    if (cause instanceof BoundedFetchError) return cause;
    if (deadline.signal.aborted) {
      return new BoundedFetchError('timeout', `No answer within ${timeoutMs} ms`, null, { cause });
    }
    if (signal?.aborted) return new BoundedFetchError('aborted', 'Aborted', null, { cause });
    return new BoundedFetchError('network', 'Request failed', null, { cause });
  };
  try {
    const res = await fetch(url, {
      signal: combined,
      redirect: 'follow',
      headers: { ...options.headers },
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new BoundedFetchError('http', `HTTP ${res.status}`, res.status);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new BoundedFetchError('too_large', `Body of ${declared} bytes exceeds ${maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new BoundedFetchError('too_large', `Body exceeds ${maxBytes} bytes`);
        }
        chunks.push(value);
      }
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      text: new TextDecoder('utf-8').decode(bytes),
    };
  } catch (cause) {
    throw failure(cause);
  } finally {
    clearTimeout(timer);
  }
}
