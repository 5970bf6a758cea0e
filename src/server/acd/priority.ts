/**
 * Caller priority and the order of a queue.
 *
 * A caller's place is decided once, when it joins, by its **effective score**:
 *
 * ```
 * score = enteredAt − classBonus(priority)        (milliseconds; lower is served first)
 * classBonus: normal 0, vip 120 s, recall 300 s   (configurable)
 * ```
 *
 * So a recall beats a VIP who beats a normal caller who arrived at the same moment, but a
 * priority class only buys its bonus, not the front of the line for ever: a normal caller who
 * has already waited longer than the VIP bonus stays ahead of a VIP who arrives now (ageing, so
 * a long wait is never starved). Because the score does not change with time, the order of
 * the callers already waiting never changes either; only joins and departures move people.
 * Equal scores keep arrival order.
 */
import type { CallerPriority } from './types';

/** Bonus per priority class, in seconds. */
export interface PriorityBonuses {
  vip: number;
  recall: number;
}

export const DEFAULT_PRIORITY_BONUSES: PriorityBonuses = { vip: 120, recall: 300 };

export function effectiveScore(
  enteredAt: number,
  priority: CallerPriority,
  bonuses: PriorityBonuses,
): number {
  if (priority === 'normal') return enteredAt;
  return enteredAt - bonuses[priority] * 1000;
}

/**
 * Normalises a number for VIP matching: drops spaces, dashes, dots and brackets and turns an
 * international `00` prefix into `+`. The core normalises numbers to E.164 before they reach
 * the engine; this only makes list entries typed by hand (`+47 22 33 44 55`) match.
 */
export function normaliseNumber(raw: string): string {
  const compact = raw.replace(/[\s\-.()/]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/**
 * One tenant's VIP list: exact numbers and prefixes (an entry ending in `*`, such as
 * `+4799*`, matches every number that starts with `+4799`).
 */
export class VipList {
  readonly #exact = new Set<string>();
  readonly #prefixes: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const trimmed = entry.trim();
      if (trimmed === '') continue;
      if (trimmed.endsWith('*')) {
        const prefix = normaliseNumber(trimmed.slice(0, -1));
        if (prefix !== '') this.#prefixes.push(prefix);
      } else {
        this.#exact.add(normaliseNumber(trimmed));
      }
    }
  }

  matches(number: string): boolean {
    const n = normaliseNumber(number);
    if (this.#exact.has(n)) return true;
    for (const prefix of this.#prefixes) if (n.startsWith(prefix)) return true;
    return false;
  }
}
