/** Phone numbers written for people (libphonenumber-js, Norwegian by default). */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * `+4721000000` → `21 00 00 00` (a Norwegian number, written nationally); other countries
 * internationally (`+46 8 123 456 78`); extensions and anything unparsable as they came.
 */
export function formatPhoneNumber(number: string): string {
  if (!number.startsWith('+') && !number.startsWith('00')) return number;
  const parsed = parsePhoneNumberFromString(number, 'NO');
  if (!parsed?.isPossible()) return number;
  return parsed.country === 'NO' ? parsed.formatNational() : parsed.formatInternational();
}
