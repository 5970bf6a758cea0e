/**
 * Phone numbers written for people: Norwegian numbers nationally (`21 00 00 00`), other
 * countries internationally (`+46 8 123 456 78`), extensions and anything unparsable as they
 * came.
 *
 * libphonenumber-js (/min, 28.7 KiB gzip) is kept for correctness but is not on the
 * switchboard's critical path: numbers of calling code 47 (Norway and Svalbard, nearly every
 * caller) are written here without it, exactly as libphonenumber-js/min writes them
 * (test/app/phone-number.test.ts compares the two); for any other number the library is
 * fetched by `loadPhoneNumberFormats()`, which main.ts starts when the browser is first idle.
 * Until it has loaded, a foreign number is shown as received (E.164).
 *
 * Views that show numbers read {@link phoneFormatVersion$} through a controller,
 * `select(this, () => phoneFormatVersion$, 0)`, so they render again once the library is
 * there; a cache of formatted numbers is valid for one version only.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import { logger } from '../store/logger.js';

/** `+47…` or `0047…`, digits only: the numbers this module writes without the library. */
const NORWEGIAN = /^(?:\+|00)47(\d*)$/;
/** Leading digits of numbers that are Norway's (libphonenumber's NO metadata). */
const NORWAY_LEADING = /^(?:[02-689]|7[0-8])/;

/**
 * A number of calling code 47 written as libphonenumber-js/min writes it, or `undefined` when
 * `number` is not `+47`/`0047` and digits. Five or eight digits are possible (other lengths
 * come back as received); eight-digit numbers starting 8 are grouped 3-2-3 (`800 12 345`),
 * those starting 2–7 or 9 (landlines and mobiles alike) 2-2-2-2, the rest are not grouped.
 * Norway's numbers are written nationally; Svalbard's (79…) and numbers that belong to
 * neither (1…) internationally.
 */
function formatCallingCode47(number: string): string | undefined {
  const digits = NORWEGIAN.exec(number)?.[1];
  if (digits === undefined) return undefined;
  if (digits.length !== 5 && digits.length !== 8) return number;
  let grouped = digits;
  if (digits.length === 8 && digits.startsWith('8')) {
    grouped = `${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5)}`;
  } else if (digits.length === 8 && /^[2-79]/.test(digits)) {
    grouped = `${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6)}`;
  }
  return NORWAY_LEADING.test(digits) ? grouped : `+47 ${grouped}`;
}

/** Writes any number with libphonenumber-js, once it has loaded. */
let formatWithLibrary: ((number: string) => string) | null = null;
const version = new BehaviorSubject(0);
let loading: Promise<boolean> | null = null;

/**
 * 0 until libphonenumber-js has loaded, then 1: what {@link formatPhoneNumber} returns for a
 * foreign number changes with it. Replays the current version to a new subscriber.
 */
export const phoneFormatVersion$: Observable<number> = version.asObservable();

/**
 * `+4721000000` → `21 00 00 00`; `+46812345678` → `+46 8 123 456 78` once libphonenumber-js
 * has loaded ({@link phoneFormatVersion$}), `+46812345678` before.
 */
export function formatPhoneNumber(number: string): string {
  if (!number.startsWith('+') && !number.startsWith('00')) return number;
  return formatCallingCode47(number) ?? formatWithLibrary?.(number) ?? number;
}

/**
 * Fetches libphonenumber-js (its own chunk) and bumps {@link phoneFormatVersion$}. Resolves to
 * whether it is loaded; a failed fetch is logged and may be tried again by calling this again.
 */
export function loadPhoneNumberFormats(): Promise<boolean> {
  loading ??= import('libphonenumber-js/min').then(
    ({ parsePhoneNumberFromString }) => {
      formatWithLibrary = (number) => {
        const parsed = parsePhoneNumberFromString(number, 'NO');
        if (!parsed?.isPossible()) return number;
        return parsed.country === 'NO' ? parsed.formatNational() : parsed.formatInternational();
      };
      version.next(version.value + 1);
      return true;
    },
    (error: unknown) => {
      logger.warn('phone numbers: cannot load libphonenumber-js; foreign numbers stay raw', error);
      loading = null;
      return false;
    },
  );
  return loading;
}

/** Starts {@link loadPhoneNumberFormats} when the browser is idle (app start, off the critical path). */
export function loadPhoneNumberFormatsWhenIdle(): void {
  const start = () => void loadPhoneNumberFormats();
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 5000 });
  else setTimeout(start, 1000);
}
