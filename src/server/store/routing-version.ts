/**
 * Keeps the per-call lookups off the database. Every INVITE asks who the caller is
 * (username), whether the dialled number is a queue or answer group, and which user it
 * means; on PGlite those three queries were half of the core's CPU per call
 * (docs/benchmarks.md). They are answered from a memo that is dropped as soon as
 * anything writes to the tables that decide routing.
 *
 * How a change is noticed: the {@link Db} counts its own write statements that name a
 * routing table ({@link RoutingVersion.note}), and once more when a transaction ends, so a
 * lookup racing a transaction cannot keep what it read before the commit. A change made
 * by another core on a shared PostgreSQL is not seen that way; entries also expire after
 * {@link MEMO_TTL_MS}, which bounds how long such a change takes to reach this core
 * (tenants are pinned to one core, so in practice only admin tools on another core
 * notice; see docs/deployment.md).
 *
 * @packageDocumentation
 */

/** The tables whose rows decide where a call goes or who is calling. */
const ROUTING_TABLES = /\b(?:users|queues|answer_groups|tenants|departments)\b/i;
/** Any statement that can change rows or tables (a `SELECT … FOR UPDATE` counts too: harmless). */
const WRITES = /\b(?:insert|update|delete|truncate|alter|drop|create|copy)\b/i;

/** How long a memoised lookup may be used at most, whatever the version says. */
export const MEMO_TTL_MS = 5_000;
/** Beyond this many entries the memo starts again from empty (scanners dial at random). */
export const MEMO_MAX_ENTRIES = 10_000;

/** A counter that moves whenever a statement may have changed routing data. */
export class RoutingVersion {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  /** Counts `sql` as a change when it writes and names a routing table; says whether it did. */
  note(sql: string): boolean {
    if (!WRITES.test(sql) || !ROUTING_TABLES.test(sql)) return false;
    this.#value++;
    return true;
  }

  /** Counts a change unconditionally (end of a transaction, a migration script). */
  bump(): void {
    this.#value++;
  }
}

interface Entry<V> {
  version: number;
  expires: number;
  value: Promise<V>;
}

/**
 * Remembers the answers of an async lookup per key until the routing version moves or
 * {@link MEMO_TTL_MS} passes. Concurrent lookups of one key share one load; a failed load
 * is forgotten at once, so an error is never cached.
 */
export class RoutingMemo<V> {
  readonly #entries = new Map<string, Entry<V>>();

  constructor(
    private readonly version: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const version = this.version();
    const now = this.now();
    const hit = this.#entries.get(key);
    if (hit && hit.version === version && hit.expires > now) return hit.value;
    if (this.#entries.size >= MEMO_MAX_ENTRIES) this.#entries.clear();
    // Tagged with the version *before* the load: a write during the load makes it stale.
    const entry: Entry<V> = { version, expires: now + MEMO_TTL_MS, value: load() };
    this.#entries.set(key, entry);
    entry.value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return entry.value;
  }

  /** How many answers are held (for tests and the bound). */
  get size(): number {
    return this.#entries.size;
  }
}
