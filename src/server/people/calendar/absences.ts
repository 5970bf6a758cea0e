/**
 * Calendar intervals → the absences the core records for a person (source `calendar`).
 *
 * Choices:
 * - `busy` → reason `meeting`.
 * - `out_of_office` → `vacation` when it covers at least a whole day (23 hours or more, so a
 *   DST-change day counts: all-day events, holidays, leave), otherwise `other` (an
 *   afternoon away, a doctor's appointment). Out of office wins where it overlaps a meeting.
 * - `tentative` → no absence: the person may well take calls.
 * - The person holds one absence at a time, so overlapping intervals become one sequence
 *   of non-overlapping records; touching or overlapping pieces of the same event merge.
 * - Records that have ended by `now` are dropped; one in progress keeps its real start.
 * - Calls go to the switchboard queue (the absence default); message = the event's summary,
 *   cut to the 200 characters the store accepts.
 */
import type { AbsenceReason, CallHandling } from '../../store/absences';
import type { CalendarInterval } from './types';

export interface CalendarAbsence {
  readonly reason: AbsenceReason;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly message: string | null;
  readonly callHandling: CallHandling;
  readonly source: 'calendar';
}

/** A whole day, also the 23-hour one when clocks go forward. */
const WHOLE_DAY_MS = 23 * 3_600_000;
const MAX_MESSAGE = 200;

interface Candidate {
  readonly reason: AbsenceReason;
  readonly start: number;
  readonly end: number;
  readonly message: string | null;
  readonly rank: number;
}

function candidate(i: CalendarInterval): Candidate | null {
  const start = i.start.getTime();
  const end = i.end.getTime();
  if (!(end > start)) return null;
  const message = i.summary ? i.summary.slice(0, MAX_MESSAGE) : null;
  switch (i.kind) {
    case 'busy':
      return { reason: 'meeting', start, end, message, rank: 1 };
    case 'out_of_office':
      return {
        reason: end - start >= WHOLE_DAY_MS ? 'vacation' : 'other',
        start,
        end,
        message,
        rank: 2,
      };
    case 'tentative':
      return null;
  }
}

export function absencesFromIntervals(
  intervals: readonly CalendarInterval[],
  now: Date,
): CalendarAbsence[] {
  const nowMs = now.getTime();
  const cands = intervals.map(candidate).filter((c): c is Candidate => c !== null && c.end > nowMs);
  if (cands.length === 0) return [];
  // Split the timeline at every boundary; each piece belongs to the strongest interval
  // covering it (out of office over meetings, then the earlier start, then the longer).
  const cuts = [...new Set(cands.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
  const out: { c: Candidate; start: number; end: number }[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const from = cuts[k] as number;
    const to = cuts[k + 1] as number;
    let best: Candidate | null = null;
    for (const c of cands) {
      if (c.start > from || c.end < to) continue;
      if (
        !best ||
        c.rank > best.rank ||
        (c.rank === best.rank &&
          (c.start < best.start || (c.start === best.start && c.end > best.end)))
      ) {
        best = c;
      }
    }
    if (!best) continue;
    const last = out[out.length - 1];
    if (last && last.c === best && last.end === from) last.end = to;
    else out.push({ c: best, start: from, end: to });
  }
  return out.map(({ c, start, end }) => ({
    reason: c.reason,
    startsAt: new Date(start),
    endsAt: new Date(end),
    message: c.message,
    callHandling: 'switchboard',
    source: 'calendar',
  }));
}
