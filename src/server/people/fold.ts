/**
 * Accent and spelling folding for the company directory: what people type
 * (`odegard`, `oedegaard`, `Ødegård`, `Rene`) and what is stored (`Bjørn Ødegård`,
 * `René`) fold to one comparable form, so a plain `startsWith`/`includes` finds them.
 *
 * The folding is applied in the same way to the index and to the query, so it may
 * merge spellings on purpose: `æ → ae`, `ø → o`, `å → a`, other accents are dropped
 * (`é → e`, `ü → u`), and the two-letter spellings `oe`, `aa` and `ue` reduce to
 * `o`, `a` and `u` (so `Aasen` and `Åsen`, `Bjoern` and `Bjørn`, `Mueller` and
 * `Müller` meet).
 *
 * @packageDocumentation
 */

/** Letters that Unicode decomposition (NFD) does not turn into a base letter + mark. */
const SPECIAL: Readonly<Record<string, string>> = {
  æ: 'ae',
  ø: 'o',
  å: 'a',
  ß: 'ss',
  œ: 'oe',
  þ: 'th',
  ð: 'd',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
};

const SPECIAL_RE = /[æøåßœþðđłıħŧ]/g;
const COMBINING_RE = /[\u0300-\u036f]/g;
// Only code points below U+0080: plain ASCII needs neither mapping nor decomposition.
// eslint-disable-next-line no-control-regex
const ASCII_RE = /^[\x00-\x7f]*$/;
const TOKEN_SPLIT_RE = /[^\p{L}\p{N}]+/u;

/** Folds text to lowercase, accent-free, spelling-merged form (see the module comment). */
export function fold(text: string): string {
  let s = text.toLowerCase();
  if (!ASCII_RE.test(s)) {
    s = s
      .replace(SPECIAL_RE, (ch) => SPECIAL[ch] ?? ch)
      .normalize('NFD')
      .replace(COMBINING_RE, '')
      .normalize('NFC');
  }
  if (s.includes('oe')) s = s.replaceAll('oe', 'o');
  if (s.includes('aa')) s = s.replaceAll('aa', 'a');
  if (s.includes('ue')) s = s.replaceAll('ue', 'u');
  return s;
}

/** Folds text and splits it into words of letters and digits (`Anne-Lise` → `anne`, `lise`). */
export function foldWords(text: string): string[] {
  if (!text) return [];
  return fold(text)
    .split(TOKEN_SPLIT_RE)
    .filter((w) => w.length > 0);
}

/** Only the digits of a string (`+47 400 01 001` → `4740001001`). */
export function digitsOf(text: string): string {
  return text.replace(/\D+/g, '');
}
