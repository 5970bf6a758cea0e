/**
 * Calendar sync: per-person calendar feeds → busy intervals → absences.
 *
 * @packageDocumentation
 */
export { CalendarError } from './types';
export type {
  CalendarErrorCode,
  CalendarInterval,
  CalendarIntervalKind,
  CalendarPerson,
  CalendarRange,
  CalendarSource,
} from './types';
export { IcsCalendarSource, DEFAULT_ICS_MAX_BYTES, DEFAULT_ICS_TIMEOUT_MS } from './ics-source';
export type { IcsCalendarSourceOptions } from './ics-source';
export { intervalsFromIcs, DEFAULT_OUT_OF_OFFICE_CATEGORIES, DEFAULT_TIME_ZONE } from './ics-parse';
export type { IcsParseOptions } from './ics-parse';
export { absencesFromIntervals } from './absences';
export type { CalendarAbsence } from './absences';
