/**
 * The colleague directory (`directory.list`), loaded once per login.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { ApiClient } from './api-client.js';
import { errorCodeOf } from './api-error.js';
import { logger } from './logger.js';
import { Model } from './model.js';

export type DirectoryStatus = 'idle' | 'loading' | 'loaded' | 'error';

export interface DirectorySnapshot {
  readonly status: DirectoryStatus;
  readonly people: readonly DirectoryEntry[];
  /** Stable error code of the last failed load. */
  readonly error: string | null;
}

export const initialDirectory: DirectorySnapshot = { status: 'idle', people: [], error: null };

/** Sorted by display name, accent- and case-insensitively (Norwegian collation). */
export function sortPeople(people: readonly DirectoryEntry[]): DirectoryEntry[] {
  const collator = new Intl.Collator('nb', { sensitivity: 'base' });
  return [...people].sort((a, b) => collator.compare(a.displayName, b.displayName));
}

/**
 * Lower case without accents; Ø and Æ (letters of their own, not accented) fold too, so
 * "odegard" finds Ødegård. Every search in the browser folds with this.
 */
export function foldText(s: string): string {
  const lower = s.toLowerCase();
  // Plain ASCII has nothing to fold (most names, every number): skip the Unicode work.
  if (!/[^ -~]/.test(lower)) return lower;
  return lower
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/**
 * Each person's folded search text, computed once per directory list (lists are immutable
 * snapshots, so the list itself is the cache key): a keystroke then only scans strings.
 */
const haystacks = new WeakMap<readonly DirectoryEntry[], readonly string[]>();

function haystacksOf(people: readonly DirectoryEntry[]): readonly string[] {
  let hay = haystacks.get(people);
  if (!hay) {
    hay = people.map((p) =>
      foldText(
        [p.displayName, p.extension, p.mobile ?? '', p.department ?? '', p.title ?? ''].join(' '),
      ),
    );
    haystacks.set(people, hay);
  }
  return hay;
}

/**
 * Case- and accent-insensitive match on name, extension, mobile, department and title. The
 * folded text of a list is built on its first search (about 0.1 s for 50,000 people) and
 * reused by every later one.
 */
export function filterPeople(people: readonly DirectoryEntry[], query: string): DirectoryEntry[] {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...people];
  const hay = haystacksOf(people);
  // Typing one more letter only narrows the last result: search within it.
  const last = lastSearch.get(people);
  const narrowing = last !== undefined && narrows(last.words, words);
  const from = narrowing ? last.indices : null;
  const indices: number[] = [];
  const n = from ? from.length : people.length;
  for (let k = 0; k < n; k++) {
    const i = from ? (from[k] as number) : k;
    const text = hay[i] as string;
    if (words.every((w) => text.includes(w))) indices.push(i);
  }
  lastSearch.set(people, { words, indices });
  return indices.map((i) => people[i] as DirectoryEntry);
}

/** The last search per list: its words and the indices it matched. */
const lastSearch = new WeakMap<
  readonly DirectoryEntry[],
  { words: readonly string[]; indices: readonly number[] }
>();

/**
 * Whether every match of `next` is a match of `prev`: each earlier word is contained in the
 * word at the same place now (`ol` → `ola`, `ola h` → `ola ha`), and words were only added.
 */
function narrows(prev: readonly string[], next: readonly string[]): boolean {
  return prev.length <= next.length && prev.every((w, i) => (next[i] as string).includes(w));
}

/** Digits only, so `+47 22 33 44 55` and `4722334455` compare equal. */
function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** Colleagues by the digits of their extension, then of their mobile; built once per list. */
const byNumber = new WeakMap<readonly DirectoryEntry[], ReadonlyMap<string, DirectoryEntry>>();

function numberIndex(people: readonly DirectoryEntry[]): ReadonlyMap<string, DirectoryEntry> {
  let index = byNumber.get(people);
  if (!index) {
    const map = new Map<string, DirectoryEntry>();
    // Extensions win over mobiles, and the first person with a number over later ones.
    for (const p of people) {
      const ext = digits(p.extension);
      if (ext && !map.has(ext)) map.set(ext, p);
    }
    for (const p of people) {
      const mobile = p.mobile === null ? '' : digits(p.mobile);
      if (mobile && !map.has(mobile)) map.set(mobile, p);
    }
    index = map;
    byNumber.set(people, index);
  }
  return index;
}

/** The colleague with this extension or mobile number, if any (a map lookup per call). */
export function personForNumber(
  people: readonly DirectoryEntry[],
  number: string,
): DirectoryEntry | null {
  const wanted = digits(number);
  if (!wanted) return null;
  return numberIndex(people).get(wanted) ?? null;
}

export class DirectoryModel extends Model<DirectorySnapshot> {
  readonly people$: Observable<readonly DirectoryEntry[]> = this.select((s) => s.people);
  readonly status$: Observable<DirectoryStatus> = this.select((s) => s.status);

  constructor(private readonly api: ApiClient) {
    super(initialDirectory);
  }

  async load(): Promise<void> {
    this.setState({ ...this.state, status: 'loading', error: null });
    try {
      const { people } = await this.api.call('directory.list', {});
      const sorted = sortPeople(people);
      this.setState({ status: 'loaded', people: sorted, error: null });
      // Fold the search text now, in a task of its own, rather than on the first keystroke.
      setTimeout(() => haystacksOf(sorted), 0);
    } catch (error) {
      logger.warn('directory: load failed', error);
      this.setState({ ...this.state, status: 'error', error: errorCodeOf(error) });
    }
  }

  reset(): void {
    this.setState(initialDirectory);
  }
}
