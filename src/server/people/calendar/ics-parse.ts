/**
 * iCalendar (RFC 5545) text → busy intervals in a range, with ical.js doing the parsing and
 * the recurrence expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides).
 *
 * Time zones:
 * - `TZID` with a matching VTIMEZONE in the feed: the feed's own rules (ical.js).
 * - `TZID` naming an IANA zone without a VTIMEZONE: that zone, from Node's ICU data.
 * - UTC (`…Z`): as is.
 * - Floating times, and `TZID`s that are neither: the configured default zone.
 * - All-day dates (`VALUE=DATE`): whole days, midnight to midnight in the default zone.
 *
 * What counts, checked in this order (the first that applies wins):
 * 1. `STATUS:CANCELLED` → skipped.
 * 2. `X-MICROSOFT-CDO-BUSYSTATUS` (else `X-MICROSOFT-CDO-INTENDEDSTATUS`), as Outlook and
 *    Exchange publish it: `OOF` → out_of_office, `TENTATIVE` → tentative, `BUSY` → busy,
 *    `FREE`/`WORKINGELSEWHERE` → skipped.
 * 3. A category meaning out of office ("Out of office", "Fravær", "OOF", configurable) →
 *    out_of_office — checked before TRANSP because calendars such as Google's mark all-day
 *    events "free" by default.
 * 4. `TRANSP:TRANSPARENT` → skipped.
 * 5. `STATUS:TENTATIVE` → tentative.
 * 6. Otherwise busy.
 * `CLASS:PRIVATE`/`CONFIDENTIAL` hides the summary (null); it never changes the kind.
 * VFREEBUSY components (CalDAV free/busy) count too: `FBTYPE=BUSY` → busy,
 * `BUSY-TENTATIVE` → tentative, `BUSY-UNAVAILABLE` → out_of_office, `FREE` → skipped.
 */
import ICAL from 'ical.js';
import { CalendarError } from './types';
import type { CalendarInterval, CalendarIntervalKind, CalendarRange } from './types';
import { isKnownTimeZone, zonedWallTimeToMs } from './zoned-time';

export const DEFAULT_TIME_ZONE = 'Europe/Oslo';
export const DEFAULT_OUT_OF_OFFICE_CATEGORIES: readonly string[] = [
  'out of office',
  'out-of-office',
  'oof',
  'ooo',
  'fravær',
];

export interface IcsParseOptions {
  /** Zone for floating times and all-day dates. Default Europe/Oslo. */
  readonly defaultTimeZone?: string;
  /** Category names (case-insensitive) that mark an event out of office. */
  readonly outOfOfficeCategories?: readonly string[];
  /** Upper bound on occurrences expanded per recurring event (guards against runaway rules). */
  readonly maxOccurrencesPerEvent?: number;
}

type Component = ICAL.Component;
type Time = ICAL.Time;

interface Context {
  readonly fromMs: number;
  readonly toMs: number;
  readonly zone: string;
  readonly oofCategories: ReadonlySet<string>;
  readonly out: CalendarInterval[];
}

/**
 * The intervals of `text` overlapping `range`, sorted by start (then end). Throws a
 * `CalendarError` with code `parse` when `text` is not an iCalendar document.
 */
export function intervalsFromIcs(
  text: string,
  range: CalendarRange,
  options: IcsParseOptions = {},
): CalendarInterval[] {
  const zone = options.defaultTimeZone ?? DEFAULT_TIME_ZONE;
  if (!isKnownTimeZone(zone)) throw new RangeError(`Unknown time zone ${zone}`);
  const calendars = parseCalendars(text);
  const ctx: Context = {
    fromMs: range.from.getTime(),
    toMs: range.to.getTime(),
    zone,
    oofCategories: new Set(
      (options.outOfOfficeCategories ?? DEFAULT_OUT_OF_OFFICE_CATEGORIES).map(normalizeWord),
    ),
    out: [],
  };
  const maxOccurrences = options.maxOccurrencesPerEvent ?? 20_000;
  for (const vcal of calendars) {
    withFeedTimezones(vcal, () => {
      try {
        expandEvents(vcal, ctx, maxOccurrences);
        for (const fb of vcal.getAllSubcomponents('vfreebusy')) freeBusy(fb, ctx);
      } catch (cause) {
        if (cause instanceof CalendarError) throw cause;
        throw new CalendarError('parse', 'Calendar content could not be interpreted', null, {
          cause,
        });
      }
    });
  }
  return ctx.out.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime(),
  );
}

function parseCalendars(text: string): Component[] {
  if (!/^\s*BEGIN:VCALENDAR/i.test(text.replace(/^\uFEFF/, ''))) {
    throw new CalendarError('parse', 'Not an iCalendar document (no BEGIN:VCALENDAR)');
  }
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new CalendarError('parse', 'Malformed iCalendar document', null, { cause });
  }
  // One calendar parses to a single jCal array, several to an array of them.
  const list = Array.isArray(jcal) && typeof jcal[0] === 'string' ? [jcal] : jcal;
  if (!Array.isArray(list) || list.length === 0) {
    throw new CalendarError('parse', 'Empty iCalendar document');
  }
  return list.map((j: unknown) => {
    const comp = new ICAL.Component(j as unknown[]);
    if (comp.name !== 'vcalendar') throw new CalendarError('parse', 'Not a VCALENDAR');
    return comp;
  });
}

/**
 * Registers the feed's VTIMEZONEs with ical.js's (global) timezone service for the duration
 * of `work`, restoring whatever was there before. `work` is synchronous, so no other feed's
 * definitions can interleave.
 */
function withFeedTimezones(vcal: Component, work: () => void): void {
  const restore: { tzid: string; previous: ICAL.Timezone | null }[] = [];
  try {
    for (const vtz of vcal.getAllSubcomponents('vtimezone')) {
      const tzid = vtz.getFirstPropertyValue('tzid');
      if (typeof tzid !== 'string' || tzid === '') continue;
      const previous = ICAL.TimezoneService.has(tzid) ? ICAL.TimezoneService.get(tzid) : null;
      ICAL.TimezoneService.register(new ICAL.Timezone({ component: vtz, tzid }), tzid);
      restore.push({ tzid, previous });
    }
    work();
  } finally {
    for (const { tzid, previous } of restore.reverse()) {
      if (previous) ICAL.TimezoneService.register(previous, tzid);
      else ICAL.TimezoneService.remove(tzid);
    }
  }
}

function expandEvents(vcal: Component, ctx: Context, maxOccurrences: number): void {
  const masters = new Map<string, Component>();
  const overrides = new Map<string, Component[]>();
  const loose: Component[] = [];
  for (const vevent of vcal.getAllSubcomponents('vevent')) {
    if (!vevent.hasProperty('dtstart')) continue;
    const uid = vevent.getFirstPropertyValue('uid');
    if (typeof uid !== 'string' || uid === '') {
      loose.push(vevent);
    } else if (vevent.hasProperty('recurrence-id')) {
      const list = overrides.get(uid) ?? [];
      list.push(vevent);
      overrides.set(uid, list);
    } else if (masters.has(uid)) {
      loose.push(vevent); // A duplicate UID: count it as its own event.
    } else {
      masters.set(uid, vevent);
    }
  }
  for (const [uid, master] of masters) {
    expandOne(master, overrides.get(uid) ?? [], ctx, maxOccurrences);
    overrides.delete(uid);
  }
  // Overrides whose series is not in the feed (an invitation to one occurrence).
  for (const orphans of overrides.values()) for (const o of orphans) loose.push(o);
  for (const vevent of loose) {
    const event = new ICAL.Event(vevent);
    emit(vevent, event.startDate, event.endDate, ctx);
  }
}

function expandOne(
  master: Component,
  overrides: Component[],
  ctx: Context,
  maxOccurrences: number,
): void {
  const event = new ICAL.Event(master, { exceptions: overrides, strictExceptions: false });
  const seriesZone = fallbackZone(master, ctx.zone);
  if (!event.isRecurring()) {
    const d = event.getOccurrenceDetails(event.startDate);
    emit(d.item.component, d.startDate, d.endDate, ctx);
    return;
  }
  const iterator = event.iterator();
  // Recurrence ids up to `visitedMs` have been expanded (overrides included); with `complete`
  // the whole series has.
  let visitedMs = Number.NEGATIVE_INFINITY;
  let complete = false;
  for (let n = 0; ; n++) {
    const next: Time | null | undefined = n < maxOccurrences ? iterator.next() : null;
    if (!next) {
      complete = n < maxOccurrences;
      break;
    }
    const ridMs = toMs(next, seriesZone, ctx.zone);
    if (ridMs >= ctx.toMs) break;
    visitedMs = ridMs;
    const d = event.getOccurrenceDetails(next);
    emit(d.item.component, d.startDate, d.endDate, ctx);
  }
  if (complete) return;
  // An occurrence from after the range (or after where the expansion stopped) may have been
  // moved into it: overrides the iteration did not reach are looked at on their own.
  for (const o of overrides) {
    const rid = o.getFirstPropertyValue('recurrence-id');
    if (!(rid instanceof ICAL.Time)) continue;
    if (toMs(rid, fallbackZone(o, ctx.zone), ctx.zone) <= visitedMs) continue;
    const e = new ICAL.Event(o);
    emit(o, e.startDate, e.endDate, ctx);
  }
}

function emit(comp: Component, start: Time, end: Time, ctx: Context): void {
  const kind = classify(comp, ctx);
  if (!kind) return;
  const zone = fallbackZone(comp, ctx.zone);
  const startMs = toMs(start, zone, ctx.zone);
  const endMs = endOf(comp, start, startMs, end, zone, ctx.zone);
  if (!(endMs > startMs)) return; // Zero-length events are reminders, not busy time.
  if (endMs <= ctx.fromMs || startMs >= ctx.toMs) return;
  ctx.out.push({ start: new Date(startMs), end: new Date(endMs), kind, summary: summary(comp) });
}

/**
 * The end of an occurrence starting at `start` of the event `comp` defines. ical.js adds the
 * event's length in wall-clock time, which is right for dates and for the days and weeks of a
 * DURATION, but not across a DST change: RFC 5545 gives every occurrence the exact length
 * of DTEND − DTSTART, and the hours, minutes and seconds of a DURATION are exact too.
 */
function endOf(
  comp: Component,
  start: Time,
  startMs: number,
  wallEnd: Time,
  zone: string,
  defaultZone: string,
): number {
  if (start.isDate) {
    const endMs = toMs(wallEnd, zone, defaultZone);
    return endMs > startMs ? endMs : zonedWallTimeToMs(dayAfter(start), defaultZone);
  }
  const dtstart = comp.getFirstPropertyValue('dtstart');
  const dtend = comp.getFirstPropertyValue('dtend');
  if (dtstart instanceof ICAL.Time && dtend instanceof ICAL.Time) {
    return startMs + (toMs(dtend, zone, defaultZone) - toMs(dtstart, zone, defaultZone));
  }
  const duration = comp.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration) {
    const sign = duration.isNegative ? -1 : 1;
    const wall = start.clone();
    wall.day += sign * (duration.weeks * 7 + duration.days);
    const exactMs =
      sign * (duration.hours * 3600 + duration.minutes * 60 + duration.seconds) * 1000;
    return toMs(wall, zone, defaultZone) + exactMs;
  }
  return startMs;
}

function dayAfter(t: Time): { year: number; month: number; day: number } {
  const next = t.clone();
  next.day += 1;
  return { year: next.year, month: next.month, day: next.day };
}

function freeBusy(fb: Component, ctx: Context): void {
  const zone = fallbackZone(fb, ctx.zone);
  for (const prop of fb.getAllProperties('freebusy')) {
    const type = String(prop.getParameter('fbtype') ?? 'BUSY').toUpperCase();
    const kind: CalendarIntervalKind | null =
      type === 'FREE'
        ? null
        : type === 'BUSY-TENTATIVE'
          ? 'tentative'
          : type === 'BUSY-UNAVAILABLE'
            ? 'out_of_office'
            : 'busy';
    if (!kind) continue;
    for (const value of prop.getValues()) {
      if (!(value instanceof ICAL.Period)) continue;
      const startMs = toMs(value.start, zone, ctx.zone);
      const endMs = toMs(value.getEnd(), zone, ctx.zone);
      if (endMs <= startMs || endMs <= ctx.fromMs || startMs >= ctx.toMs) continue;
      ctx.out.push({ start: new Date(startMs), end: new Date(endMs), kind, summary: null });
    }
  }
}

function classify(comp: Component, ctx: Context): CalendarIntervalKind | null {
  const status = upper(comp.getFirstPropertyValue('status'));
  if (status === 'CANCELLED') return null;
  const cdo =
    upper(comp.getFirstPropertyValue('x-microsoft-cdo-busystatus')) ??
    upper(comp.getFirstPropertyValue('x-microsoft-cdo-intendedstatus'));
  switch (cdo) {
    case 'OOF':
      return 'out_of_office';
    case 'TENTATIVE':
      return 'tentative';
    case 'BUSY':
      return 'busy';
    case 'FREE':
    case 'WORKINGELSEWHERE':
      return null;
  }
  for (const prop of comp.getAllProperties('categories')) {
    for (const value of prop.getValues()) {
      if (typeof value === 'string' && ctx.oofCategories.has(normalizeWord(value))) {
        return 'out_of_office';
      }
    }
  }
  if (upper(comp.getFirstPropertyValue('transp')) === 'TRANSPARENT') return null;
  if (status === 'TENTATIVE') return 'tentative';
  return 'busy';
}

function summary(comp: Component): string | null {
  const cls = upper(comp.getFirstPropertyValue('class'));
  if (cls === 'PRIVATE' || cls === 'CONFIDENTIAL') return null;
  const value = comp.getFirstPropertyValue('summary');
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The zone to read this component's non-VTIMEZONE times in: its IANA TZID, else the default. */
function fallbackZone(comp: Component, defaultZone: string): string {
  const tzid = comp.getFirstProperty('dtstart')?.getParameter('tzid');
  return typeof tzid === 'string' && isKnownTimeZone(tzid) ? tzid : defaultZone;
}

function toMs(t: Time, zone: string, defaultZone: string): number {
  if (t.isDate) return zonedWallTimeToMs(t, defaultZone);
  if (t.zone === ICAL.Timezone.utcTimezone) {
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  }
  // A zone from the feed's own VTIMEZONE.
  if (t.zone && t.zone !== ICAL.Timezone.localTimezone) return t.toUnixTime() * 1000;
  return zonedWallTimeToMs(t, zone);
}

function upper(value: unknown): string | null {
  return typeof value === 'string' ? value.trim().toUpperCase() : null;
}

function normalizeWord(s: string): string {
  return s.trim().normalize('NFC').toLowerCase();
}
