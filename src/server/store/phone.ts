/**
 * Phone number normalisation: whatever people and SIP peers write
 * (`+47 400 01 001`, `0047 40001001`, `400 01 001`, `tel:+4740001001`)
 * becomes one E.164 string (`+4740001001`) to store and compare.
 *
 * @packageDocumentation
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';

/** The country assumed for numbers written without a country code. */
export const DEFAULT_COUNTRY: CountryCode = 'NO';

/**
 * Strips what surrounds a number or user in SIP and tel URIs:
 * `sip:4740001001@host;user=phone` → `4740001001`, `tel:+47-400-01-001` → `+47-400-01-001`,
 * `"Kari" <sip:1001@host>` → `1001`. Anything else comes back trimmed.
 */
export function stripUri(input: string): string {
  let value = input.trim();
  // A name-addr such as `"Kari" <sip:1001@host>`: only the URI counts.
  const angled = /<([^>]*)>/.exec(value);
  if (angled?.[1] !== undefined) value = angled[1].trim();
  const scheme = /^(sips?|tel):/i.exec(value);
  if (scheme) {
    value = value.slice(scheme[0].length);
    value = value.split(/[;?>]/, 1)[0] ?? '';
    if (scheme[1]?.toLowerCase() !== 'tel') value = value.split('@', 1)[0] ?? '';
  }
  return value.trim();
}

/** Removes the separators people put into numbers: spaces, dashes, dots, slashes, brackets. */
export function compactNumber(input: string): string {
  return input.replace(/[\s\-./()\u00a0]/g, '');
}

/**
 * Normalises a written phone number to E.164, or `null` when it is not a valid
 * number (short internal numbers such as extensions are not). A number that is
 * not valid in `defaultCountry` is tried once more as international without its
 * `+`, as SIP trunks often send them.
 */
export function toE164(
  input: string,
  defaultCountry: CountryCode = DEFAULT_COUNTRY,
): string | null {
  const compact = compactNumber(stripUri(input));
  if (!/^\+?[0-9]+$/.test(compact)) return null;
  const parsed = parsePhoneNumberFromString(compact, defaultCountry);
  if (parsed?.isValid()) return parsed.number;
  // SIP trunks often send international numbers without '+' or '00' (4740001001).
  if (!compact.startsWith('+') && compact.length > 8) {
    const international = parsePhoneNumberFromString(`+${compact}`);
    if (international?.isValid()) return international.number;
  }
  return null;
}
