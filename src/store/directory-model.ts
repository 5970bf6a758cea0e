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
 * The search index of one directory list (lists are immutable snapshots, so the list itself is
 * the cache key): each person's folded text, and for every letter and every pair of adjacent
 * letters in those texts, the ascending positions of the people whose text holds it. A keystroke
 * then checks only the people of the shortest such list among its words' letter pairs instead of
 * all 50,000, and a query of one or two letters is that list itself.
 */
interface SearchIndex {
  /** Each person's folded name, extension and mobile. */
  readonly own: readonly string[];
  /**
   * Each person's folded department and title, as an index into `shared`: few distinct ones,
   * held by thousands each, so a search tests each once (a title word then costs no string
   * search per person).
   */
  readonly sharedOf: Int32Array;
  readonly shared: readonly string[];
  /** UTF-16 code unit → letter id (1–255; 0: in nobody's text). Rare units share id 255. */
  readonly ids: Uint8Array;
  /** Where each key's positions start in `postings`; `starts[key + 1]` is where they end. */
  readonly starts: Int32Array;
  readonly postings: Int32Array;
  /**
   * Two result buffers, one per person, used in turn: a search writes its matches into the one
   * the last search's matches (which it may narrow) are not in, so keystrokes allocate nothing.
   */
  readonly results: readonly [Int32Array, Int32Array];
  turn: 0 | 1;
}

/** Keys: a letter id (0–255), then 256 + a pair of ids (first × 256 + second). */
const PAIR_BASE = 256;
const KEYS = PAIR_BASE + 256 * 256;
/** The id of every code unit after the first 254 distinct ones: its lists are supersets. */
const SHARED_ID = 255;
const SPACE = 32;

const indexes = new WeakMap<readonly DirectoryEntry[], SearchIndex>();

function searchIndexOf(people: readonly DirectoryEntry[]): SearchIndex {
  let index = indexes.get(people);
  if (!index) {
    index = buildIndex(people);
    indexes.set(people, index);
  }
  return index;
}

function buildIndex(people: readonly DirectoryEntry[]): SearchIndex {
  // Folding distributes over the joins (a space folds to itself), and no query word holds a
  // space, so a word is in the whole text exactly when it is in one of these two parts.
  const own = people.map((p) => foldText([p.displayName, p.extension, p.mobile ?? ''].join(' ')));
  const sharedIds = new Map<string, number>();
  const sharedOf = new Int32Array(people.length);
  people.forEach((p, i) => {
    const text = foldText([p.department ?? '', p.title ?? ''].join(' '));
    let id = sharedIds.get(text);
    if (id === undefined) {
      id = sharedIds.size;
      sharedIds.set(text, id);
    }
    sharedOf[i] = id;
  });
  const shared = [...sharedIds.keys()];
  const hay = own.map((text, i) => `${text} ${shared[sharedOf[i] as number] as string}`);
  const ids = new Uint8Array(65536);
  let nextId = 1;
  /** Calls `add` once per person and key (`seen` remembers the last person per key). */
  const eachKey = (seen: Int32Array, add: (key: number, person: number) => void) => {
    seen.fill(-1);
    for (let i = 0; i < hay.length; i++) {
      const text = hay[i] as string;
      let prev = 0;
      for (let j = 0; j < text.length; j++) {
        const unit = text.charCodeAt(j);
        // Query words never hold a space, so no key needs one.
        if (unit === SPACE) {
          prev = 0;
          continue;
        }
        let id = ids[unit] as number;
        if (id === 0) {
          id = nextId < SHARED_ID ? nextId++ : SHARED_ID;
          ids[unit] = id;
        }
        if (seen[id] !== i) {
          seen[id] = i;
          add(id, i);
        }
        if (prev !== 0) {
          const pair = PAIR_BASE + prev * 256 + id;
          if (seen[pair] !== i) {
            seen[pair] = i;
            add(pair, i);
          }
        }
        prev = id;
      }
    }
  };
  // Count first, then fill one array: no growing lists for 50,000 people.
  const seen = new Int32Array(KEYS);
  const starts = new Int32Array(KEYS + 1);
  eachKey(seen, (key) => {
    starts[key + 1] = (starts[key + 1] as number) + 1;
  });
  for (let k = 1; k <= KEYS; k++) starts[k] = (starts[k] as number) + (starts[k - 1] as number);
  const postings = new Int32Array(starts[KEYS] as number);
  const next = starts.slice(0, KEYS);
  eachKey(seen, (key, i) => {
    postings[next[key] as number] = i;
    next[key] = (next[key] as number) + 1;
  });
  const results = [new Int32Array(hay.length), new Int32Array(hay.length)] as const;
  return { own, sharedOf, shared, ids, starts, postings, results, turn: 0 };
}

/**
 * The people that may match `words`: the shortest position list among the keys of the words
 * (a one-letter word's letter, a longer word's adjacent pairs), and whether that list is the
 * answer itself (a single word of one or two letters); null when some letter is in nobody's text.
 */
function candidatesFor(
  index: SearchIndex,
  words: readonly string[],
): { list: Int32Array; exact: boolean } | null {
  const { ids, starts, postings } = index;
  let best = -1;
  let bestLength = Infinity;
  let shared = false;
  for (const word of words) {
    let prev = 0;
    for (let j = 0; j < word.length; j++) {
      const id = ids[word.charCodeAt(j)] as number;
      if (id === 0) return null;
      if (id === SHARED_ID) shared = true;
      const key = word.length === 1 ? id : j > 0 ? PAIR_BASE + prev * 256 + id : -1;
      prev = id;
      if (key < 0) continue;
      const length = (starts[key + 1] as number) - (starts[key] as number);
      if (length < bestLength) {
        best = key;
        bestLength = length;
      }
    }
  }
  const list = postings.subarray(starts[best] as number, starts[best + 1] as number);
  const exact = words.length === 1 && (words[0] as string).length <= 2 && !shared;
  return { list, exact };
}

/** What a search shows: the first matches (up to the caller's limit) and how many there are. */
export interface PeopleSearch {
  readonly shown: readonly DirectoryEntry[];
  readonly total: number;
}

/**
 * Case- and accent-insensitive match on name, extension, mobile, department and title, in the
 * list's order: the first `limit` matches and their count. A view that lists a few hundred
 * rows asks for those only, so a one-letter query over 50,000 people copies no 40,000-long
 * array. The index of a list is built on its first search (or right after a load) and reused.
 */
export function searchPeople(
  people: readonly DirectoryEntry[],
  query: string,
  limit = Infinity,
): PeopleSearch {
  return search(people, query, limit);
}

/** Every match of `query` in the list's order (see {@link searchPeople}). */
export function filterPeople(people: readonly DirectoryEntry[], query: string): DirectoryEntry[] {
  return search(people, query, Infinity).shown;
}

function search(
  people: readonly DirectoryEntry[],
  query: string,
  limit: number,
): { shown: DirectoryEntry[]; total: number } {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return { shown: people.slice(0, limit), total: people.length };
  const indices = matchesOf(people, words);
  const shown = new Array<DirectoryEntry>(Math.min(limit, indices.length));
  for (let k = 0; k < shown.length; k++) shown[k] = people[indices[k] as number] as DirectoryEntry;
  return { shown, total: indices.length };
}

/** The positions of the people whose folded text holds every word, ascending. */
function matchesOf(people: readonly DirectoryEntry[], words: readonly string[]): ArrayLike<number> {
  const index = searchIndexOf(people);
  const found = candidatesFor(index, words);
  let from: ArrayLike<number> = found?.list ?? [];
  let exact = found?.exact ?? true;
  // Typing one more letter only narrows the last result: search within it when it is shorter.
  const last = lastSearch.get(people);
  if (last !== undefined && narrows(last.words, words) && last.indices.length < from.length) {
    from = last.indices;
    exact = false;
  }
  let indices = from;
  if (!exact) {
    const into = index.results[index.turn];
    index.turn = index.turn === 0 ? 1 : 0;
    indices = verify(index, from, words, into);
  }
  lastSearch.set(people, { words, indices });
  return indices;
}

/** The positions in `from` whose text holds every word, written into `kept` (the hot path). */
function verify(
  index: SearchIndex,
  from: ArrayLike<number>,
  words: readonly string[],
  kept: Int32Array,
): Int32Array {
  const { own, sharedOf, shared } = index;
  // Per word, whether each department-and-title text holds it: 0 not known yet, 1 yes, 2 no.
  const inShared = words.map(() => new Uint8Array(shared.length));
  let n = 0;
  for (let k = 0; k < from.length; k++) {
    const i = from[k] as number;
    const s = sharedOf[i] as number;
    let all = true;
    for (let w = 0; w < words.length && all; w++) {
      const word = words[w] as string;
      const known = inShared[w] as Uint8Array;
      let hit = known[s] as number;
      if (hit === 0) {
        hit = (shared[s] as string).includes(word) ? 1 : 2;
        known[s] = hit;
      }
      all = hit === 1 || (own[i] as string).includes(word);
    }
    if (all) kept[n++] = i;
  }
  return kept.subarray(0, n);
}

/** The last search per list: its words and the positions it matched. */
const lastSearch = new WeakMap<
  readonly DirectoryEntry[],
  { words: readonly string[]; indices: ArrayLike<number> }
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
      // Build the search index now, in a task of its own, rather than on the first keystroke.
      setTimeout(() => searchIndexOf(sorted), 0);
    } catch (error) {
      logger.warn('directory: load failed', error);
      this.setState({ ...this.state, status: 'error', error: errorCodeOf(error) });
    }
  }

  reset(): void {
    this.setState(initialDirectory);
  }
}
