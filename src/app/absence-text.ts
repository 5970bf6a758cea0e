/**
 * How an absence is put into words (directory rows, the caller card, the absence form). Pure
 * functions; the message someone wrote is returned as a string for Lit to render as text.
 */
import { msg, str } from '@lit/localize';
import type { AbsenceInfo } from '../shared/switchboard.js';
import { dateTimeFormat, withViewMessages } from './i18n.js';

export type AbsenceReason = AbsenceInfo['reason'];
export type CallHandling = AbsenceInfo['callHandling'];

/** The seven reasons in the order the form offers them. */
export const ABSENCE_REASONS: readonly AbsenceReason[] = [
  'meeting',
  'lunch',
  'vacation',
  'sick',
  'travel',
  'course',
  'other',
];

/** The reason in words (at render time: the current language). */
export function absenceReasonText(reason: AbsenceReason): string {
  switch (reason) {
    case 'meeting':
      return msg('Meeting');
    case 'lunch':
      return msg('Lunch');
    case 'vacation':
      return msg('Vacation');
    case 'sick':
      return msg('Sick leave');
    case 'travel':
      return msg('Travel');
    case 'course':
      return msg('Course');
    case 'other':
      return msg('Other');
  }
}

/**
 * `ABSENCE_REASON_TEXT[reason]` for views that index it: getters, so each read is in the
 * current language rather than frozen at module load.
 */
export const ABSENCE_REASON_TEXT: Readonly<Record<AbsenceReason, string>> = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(
      ABSENCE_REASONS.map((reason) => [
        reason,
        { enumerable: true, get: () => absenceReasonText(reason) },
      ]),
    ),
  ) as Record<AbsenceReason, string>,
);

/** What happens to calls meanwhile, in words. */
export function callHandlingText(handling: CallHandling): string {
  switch (handling) {
    case 'switchboard':
      return msg('Calls go to the switchboard queue');
    case 'forward':
      return msg('Calls are forwarded');
    case 'ring':
      return msg('Calls ring anyway');
  }
}

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** `HH:MM` in local time: 24-hour in every language (an en-US browser would say 2:30 PM). */
export function clockTime(epochMs: number): string {
  return dateTimeFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(epochMs);
}

/**
 * When the person is back: "back at 14:30" today, "back Fri 7 Mar at 08:00" on another day,
 * "until further notice" without an end.
 */
export function backText(until: number | null, now: number): string {
  if (until === null) return msg('until further notice');
  const end = new Date(until);
  const time = clockTime(until);
  if (sameDay(end, new Date(now))) return msg(str`back at ${time}`);
  // The day as the language writes it: "Fri 7 Mar" (en-GB), "Fri, Mar 7" (en-US), "fre. 7. mars".
  const date = dateTimeFormat({ weekday: 'short', day: 'numeric', month: 'short' }).format(end);
  return msg(str`back ${date} at ${time}`);
}

/** "Lunch, back at 12:30" — the reason word and when they are back. */
export function absenceSummary(absence: AbsenceInfo, now: number): string {
  return `${absenceReasonText(absence.reason)}, ${backText(absence.until, now)}`;
}

/**
 * The absence form, fetched when someone first opens it (it is not needed to take calls, and
 * the switchboard route has a size budget: docs/benchmarks.md).
 */
export const loadAbsenceForm: () => Promise<unknown> = withViewMessages(
  () => import('./sentral-absence-form.js'),
);
