/**
 * An array kept in order by a total-order comparator: binary search to find a place
 * (O(log n) comparisons) and one `splice` to insert or remove (a memmove of pointers, which
 * for the thousand-odd entries of a queue costs well under a microsecond). It answers what a
 * heap cannot: the rank of an entry (a caller's position) and in-order iteration from any
 * point (the next agent after the last one offered).
 *
 * The comparator must be a total order over the entries present (no two distinct entries
 * compare equal), and an entry's key must not change while it is in the array.
 */
export class SortedArray<T> {
  readonly #items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get length(): number {
    return this.#items.length;
  }

  at(index: number): T | undefined {
    return this.#items[index];
  }

  /** Inserts `item` and returns its index. */
  insert(item: T): number {
    const index = this.firstIndexWhere((x) => this.compare(x, item) > 0);
    this.#items.splice(index, 0, item);
    return index;
  }

  /** Index of `item`, or -1. */
  indexOf(item: T): number {
    const index = this.firstIndexWhere((x) => this.compare(x, item) >= 0);
    return this.#items[index] === item ? index : -1;
  }

  /** Removes `item`; returns the index it had, or -1 if it was not there. */
  remove(item: T): number {
    const index = this.indexOf(item);
    if (index >= 0) this.#items.splice(index, 1);
    return index;
  }

  /**
   * The first index whose entry satisfies `pred`, or `length` if none does; `pred` must be
   * monotonic over the order (false … false true … true).
   */
  firstIndexWhere(pred: (item: T) => boolean): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.#items[mid] as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The entries in order (a live view: do not mutate while iterating). */
  values(): readonly T[] {
    return this.#items;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
