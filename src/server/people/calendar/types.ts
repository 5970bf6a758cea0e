/**
 * Calendar sync: the contract between a person's calendar feed and the absences the core
 * creates from it.
 *
 * A `CalendarSource` answers one question — "when is this person busy or away between
 * `from` and `to`?" — as a list of intervals. The ICS source (`IcsCalendarSource`) is the
 * one built in; a Microsoft Graph source implements the same interface:
 *
 * - `POST /users/{id}/calendar/getSchedule` with `startTime`/`endTime` (in UTC) returns
 *   `scheduleItems[]` with `status`, `start`, `end`, `subject`; or
 *   `GET /users/{id}/calendarView?startDateTime=…&endDateTime=…` (recurrences already
 *   expanded by Graph) returns events with `showAs`, `start`, `end`, `subject`,
 *   `sensitivity`, `isCancelled`. Ask for UTC with the header `Prefer: outlook.timezone="UTC"`.
 * - Mapping of `showAs` / `status`: `busy` → `'busy'`, `oof` → `'out_of_office'`,
 *   `tentative` → `'tentative'`, `free` and `workingElsewhere` → no interval (skipped),
 *   `unknown` → `'busy'`. Cancelled events are skipped.
 * - `summary` is `subject`, or `null` when `sensitivity` is `private`/`confidential`
 *   (the same rule the ICS source applies to `CLASS:PRIVATE`/`CONFIDENTIAL`).
 * - `person.calendarUrl` would then hold the Graph user id or UPN instead of a URL.
 *
 * @packageDocumentation
 */

export type CalendarIntervalKind = 'busy' | 'out_of_office' | 'tentative';

/** One busy stretch in a person's calendar (an event occurrence, or a free/busy period). */
export interface CalendarInterval {
  /** Start as an absolute instant. Not clipped to the requested range. */
  readonly start: Date;
  /** End as an absolute instant (exclusive). Not clipped to the requested range. */
  readonly end: Date;
  readonly kind: CalendarIntervalKind;
  /** The event's title; `null` for private events or when there is none. */
  readonly summary: string | null;
}

export interface CalendarPerson {
  readonly id: string;
  /** Where the person's calendar lives: an ICS URL for the ICS source. */
  readonly calendarUrl: string;
}

export interface CalendarRange {
  readonly from: Date;
  readonly to: Date;
}

export interface CalendarSource {
  /**
   * Intervals overlapping `range`, sorted by start. Rejects only with a `CalendarError`.
   */
  busyIntervals(
    person: CalendarPerson,
    range: CalendarRange,
    signal?: AbortSignal,
  ): Promise<CalendarInterval[]>;
}

/**
 * - `timeout`: no complete answer within the source's time limit.
 * - `http`: the server answered with a non-2xx status (`status` set), or could not be reached
 *   or the URL is not usable (`status` null).
 * - `too_large`: the feed exceeds the size cap.
 * - `parse`: the body is not an iCalendar document.
 * - `aborted`: the caller's `signal` aborted the request.
 */
export type CalendarErrorCode = 'timeout' | 'http' | 'too_large' | 'parse' | 'aborted';

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    /** The HTTP status for `http` errors with an answer; otherwise null. */
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
