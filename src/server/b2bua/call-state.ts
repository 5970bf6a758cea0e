/**
 * State of a call through the B2BUA (both legs together).
 *
 * ```
 *   Routing ──► Ringing ──► Connecting ──► Active ──► Ended
 *      │           │            │             ▲  │
 *      │           │            └─────────────┘  ▼
 *      │           │                      Transferring ──► Ended
 *      │           │                   (new party rings; back to Active when it answers)
 *      └───────────┴────────────┴─────────────────► Ended
 * ```
 * - Routing: INVITE accepted, outbound legs being created.
 * - Ringing: at least one callee sent a provisional response.
 * - Connecting: a callee answered; 200 OK sent to the caller, waiting for its ACK.
 * - Active: both legs confirmed; in-dialog requests pass through.
 * - Transferring: the caller's other party was released and a new one is being rung; when it
 *   answers, the caller's media is re-pointed to it (ADR 0005) and the call is Active again.
 * - Ended: final; BYE/CANCEL/failure handled, legs torn down.
 */
export enum CallState {
  Routing = 'routing',
  Ringing = 'ringing',
  Connecting = 'connecting',
  Active = 'active',
  Transferring = 'transferring',
  Ended = 'ended',
}

const ALLOWED: Record<CallState, readonly CallState[]> = {
  [CallState.Routing]: [CallState.Ringing, CallState.Connecting, CallState.Ended],
  [CallState.Ringing]: [CallState.Connecting, CallState.Ended],
  [CallState.Connecting]: [CallState.Active, CallState.Ended],
  [CallState.Active]: [CallState.Transferring, CallState.Ended],
  [CallState.Transferring]: [CallState.Active, CallState.Ended],
  [CallState.Ended]: [],
};

export class IllegalCallTransition extends Error {
  constructor(from: CallState, to: CallState) {
    super(`Illegal call state transition ${from} → ${to}`);
    this.name = 'IllegalCallTransition';
  }
}

/** Returns the next state, or throws if the move is not in the diagram above. */
export function transitionCall(from: CallState, to: CallState): CallState {
  if (!ALLOWED[from].includes(to)) throw new IllegalCallTransition(from, to);
  return to;
}

/** Every allowed move, for tests and documentation. */
export const CALL_TRANSITIONS: ReadonlyArray<readonly [CallState, CallState]> = Object.entries(
  ALLOWED,
).flatMap(([from, tos]) => tos.map((to) => [from as CallState, to] as const));
