/**
 * The call log slice's pure parts: the tracker that turns phone events into finished-call
 * records, the list state (page, search, rows) and its reducers, and the search match.
 *
 * ```txt
 *   closed ──login──► opening ──db open──► ready ──logout──► closed
 *                        │                   ▲
 *                        └──cannot open──► unavailable ──logout──► closed
 * ```
 * @packageDocumentation
 */
import type { PhoneEvent } from '../sip/phone.js';
import type { CallLogRecord, CallPage } from './call-log-db.js';
import { foldText } from './directory-model.js';

// ── the tracker: phone events → finished calls ───────────────────────────────

/** A call that has started and not yet ended. */
export interface TrackedCall {
  readonly id: string;
  readonly direction: 'in' | 'out';
  readonly number: string;
  readonly displayName: string;
  readonly startedAt: number;
  readonly answeredAt: number | null;
}

export type CallTracker = ReadonlyMap<string, TrackedCall>;

export const emptyTracker: CallTracker = new Map();

export interface Tracked {
  readonly tracker: CallTracker;
  /** The call this event finished, if it did. */
  readonly finished: CallLogRecord | null;
}

/**
 * Applies one phone event at time `now`: a call starts (outgoing / incoming), is answered
 * (established, the first time), or ends (a record). Other events, and events of calls not
 * tracked, change nothing.
 */
export function trackCall(tracker: CallTracker, event: PhoneEvent, now: number): Tracked {
  const same: Tracked = { tracker, finished: null };
  switch (event.type) {
    case 'outgoing':
    case 'incoming': {
      const next = new Map(tracker);
      next.set(event.callId, {
        id: event.callId,
        direction: event.type === 'outgoing' ? 'out' : 'in',
        number: event.remote.number,
        displayName: event.remote.displayName,
        startedAt: now,
        answeredAt: null,
      });
      return { tracker: next, finished: null };
    }
    case 'established': {
      const call = tracker.get(event.callId);
      if (!call || call.answeredAt !== null) return same;
      const next = new Map(tracker);
      next.set(event.callId, { ...call, answeredAt: now });
      return { tracker: next, finished: null };
    }
    case 'ended': {
      const call = tracker.get(event.callId);
      if (!call) return same;
      const next = new Map(tracker);
      next.delete(event.callId);
      return {
        tracker: next,
        finished: {
          ...call,
          endedAt: now,
          endReason: event.reason,
          answered: call.answeredAt !== null,
        },
      };
    }
    default:
      return same;
  }
}

// ── the list ─────────────────────────────────────────────────────────────────

export type CallLogStatus = 'closed' | 'opening' | 'ready' | 'unavailable';

export interface CallLogState {
  readonly status: CallLogStatus;
  /** The search text (empty: every call). */
  readonly query: string;
  /** Zero-based page shown. */
  readonly page: number;
  /** Rows of that page, newest first. */
  readonly rows: readonly CallLogRecord[];
  readonly hasNext: boolean;
}

export const initialCallLog: CallLogState = {
  status: 'closed',
  query: '',
  page: 0,
  rows: [],
  hasNext: false,
};

export function callLogOpening(): CallLogState {
  return { ...initialCallLog, status: 'opening' };
}

export function callLogUnavailable(state: CallLogState): CallLogState {
  return { ...state, status: 'unavailable', rows: [], hasNext: false };
}

/** A page was read for `query` / `page`. */
export function callLogPageLoaded(
  state: CallLogState,
  query: string,
  page: number,
  result: CallPage,
): CallLogState {
  return { ...state, status: 'ready', query, page, rows: result.rows, hasNext: result.hasNext };
}

// ── search ───────────────────────────────────────────────────────────────────

/**
 * A matcher for `query`: every word must occur in the name or the number (the number also
 * digits-only, so "22 33" finds +4722334455); null for an empty query (everything matches).
 */
export function callLogMatcher(query: string): ((record: CallLogRecord) => boolean) | null {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const digitsOnly = query.replace(/\D/g, '');
  const queryIsNumber = digitsOnly.length > 0 && /^[\d\s+()-]+$/.test(query.trim());
  return (record) => {
    if (queryIsNumber && record.number.replace(/\D/g, '').includes(digitsOnly)) return true;
    const hay = foldText(`${record.displayName} ${record.number}`);
    return words.every((w) => hay.includes(w));
  };
}
