/**
 * Slows password guessing with three counters (in memory; good enough for one core):
 * - per (address, username): 5 failures within 5 minutes → that pair waits 1 minute;
 * - per username, from anywhere: 10 failures within 15 minutes → the account is locked for
 *   15 minutes (a spread-out attack on one account);
 * - per address, any usernames: 30 failures within 5 minutes → the address waits 5 minutes
 *   (one source trying many accounts).
 * Unknown usernames count exactly like known ones, so the answers never tell them apart.
 */
interface Rule {
  readonly max: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

const RULES = {
  pair: { max: 5, windowMs: 5 * 60_000, lockMs: 60_000 },
  account: { max: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { max: 30, windowMs: 5 * 60_000, lockMs: 5 * 60_000 },
} as const satisfies Record<string, Rule>;

type Scope = keyof typeof RULES;

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

/** Who is trying: the connection's address and the username as typed. */
export interface LoginAttempt {
  readonly address: string;
  readonly username: string;
}

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before another attempt (the longest of the three locks), 0 if allowed. */
  retryAfter(attempt: LoginAttempt): number {
    const now = this.now();
    let wait = 0;
    for (const [scope, key] of keysOf(attempt)) {
      const entry = this.#entries.get(key);
      if (!entry) continue;
      if (entry.lockedUntil > now) wait = Math.max(wait, entry.lockedUntil - now);
      else if (now - entry.firstAt > RULES[scope].windowMs) this.#entries.delete(key);
    }
    return Math.ceil(wait / 1000);
  }

  fail(attempt: LoginAttempt): void {
    const now = this.now();
    for (const [scope, key] of keysOf(attempt)) {
      const rule = RULES[scope];
      let entry = this.#entries.get(key);
      if (!entry || now - entry.firstAt > rule.windowMs) {
        entry = { failures: 0, firstAt: now, lockedUntil: 0 };
        this.#entries.set(key, entry);
      }
      entry.failures += 1;
      if (entry.failures >= rule.max) entry.lockedUntil = now + rule.lockMs;
    }
  }

  /** The right password: the pair and the account start afresh (the address keeps counting). */
  succeed(attempt: LoginAttempt): void {
    for (const [scope, key] of keysOf(attempt)) {
      if (scope !== 'address') this.#entries.delete(key);
    }
  }
}

function keysOf(attempt: LoginAttempt): Array<[Scope, string]> {
  const user = attempt.username.trim().toLowerCase();
  return [
    ['pair', `pair|${attempt.address}|${user}`],
    ['account', `account|${user}`],
    ['address', `address|${attempt.address}`],
  ];
}
