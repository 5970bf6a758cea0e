import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src/shared/protocol.js';
import { filterPeople, foldText, searchPeople } from '../../src/store/directory-model.js';

const folded = new WeakMap<DirectoryEntry, string>();

/** The plain scan the indexed search must agree with: every word in the person's folded text. */
function scan(people: readonly DirectoryEntry[], query: string): string[] {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  const textOf = (p: DirectoryEntry) => {
    let text = folded.get(p);
    if (text === undefined) {
      text = foldText(
        [p.displayName, p.extension, p.mobile ?? '', p.department ?? '', p.title ?? ''].join(' '),
      );
      folded.set(p, text);
    }
    return text;
  };
  return people.filter((p) => words.every((w) => textOf(p).includes(w))).map((p) => p.id);
}

const ids = (people: readonly DirectoryEntry[]) => people.map((p) => p.id);

/** The same company every run (a small linear congruential generator). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = ['Kari', 'Ola', 'Åse', 'Bjørn', 'Øyvind', 'Æsa', 'René', 'Zoë', 'Hélène', 'Pål'];
const LAST = ['Ødegård', 'Hansen', 'Sæbø', 'Strøm', 'Lie', 'Næss', 'Bø', 'Dæhli', 'Åsheim'];
const DEPARTMENTS = ['Salg', 'Økonomi', 'Kundeservice', 'IT', 'Rådgivning', null];
const TITLES = ['Rådgiver', 'Seniorkonsulent', 'Sentralbordoperatør', 'Daglig leder', null];

/**
 * A directory with accents, Æ and Ø, mobiles as `+47 912 34 567`, `+4791234567` and
 * `912 34 567`, and (for a few) names in scripts beyond the index's 254 letter ids.
 */
function company(n: number): DirectoryEntry[] {
  const r = random(5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const digits = String(90000000 + Math.floor(r() * 9999999));
    const style = i % 4;
    const mobile =
      style === 0
        ? `+47 ${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5)}`
        : style === 1
          ? `+47${digits}`
          : style === 2
            ? `${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5)}`
            : null;
    const rare = i % 7 === 0 ? ` ${han(i * 13)}${han(i * 7)}` : '';
    return {
      id: `p${i}`,
      username: `u${i}`,
      displayName: `${pick(FIRST)} ${pick(LAST)}${rare}`,
      extension: String(1000 + i),
      mobile,
      department: pick(DEPARTMENTS),
      title: pick(TITLES),
    };
  });
}

/** One of 600 Han characters: far more distinct letters than the index has ids for. */
const han = (n: number) => String.fromCharCode(0x4e00 + (n % 600));

/** Every prefix of `text`, as typed one key at a time. */
const typed = (text: string) => Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));

describe('directory search', () => {
  const people = company(3000);

  it('finds the same people in the same order as a plain scan, for every keystroke', () => {
    const texts = [
      'ola',
      'OLA HANSEN',
      'odegard',
      'ødegård',
      'åse lie',
      'ae',
      'sæbø',
      'saebo',
      'hélène',
      'helene',
      'zoe',
      '+47 912',
      '+4791',
      '912 3',
      '1007',
      '10',
      'salg økonomi',
      'rådgiver',
      'radgiv',
      'seniorkonsulent ola',
      'daglig leder',
      ' ola  h ',
      'q',
      'zz',
      'a a a',
      'ola 1',
      '一',
      '一丁',
      'ola 一',
      '丁一',
    ];
    for (const text of texts) {
      for (const q of typed(text)) expect(ids(filterPeople(people, q)), q).toEqual(scan(people, q));
    }
  });

  it('agrees with a plain scan on letters beyond the index’s own ids', () => {
    for (let n = 0; n < 600; n += 3) {
      for (const q of [
        han(n),
        `${han(n)}${han(n + 7)}`,
        `${han(n)}${han(n + 91)}`,
        `ola ${han(n)}`,
      ]) {
        expect(ids(filterPeople(people, q)), q).toEqual(scan(people, q));
      }
    }
  });

  it('agrees with a plain scan on random pieces of people’s own text', () => {
    const r = random(9);
    for (let k = 0; k < 300; k++) {
      const p = people[Math.floor(r() * people.length)] as DirectoryEntry;
      const text = [p.displayName, p.extension, p.mobile ?? '', p.department ?? ''].join(' ');
      const from = Math.floor(r() * text.length);
      const q = text.slice(from, from + 1 + Math.floor(r() * 6));
      expect(ids(filterPeople(people, q)), q).toEqual(scan(people, q));
    }
  });

  it('gives the same matches while typing, backspacing and retyping as searched afresh', () => {
    const steps = ['o', 'ol', 'ola', 'ola ', 'ola h', 'ola ha', 'ola h', 'ola', 'ol', 'olx', 'ol'];
    for (const q of [...steps, ...steps.reverse()]) {
      expect(ids(filterPeople(people, q)), q).toEqual(scan(people, q));
    }
  });

  it('gives the first rows asked for and the count of all matches', () => {
    for (const q of ['o', 'ol', 'ola', 'ola h', 'salg', '+47', '', 'zz']) {
      const all = scan(people, q.trim() ? q : '');
      const { shown, total } = searchPeople(people, q, 50);
      expect(ids(shown), q).toEqual(all.slice(0, 50));
      expect(total, q).toBe(all.length);
    }
  });

  it('returns everyone, in order, for an empty or blank query', () => {
    expect(ids(filterPeople(people, ''))).toEqual(ids(people));
    expect(ids(filterPeople(people, '   '))).toEqual(ids(people));
  });

  it('finds nobody for a letter that is in nobody’s text', () => {
    expect(filterPeople(people, 'ω')).toEqual([]);
    expect(filterPeople(people, 'ola ω')).toEqual([]);
  });

  it('keeps each list’s search apart from another list’s', () => {
    const fewer = people.slice(0, 100);
    expect(ids(filterPeople(people, 'ola'))).toEqual(scan(people, 'ola'));
    expect(ids(filterPeople(fewer, 'ola h'))).toEqual(scan(fewer, 'ola h'));
    expect(ids(filterPeople(people, 'ola ha'))).toEqual(scan(people, 'ola ha'));
  });
});
