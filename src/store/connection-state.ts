/**
 * The phone's connection to the server as the banner shows it (ADR 0010).
 *
 * ```txt
 *                lost / reconnecting(n)              recovered
 *   connected ─────────────────────────► reconnecting ─────────► recovered ── settle ──► connected
 *       │                                 │   ▲    ▲ reconnecting(n+1)   │
 *       │ failed                  failed  ▼   │    └─────────────────────┘ lost again
 *       └───────────────────────────────► failed ── recovered ──► recovered
 * ```
 *
 * Allowed moves (everything else throws):
 * - connected → reconnecting | failed
 * - reconnecting → reconnecting (next attempt) | recovered | failed
 * - recovered → connected | reconnecting | failed
 * - failed → reconnecting | recovered | connected
 *
 * Besides the machine, the slice lists the calls whose audio stopped arriving (audio degraded).
 * @packageDocumentation
 */

export enum ConnectionState {
  /** Nothing to say. */
  Connected = 'connected',
  /** The SIP WebSocket dropped; the phone is trying again (calls are kept). */
  Reconnecting = 'reconnecting',
  /** Back: re-registered, live calls ICE-restarted. Shown for a moment, then `connected`. */
  Recovered = 'recovered',
  /** The server refused us on return (the phone keeps trying). */
  Failed = 'failed',
}

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  [ConnectionState.Connected]: [ConnectionState.Reconnecting, ConnectionState.Failed],
  [ConnectionState.Reconnecting]: [
    ConnectionState.Reconnecting,
    ConnectionState.Recovered,
    ConnectionState.Failed,
  ],
  [ConnectionState.Recovered]: [
    ConnectionState.Connected,
    ConnectionState.Reconnecting,
    ConnectionState.Failed,
  ],
  [ConnectionState.Failed]: [
    ConnectionState.Reconnecting,
    ConnectionState.Recovered,
    ConnectionState.Connected,
  ],
};

/** Every allowed move, for tests (one per transition). */
export const CONNECTION_TRANSITIONS: ReadonlyArray<readonly [ConnectionState, ConnectionState]> =
  Object.entries(ALLOWED).flatMap(([from, tos]) =>
    tos.map((to) => [from as ConnectionState, to] as const),
  );

export class IllegalConnectionTransition extends Error {
  constructor(from: ConnectionState, to: ConnectionState) {
    super(`Illegal connection state transition ${from} → ${to}`);
    this.name = 'IllegalConnectionTransition';
  }
}

export interface ConnectionSnapshot {
  readonly state: ConnectionState;
  /** The reconnect attempt under way (1, 2, …); 0 when not reconnecting. */
  readonly attempt: number;
  /** Why it failed, in the server's words. */
  readonly reason: string | null;
  /** Calls (Call-IDs) whose audio stopped arriving. */
  readonly degradedCalls: readonly string[];
}

export const initialConnection: ConnectionSnapshot = {
  state: ConnectionState.Connected,
  attempt: 0,
  reason: null,
  degradedCalls: [],
};

/** Guarded move: throws {@link IllegalConnectionTransition} on a move not in the diagram. */
export function transitionConnection(from: ConnectionState, to: ConnectionState): ConnectionState {
  if (!ALLOWED[from].includes(to)) throw new IllegalConnectionTransition(from, to);
  return to;
}

/** The next snapshot after a move to `to` (attempt and reason as the move carries them). */
export function reduceConnection(
  s: ConnectionSnapshot,
  to: ConnectionState,
  details: { attempt?: number; reason?: string | null } = {},
): ConnectionSnapshot {
  const state = transitionConnection(s.state, to);
  return {
    ...s,
    state,
    attempt: state === ConnectionState.Reconnecting ? (details.attempt ?? s.attempt + 1) : 0,
    reason: state === ConnectionState.Failed ? (details.reason ?? null) : null,
  };
}

/** Marks a call's audio degraded or fine again. */
export function withDegradedCall(
  s: ConnectionSnapshot,
  callId: string,
  degraded: boolean,
): ConnectionSnapshot {
  const has = s.degradedCalls.includes(callId);
  if (has === degraded) return s;
  const degradedCalls = degraded
    ? [...s.degradedCalls, callId]
    : s.degradedCalls.filter((id) => id !== callId);
  return { ...s, degradedCalls };
}
