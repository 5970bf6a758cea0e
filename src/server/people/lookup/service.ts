/**
 * `LookupService`: the providers asked in order (first answer wins — so the company
 * directory beats the tenant's contacts, which beat outside services, and a colleague's
 * number is never sent outside), behind a cache with a time to live.
 *
 * The call path never waits: `lookupForCall` answers from the cache, or with what the
 * providers can say within `budgetMs` (0 = only what is already at hand, e.g. in-memory
 * contacts), or null — and the lookup goes on in the background; when it finds something
 * later, `onResult` fires so the core can update the caller card.
 *
 * Caching: hits for `ttlMs` (default 15 min); "nobody knows" — including an outside service
 * that failed or ran out of time, whose late answer is thrown away — for `negativeTtlMs`
 * (default 60 s), so a struggling service is not asked again for every call from the same
 * number. Memory only, at most `maxEntries`, expired entries swept every `sweepIntervalMs`:
 * public directory data is shown, not stored beyond the TTL.
 */
import { toE164 } from '../../store/phone';
import { TtlCache } from './ttl-cache';
import type { LookupProvider, LookupResult } from './types';

export interface LookupUpdate {
  readonly tenantId: string;
  /** The number as E.164. */
  readonly number: string;
  readonly result: LookupResult;
}

export interface LookupServiceOptions {
  /** How long a hit is kept. Default 15 minutes. */
  readonly ttlMs?: number;
  /** How long "not found" (or a failed lookup) is kept. Default 60 s; 0 = not cached. */
  readonly negativeTtlMs?: number;
  /** Default 5 000 entries. */
  readonly maxEntries?: number;
  /** Safety limit per provider, for providers that ignore their signal. Default 3 000 ms. */
  readonly providerTimeoutMs?: number;
  /** How often expired entries are swept out. Default 60 s; 0 = only on use. */
  readonly sweepIntervalMs?: number;
  /** Clock for cache expiry (tests). */
  readonly now?: () => number;
  /** A background lookup found something after `lookupForCall` had to answer without it. */
  readonly onResult?: (update: LookupUpdate) => void;
  /** A provider rejected (it is then skipped for that lookup). */
  readonly onProviderError?: (provider: string, error: unknown) => void;
}

interface Fill {
  readonly promise: Promise<LookupResult | null>;
  /** Set when a `lookupForCall` gave up waiting: the answer must then be pushed. */
  notify: boolean;
}

export class LookupService {
  private readonly cache: TtlCache<LookupResult | null>;
  private readonly inFlight = new Map<string, Fill>();
  private readonly closed = new AbortController();
  private readonly sweeper: ReturnType<typeof setInterval> | null;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly providerTimeoutMs: number;

  constructor(
    private readonly providers: readonly LookupProvider[],
    private readonly options: LookupServiceOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 60_000;
    this.providerTimeoutMs = options.providerTimeoutMs ?? 3_000;
    this.cache = new TtlCache(options.maxEntries ?? 5_000, options.now ?? Date.now);
    const sweep = options.sweepIntervalMs ?? 60_000;
    this.sweeper = sweep > 0 ? setInterval(() => this.cache.purgeExpired(), sweep) : null;
    this.sweeper?.unref();
  }

  /** Entries held (expired ones included until swept). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /**
   * For the call path: resolves within about `budgetMs` (0 = at once) with the cached or
   * quickly found result, or null; never rejects. A lookup still running carries on and
   * reports through `onResult`.
   */
  lookupForCall(tenantId: string, number: string, budgetMs = 0): Promise<LookupResult | null> {
    const e164 = normalize(number);
    if (!e164) return Promise.resolve(null);
    const cached = this.cache.get(key(tenantId, e164));
    if (cached) return Promise.resolve(cached.value);
    const fill = this.fill(tenantId, e164);
    return new Promise((resolve) => {
      let done = false;
      const giveUp = () => {
        if (done) return;
        done = true;
        fill.notify = true;
        resolve(null);
      };
      // With no budget, a macrotask still lets promise chains that are already settled
      // (in-memory providers) finish first.
      const timer = budgetMs > 0 ? setTimeout(giveUp, budgetMs) : null;
      const immediate = budgetMs > 0 ? null : setImmediate(giveUp);
      void fill.promise.then((r) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        resolve(r);
      });
    });
  }

  /** The full lookup, waiting for the providers (admin views, tests). Never rejects. */
  async lookup(
    tenantId: string,
    number: string,
    signal?: AbortSignal,
  ): Promise<LookupResult | null> {
    const e164 = normalize(number);
    if (!e164) return null;
    const cached = this.cache.get(key(tenantId, e164));
    if (cached) return cached.value;
    const { promise } = this.fill(tenantId, e164);
    if (!signal) return promise;
    return Promise.race([promise, aborted(signal).then(() => null)]);
  }

  /** What the cache holds: a result, null for a cached "not found", undefined for nothing. */
  peek(tenantId: string, number: string): LookupResult | null | undefined {
    const e164 = normalize(number);
    return e164 ? this.cache.get(key(tenantId, e164))?.value : undefined;
  }

  /** Forgets one number, or everything for the tenant (e.g. after a directory change). */
  invalidate(tenantId: string, number?: string): void {
    if (number === undefined) {
      this.cache.deletePrefix(key(tenantId, ''));
      return;
    }
    const e164 = normalize(number);
    if (e164) this.cache.delete(key(tenantId, e164));
  }

  purgeExpired(): number {
    return this.cache.purgeExpired();
  }

  /** Stops the sweeper, aborts running lookups and empties the cache. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.closed.abort();
    this.cache.clear();
  }

  private fill(tenantId: string, e164: string): Fill {
    const k = key(tenantId, e164);
    const running = this.inFlight.get(k);
    if (running) return running;
    const fill: Fill = {
      notify: false,
      promise: this.ask(tenantId, e164).then((r) => {
        this.inFlight.delete(k);
        if (this.closed.signal.aborted) return r;
        this.cache.set(k, r, r ? this.ttlMs : this.negativeTtlMs);
        if (r && fill.notify) {
          try {
            this.options.onResult?.({ tenantId, number: e164, result: r });
          } catch {
            // The listener's failure is its own; the cache is filled either way.
          }
        }
        return r;
      }),
    };
    this.inFlight.set(k, fill);
    return fill;
  }

  private async ask(tenantId: string, e164: string): Promise<LookupResult | null> {
    for (const provider of this.providers) {
      if (this.closed.signal.aborted) return null;
      const signal = AbortSignal.any([
        this.closed.signal,
        AbortSignal.timeout(this.providerTimeoutMs),
      ]);
      try {
        const r = await Promise.race([
          provider.lookup(tenantId, e164, signal),
          aborted(signal).then(() => null),
        ]);
        if (r) return r;
      } catch (error) {
        try {
          this.options.onProviderError?.(provider.name, error);
        } catch {
          // Ignored: reporting must not stop the next provider.
        }
      }
    }
    return null;
  }
}

function key(tenantId: string, e164: string): string {
  return `${tenantId}\u0000${e164}`;
}

function normalize(number: string): string | null {
  try {
    return toE164(number);
  } catch {
    return null;
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
