import { describe, expect, it } from 'vitest';
import { absencesFromIntervals, intervalsFromIcs } from '../../../../src/server/people/calendar';
import type { CalendarInterval } from '../../../../src/server/people/calendar';
import { KINDS } from './fixtures';

const iv = (
  start: string,
  end: string,
  kind: CalendarInterval['kind'],
  summary: string | null = null,
): CalendarInterval => ({ start: new Date(start), end: new Date(end), kind, summary });
const simple = (list: ReturnType<typeof absencesFromIntervals>) =>
  list.map((a) => [a.reason, a.startsAt.toISOString(), a.endsAt.toISOString(), a.message]);

describe('absencesFromIntervals', () => {
  const now = new Date('2025-01-15T06:00:00Z');

  it('busy → meeting, short out of office → other, whole-day out of office → vacation, tentative → none', () => {
    const list = absencesFromIntervals(
      [
        iv('2025-01-15T09:00:00Z', '2025-01-15T10:00:00Z', 'busy', 'Styremøte'),
        iv('2025-01-15T13:00:00Z', '2025-01-15T15:00:00Z', 'out_of_office', 'Legetime'),
        iv('2025-01-16T09:00:00Z', '2025-01-16T10:00:00Z', 'tentative', 'Kanskje'),
        iv('2025-01-19T23:00:00Z', '2025-01-24T23:00:00Z', 'out_of_office', 'Vinterferie'),
      ],
      now,
    );
    expect(simple(list)).toEqual([
      ['meeting', '2025-01-15T09:00:00.000Z', '2025-01-15T10:00:00.000Z', 'Styremøte'],
      ['other', '2025-01-15T13:00:00.000Z', '2025-01-15T15:00:00.000Z', 'Legetime'],
      ['vacation', '2025-01-19T23:00:00.000Z', '2025-01-24T23:00:00.000Z', 'Vinterferie'],
    ]);
    expect(list.every((a) => a.source === 'calendar' && a.callHandling === 'switchboard')).toBe(
      true,
    );
  });

  it('drops what has ended, keeps the real start of what is under way', () => {
    const list = absencesFromIntervals(
      [
        iv('2025-01-15T04:00:00Z', '2025-01-15T05:00:00Z', 'busy', 'Ferdig'),
        iv('2025-01-15T05:30:00Z', '2025-01-15T07:00:00Z', 'busy', 'Pågår'),
      ],
      now,
    );
    expect(simple(list)).toEqual([
      ['meeting', '2025-01-15T05:30:00.000Z', '2025-01-15T07:00:00.000Z', 'Pågår'],
    ]);
  });

  it('makes overlapping intervals one non-overlapping sequence; out of office wins over meetings', () => {
    const list = absencesFromIntervals(
      [
        iv('2025-01-15T08:00:00Z', '2025-01-15T10:00:00Z', 'busy', 'A'),
        iv('2025-01-15T09:00:00Z', '2025-01-15T11:00:00Z', 'busy', 'B'),
        iv('2025-01-15T10:30:00Z', '2025-01-15T12:00:00Z', 'out_of_office', 'Borte'),
        iv('2025-01-15T11:00:00Z', '2025-01-15T13:00:00Z', 'busy', 'C'),
        iv('2025-01-15T08:00:00Z', '2025-01-15T10:00:00Z', 'busy', 'A'), // duplicate
      ],
      now,
    );
    expect(simple(list)).toEqual([
      ['meeting', '2025-01-15T08:00:00.000Z', '2025-01-15T10:00:00.000Z', 'A'],
      ['meeting', '2025-01-15T10:00:00.000Z', '2025-01-15T10:30:00.000Z', 'B'],
      ['other', '2025-01-15T10:30:00.000Z', '2025-01-15T12:00:00.000Z', 'Borte'],
      ['meeting', '2025-01-15T12:00:00.000Z', '2025-01-15T13:00:00.000Z', 'C'],
    ]);
  });

  it('cuts long summaries to the 200 characters the store accepts; private events have none', () => {
    const list = absencesFromIntervals(
      [
        iv('2025-01-15T08:00:00Z', '2025-01-15T09:00:00Z', 'busy', 'x'.repeat(500)),
        iv('2025-01-15T09:00:00Z', '2025-01-15T10:00:00Z', 'busy', null),
      ],
      now,
    );
    expect(list[0]?.message).toHaveLength(200);
    expect(list[1]?.message).toBeNull();
  });

  it('an all-day vacation from a feed becomes a vacation absence, also over a 23-hour DST day', () => {
    const july = intervalsFromIcs(KINDS, {
      from: new Date('2025-07-01T00:00:00Z'),
      to: new Date('2025-08-01T00:00:00Z'),
    });
    expect(simple(absencesFromIntervals(july, new Date('2025-07-01T00:00:00Z')))).toEqual([
      ['vacation', '2025-07-13T22:00:00.000Z', '2025-07-18T22:00:00.000Z', 'Sommerferie'],
    ]);
    // 30 March 2025 in Oslo is 23 hours long.
    const dstDay = absencesFromIntervals(
      [iv('2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z', 'out_of_office', 'Fri')],
      new Date('2025-03-01T00:00:00Z'),
    );
    expect(dstDay[0]?.reason).toBe('vacation');
  });

  it('returns nothing for nothing', () => {
    expect(absencesFromIntervals([], now)).toEqual([]);
  });
});
