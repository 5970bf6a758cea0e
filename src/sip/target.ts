/**
 * Turns what a user typed into the dial box into a SIP URI string.
 * @packageDocumentation
 */

/** Characters people type in phone numbers that are not part of the number. */
const NUMBER_PUNCTUATION = /[\s\-().\u00a0]/g;
/** RFC 3261 `user` unreserved + user-unreserved characters (no escaping needed). */
const SAFE_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]+$/;

/**
 * - `sip:` / `sips:` URIs pass through.
 * - `user@host` becomes `sip:user@host`.
 * - Anything else is a number or extension on our own domain: punctuation (spaces, dashes,
 *   parentheses, dots) is removed, other unsafe characters are percent-escaped.
 *
 * Returns null for input with nothing dialable in it.
 */
export function toTargetUri(input: string, domain: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  if (/^sips?:/i.test(trimmed)) return trimmed;
  if (trimmed.includes('@')) return `sip:${trimmed}`;
  const user = /^[+\d\s\-().\u00a0*#]+$/.test(trimmed)
    ? trimmed.replace(NUMBER_PUNCTUATION, '')
    : trimmed;
  if (user === '') return null;
  const escaped = SAFE_USER.test(user) ? user : encodeURIComponent(user);
  return `sip:${escaped}@${domain}`;
}

/** Domain part of an AOR (`sip:kari@sentral.invalid` → `sentral.invalid`). */
export function domainOf(aor: string): string {
  const at = aor.lastIndexOf('@');
  const host = at >= 0 ? aor.slice(at + 1) : aor.replace(/^sips?:/i, '');
  return host.split(/[;>]/)[0] ?? host;
}
