/**
 * `IcsCalendarSource`: a person's calendar published as an iCalendar URL (Outlook "publish
 * calendar", Google "secret address in iCal format", Nextcloud/CalDAV export). Fetched with a
 * deadline and a size cap, parsed and expanded by `intervalsFromIcs`.
 */
import { BoundedFetchError, fetchBounded } from './fetch-bounded';
import { intervalsFromIcs } from './ics-parse';
import type { IcsParseOptions } from './ics-parse';
import { CalendarError } from './types';
import type { CalendarInterval, CalendarPerson, CalendarRange, CalendarSource } from './types';

export interface IcsCalendarSourceOptions extends IcsParseOptions {
  /** Deadline for the whole fetch (connect, headers, body). Default 5 000 ms. */
  readonly timeoutMs?: number;
  /** Largest feed accepted, in bytes. Default 2 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_ICS_TIMEOUT_MS = 5_000;
export const DEFAULT_ICS_MAX_BYTES = 2 * 1024 * 1024;

export class IcsCalendarSource implements CalendarSource {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: IcsCalendarSourceOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ICS_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_ICS_MAX_BYTES;
  }

  async busyIntervals(
    person: CalendarPerson,
    range: CalendarRange,
    signal?: AbortSignal,
  ): Promise<CalendarInterval[]> {
    let text: string;
    try {
      ({ text } = await fetchBounded(person.calendarUrl, {
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
        signal,
        headers: { accept: 'text/calendar, */*;q=0.5' },
      }));
    } catch (cause) {
      throw toCalendarError(cause);
    }
    try {
      return intervalsFromIcs(text, range, this.options);
    } catch (cause) {
      if (cause instanceof CalendarError) throw cause;
      throw new CalendarError('parse', 'Calendar could not be read', null, { cause });
    }
  }
}

function toCalendarError(cause: unknown): CalendarError {
  if (!(cause instanceof BoundedFetchError)) {
    return new CalendarError('http', 'Calendar fetch failed', null, { cause });
  }
  switch (cause.kind) {
    case 'timeout':
    case 'too_large':
    case 'aborted':
    case 'http':
      return new CalendarError(cause.kind, cause.message, cause.status, { cause });
    case 'network':
      return new CalendarError('http', cause.message, null, { cause });
  }
}
