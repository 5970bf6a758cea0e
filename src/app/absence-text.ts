/**
 * How an absence is put into words (directory rows, the caller card, the absence form). Pure
 * functions; the message someone wrote is returned as a string for Lit to render as text.
 */
import type { AbsenceInfo } from '../shared/switchboard.js';

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

export const ABSENCE_REASON_TEXT: Record<AbsenceReason, string> = {
  meeting: 'Meeting',
  lunch: 'Lunch',
  vacation: 'Vacation',
  sick: 'Sick leave',
  travel: 'Travel',
  course: 'Course',
  other: 'Other',
};

export const CALL_HANDLING_TEXT: Record<CallHandling, string> = {
  switchboard: 'Calls go to the switchboard queue',
  forward: 'Calls are forwarded',
  ring: 'Calls ring anyway',
};

const TIME = new Intl.DateTimeFormat('nb-NO', { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });

function sameDay(a: Date, b: Date): boolean {
  return (
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate()
  );
}

/** `HH:MM` in local time. */
export function clockTime(epochMs: number): string {
  return TIME.format(epochMs);
}

/**
 * When the person is back: "back at 14:30" today, "back Fri 7 Mar at 08:00" on another day,
 * "until further notice" without an end.
 */
export function backText(until: number | null, now: number): string {
  if (until === null) return 'until further notice';
  const end = new Date(until);
  if (sameDay(end, new Date(now))) return `back at ${clockTime(until)}`;
  return `back ${DAY.format(end)} at ${clockTime(until)}`;
}

/** "Lunch, back at 12:30" — the reason word and when they are back. */
export function absenceSummary(absence: AbsenceInfo, now: number): string {
  return `${ABSENCE_REASON_TEXT[absence.reason]}, ${backText(absence.until, now)}`;
}

/**
 * The absence form, fetched when someone first opens it (it is not needed to take calls, and
 * the switchboard route has a size budget: docs/benchmarks.md).
 */
export function loadAbsenceForm(): Promise<unknown> {
  return import('./sentral-absence-form.js');
}
