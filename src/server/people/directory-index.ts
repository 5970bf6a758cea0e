/**
 * The company-directory search index: pure and in memory, fed by the core from the
 * store and kept current with {@link DirectoryIndex.upsert} / {@link DirectoryIndex.remove}.
 *
 * Search is accent- and case-insensitive (see {@link fold}), matches word prefixes and,
 * more weakly, substrings of names, titles, departments and e-mail addresses, ANDs the
 * words of a query in any order, and finds phone numbers and extensions written in any
 * format. Everything a keystroke needs is precomputed per entry (folded words, digit
 * keys) so a search over 50,000 people costs well under a millisecond:
 *
 * - folded words live in a sorted array of distinct words with posting lists, so a word
 *   prefix is a binary search and a substring a scan over the distinct words only;
 * - number keys (E.164 digits, national digits, extension) live in a sorted array for
 *   exact and prefix matches and a trigram index for digit substrings;
 * - ties are broken by last and first name in Norwegian collation through ranks kept
 *   for the distinct names, so no collator runs while searching.
 *
 * Tenants are separate indexes; a search only ever looks into its own tenant's.
 *
 * @packageDocumentation
 */
import { digitsOf, foldWords } from './fold';
import { numberKeys } from './number-keys';

/** A person or a department as the directory search sees it. */
export interface DirectoryEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly title: string | null;
  readonly department: string | null;
  readonly company?: string | null;
  readonly email?: string | null;
  /** Internal number, e.g. `'1001'`. */
  readonly extension?: string | null;
  /** Any written form; E.164 (`'+4740001001'`) is cheapest. */
  readonly mobile?: string | null;
  readonly extraNumbers?: readonly string[] | null;
  readonly kind: 'person' | 'department';
}

/** Which field made an entry match (company counts as `'department'`). */
export type DirectoryMatch = 'name' | 'number' | 'title' | 'department' | 'email';

export interface DirectoryHit {
  readonly id: string;
  /** Higher is better; see {@link DIRECTORY_SCORE}. */
  readonly score: number;
  readonly matched: DirectoryMatch;
}

export interface DirectorySearchOptions {
  /** Most hits returned; default 20, at most {@link MAX_LIMIT}. */
  readonly limit?: number;
}

/** The score of each kind of match, best first. Equal scores sort by last, first name. */
export const DIRECTORY_SCORE = {
  /** The query is an entry's extension. */
  extension: 1000,
  /** The query is one of the entry's phone numbers (any format) or its e-mail address. */
  exactNumber: 900,
  /** The query words start the name in reading order (`kari nord` → Kari Nordmann). */
  fullNamePrefix: 800,
  /** The query words start the name surname first (`nordmann k` → Kari Nordmann). */
  reversedNamePrefix: 750,
  /** Every query word starts some word of the name (`lise` → Anne-Lise Sæbø). */
  nameWordPrefix: 700,
  /** The query digits start one of the numbers (`400 01` → +47 400 01 001). */
  numberPrefix: 600,
  /** Every query word starts a word of name, title, department, company or e-mail. */
  wordPrefix: 500,
  /** A query word occurs inside a name word. */
  nameSubstring: 300,
  /** A query word or the digits occur inside some other word or number. */
  substring: 200,
} as const;

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1000;
/** Longer queries are cut: nobody types more, and it bounds the work per keystroke. */
export const MAX_QUERY_LENGTH = 200;
const MAX_TOKENS = 12;

// Field ranks inside a match code (3 bits); higher wins when choosing `matched`.
const R_DEPARTMENT = 1;
const R_TITLE = 2;
const R_EMAIL = 3;
const R_NUMBER = 4;
const R_NAME = 5;
/** First word of the name surname first. */
const R_NAME_LF = 6;
/** First word of the name in reading order (or of the display name). */
const R_NAME_FL = 7;
/** Match code bit: the query word is a prefix of the matched word (else a substring). */
const PREFIX = 8;

const FIELD_OF_RANK: readonly DirectoryMatch[] = [
  'department',
  'department',
  'title',
  'email',
  'number',
  'name',
  'name',
  'name',
];

// Number key kinds.
const K_EXTENSION = 1;
const K_E164 = 2;
const K_NATIONAL = 3;
const K_RAW = 4;

const NUMBER_QUERY = /^[+\d\s\-./()\u00a0]+$/;
const DIGITS_ONLY = /^\d+$/;

/** Highest set bit of a field mask, i.e. the best field rank. */
function rankOfMask(mask: number): number {
  return 31 - Math.clz32(mask);
}

interface NameRec {
  readonly name: string;
  rank: number;
  refs: number;
}

interface WordRec {
  readonly word: string;
  readonly slots: number[];
  readonly masks: number[];
}

interface Rec {
  readonly entry: DirectoryEntry;
  readonly slot: number;
  readonly words: WordRec[];
  /** Folded name words in reading order, display name, and surname first. */
  readonly fl: readonly string[];
  readonly disp: readonly string[];
  readonly lf: readonly string[];
  readonly last: NameRec;
  readonly first: NameRec;
  /** Every digit key joined with `|`, for substring checks. */
  readonly hay: string;
  readonly trigrams: number;
  readonly keys: number;
  readonly email: string | null;
}

/** A sorted, growable list of number keys with parallel arrays. */
interface KeyList {
  keys: string[];
  slots: number[];
  kinds: number[];
  gens: number[];
}

const emptyKeys = (): KeyList => ({ keys: [], slots: [], kinds: [], gens: [] });

/** Index of the first element of a sorted string array that is ≥ `value`. */
function lowerBound<T>(items: readonly T[], value: string, key: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid] as T) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const wordKey = (w: WordRec): string => w.word;

/** Do the query words start `words` one by one (`kari`, `nord` vs `kari`, `nordmann`)? */
function startsSequence(words: readonly string[], tokens: readonly string[]): boolean {
  if (tokens.length > words.length) return false;
  for (let i = 0; i < tokens.length; i++) {
    if (!(words[i] as string).startsWith(tokens[i] as string)) return false;
  }
  return true;
}

class NameDict {
  private readonly map = new Map<string, NameRec>();
  private sorted: NameRec[] = [];
  private dirty = false;
  private bulk = false;

  constructor(private readonly collator: Intl.Collator) {}

  private compare = (a: NameRec, b: NameRec): number =>
    this.collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    this.sorted.sort(this.compare);
    this.dirty = true;
  }

  acquire(name: string): NameRec {
    const known = this.map.get(name);
    if (known) {
      known.refs++;
      return known;
    }
    const rec: NameRec = { name, rank: 0, refs: 1 };
    this.map.set(name, rec);
    if (this.bulk) {
      this.sorted.push(rec);
    } else {
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.compare(this.sorted[mid] as NameRec, rec) < 0) lo = mid + 1;
        else hi = mid;
      }
      this.sorted.splice(lo, 0, rec);
    }
    this.dirty = true;
    return rec;
  }

  release(rec: NameRec): void {
    if (--rec.refs > 0) return;
    this.map.delete(rec.name);
    const at = this.sorted.indexOf(rec);
    if (at >= 0) this.sorted.splice(at, 1);
    this.dirty = true;
  }

  /** Gives every name its position in collation order (after changes only). */
  ensureRanks(): void {
    if (!this.dirty) return;
    for (let i = 0; i < this.sorted.length; i++) (this.sorted[i] as NameRec).rank = i;
    this.dirty = false;
  }
}

/** Visits one matching entry with a match code or score. */
type Visit = (slot: number, value: number) => void;

/** One tenant's index. */
class TenantIndex {
  readonly ids = new Map<string, Rec>();
  private recs: (Rec | undefined)[] = [];
  private free: number[] = [];
  private readonly words = new Map<string, WordRec>();
  private sortedWords: WordRec[] = [];
  private readonly names: NameDict;
  private readonly emails = new Map<string, number[]>();

  // Number keys: a sorted list plus a small unsorted one for recent additions; keys of
  // removed or changed entries stay until compaction and are recognised by generation.
  private sortedKeys: KeyList = emptyKeys();
  private pendingKeys: KeyList = emptyKeys();
  private staleKeys = 0;
  private gens: number[] = [];
  private nextGen = 1;

  // Digit trigrams → slots (may hold stale slots; every hit is verified against `hay`).
  private trigramLists: number[][] = Array.from({ length: 1000 }, () => []);
  private trigramPostings = 0;
  private liveTrigrams = 0;

  // Per-search scratch, indexed by slot.
  private capacity = 0;
  private mark = new Int32Array(0);
  private cur = new Uint8Array(0);
  private minCode = new Uint8Array(0);
  private minRank = new Uint8Array(0);
  private bestCode = new Uint8Array(0);
  private score = new Uint16Array(0);
  private pass = 0;
  private bulk = false;

  constructor(collator: Intl.Collator) {
    this.names = new NameDict(collator);
  }

  get size(): number {
    return this.ids.size;
  }

  beginBulk(): void {
    this.bulk = true;
    this.names.beginBulk();
  }

  endBulk(): void {
    this.bulk = false;
    this.names.endBulk();
    this.sortedWords.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
    this.compactKeys();
  }

  add(entry: DirectoryEntry): void {
    if (this.ids.has(entry.id)) this.remove(entry.id);
    const slot = this.free.pop() ?? this.recs.length;
    this.ensureCapacity(slot + 1);

    // Words and the fields they come from.
    const masks = new Map<string, number>();
    const addWords = (words: readonly string[], rank: number, firstRank = rank) => {
      words.forEach((w, i) => {
        masks.set(w, (masks.get(w) ?? 0) | (1 << (i === 0 ? firstRank : rank)));
      });
    };
    const firstWords = foldWords(entry.firstName ?? '');
    const lastWords = foldWords(entry.lastName ?? '');
    const dispWords = foldWords(entry.displayName ?? '');
    const fl = firstWords.length || lastWords.length ? [...firstWords, ...lastWords] : dispWords;
    const lf = lastWords.length ? [...lastWords, ...firstWords] : fl;
    addWords(fl, R_NAME, R_NAME_FL);
    addWords(dispWords, R_NAME, R_NAME_FL);
    addWords(lf, R_NAME, R_NAME_LF);
    addWords(foldWords(entry.title ?? ''), R_TITLE);
    addWords(foldWords(entry.department ?? ''), R_DEPARTMENT);
    addWords(foldWords(entry.company ?? ''), R_DEPARTMENT);
    const email = entry.email ? entry.email.trim().toLowerCase() : null;
    if (email) addWords(foldWords(email.split('@', 1)[0] ?? ''), R_EMAIL);

    const words: WordRec[] = [];
    for (const [word, mask] of masks) {
      let rec = this.words.get(word);
      if (!rec) {
        rec = { word, slots: [], masks: [] };
        this.words.set(word, rec);
        if (this.bulk) this.sortedWords.push(rec);
        else {
          this.sortedWords.splice(lowerBound(this.sortedWords, word, wordKey), 0, rec);
        }
      }
      rec.slots.push(slot);
      rec.masks.push(mask);
      words.push(rec);
    }

    // Number keys.
    const gen = this.nextGen++;
    this.gens[slot] = gen;
    const seen = new Set<string>();
    let keyCount = 0;
    const hayParts: string[] = [];
    const addKey = (digits: string, kind: number) => {
      if (!digits || seen.has(`${kind}:${digits}`)) return;
      seen.add(`${kind}:${digits}`);
      const list = this.pendingKeys;
      list.keys.push(digits);
      list.slots.push(slot);
      list.kinds.push(kind);
      list.gens.push(gen);
      keyCount++;
      if (!hayParts.includes(digits)) hayParts.push(digits);
    };
    if (entry.extension) addKey(digitsOf(entry.extension), K_EXTENSION);
    const numbers = [entry.mobile, ...(entry.extraNumbers ?? [])];
    for (const written of numbers) {
      if (!written) continue;
      const keys = numberKeys(written);
      if (keys.e164) {
        addKey(keys.e164, K_E164);
        if (keys.national) addKey(keys.national, K_NATIONAL);
      } else addKey(keys.raw, K_RAW);
    }
    const trigrams = new Set<number>();
    for (const part of hayParts) {
      for (let i = 0; i + 3 <= part.length; i++) trigrams.add(Number(part.slice(i, i + 3)));
    }
    for (const t of trigrams) (this.trigramLists[t] as number[]).push(slot);
    this.trigramPostings += trigrams.size;
    this.liveTrigrams += trigrams.size;

    if (email) {
      const list = this.emails.get(email);
      if (list) list.push(slot);
      else this.emails.set(email, [slot]);
    }

    const rec: Rec = {
      entry,
      slot,
      words,
      fl,
      disp: dispWords,
      lf,
      last: this.names.acquire(entry.lastName || entry.displayName || ''),
      first: this.names.acquire(entry.firstName || ''),
      hay: hayParts.join('|'),
      trigrams: trigrams.size,
      keys: keyCount,
      email,
    };
    this.recs[slot] = rec;
    this.ids.set(entry.id, rec);
    if (!this.bulk && this.pendingKeys.keys.length > 512) this.compactKeys();
  }

  remove(id: string): boolean {
    const rec = this.ids.get(id);
    if (!rec) return false;
    const { slot } = rec;
    for (const word of rec.words) {
      const at = word.slots.indexOf(slot);
      const last = word.slots.length - 1;
      if (at >= 0) {
        word.slots[at] = word.slots[last] as number;
        word.masks[at] = word.masks[last] as number;
        word.slots.pop();
        word.masks.pop();
      }
      if (word.slots.length === 0) {
        this.words.delete(word.word);
        const pos = lowerBound(this.sortedWords, word.word, wordKey);
        if (this.sortedWords[pos] === word) this.sortedWords.splice(pos, 1);
      }
    }
    if (rec.email) {
      const list = this.emails.get(rec.email);
      const at = list?.indexOf(slot) ?? -1;
      if (list && at >= 0) list.splice(at, 1);
      if (list?.length === 0) this.emails.delete(rec.email);
    }
    this.names.release(rec.last);
    this.names.release(rec.first);
    // Number keys and trigrams go stale: the generation no longer matches.
    this.staleKeys += rec.keys;
    this.gens[slot] = 0;
    this.liveTrigrams -= rec.trigrams;
    this.recs[slot] = undefined;
    this.ids.delete(id);
    this.free.push(slot);
    if (this.trigramPostings > 2 * this.liveTrigrams + 20_000) this.rebuildTrigrams();
    if (this.staleKeys > this.sortedKeys.keys.length / 2 + 1000) this.compactKeys();
    return true;
  }

  /** Merges recent number keys into the sorted list and drops stale ones. */
  private compactKeys(): void {
    const live = (list: KeyList, i: number) =>
      this.gens[list.slots[i] as number] === list.gens[i] && list.gens[i] !== 0;
    const pending = this.pendingKeys;
    const order = pending.keys.map((_, i) => i).filter((i) => live(pending, i));
    order.sort((a, b) => {
      const ka = pending.keys[a] as string;
      const kb = pending.keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const sorted = this.sortedKeys;
    const out = emptyKeys();
    const push = (list: KeyList, i: number) => {
      out.keys.push(list.keys[i] as string);
      out.slots.push(list.slots[i] as number);
      out.kinds.push(list.kinds[i] as number);
      out.gens.push(list.gens[i] as number);
    };
    let j = 0;
    for (let i = 0; i < sorted.keys.length; i++) {
      if (!live(sorted, i)) continue;
      const key = sorted.keys[i] as string;
      while (j < order.length && (pending.keys[order[j] as number] as string) < key) {
        push(pending, order[j++] as number);
      }
      push(sorted, i);
    }
    while (j < order.length) push(pending, order[j++] as number);
    this.sortedKeys = out;
    this.pendingKeys = emptyKeys();
    this.staleKeys = 0;
  }

  private rebuildTrigrams(): void {
    this.trigramLists = Array.from({ length: 1000 }, () => []);
    let n = 0;
    for (const rec of this.recs) {
      if (!rec) continue;
      const trigrams = new Set<number>();
      for (const part of rec.hay.split('|')) {
        for (let i = 0; i + 3 <= part.length; i++) trigrams.add(Number(part.slice(i, i + 3)));
      }
      for (const t of trigrams) (this.trigramLists[t] as number[]).push(rec.slot);
      n += trigrams.size;
    }
    this.trigramPostings = n;
    this.liveTrigrams = n;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    const capacity = Math.max(64, n, this.capacity * 2);
    const grow = <T extends Int32Array | Uint8Array | Uint16Array>(
      old: T,
      make: (n: number) => T,
    ) => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.mark = grow(this.mark, (c) => new Int32Array(c));
    this.cur = grow(this.cur, (c) => new Uint8Array(c));
    this.minCode = grow(this.minCode, (c) => new Uint8Array(c));
    this.minRank = grow(this.minRank, (c) => new Uint8Array(c));
    this.bestCode = grow(this.bestCode, (c) => new Uint8Array(c));
    this.score = grow(this.score, (c) => new Uint16Array(c));
    this.capacity = capacity;
  }

  private nextPass(): number {
    if (this.pass >= 0x3fffffff) {
      this.mark.fill(0);
      this.pass = 0;
    }
    return ++this.pass;
  }

  // ── Search ──────────────────────────────────────────────────────────────────

  search(query: string, limit: number): DirectoryHit[] {
    const text = query.slice(0, MAX_QUERY_LENGTH).trim();
    if (!text || limit <= 0 || this.ids.size === 0) return [];
    this.names.ensureRanks();
    if (NUMBER_QUERY.test(text) && /\d/.test(text)) return this.searchNumber(text, limit);
    return this.searchWords(text, limit);
  }

  private searchNumber(text: string, limit: number): DirectoryHit[] {
    const digits = digitsOf(text);
    let needle = digits;
    let intl = false;
    if (text.startsWith('+')) intl = true;
    else if (digits.startsWith('00') && digits.length > 2) {
      intl = true;
      needle = digits.slice(2);
    }
    const pass = this.nextPass();
    const found: number[] = [];
    const { mark, score } = this;
    const visit: Visit = (slot, value) => {
      if (mark[slot] !== pass) {
        mark[slot] = pass;
        score[slot] = value;
        found.push(slot);
      } else if (value > (score[slot] as number)) score[slot] = value;
    };
    this.numberPrefix(needle, intl, (slot, kind, exact) => {
      if (!exact) visit(slot, DIRECTORY_SCORE.numberPrefix);
      else if (kind === K_EXTENSION) visit(slot, DIRECTORY_SCORE.extension);
      else visit(slot, DIRECTORY_SCORE.exactNumber);
    });
    if (found.length < limit) {
      this.numberSubstring(needle, (slot) => visit(slot, DIRECTORY_SCORE.substring));
    }
    return this.top(found, limit, (slot) => [score[slot] as number, 'number']);
  }

  /** Entries with a number key that equals or starts with `needle`. */
  private numberPrefix(
    needle: string,
    intl: boolean,
    visit: (slot: number, kind: number, exact: boolean) => void,
  ): void {
    const { gens } = this;
    const scan = (list: KeyList, from: number, to: number, sorted: boolean) => {
      for (let i = from; i < to; i++) {
        const key = list.keys[i] as string;
        if (!key.startsWith(needle)) {
          if (sorted) return;
          continue;
        }
        const slot = list.slots[i] as number;
        const kind = list.kinds[i] as number;
        if (gens[slot] !== list.gens[i] || (intl && kind !== K_E164)) continue;
        visit(slot, kind, key.length === needle.length);
      }
    };
    const sorted = this.sortedKeys;
    scan(
      sorted,
      lowerBound(sorted.keys, needle, (k) => k),
      sorted.keys.length,
      true,
    );
    scan(this.pendingKeys, 0, this.pendingKeys.keys.length, false);
  }

  /** Entries with `needle` somewhere in their digits. */
  private numberSubstring(needle: string, visit: (slot: number) => void): void {
    const { recs } = this;
    if (needle.length >= 3) {
      let best: number[] | undefined;
      for (let i = 0; i + 3 <= needle.length; i++) {
        const list = this.trigramLists[Number(needle.slice(i, i + 3))] as number[];
        if (!best || list.length < best.length) best = list;
      }
      for (const slot of best ?? []) {
        const rec = recs[slot];
        if (rec?.hay.includes(needle)) visit(slot);
      }
    } else {
      for (const rec of recs) if (rec?.hay.includes(needle)) visit(rec.slot);
    }
  }

  private searchWords(text: string, limit: number): DirectoryHit[] {
    // An e-mail address: exact match first; its local part is searched as words.
    let emailHits: readonly number[] = [];
    let wordsText = text;
    const at = text.indexOf('@');
    if (at >= 0) {
      emailHits = this.emails.get(text.toLowerCase()) ?? [];
      wordsText = text.slice(0, at);
    }
    const tokens = [...new Set(foldWords(wordsText))].slice(0, MAX_TOKENS);

    let found: number[] = [];
    if (tokens.length > 0) {
      found = this.matchTokens(tokens, false);
      if (found.length < limit) found = this.matchTokens(tokens, true);
    }
    const { minCode, minRank, bestCode, score, mark } = this;
    const single = tokens.length === 1;
    const pass = this.nextPass();
    for (const slot of found) {
      mark[slot] = pass;
      const rank = minRank[slot] as number;
      let value: number;
      if ((minCode[slot] as number) & PREFIX) {
        if (rank < R_NAME) value = DIRECTORY_SCORE.wordPrefix;
        else if (single) {
          const best = (bestCode[slot] as number) & 7;
          value =
            best === R_NAME_FL
              ? DIRECTORY_SCORE.fullNamePrefix
              : best === R_NAME_LF
                ? DIRECTORY_SCORE.reversedNamePrefix
                : DIRECTORY_SCORE.nameWordPrefix;
        } else {
          const rec = this.recs[slot] as Rec;
          value =
            startsSequence(rec.fl, tokens) || startsSequence(rec.disp, tokens)
              ? DIRECTORY_SCORE.fullNamePrefix
              : startsSequence(rec.lf, tokens)
                ? DIRECTORY_SCORE.reversedNamePrefix
                : DIRECTORY_SCORE.nameWordPrefix;
        }
      } else {
        value = rank >= R_NAME ? DIRECTORY_SCORE.nameSubstring : DIRECTORY_SCORE.substring;
      }
      score[slot] = value;
    }
    for (const slot of emailHits) {
      if (mark[slot] !== pass) {
        mark[slot] = pass;
        found.push(slot);
      }
      score[slot] = DIRECTORY_SCORE.exactNumber;
      bestCode[slot] = PREFIX | R_EMAIL;
    }
    return this.top(found, limit, (slot) => [
      score[slot] as number,
      emailHits.includes(slot)
        ? 'email'
        : (FIELD_OF_RANK[(bestCode[slot] as number) & 7] ?? 'name'),
    ]);
  }

  /**
   * Entries matching every token (AND): as a word prefix only, or also as a substring.
   * Leaves per entry the lowest match code and field rank over the tokens and the best code.
   */
  private matchTokens(tokens: readonly string[], substrings: boolean): number[] {
    const { mark, cur, minCode, minRank, bestCode } = this;
    let found: number[] = [];
    let prev = 0;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t] as string;
      const pass = this.nextPass();
      const list: number[] = [];
      const first = t === 0;
      const visit: Visit = (slot, code) => {
        const m = mark[slot];
        if (m === pass) {
          if (code > (cur[slot] as number)) cur[slot] = code;
        } else if (first || m === prev) {
          mark[slot] = pass;
          cur[slot] = code;
          list.push(slot);
        }
      };
      this.visitWords(token, substrings, visit);
      if (DIGITS_ONLY.test(token)) {
        this.numberPrefix(token, false, (slot) => visit(slot, PREFIX | R_NUMBER));
        if (substrings) this.numberSubstring(token, (slot) => visit(slot, R_NUMBER));
      }
      for (const slot of list) {
        const code = cur[slot] as number;
        // The token's best match counts: the lowest over tokens decides prefix vs substring.
        const quality = code & PREFIX;
        const rank = code & 7;
        if (first) {
          minCode[slot] = quality;
          minRank[slot] = rank;
          bestCode[slot] = code;
        } else {
          if (quality < (minCode[slot] as number)) minCode[slot] = quality;
          if (rank < (minRank[slot] as number)) minRank[slot] = rank;
          if (code > (bestCode[slot] as number)) bestCode[slot] = code;
        }
      }
      found = list;
      prev = pass;
      if (list.length === 0) break;
    }
    return found;
  }

  private visitWords(token: string, substrings: boolean, visit: Visit): void {
    const words = this.sortedWords;
    const visitWord = (word: WordRec, quality: number) => {
      const { slots, masks } = word;
      for (let i = 0; i < slots.length; i++) {
        visit(slots[i] as number, quality | rankOfMask(masks[i] as number));
      }
    };
    if (!substrings) {
      for (let i = lowerBound(words, token, wordKey); i < words.length; i++) {
        const word = words[i] as WordRec;
        if (!word.word.startsWith(token)) break;
        visitWord(word, PREFIX);
      }
      return;
    }
    for (const word of words) {
      const at = word.word.indexOf(token);
      if (at >= 0) visitWord(word, at === 0 ? PREFIX : 0);
    }
  }

  /** The best `limit` entries: score, then last name, first name (collation), then id. */
  private top(
    found: readonly number[],
    limit: number,
    describe: (slot: number) => [number, DirectoryMatch],
  ): DirectoryHit[] {
    const { recs, score } = this;
    const keyOf = (slot: number): number => {
      const rec = recs[slot] as Rec;
      return (
        (1023 - Math.min(1023, score[slot] as number)) * 2 ** 40 +
        rec.last.rank * 2 ** 20 +
        rec.first.rank
      );
    };
    const before = (ka: number, a: number, kb: number, b: number): boolean =>
      ka < kb || (ka === kb && (recs[a] as Rec).entry.id < (recs[b] as Rec).entry.id);
    const keys: number[] = [];
    const slots: number[] = [];
    for (const slot of found) {
      const key = keyOf(slot);
      const n = slots.length;
      if (n === limit && !before(key, slot, keys[n - 1] as number, slots[n - 1] as number)) {
        continue;
      }
      let i = n === limit ? n - 1 : n;
      while (i > 0 && before(key, slot, keys[i - 1] as number, slots[i - 1] as number)) {
        keys[i] = keys[i - 1] as number;
        slots[i] = slots[i - 1] as number;
        i--;
      }
      keys[i] = key;
      slots[i] = slot;
    }
    return slots.map((slot) => {
      const [value, matched] = describe(slot);
      return { id: (recs[slot] as Rec).entry.id, score: value, matched };
    });
  }
}

/**
 * In-memory directory search over all tenants. Entry ids are unique across tenants
 * (an upsert that moves an id to another tenant removes it from the first).
 */
export class DirectoryIndex {
  private readonly tenants = new Map<string, TenantIndex>();
  private readonly tenantOf = new Map<string, string>();
  private readonly collator = new Intl.Collator('nb');

  /** Adds an entry or replaces the one with the same id; visible to the next search. */
  upsert(entry: DirectoryEntry): void {
    const previous = this.tenantOf.get(entry.id);
    if (previous !== undefined && previous !== entry.tenantId) this.remove(entry.id);
    let tenant = this.tenants.get(entry.tenantId);
    if (!tenant) {
      tenant = new TenantIndex(this.collator);
      this.tenants.set(entry.tenantId, tenant);
    }
    tenant.add(entry);
    this.tenantOf.set(entry.id, entry.tenantId);
  }

  /** Removes an entry; returns whether it was there. */
  remove(id: string): boolean {
    const tenantId = this.tenantOf.get(id);
    if (tenantId === undefined) return false;
    this.tenantOf.delete(id);
    const tenant = this.tenants.get(tenantId);
    const removed = tenant?.remove(id) ?? false;
    if (tenant?.size === 0) this.tenants.delete(tenantId);
    return removed;
  }

  /**
   * Replaces every entry of a tenant at once (initial load, resync); builds the
   * tenant's index in bulk, which is much faster than one upsert per entry.
   * Every entry must belong to `tenantId`.
   */
  replaceTenant(tenantId: string, entries: Iterable<DirectoryEntry>): void {
    const list = [...entries];
    for (const entry of list) {
      if (entry.tenantId !== tenantId) {
        throw new Error(`entry ${entry.id} belongs to tenant ${entry.tenantId}, not ${tenantId}`);
      }
    }
    const old = this.tenants.get(tenantId);
    if (old) for (const id of old.ids.keys()) this.tenantOf.delete(id);
    // An id that lives in another tenant moves here.
    for (const entry of list) {
      const previous = this.tenantOf.get(entry.id);
      if (previous !== undefined && previous !== tenantId) this.remove(entry.id);
    }
    const tenant = new TenantIndex(this.collator);
    tenant.beginBulk();
    for (const entry of list) tenant.add(entry);
    tenant.endBulk();
    this.tenants.delete(tenantId);
    if (tenant.size > 0) this.tenants.set(tenantId, tenant);
    for (const id of tenant.ids.keys()) this.tenantOf.set(id, tenantId);
  }

  /** Number of entries of one tenant, or of all. */
  size(tenantId?: string): number {
    if (tenantId !== undefined) return this.tenants.get(tenantId)?.size ?? 0;
    return this.tenantOf.size;
  }

  /** The entry with this id, if indexed. */
  get(id: string): DirectoryEntry | undefined {
    const tenantId = this.tenantOf.get(id);
    if (tenantId === undefined) return undefined;
    return this.tenants.get(tenantId)?.ids.get(id)?.entry;
  }

  /**
   * Searches one tenant's entries, best first (see {@link DIRECTORY_SCORE}). Never
   * throws for odd input: an empty, punctuation-only or unknown-tenant search gives `[]`.
   */
  search(tenantId: string, query: string, options: DirectorySearchOptions = {}): DirectoryHit[] {
    const tenant = this.tenants.get(tenantId);
    if (!tenant || typeof query !== 'string') return [];
    const requested = options.limit ?? DEFAULT_LIMIT;
    const limit = Number.isFinite(requested)
      ? Math.max(0, Math.min(MAX_LIMIT, Math.floor(requested)))
      : DEFAULT_LIMIT;
    return tenant.search(query, limit);
  }
}

export { fold } from './fold';
