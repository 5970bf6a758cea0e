/**
 * The digit strings a directory entry's phone numbers are searched by: for a number
 * that libphonenumber accepts, its E.164 digits (`4740001001`) and its national digits
 * (`40001001`); for anything else (short numbers, internal numbers) its written digits.
 *
 * @packageDocumentation
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { toE164 } from '../store/phone';
import { digitsOf } from './fold';

/** Digit keys of one written number. */
export interface NumberKeys {
  /** E.164 without the `+`, or null when the number is not a valid phone number. */
  readonly e164: string | null;
  /** National significant number, or null when not valid. */
  readonly national: string | null;
  /** The digits as written (always present, may be empty). */
  readonly raw: string;
}

// Norwegian E.164 numbers (the common case) need no libphonenumber call.
const NO_E164 = /^\+47([2-9]\d{7})$/;
const CACHE_LIMIT = 10_000;
const cache = new Map<string, NumberKeys>();

/** Digit keys for a written number; results are cached (libphonenumber is slowish). */
export function numberKeys(written: string): NumberKeys {
  const fast = NO_E164.exec(written);
  if (fast?.[1] !== undefined)
    return { e164: `47${fast[1]}`, national: fast[1], raw: digitsOf(written) };
  const hit = cache.get(written);
  if (hit) return hit;
  const keys = computeKeys(written);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(written, keys);
  return keys;
}

function computeKeys(written: string): NumberKeys {
  const raw = digitsOf(written);
  let e164: string | null;
  try {
    e164 = toE164(written);
  } catch {
    e164 = null;
  }
  if (!e164) return { e164: null, national: null, raw };
  const parsed = parsePhoneNumberFromString(e164);
  const national = parsed ? String(parsed.nationalNumber) : null;
  return { e164: e164.slice(1), national, raw };
}
