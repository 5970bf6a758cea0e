/**
 * Character classes and small scanners shared by the header parsers.
 *
 * Values reach these functions already unfolded (the message parser replaces
 * every CRLF + whitespace continuation by one space), so linear whitespace
 * here is only SP and HTAB.
 *
 * @packageDocumentation
 */
import { SipSyntaxError } from './errors';

const TOKEN = new Uint8Array(128);
const PARAM_VALUE = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (alnum || "-.!%*_+`'~".includes(String.fromCharCode(c))) {
    TOKEN[c] = 1;
    PARAM_VALUE[c] = 1;
  }
}
// gen-value = token / host / quoted-string: a host adds ':' and the IPv6 brackets.
for (const ch of ':[]') PARAM_VALUE[ch.charCodeAt(0)] = 1;

/** RFC 3261 `token` character. */
export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/** Whole string is a non-empty RFC 3261 `token`. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** Index of the first character at or after `i` that is not SP or HTAB. */
export function skipLws(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** End index of the token starting at `i` (`i` itself when there is none). */
export function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * `s[i]` is a double quote: index just after the closing quote, honouring
 * backslash escapes, or -1 when the string is not terminated.
 */
export function readQuoted(s: string, i: number): number {
  i++;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return -1;
}

/** Removes surrounding double quotes and backslash escapes; other strings come back unchanged. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34) return s;
  const inner = s.slice(1, -1);
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}

/** Quoted-string form of `s`, escaping `"` and `\`. */
export function quote(s: string): string {
  return '"' + s.replace(/["\\]/g, '\\$&') + '"';
}

/**
 * Splits a header value at the commas that separate list elements: commas
 * inside quoted strings and inside `<...>` belong to the element. Elements
 * are trimmed; empty ones (`a,,b`) are dropped, as every caller did — a
 * value of tens of thousands of commas (the fuzzer's) then costs no more
 * than any other text of its length. A value without commas comes back as is.
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return [value];
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34) {
      const end = readQuoted(value, i);
      if (end === -1) break;
      i = end - 1;
    } else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) {
      if (i > start) pushTrimmed(out, value.slice(start, i));
      start = i + 1;
    }
  }
  if (start < value.length) pushTrimmed(out, value.slice(start));
  return out;
}

function pushTrimmed(out: string[], piece: string): void {
  const trimmed = piece.trim();
  if (trimmed.length > 0) out.push(trimmed);
}

/**
 * Reads `*( SEMI generic-param )` starting at `i`, tolerating whitespace
 * around `;` and `=`, into `out` (names lowercased; values as written,
 * quoted strings keep their quotes; a name without `=` maps to null).
 * Returns the index of the first character that is not part of the list.
 */
export function parseParams(s: string, i: number, out: Map<string, string | null>): number {
  for (;;) {
    const at = skipLws(s, i);
    if (at >= s.length || s.charCodeAt(at) !== 59) return at;
    i = skipLws(s, at + 1);
    const nameEnd = readToken(s, i);
    if (nameEnd === i) throw new SipSyntaxError(`empty parameter name at ${i}`);
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipLws(s, nameEnd);
    if (i < s.length && s.charCodeAt(i) === 61) {
      i = skipLws(s, i + 1);
      let end: number;
      if (s.charCodeAt(i) === 34) {
        end = readQuoted(s, i);
        if (end === -1) throw new SipSyntaxError(`unterminated quoted value of "${name}"`);
      } else {
        end = i;
        while (end < s.length) {
          const c = s.charCodeAt(end);
          if (c >= 128 || PARAM_VALUE[c] !== 1) break;
          end++;
        }
        if (end === i) throw new SipSyntaxError(`empty value of parameter "${name}"`);
      }
      out.set(name, s.slice(i, end));
      i = end;
    } else {
      out.set(name, null);
      i = nameEnd;
    }
  }
}

/** Serializes a parameter map as `;name=value` pairs (values written as stored). */
export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
