/**
 * The toll-fraud guard (issue 6): an external number is called only by an authenticated user
 * (the SIP router has already demanded digest credentials by then), only within the tenant's
 * allowed E.164 prefixes, and at most `callsPerMinute` new external calls per tenant — a
 * hijacked account dialling premium numbers in a loop runs into the limit within a minute.
 */

export type TollFraudVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 403 | 503; readonly reason: string };

export interface TollFraudLimits {
  readonly allowedPrefixes: readonly string[];
  readonly callsPerMinute: number;
}

const WINDOW_MS = 60_000;

export class TollFraudGuard {
  /** tenant → start times of its external calls within the last minute. */
  readonly #recent = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Decides on one new external call to `e164` and counts it when allowed. */
  check(tenantId: string, e164: string, limits: TollFraudLimits): TollFraudVerdict {
    if (!limits.allowedPrefixes.some((p) => p.length > 1 && e164.startsWith(p))) {
      return { ok: false, status: 403, reason: 'Destination Not Allowed' };
    }
    const now = this.now();
    const recent = (this.#recent.get(tenantId) ?? []).filter((t) => t > now - WINDOW_MS);
    if (recent.length >= limits.callsPerMinute) {
      this.#recent.set(tenantId, recent);
      return { ok: false, status: 503, reason: 'External Call Limit Reached' };
    }
    recent.push(now);
    this.#recent.set(tenantId, recent);
    return { ok: true };
  }
}
