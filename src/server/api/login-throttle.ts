/**
 * Slows password guessing: after 5 failures for one (source, username) pair within 5 minutes,
 * further attempts are refused for a minute. In memory; good enough for one core.
 */
const MAX_FAILURES = 5;
const WINDOW_MS = 5 * 60_000;
const LOCK_MS = 60_000;

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before another attempt, 0 if allowed. */
  retryAfter(key: string): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    const now = this.now();
    if (entry.lockedUntil > now) return Math.ceil((entry.lockedUntil - now) / 1000);
    if (now - entry.firstAt > WINDOW_MS) this.#entries.delete(key);
    return 0;
  }

  fail(key: string): void {
    const now = this.now();
    let entry = this.#entries.get(key);
    if (!entry || now - entry.firstAt > WINDOW_MS) {
      entry = { failures: 0, firstAt: now, lockedUntil: 0 };
      this.#entries.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures >= MAX_FAILURES) entry.lockedUntil = now + LOCK_MS;
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }
}
