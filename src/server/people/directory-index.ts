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
 *   prefix is a binary search, and a substring one native `indexOf` scan over all
 *   distinct words joined into one string;
 * - the words of a query are ANDed starting from the most selective one, the others
 *   intersected through their postings or checked per remaining candidate;
 * - number keys (E.164 digits, national digits, extension) live in buckets by their
 *   first three digits for exact and prefix matches, and in a digit-trigram index for
 *   substrings;
 * - ties are broken by last and first name in Norwegian collation through ranks kept
 *   for the distinct names, so no collator runs while searching.
 *
 * Tenants are separate indexes; a search only ever looks into its own tenant's.
 *
 * @packageDocumentation
 */
import { digitsOf, foldWords } from './fold';
import type { NameRank } from './name-order';
import { NameOrder } from './name-order';
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
/** Bucket for number keys shorter than three digits. */
const SHORT_BUCKET = 1000;

const NUMBER_QUERY = /^[+\d\s\-./()\u00a0]+$/;
const HAS_DIGIT = /\d/;
const DIGITS_ONLY = /^\d+$/;
const FOLD_CACHE_LIMIT = 50_000;
/** Checking one entry for a word costs about this many posting visits. */
const VERIFY_COST = 8;
/** Company legal forms: in nearly every company name, so they find nothing useful. */
const LEGAL_FORMS = new Set([
  'as',
  'asa',
  'ans',
  'da',
  'enk',
  'sa',
  'ba',
  'ks',
  'nuf',
  'iks',
  'sf',
  'ab',
  'hb',
  'oy',
  'aps',
  'gmbh',
  'ag',
  'ltd',
  'inc',
  'llc',
  'plc',
  'bv',
  'nv',
  'sarl',
  'srl',
  'spa',
]);
const NAME_SPAN = 2 ** 20;
const SCORE_SPAN = 2 ** 40;

/** Highest set bit of a field mask, i.e. the best field rank. */
function rankOfMask(mask: number): number {
  return 31 - Math.clz32(mask);
}

/** The number 0–999 spelled by the three digits of `s` at `at`. */
function trigramAt(s: string, at: number): number {
  return (
    (s.charCodeAt(at) - 48) * 100 + (s.charCodeAt(at + 1) - 48) * 10 + (s.charCodeAt(at + 2) - 48)
  );
}

interface WordRec {
  readonly word: string;
  /** Entries with this word, and for each the fields it occurs in (bit per field rank). */
  readonly slots: number[];
  readonly masks: number[];
}

/** Number keys whose first three digits are the same (or that are shorter). */
interface KeyBucket {
  readonly slots: number[];
  /** The entry's generation when the key was added: stale keys are skipped. */
  readonly gens: number[];
  readonly keys: string[];
  readonly kinds: number[];
}

const newBuckets = (): KeyBucket[] =>
  Array.from({ length: SHORT_BUCKET + 1 }, () => ({ slots: [], gens: [], keys: [], kinds: [] }));

interface Rec {
  readonly entry: DirectoryEntry;
  readonly slot: number;
  /** Unique per add, so index data left behind by an earlier version is recognisable. */
  readonly gen: number;
  readonly words: readonly WordRec[];
  readonly masks: readonly number[];
  /** Folded name words in reading order, of the display name, and surname first. */
  readonly fl: readonly string[];
  readonly disp: readonly string[];
  readonly lf: readonly string[];
  readonly last: NameRank;
  readonly first: NameRank;
  /** Digit keys (extension, E.164 and national digits, other written digits) and kinds. */
  readonly keys: readonly string[];
  readonly kinds: readonly number[];
  /** Every digit key joined with `|`, for substring checks. */
  readonly hay: string;
  readonly trigrams: number;
  readonly email: string | null;
}

/** Index of the first word ≥ `value` in the sorted word list. */
function lowerBound(words: readonly WordRec[], value: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((words[mid] as WordRec).word < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Do the query words start `words` one by one (`kari`, `nord` vs `kari`, `nordmann`)? */
function startsSequence(words: readonly string[], tokens: readonly string[]): boolean {
  if (tokens.length > words.length) return false;
  for (let i = 0; i < tokens.length; i++) {
    if (!(words[i] as string).startsWith(tokens[i] as string)) return false;
  }
  return true;
}

/** Words matching a query token: prefix (`PREFIX`) or substring (0) matches. */
interface WordMatch {
  readonly words: readonly WordRec[];
  readonly quality: readonly number[];
  /** Sum of the words' posting lengths. */
  readonly total: number;
}

/** Visits one matching entry with a match code or score. */
type Visit = (slot: number, value: number) => void;

/** One tenant's index. */
class TenantIndex {
  readonly ids = new Map<string, Rec>();
  private readonly recs: (Rec | undefined)[] = [];
  /** Per slot, kept apart from the entry records so hot loops touch little memory. */
  private readonly hays: string[] = [];
  private readonly free: number[] = [];
  private readonly words = new Map<string, WordRec>();
  private sortedWords: WordRec[] = [];
  // Substring search: every word joined by newlines, so one native indexOf scan finds
  // all occurrences. Words added since the blob was built are scanned one by one;
  // removed ones stay in it with empty postings until the next rebuild.
  private blob = '';
  private blobWords: WordRec[] = [];
  private blobStarts = new Int32Array(0);
  private newWords: WordRec[] = [];
  private goneWords = 0;
  private readonly names: NameOrder;
  private readonly emails = new Map<string, number[]>();
  private readonly foldCache = new Map<string, readonly string[]>();
  private nextGen = 1;
  private bulk = false;

  // Number keys by their first three digits, and digit trigrams → entries. Both keep
  // data of removed or changed entries until a rebuild; every hit is verified.
  private buckets = newBuckets();
  private liveKeys = 0;
  private staleKeys = 0;
  private trigramLists: number[][] = Array.from({ length: 1000 }, () => []);
  private liveTrigrams = 0;
  private staleTrigrams = 0;
  private readonly trigramSeen = new Int32Array(1000);

  // Per-search scratch, indexed by slot.
  private capacity = 0;
  private mark = new Int32Array(0);
  private cur = new Uint8Array(0);
  private minCode = new Uint8Array(0);
  private minRank = new Uint8Array(0);
  private bestCode = new Uint8Array(0);
  private score = new Uint16Array(0);
  private slotGen = new Int32Array(0);
  /** Last-name rank × 2^20 + first-name rank, refreshed when the ranks change. */
  private nameKey = new Float64Array(0);
  private pass = 0;

  // Scratch for building one entry's word list.
  private readonly tmpWords: string[] = [];
  private readonly tmpMasks: number[] = [];

  constructor(collator: Intl.Collator) {
    this.names = new NameOrder(collator);
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
    this.rebuildBlob();
  }

  // ── Updates ─────────────────────────────────────────────────────────────────

  /** Folded words of a field that repeats across entries (names, titles, departments). */
  private foldedWords(text: string | null | undefined): readonly string[] {
    if (!text) return [];
    let words = this.foldCache.get(text);
    if (!words) {
      words = foldWords(text);
      if (this.foldCache.size >= FOLD_CACHE_LIMIT) this.foldCache.clear();
      this.foldCache.set(text, words);
    }
    return words;
  }

  /** Folded words of a company name without its legal form (`AS`, `ASA`, `GmbH` …). */
  private companyWords(company: string | null | undefined): readonly string[] {
    const words = this.foldedWords(company);
    return words.some((w) => LEGAL_FORMS.has(w)) ? words.filter((w) => !LEGAL_FORMS.has(w)) : words;
  }

  private collectWords(words: readonly string[], rank: number, firstRank: number): void {
    const { tmpWords, tmpMasks } = this;
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      const bit = 1 << (i === 0 ? firstRank : rank);
      const at = tmpWords.indexOf(word);
      if (at >= 0) tmpMasks[at] = (tmpMasks[at] as number) | bit;
      else {
        tmpWords.push(word);
        tmpMasks.push(bit);
      }
    }
  }

  add(entry: DirectoryEntry): void {
    if (this.ids.has(entry.id)) this.remove(entry.id);
    const slot = this.free.pop() ?? this.recs.length;
    this.ensureCapacity(slot + 1);
    const gen = this.nextGen++;

    // Words and the fields they occur in.
    const firstWords = this.foldedWords(entry.firstName);
    const lastWords = this.foldedWords(entry.lastName);
    const disp = this.foldedWords(entry.displayName);
    const fl = firstWords.length || lastWords.length ? [...firstWords, ...lastWords] : disp;
    const lf = lastWords.length ? [...lastWords, ...firstWords] : fl;
    const email = entry.email ? entry.email.trim().toLowerCase() : null;
    this.tmpWords.length = 0;
    this.tmpMasks.length = 0;
    this.collectWords(fl, R_NAME, R_NAME_FL);
    this.collectWords(disp, R_NAME, R_NAME_FL);
    this.collectWords(lf, R_NAME, R_NAME_LF);
    this.collectWords(this.foldedWords(entry.title), R_TITLE, R_TITLE);
    this.collectWords(this.foldedWords(entry.department), R_DEPARTMENT, R_DEPARTMENT);
    this.collectWords(this.companyWords(entry.company), R_DEPARTMENT, R_DEPARTMENT);
    if (email) {
      const local = email.slice(0, Math.max(0, email.indexOf('@'))) || email;
      this.collectWords(foldWords(local), R_EMAIL, R_EMAIL);
    }
    const words: WordRec[] = [];
    const masks = this.tmpMasks.slice();
    for (let i = 0; i < this.tmpWords.length; i++) {
      const word = this.tmpWords[i] as string;
      let rec = this.words.get(word);
      if (!rec) {
        rec = { word, slots: [], masks: [] };
        this.words.set(word, rec);
        if (this.bulk) this.sortedWords.push(rec);
        else {
          this.sortedWords.splice(lowerBound(this.sortedWords, word), 0, rec);
          this.newWords.push(rec);
        }
      }
      rec.slots.push(slot);
      rec.masks.push(masks[i] as number);
      words.push(rec);
    }

    // Number keys.
    const keys: string[] = [];
    const kinds: number[] = [];
    const addKey = (digits: string, kind: number) => {
      if (!digits) return;
      for (let i = 0; i < keys.length; i++) if (keys[i] === digits && kinds[i] === kind) return;
      keys.push(digits);
      kinds.push(kind);
    };
    if (entry.extension) addKey(digitsOf(entry.extension), K_EXTENSION);
    if (entry.mobile) this.numberKeysInto(entry.mobile, addKey);
    for (const written of entry.extraNumbers ?? []) {
      if (written) this.numberKeysInto(written, addKey);
    }
    let hay = '';
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      if (keys.indexOf(key) === k) hay = hay ? `${hay}|${key}` : key;
    }
    let trigrams = 0;
    const seen = this.trigramSeen;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const bucket = this.buckets[key.length >= 3 ? trigramAt(key, 0) : SHORT_BUCKET] as KeyBucket;
      bucket.slots.push(slot);
      bucket.gens.push(gen);
      bucket.keys.push(key);
      bucket.kinds.push(kinds[k] as number);
      for (let i = 0; i + 3 <= key.length; i++) {
        const t = trigramAt(key, i);
        if (seen[t] === gen) continue;
        seen[t] = gen;
        (this.trigramLists[t] as number[]).push(slot);
        trigrams++;
      }
    }
    this.liveKeys += keys.length;
    this.liveTrigrams += trigrams;

    if (email) {
      const list = this.emails.get(email);
      if (list) list.push(slot);
      else this.emails.set(email, [slot]);
    }

    const rec: Rec = {
      entry,
      slot,
      gen,
      words,
      masks,
      fl,
      disp,
      lf,
      last: this.names.acquire(entry.lastName || entry.displayName || ''),
      first: this.names.acquire(entry.firstName || ''),
      keys,
      kinds,
      hay,
      trigrams,
      email,
    };
    this.recs[slot] = rec;
    this.hays[slot] = hay;
    this.slotGen[slot] = gen;
    this.nameKey[slot] = rec.last.rank * NAME_SPAN + rec.first.rank;
    this.ids.set(entry.id, rec);
  }

  private numberKeysInto(written: string, addKey: (digits: string, kind: number) => void): void {
    const keys = numberKeys(written);
    if (keys.e164) {
      addKey(keys.e164, K_E164);
      if (keys.national) addKey(keys.national, K_NATIONAL);
    } else addKey(keys.raw, K_RAW);
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
        const pos = lowerBound(this.sortedWords, word.word);
        if (this.sortedWords[pos] === word) this.sortedWords.splice(pos, 1);
        this.goneWords++;
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
    this.recs[slot] = undefined;
    this.hays[slot] = '';
    this.slotGen[slot] = 0;
    this.ids.delete(id);
    this.free.push(slot);
    // Number keys and trigrams go stale (the slot's generation changes); rebuilt when
    // they outnumber the live ones.
    this.liveKeys -= rec.keys.length;
    this.staleKeys += rec.keys.length;
    this.liveTrigrams -= rec.trigrams;
    this.staleTrigrams += rec.trigrams;
    if (this.staleKeys > this.liveKeys + 1000) this.rebuildNumbers();
    else if (this.staleTrigrams > this.liveTrigrams + 10_000) this.rebuildNumbers();
    return true;
  }

  private rebuildNumbers(): void {
    this.buckets = newBuckets();
    this.trigramLists = Array.from({ length: 1000 }, () => []);
    const seen = this.trigramSeen;
    seen.fill(0);
    for (const rec of this.recs) {
      if (!rec) continue;
      for (let k = 0; k < rec.keys.length; k++) {
        const key = rec.keys[k] as string;
        const bucket = this.buckets[
          key.length >= 3 ? trigramAt(key, 0) : SHORT_BUCKET
        ] as KeyBucket;
        bucket.slots.push(rec.slot);
        bucket.gens.push(rec.gen);
        bucket.keys.push(key);
        bucket.kinds.push(rec.kinds[k] as number);
        for (let i = 0; i + 3 <= key.length; i++) {
          const t = trigramAt(key, i);
          if (seen[t] === rec.gen) continue;
          seen[t] = rec.gen;
          (this.trigramLists[t] as number[]).push(rec.slot);
        }
      }
    }
    this.staleKeys = 0;
    this.staleTrigrams = 0;
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    const capacity = Math.max(64, n, this.capacity * 2);
    const grow = <T extends Int32Array | Uint8Array | Uint16Array | Float64Array>(
      old: T,
      next: T,
    ): T => {
      next.set(old);
      return next;
    };
    this.mark = grow(this.mark, new Int32Array(capacity));
    this.cur = grow(this.cur, new Uint8Array(capacity));
    this.minCode = grow(this.minCode, new Uint8Array(capacity));
    this.minRank = grow(this.minRank, new Uint8Array(capacity));
    this.bestCode = grow(this.bestCode, new Uint8Array(capacity));
    this.score = grow(this.score, new Uint16Array(capacity));
    this.slotGen = grow(this.slotGen, new Int32Array(capacity));
    this.nameKey = grow(this.nameKey, new Float64Array(capacity));
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
    if (this.names.ensureRanks()) {
      for (const rec of this.recs) {
        if (rec) this.nameKey[rec.slot] = rec.last.rank * NAME_SPAN + rec.first.rank;
      }
    }
    if (NUMBER_QUERY.test(text) && HAS_DIGIT.test(text)) return this.searchNumber(text, limit);
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

  /** Entries with a number key that equals or starts with `needle` (E.164 keys only if `intl`). */
  private numberPrefix(
    needle: string,
    intl: boolean,
    visit: (slot: number, kind: number, exact: boolean) => void,
  ): void {
    const { slotGen } = this;
    const scan = (bucket: KeyBucket) => {
      const { slots, gens, keys, kinds } = bucket;
      for (let i = 0; i < slots.length; i++) {
        const kind = kinds[i] as number;
        // International needles match E.164 keys only; national ones match E.164 keys
        // only when longer than a national number (a full number sent without '+').
        if (kind === K_E164 ? !intl && needle.length < 9 : intl) continue;
        const key = keys[i] as string;
        if (!key.startsWith(needle)) continue;
        const slot = slots[i] as number;
        if (slotGen[slot] !== gens[i]) continue;
        visit(slot, kind, key.length === needle.length);
      }
    };
    scan(this.buckets[SHORT_BUCKET] as KeyBucket);
    if (needle.length >= 3) {
      scan(this.buckets[trigramAt(needle, 0)] as KeyBucket);
    } else {
      const width = needle.length === 1 ? 100 : 10;
      const from = Number(needle) * width;
      for (let b = from; b < from + width; b++) scan(this.buckets[b] as KeyBucket);
    }
  }

  /** Entries with `needle` somewhere in their digits. */
  private numberSubstring(needle: string, visit: (slot: number) => void): void {
    const { hays } = this;
    if (needle.length >= 3) {
      let best = this.trigramLists[trigramAt(needle, 0)] as number[];
      for (let i = 1; i + 3 <= needle.length; i++) {
        const list = this.trigramLists[trigramAt(needle, i)] as number[];
        if (list.length < best.length) best = list;
      }
      for (const slot of best) if ((hays[slot] as string).includes(needle)) visit(slot);
    } else {
      for (let slot = 0; slot < hays.length; slot++) {
        if ((hays[slot] as string).includes(needle)) visit(slot);
      }
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
      // Longest word first: usually the most selective; the rest are checked per entry.
      const order = [...tokens].sort((a, b) => b.length - a.length);
      found = this.matchTokens(order, false);
      if (found.length < limit) found = this.matchTokens(order, true);
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
    }
    return this.top(found, limit, (slot) => [
      score[slot] as number,
      emailHits.includes(slot)
        ? 'email'
        : (FIELD_OF_RANK[(bestCode[slot] as number) & 7] ?? 'name'),
    ]);
  }

  /**
   * Entries matching every token (AND), as a word prefix only or also as a substring.
   * The first token is looked up in the index, the others are checked per candidate.
   * Leaves per entry the lowest match quality and field rank over the tokens, and the
   * best match code.
   */
  private matchTokens(tokens: readonly string[], substrings: boolean): number[] {
    const { mark, cur, minCode, minRank, bestCode } = this;
    // The most selective token first; later ones are intersected through their postings,
    // or checked entry by entry when few candidates are left.
    const matches = tokens.map((token) => this.matchWords(token, substrings));
    const estimates = tokens.map(
      (token, i) => (matches[i] as WordMatch).total + this.numberEstimate(token),
    );
    const order = tokens
      .map((_, i) => i)
      .sort((a, b) => (estimates[a] as number) - (estimates[b] as number));
    let found: number[] = [];
    let prev = 0;
    for (let n = 0; n < order.length; n++) {
      const token = tokens[order[n] as number] as string;
      const digits = DIGITS_ONLY.test(token);
      const pass = this.nextPass();
      const first = n === 0;
      if (!first && found.length * VERIFY_COST < (estimates[order[n] as number] as number)) {
        const kept: number[] = [];
        for (const slot of found) {
          const code = this.codeFor(this.recs[slot] as Rec, token, substrings, digits);
          if (code === 0) continue;
          mark[slot] = pass;
          cur[slot] = code;
          kept.push(slot);
        }
        found = kept;
      } else {
        const list: number[] = [];
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
        this.visitWords(matches[order[n] as number] as WordMatch, visit);
        if (digits) {
          this.numberPrefix(token, false, (slot) => visit(slot, PREFIX | R_NUMBER));
          if (substrings) this.numberSubstring(token, (slot) => visit(slot, R_NUMBER));
        }
        found = list;
      }
      prev = pass;
      for (const slot of found) {
        const code = cur[slot] as number;
        if (first) {
          minCode[slot] = code & PREFIX;
          minRank[slot] = code & 7;
          bestCode[slot] = code;
        } else {
          if ((code & PREFIX) < (minCode[slot] as number)) minCode[slot] = code & PREFIX;
          if ((code & 7) < (minRank[slot] as number)) minRank[slot] = code & 7;
          if (code > (bestCode[slot] as number)) bestCode[slot] = code;
        }
      }
      if (found.length === 0) break;
    }
    return found;
  }

  /** Roughly how many postings a token's number keys add. */
  private numberEstimate(token: string): number {
    if (!DIGITS_ONLY.test(token)) return 0;
    return token.length >= 3
      ? (this.buckets[trigramAt(token, 0)] as KeyBucket).slots.length
      : this.ids.size;
  }

  /** The best match code of one token in one entry, or 0 when it does not match. */
  private codeFor(rec: Rec, token: string, substrings: boolean, digits: boolean): number {
    let best = 0;
    const { words, masks } = rec;
    for (let i = 0; i < words.length; i++) {
      const at = (words[i] as WordRec).word.indexOf(token);
      if (at < 0 || (at > 0 && !substrings)) continue;
      const code = (at === 0 ? PREFIX : 0) | rankOfMask(masks[i] as number);
      if (code > best) best = code;
    }
    if (digits && best < (PREFIX | R_NUMBER)) {
      if (rec.keys.some((key) => key.startsWith(token))) best = PREFIX | R_NUMBER;
      else if (substrings && best < R_NUMBER && rec.hay.includes(token)) best = R_NUMBER;
    }
    return best;
  }

  /** The words a token starts (or, with `substrings`, occurs in), with their postings total. */
  private matchWords(token: string, substrings: boolean): WordMatch {
    const words: WordRec[] = [];
    const quality: number[] = [];
    let total = 0;
    const sorted = this.sortedWords;
    if (!substrings) {
      for (let i = lowerBound(sorted, token); i < sorted.length; i++) {
        const word = sorted[i] as WordRec;
        if (!word.word.startsWith(token)) break;
        words.push(word);
        quality.push(PREFIX);
        total += word.slots.length;
      }
      return { words, quality, total };
    }
    const limit = 256 + (sorted.length >> 4);
    if (this.newWords.length > limit || this.goneWords > limit || this.blob === '') {
      this.rebuildBlob();
    }
    for (const word of this.newWords) {
      const at = word.word.indexOf(token);
      if (at < 0 || word.slots.length === 0) continue;
      words.push(word);
      quality.push(at === 0 ? PREFIX : 0);
      total += word.slots.length;
    }
    const { blob, blobStarts: starts, blobWords } = this;
    let from = 0;
    for (;;) {
      const at = blob.indexOf(token, from);
      if (at < 0) break;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((starts[mid] as number) <= at) lo = mid;
        else hi = mid - 1;
      }
      const word = blobWords[lo] as WordRec;
      if (word.slots.length > 0) {
        words.push(word);
        quality.push(at === starts[lo] ? PREFIX : 0);
        total += word.slots.length;
      }
      from = lo + 1 < starts.length ? (starts[lo + 1] as number) : blob.length;
    }
    return { words, quality, total };
  }

  private rebuildBlob(): void {
    const words = this.sortedWords.slice();
    this.blob = words.map((w) => w.word).join('\n');
    this.blobWords = words;
    this.blobStarts = new Int32Array(words.length);
    let at = 0;
    for (let i = 0; i < words.length; i++) {
      this.blobStarts[i] = at;
      at += (words[i] as WordRec).word.length + 1;
    }
    this.newWords = [];
    this.goneWords = 0;
  }

  private visitWords(match: WordMatch, visit: Visit): void {
    for (let w = 0; w < match.words.length; w++) {
      const { slots, masks } = match.words[w] as WordRec;
      const quality = match.quality[w] as number;
      for (let i = 0; i < slots.length; i++) {
        visit(slots[i] as number, quality | rankOfMask(masks[i] as number));
      }
    }
  }

  /** The best `limit` entries: score, then last name, first name (collation), then id. */
  private top(
    found: readonly number[],
    limit: number,
    describe: (slot: number) => [number, DirectoryMatch],
  ): DirectoryHit[] {
    const { recs, score, nameKey } = this;
    const keys: number[] = [];
    const slots: number[] = [];
    const idOf = (slot: number) => (recs[slot] as Rec).entry.id;
    // Smaller is better: inverted score, then name ranks (each < 2^20); ties by id.
    let worst = Infinity;
    for (let f = 0; f < found.length; f++) {
      const slot = found[f] as number;
      const key = (1023 - (score[slot] as number)) * SCORE_SPAN + (nameKey[slot] as number);
      if (key > worst) continue;
      const n = slots.length;
      if (key === worst && n === limit && idOf(slot) > idOf(slots[n - 1] as number)) continue;
      let i = n === limit ? n - 1 : n;
      while (i > 0) {
        const k = keys[i - 1] as number;
        if (k < key || (k === key && idOf(slots[i - 1] as number) < idOf(slot))) break;
        keys[i] = k;
        slots[i] = slots[i - 1] as number;
        i--;
      }
      keys[i] = key;
      slots[i] = slot;
      if (slots.length === limit) worst = keys[limit - 1] as number;
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
