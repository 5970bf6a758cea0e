/**
 * Call state machine: one call (one line of the phone; `lines-state.ts` keeps up to two).
 *
 * ```txt
 *            dial                 180/183              200 OK
 *   idle ─────────► outgoing ──────────────► ringing ─────────► established ◄──┐
 *    │                 │  └──────────── 200 OK ─────────────────►  │    ▲      │
 *    │ INVITE in       │                   │                hold() │    │ resume()
 *    └────────► incoming ─── answer() ─────┼──────────────────►    ▼    │      │
 *                  │   │                   │                      held ─┘      │
 *                  │   └───────────────────┴──── ended ◄──────────┴───────────┘
 *                  └──────────────────────────────►  │  (reject, cancel, BYE, error)
 *                                                    ▼
 *                    ended ──► idle (dismiss) | outgoing (dial) | incoming (INVITE in)
 * ```
 *
 * Allowed moves (everything else throws):
 * - idle → outgoing | incoming
 * - outgoing → ringing | established | ended
 * - ringing → established | ended
 * - incoming → established | ended
 * - established → held | ended
 * - held → established | ended
 * - ended → idle | outgoing | incoming
 *
 * Being held *by the other party* is not a state of this machine: it is the `remoteHold` flag of
 * an established or held call.
 * @packageDocumentation
 */
import type { EndReason, Party, RecallReason } from '../sip/phone.js';
import { IllegalTransitionError } from './registration-state.js';

export enum CallState {
  Idle = 'idle',
  /** We sent an INVITE; no ringing yet. */
  Outgoing = 'outgoing',
  /** The far end is alerting (we play ringback). */
  Ringing = 'ringing',
  /** An INVITE arrived and rings here (we play the ringtone). */
  Incoming = 'incoming',
  Established = 'established',
  /** We put the call on hold. */
  Held = 'held',
  /** The call is over; `endReason` says why. */
  Ended = 'ended',
}

const ALLOWED: Readonly<Record<CallState, readonly CallState[]>> = {
  [CallState.Idle]: [CallState.Outgoing, CallState.Incoming],
  [CallState.Outgoing]: [CallState.Ringing, CallState.Established, CallState.Ended],
  [CallState.Ringing]: [CallState.Established, CallState.Ended],
  [CallState.Incoming]: [CallState.Established, CallState.Ended],
  [CallState.Established]: [CallState.Held, CallState.Ended],
  [CallState.Held]: [CallState.Established, CallState.Ended],
  [CallState.Ended]: [CallState.Idle, CallState.Outgoing, CallState.Incoming],
};

/** Every move the call machine allows, for tests and documentation. */
export function callTransitions(): [CallState, CallState][] {
  return Object.entries(ALLOWED).flatMap(([from, tos]) =>
    tos.map((to): [CallState, CallState] => [from as CallState, to]),
  );
}

export function canTransitionCall(from: CallState, to: CallState): boolean {
  return ALLOWED[from].includes(to);
}

/** The guarded transition: returns `to`, or throws {@link IllegalTransitionError}. */
export function callTransition(from: CallState, to: CallState): CallState {
  if (!canTransitionCall(from, to)) throw new IllegalTransitionError('call', from, to);
  return to;
}

export type CallDirection = 'inbound' | 'outbound';

/** The call slice of the store. */
export interface CallSnapshot {
  readonly state: CallState;
  readonly callId: string | null;
  readonly direction: CallDirection | null;
  readonly remote: Party | null;
  /** The caller asked to be answered at once: the phone answers by itself, nothing rings. */
  readonly autoAnswer: boolean;
  /** A call the core brings back to us (a transfer nobody took), and why; else null. */
  readonly recall: RecallReason | null;
  /** A call for an absent colleague the core sent to the switchboard: their extension; else null. */
  readonly absentFor: string | null;
  /** Epoch ms when the call was established (the timer's zero), else null. */
  readonly establishedAt: number | null;
  readonly endedAt: number | null;
  readonly endReason: EndReason | null;
  readonly endStatusCode: number | null;
  readonly muted: boolean;
  /** The other party put us on hold. */
  readonly remoteHold: boolean;
  /** DTMF digits received in this call, in order. */
  readonly dtmfReceived: string;
  /** DTMF digits we sent in this call, in order. */
  readonly dtmfSent: string;
}

export const initialCall: CallSnapshot = {
  state: CallState.Idle,
  callId: null,
  direction: null,
  remote: null,
  autoAnswer: false,
  recall: null,
  absentFor: null,
  establishedAt: null,
  endedAt: null,
  endReason: null,
  endStatusCode: null,
  muted: false,
  remoteHold: false,
  dtmfReceived: '',
  dtmfSent: '',
};

function move(snapshot: CallSnapshot, to: CallState): CallSnapshot {
  return { ...snapshot, state: callTransition(snapshot.state, to) };
}

/** A new call starts (from idle or after a previous call ended): everything else resets. */
export function callStarted(
  snapshot: CallSnapshot,
  direction: CallDirection,
  callId: string,
  remote: Party,
  autoAnswer = false,
  recall: RecallReason | null = null,
  absentFor: string | null = null,
): CallSnapshot {
  const state = callTransition(
    snapshot.state,
    direction === 'outbound' ? CallState.Outgoing : CallState.Incoming,
  );
  return { ...initialCall, state, direction, callId, remote, autoAnswer, recall, absentFor };
}

export function callRinging(snapshot: CallSnapshot): CallSnapshot {
  // Several provisional responses (180 then 183) are one ringing phase.
  return snapshot.state === CallState.Ringing ? snapshot : move(snapshot, CallState.Ringing);
}

export function callEstablished(snapshot: CallSnapshot, now: number): CallSnapshot {
  return { ...move(snapshot, CallState.Established), establishedAt: now };
}

/** Our hold (`held: true`) or resume (`held: false`) was accepted. */
export function callHeld(snapshot: CallSnapshot, held: boolean): CallSnapshot {
  const to = held ? CallState.Held : CallState.Established;
  return snapshot.state === to ? snapshot : move(snapshot, to);
}

export function callRemoteHold(snapshot: CallSnapshot, remoteHold: boolean): CallSnapshot {
  return snapshot.remoteHold === remoteHold ? snapshot : { ...snapshot, remoteHold };
}

export function callMuted(snapshot: CallSnapshot, muted: boolean): CallSnapshot {
  return snapshot.muted === muted ? snapshot : { ...snapshot, muted };
}

export function callDtmfReceived(snapshot: CallSnapshot, digit: string): CallSnapshot {
  return { ...snapshot, dtmfReceived: snapshot.dtmfReceived + digit };
}

export function callDtmfSent(snapshot: CallSnapshot, digit: string): CallSnapshot {
  return { ...snapshot, dtmfSent: snapshot.dtmfSent + digit };
}

export function callEnded(
  snapshot: CallSnapshot,
  reason: EndReason,
  now: number,
  statusCode: number | null = null,
): CallSnapshot {
  return {
    ...move(snapshot, CallState.Ended),
    endReason: reason,
    endStatusCode: statusCode,
    endedAt: now,
    muted: false,
    remoteHold: false,
  };
}

/** The user dismissed the ended call: back to idle, keeping nothing. */
export function callDismissed(snapshot: CallSnapshot): CallSnapshot {
  return snapshot.state === CallState.Idle
    ? snapshot
    : { ...initialCall, state: move(snapshot, CallState.Idle).state };
}

/** True while a call exists and is not over. */
export function isCallActive(state: CallState): boolean {
  return state !== CallState.Idle && state !== CallState.Ended;
}
