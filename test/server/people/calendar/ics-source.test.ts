import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CalendarError,
  DEFAULT_ICS_MAX_BYTES,
  DEFAULT_ICS_TIMEOUT_MS,
  IcsCalendarSource,
  intervalsFromIcs,
} from '../../../../src/server/people/calendar';
import type { CalendarInterval } from '../../../../src/server/people/calendar';
import { DST, FREEBUSY, KINDS, WEEKLY } from './fixtures';
import { startServer } from './local-server';
import type { LocalServer } from './local-server';

const range = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
const person = (url: string) => ({ id: 'u1', calendarUrl: url });
const simple = (list: CalendarInterval[]) =>
  list.map((i) => [i.start.toISOString(), i.end.toISOString(), i.kind, i.summary]);

async function failure(p: Promise<unknown>): Promise<CalendarError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarError);
    return e as CalendarError;
  }
  throw new Error('expected a CalendarError');
}

let server: LocalServer;
const feeds: Record<string, string> = {
  '/weekly.ics': WEEKLY,
  '/dst.ics': DST,
  '/kinds.ics': KINDS,
  '/freebusy.ics': FREEBUSY,
};

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const feed = feeds[path];
    if (feed) {
      res.setHeader('content-type', 'text/calendar; charset=utf-8');
      res.end(feed);
      return;
    }
    switch (path) {
      case '/hang':
        return; // Never answers.
      case '/slow-body':
        res.setHeader('content-type', 'text/calendar');
        res.write('BEGIN:VCALENDAR\r\n'); // ... and never finishes.
        return;
      case '/500':
        res.statusCode = 500;
        res.end('Internal error');
        return;
      case '/404':
        res.statusCode = 404;
        res.end();
        return;
      case '/garbage':
        res.end('\u0000\u0001 this is not a calendar {"json": true}');
        return;
      case '/html':
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><title>Log in</title>');
        return;
      case '/broken':
        res.end('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nthis line has no colon\r\n');
        return;
      case '/big-declared':
        res.setHeader('content-length', String(3 * 1024 * 1024));
        res.write('BEGIN:VCALENDAR\r\n');
        return;
      case '/big-chunked': {
        // No content-length: the cap must cut the stream itself.
        const chunk = 'X-FILLER:' + 'a'.repeat(64 * 1024) + '\r\n';
        res.write('BEGIN:VCALENDAR\r\n');
        for (let i = 0; i < 48 && !res.destroyed; i++) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
        res.end('END:VCALENDAR\r\n');
        return;
      }
    }
    res.statusCode = 404;
    res.end();
  });
});
afterAll(() => server.close());

describe('IcsCalendarSource against a local ICS server', () => {
  const source = new IcsCalendarSource({ defaultTimeZone: 'Europe/Oslo' });

  it('expands a weekly meeting with an EXDATE and moved occurrences, across the spring DST change', async () => {
    const list = await source.busyIntervals(
      person(`${server.url}/weekly.ics`),
      range('2025-03-10T00:00:00Z', '2025-04-08T00:00:00Z'),
    );
    expect(simple(list)).toEqual([
      ['2025-03-10T09:00:00.000Z', '2025-03-10T10:00:00.000Z', 'busy', 'Avdelingsmøte'],
      // 17 March: EXDATE. 24 March moved to Tuesday 14:00.
      ['2025-03-25T13:00:00.000Z', '2025-03-25T14:00:00.000Z', 'busy', 'Avdelingsmøte (flyttet)'],
      // Summer time from 30 March: 10:00 Oslo is 08:00 UTC.
      ['2025-03-31T08:00:00.000Z', '2025-03-31T09:00:00.000Z', 'busy', 'Avdelingsmøte'],
      // 14 April's occurrence moved back into the range.
      ['2025-04-04T07:00:00.000Z', '2025-04-04T08:00:00.000Z', 'busy', 'Avdelingsmøte (fredag)'],
      ['2025-04-07T08:00:00.000Z', '2025-04-07T09:00:00.000Z', 'busy', 'Avdelingsmøte'],
    ]);
  });

  it('leaves out an occurrence moved away from the range and the EXDATE day', async () => {
    const url = `${server.url}/weekly.ics`;
    expect(
      await source.busyIntervals(
        person(url),
        range('2025-03-24T00:00:00Z', '2025-03-25T00:00:00Z'),
      ),
    ).toEqual([]);
    expect(
      await source.busyIntervals(
        person(url),
        range('2025-03-17T00:00:00Z', '2025-03-18T00:00:00Z'),
      ),
    ).toEqual([]);
    expect(
      await source.busyIntervals(
        person(url),
        range('2025-04-14T00:00:00Z', '2025-04-15T00:00:00Z'),
      ),
    ).toEqual([]);
    // COUNT=8 ends the series on 28 April.
    const late = await source.busyIntervals(
      person(url),
      range('2025-04-15T00:00:00Z', '2025-06-01T00:00:00Z'),
    );
    expect(late.map((i) => i.start.toISOString())).toEqual([
      '2025-04-21T08:00:00.000Z',
      '2025-04-28T08:00:00.000Z',
    ]);
  });

  it('converts VTIMEZONE, Windows-named and IANA-only TZIDs across both DST changes', async () => {
    const list = await source.busyIntervals(
      person(`${server.url}/dst.ics`),
      range('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
    );
    expect(simple(list)).toEqual([
      // 23:00 CET → 04:00 CEST: four real hours.
      ['2025-03-29T22:00:00.000Z', '2025-03-30T02:00:00.000Z', 'busy', 'Nattvakt vår'],
      ['2025-03-31T07:00:00.000Z', '2025-03-31T07:30:00.000Z', 'busy', 'Outlook-møte'],
      // New York is on EDT (−4) by 31 March.
      ['2025-03-31T13:00:00.000Z', '2025-03-31T14:00:00.000Z', 'busy', 'New York call'],
      // 23:00 CEST → 04:00 CET: six real hours.
      ['2025-10-25T21:00:00.000Z', '2025-10-26T03:00:00.000Z', 'busy', 'Nattvakt høst'],
    ]);
  });

  it('maps kinds: all-day vacation, transparent skipped, OOF, floating time, tentative, private, cancelled', async () => {
    const january = await source.busyIntervals(
      person(`${server.url}/kinds.ics`),
      range('2025-01-15T00:00:00Z', '2025-01-18T00:00:00Z'),
    );
    expect(simple(january)).toEqual([
      // Floating 12:00 read in Europe/Oslo (+01:00 in January).
      ['2025-01-15T11:00:00.000Z', '2025-01-15T11:30:00.000Z', 'busy', 'Lunsj med kunde'],
      ['2025-01-15T13:00:00.000Z', '2025-01-15T15:00:00.000Z', 'out_of_office', 'Legetime'],
      ['2025-01-16T09:00:00.000Z', '2025-01-16T10:00:00.000Z', 'tentative', 'Kanskje'],
      ['2025-01-16T11:00:00.000Z', '2025-01-16T12:00:00.000Z', 'busy', null],
      ['2025-01-17T12:00:00.000Z', '2025-01-17T16:00:00.000Z', 'out_of_office', 'Kurs'],
    ]);
    const july = await source.busyIntervals(
      person(`${server.url}/kinds.ics`),
      range('2025-07-01T00:00:00Z', '2025-08-01T00:00:00Z'),
    );
    // 14–18 July as whole Oslo days (midnight is 22:00 UTC in summer); the category wins over TRANSP.
    expect(simple(july)).toEqual([
      ['2025-07-13T22:00:00.000Z', '2025-07-18T22:00:00.000Z', 'out_of_office', 'Sommerferie'],
    ]);
  });

  it('reads floating times in the configured zone', async () => {
    const helsinki = new IcsCalendarSource({ defaultTimeZone: 'Europe/Helsinki' });
    const list = await helsinki.busyIntervals(
      person(`${server.url}/kinds.ics`),
      range('2025-01-15T10:00:00Z', '2025-01-15T12:00:00Z'),
    );
    expect(simple(list)).toEqual([
      ['2025-01-15T10:00:00.000Z', '2025-01-15T10:30:00.000Z', 'busy', 'Lunsj med kunde'],
    ]);
  });

  it('reads VFREEBUSY periods', async () => {
    const list = await source.busyIntervals(
      person(`${server.url}/freebusy.ics`),
      range('2025-01-20T00:00:00Z', '2025-01-21T00:00:00Z'),
    );
    expect(simple(list)).toEqual([
      ['2025-01-20T08:00:00.000Z', '2025-01-20T09:00:00.000Z', 'busy', null],
      ['2025-01-20T10:00:00.000Z', '2025-01-20T10:30:00.000Z', 'busy', null],
      ['2025-01-20T11:00:00.000Z', '2025-01-20T12:00:00.000Z', 'tentative', null],
      ['2025-01-20T13:00:00.000Z', '2025-01-20T17:00:00.000Z', 'out_of_office', null],
    ]);
  });

  it('returns intervals overlapping the range edges unclipped', async () => {
    const list = await source.busyIntervals(
      person(`${server.url}/kinds.ics`),
      range('2025-07-16T12:00:00Z', '2025-07-16T13:00:00Z'),
    );
    expect(simple(list)).toEqual([
      ['2025-07-13T22:00:00.000Z', '2025-07-18T22:00:00.000Z', 'out_of_office', 'Sommerferie'],
    ]);
  });

  it('accepts webcal:// URLs as https', async () => {
    const e = await failure(
      source.busyIntervals(
        person('webcal://127.0.0.1:1/x.ics'),
        range('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'),
      ),
    );
    expect(e.code).toBe('http');
    expect(e.status).toBeNull();
  });
});

describe('IcsCalendarSource failures are typed and never crash', () => {
  const r = range('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z');

  it('defaults to a 5 s deadline and a 2 MiB cap', () => {
    expect(DEFAULT_ICS_TIMEOUT_MS).toBe(5_000);
    expect(DEFAULT_ICS_MAX_BYTES).toBe(2 * 1024 * 1024);
  });

  it("a server that never answers → 'timeout' within the budget", async () => {
    const source = new IcsCalendarSource({ timeoutMs: 300 });
    const started = performance.now();
    const e = await failure(source.busyIntervals(person(`${server.url}/hang`), r));
    const elapsed = performance.now() - started;
    expect(e.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("a body that never finishes → 'timeout' too (the deadline covers the body)", async () => {
    const source = new IcsCalendarSource({ timeoutMs: 300 });
    const started = performance.now();
    const e = await failure(source.busyIntervals(person(`${server.url}/slow-body`), r));
    expect(e.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("HTTP 500 → 'http' with the status", async () => {
    const e = await failure(new IcsCalendarSource().busyIntervals(person(`${server.url}/500`), r));
    expect(e.code).toBe('http');
    expect(e.status).toBe(500);
    const e404 = await failure(
      new IcsCalendarSource().busyIntervals(person(`${server.url}/404`), r),
    );
    expect(e404.status).toBe(404);
  });

  it("a refused connection or a non-http URL → 'http' without a status", async () => {
    const src = new IcsCalendarSource();
    expect((await failure(src.busyIntervals(person('http://127.0.0.1:1/x.ics'), r))).code).toBe(
      'http',
    );
    expect((await failure(src.busyIntervals(person('file:///etc/passwd'), r))).code).toBe('http');
    expect((await failure(src.busyIntervals(person('not a url'), r))).code).toBe('http');
  });

  it("garbage, HTML and broken iCalendar bodies → 'parse'", async () => {
    const src = new IcsCalendarSource();
    for (const path of ['/garbage', '/html', '/broken']) {
      const e = await failure(src.busyIntervals(person(`${server.url}${path}`), r));
      expect(e.code, path).toBe('parse');
    }
  });

  it("too large → 'too_large', by content-length or while streaming", async () => {
    const src = new IcsCalendarSource();
    expect((await failure(src.busyIntervals(person(`${server.url}/big-declared`), r))).code).toBe(
      'too_large',
    );
    expect((await failure(src.busyIntervals(person(`${server.url}/big-chunked`), r))).code).toBe(
      'too_large',
    );
    const small = new IcsCalendarSource({ maxBytes: 1_000 });
    expect((await failure(small.busyIntervals(person(`${server.url}/weekly.ics`), r))).code).toBe(
      'too_large',
    );
  });

  it("the caller's signal → 'aborted'", async () => {
    const src = new IcsCalendarSource({ timeoutMs: 5_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const started = performance.now();
    const e = await failure(src.busyIntervals(person(`${server.url}/hang`), r, ac.signal));
    expect(e.code).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('leaves ical.js with no time zones registered by a feed', () => {
    intervalsFromIcs(WEEKLY, r);
    // A later feed naming Europe/Oslo without VTIMEZONE falls back to Node's zone data, not a leftover.
    const text = WEEKLY.replace(/BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE\r\n/, '');
    const list = intervalsFromIcs(text, range('2025-03-31T00:00:00Z', '2025-04-01T00:00:00Z'));
    expect(list.map((i) => i.start.toISOString())).toEqual(['2025-03-31T08:00:00.000Z']);
  });

  it('stops expanding a runaway rule at the cap', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:minutely@sentral.test',
      'DTSTART:20000101T000000Z',
      'DURATION:PT1M',
      'RRULE:FREQ=MINUTELY',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const started = performance.now();
    expect(intervalsFromIcs(text, r, { maxOccurrencesPerEvent: 1_000 })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('intervalsFromIcs: occurrence length across a DST change', () => {
  it('gives every occurrence the exact length of DTEND − DTSTART (RFC 5545), also on the night clocks change', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:nightly@sentral.test',
      'DTSTART;TZID=Europe/Oslo:20250328T230000',
      'DTEND;TZID=Europe/Oslo:20250329T030000',
      'RRULE:FREQ=DAILY;COUNT=3',
      'SUMMARY:Nattjobb',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:duration@sentral.test',
      'DTSTART;TZID=Europe/Oslo:20250329T120000',
      'DURATION:P1DT1H',
      'SUMMARY:Døgnvakt',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const list = intervalsFromIcs(text, range('2025-03-28T00:00:00Z', '2025-04-01T00:00:00Z'));
    expect(simple(list)).toEqual([
      ['2025-03-28T22:00:00.000Z', '2025-03-29T02:00:00.000Z', 'busy', 'Nattjobb'],
      // 23:00 CET + 4 h = 04:00 CEST (ical.js alone would end it at 03:00 wall time).
      ['2025-03-29T11:00:00.000Z', '2025-03-30T11:00:00.000Z', 'busy', 'Døgnvakt'],
      ['2025-03-29T22:00:00.000Z', '2025-03-30T02:00:00.000Z', 'busy', 'Nattjobb'],
      ['2025-03-30T21:00:00.000Z', '2025-03-31T01:00:00.000Z', 'busy', 'Nattjobb'],
    ]);
  });
});
