/**
 * The phone's lines: up to {@link MAX_LINES} calls, each its own {@link CallSnapshot} moved only
 * by the call machine of `call-state.ts`. These reducers pick the line an event is for and
 * keep the list tidy; the selectors answer the questions the views ask (who talks, what rings,
 * can we swap).
 *
 * ```txt
 *   no lines ──call starts──► [line 1] ──second call starts──► [line 1, line 2]
 *                               ▲   │                               │
 *                               │   └─ ends: stays, Ended,          └─ one ends while the other is
 *                               │      until dismissed or              up: it leaves the list; the
 *                               │      the next call starts            other stays as it was
 *                               └───────────────────────────────────────┘
 * ```
 *
 * Lines keep the order in which their calls started: line 1 is the older call.
 * @packageDocumentation
 */
import { MAX_LINES } from '../sip/phone.js';
import type { EndReason, Party, RecallReason } from '../sip/phone.js';
import { CallState, callEnded, callStarted, initialCall, isCallActive } from './call-state.js';
import type { CallDirection, CallSnapshot } from './call-state.js';

/** The lines slice of the store. */
export interface LinesSnapshot {
  /**
   * The calls, line 1 first. An ended call stays (to show why it ended) only while no other
   * line is up; the next call that starts replaces it.
   */
  readonly lines: readonly CallSnapshot[];
}

export const initialLines: LinesSnapshot = { lines: [] };

/** A per-call reducer from `call-state.ts`, partially applied. */
export type CallReducer = (call: CallSnapshot) => CallSnapshot;

/** Thrown when a call starts while every line is taken (the phone answers those 486). */
export class NoFreeLineError extends Error {
  constructor(callId: string) {
    super(`No free line for call ${callId}`);
    this.name = 'NoFreeLineError';
  }
}

/** Lines whose call is not over. */
export function liveLines(snapshot: LinesSnapshot): readonly CallSnapshot[] {
  return snapshot.lines.filter((line) => isCallActive(line.state));
}

/** A call starts on a free line; ended lines make room. */
export function lineStarted(
  snapshot: LinesSnapshot,
  direction: CallDirection,
  callId: string,
  remote: Party,
  autoAnswer = false,
  recall: RecallReason | null = null,
  absentFor: string | null = null,
): LinesSnapshot {
  const live = liveLines(snapshot);
  if (live.length >= MAX_LINES || live.some((line) => line.callId === callId)) {
    throw new NoFreeLineError(callId);
  }
  return {
    lines: [
      ...live,
      callStarted(initialCall, direction, callId, remote, autoAnswer, recall, absentFor),
    ],
  };
}

/** Applies `reduce` to the line of `callId`; an event for a call we do not have changes nothing. */
export function lineUpdated(
  snapshot: LinesSnapshot,
  callId: string,
  reduce: CallReducer,
): LinesSnapshot {
  const index = snapshot.lines.findIndex((line) => line.callId === callId);
  const line = snapshot.lines[index];
  if (!line) return snapshot;
  const next = reduce(line);
  if (next === line) return snapshot;
  const lines = [...snapshot.lines];
  lines[index] = next;
  return { lines };
}

/**
 * The call of `callId` ended. While another line is up, the ended one leaves the list (the other
 * line stays exactly as it was: a held call stays held); otherwise it stays to say why it ended.
 */
export function lineEnded(
  snapshot: LinesSnapshot,
  callId: string,
  reason: EndReason,
  now: number,
  statusCode: number | null = null,
): LinesSnapshot {
  const line = snapshot.lines.find((l) => l.callId === callId);
  if (!line || line.state === CallState.Ended) return snapshot;
  const ended = lineUpdated(snapshot, callId, (call) => callEnded(call, reason, now, statusCode));
  const live = liveLines(ended);
  return live.length > 0 ? { lines: live } : ended;
}

/** The user dismissed the "call ended" view: ended lines go. */
export function linesDismissed(snapshot: LinesSnapshot): LinesSnapshot {
  const live = liveLines(snapshot);
  return live.length === snapshot.lines.length ? snapshot : { lines: live };
}

/** The line of `callId`, if any. */
export function lineOf(snapshot: LinesSnapshot, callId: string): CallSnapshot | undefined {
  return snapshot.lines.find((line) => line.callId === callId);
}

/** True while any call is up (ringing in or out, talking or held). */
export function isBusy(snapshot: LinesSnapshot): boolean {
  return liveLines(snapshot).length > 0;
}

/** Established or held: the call has media and a timer. */
export function isConnected(state: CallState): boolean {
  return state === CallState.Established || state === CallState.Held;
}

/**
 * The line in front: the one we talk on (established and not held by the other party), else
 * any established one, else a call still being set up, else a held one. Keyboard commands
 * (DTMF, Escape to hang up) go to it.
 */
export function activeLine(snapshot: LinesSnapshot): CallSnapshot | null {
  const live = liveLines(snapshot);
  const established = live.filter((line) => line.state === CallState.Established);
  return (
    established.find((line) => !line.remoteHold) ??
    established[0] ??
    live.find(
      (line) =>
        line.state === CallState.Outgoing ||
        line.state === CallState.Ringing ||
        (line.state === CallState.Incoming && line.autoAnswer),
    ) ??
    live.find((line) => line.state === CallState.Held) ??
    null
  );
}

/** The incoming call that rings for the user to answer or reject (not an auto-answered one). */
export function ringingIn(snapshot: LinesSnapshot): CallSnapshot | null {
  return (
    liveLines(snapshot).find((line) => line.state === CallState.Incoming && !line.autoAnswer) ??
    null
  );
}

/** A call rings in while another line is up: call waiting. */
export function isCallWaiting(snapshot: LinesSnapshot): boolean {
  const ringing = ringingIn(snapshot);
  return ringing !== null && liveLines(snapshot).some((line) => line !== ringing);
}

/** What "Swap" would do: hold the line that talks and resume the held one; null if nothing. */
export function swapPair(snapshot: LinesSnapshot): { hold: string; resume: string } | null {
  const live = liveLines(snapshot);
  if (live.length !== MAX_LINES) return null;
  const talking = live.find((line) => line.state === CallState.Established);
  const held = live.find((line) => line.state === CallState.Held);
  if (!talking?.callId || !held?.callId) return null;
  return { hold: talking.callId, resume: held.callId };
}
