/**
 * Collation ranks for the distinct names of a directory: every name gets its position
 * in Norwegian order (`Intl.Collator('nb')`: … Z, Æ, Ø, Å), so ranking can break ties
 * by comparing integers instead of calling the collator on every keystroke.
 *
 * @packageDocumentation
 */

export interface NameRank {
  readonly name: string;
  /** Position among all names in collation order; valid after {@link NameOrder.ensureRanks}. */
  rank: number;
  /** How many entries use the name. */
  refs: number;
}

export class NameOrder {
  private readonly map = new Map<string, NameRank>();
  private readonly sorted: NameRank[] = [];
  private dirty = false;
  private bulk = false;

  constructor(private readonly collator: Intl.Collator) {}

  private readonly compare = (a: NameRank, b: NameRank): number =>
    this.collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  /** Until {@link endBulk}, new names are appended and sorted once at the end. */
  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    this.sorted.sort(this.compare);
    this.dirty = true;
  }

  /** The name's record, counted once more. */
  acquire(name: string): NameRank {
    const known = this.map.get(name);
    if (known) {
      known.refs++;
      return known;
    }
    const rec: NameRank = { name, rank: 0, refs: 1 };
    this.map.set(name, rec);
    if (this.bulk) {
      this.sorted.push(rec);
    } else {
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.compare(this.sorted[mid] as NameRank, rec) < 0) lo = mid + 1;
        else hi = mid;
      }
      this.sorted.splice(lo, 0, rec);
    }
    this.dirty = true;
    return rec;
  }

  /** Counts the name once less; forgets it when nobody uses it. */
  release(rec: NameRank): void {
    if (--rec.refs > 0) return;
    this.map.delete(rec.name);
    const at = this.sorted.indexOf(rec);
    if (at >= 0) this.sorted.splice(at, 1);
    this.dirty = true;
  }

  /**
   * Renumbers the names after changes (O(distinct names), only when something changed);
   * returns whether any rank may have changed.
   */
  ensureRanks(): boolean {
    if (!this.dirty) return false;
    for (let i = 0; i < this.sorted.length; i++) (this.sorted[i] as NameRank).rank = i;
    this.dirty = false;
    return true;
  }
}
