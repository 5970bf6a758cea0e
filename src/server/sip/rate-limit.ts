/**
 * Per-source request rate limit: one token bucket per remote address.
 *
 * @packageDocumentation
 */

/** What to do with one request from a source. */
export enum RateVerdict {
  /** Within the limit. */
  Pass = 'Pass',
  /** The first request over the limit: answer 503 with Retry-After. */
  Reject = 'Reject',
  /** Further requests over the limit: drop silently (no amplification). */
  Drop = 'Drop',
}

/** Options of {@link SourceRateLimiter}. */
export interface SourceRateLimiterOptions {
  /** Requests per second per source address; 0 turns the limit off. */
  perSecond: number;
  /** Burst allowance in requests. Default: `perSecond` (one second's worth). */
  burst?: number;
  /** Addresses never limited (the Kamailio edge speaks for many clients). */
  exempt?: Iterable<string>;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** A 503 went out since the bucket last had a token: drop the rest. */
  rejected: boolean;
}

/**
 * Token buckets keyed by source address. A bucket refills at `perSecond`
 * up to `burst`; a bucket that is full again carries no information and is
 * forgotten by {@link sweep}, so spoofed sources cannot grow the map for long.
 */
export class SourceRateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  private readonly exempt: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: SourceRateLimiterOptions) {
    this.perSecond = Math.max(0, options.perSecond);
    this.burst = Math.max(1, options.burst ?? this.perSecond);
    this.exempt = new Set([...(options.exempt ?? [])].map(normalizeAddress));
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Buckets currently kept (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for a request from `address`. */
  take(address: string): RateVerdict {
    if (!this.enabled) return RateVerdict.Pass;
    const key = normalizeAddress(address);
    if (this.exempt.has(key)) return RateVerdict.Pass;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: now, rejected: false };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.rejected = false;
      return RateVerdict.Pass;
    }
    if (bucket.rejected) return RateVerdict.Drop;
    bucket.rejected = true;
    return RateVerdict.Reject;
  }

  /** Seconds until `address` has a token again (for Retry-After), at least 1. */
  retryAfter(address: string): number {
    const bucket = this.buckets.get(normalizeAddress(address));
    if (bucket === undefined || this.perSecond === 0) return 1;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }

  /** Forgets buckets that have refilled completely. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.burst) this.buckets.delete(key);
    }
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perSecond);
    bucket.at = now;
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one source. */
export function normalizeAddress(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
