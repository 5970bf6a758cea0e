/**
 * SIP registration state machine.
 *
 * ```txt
 *            register()          200 OK             transport lost
 *   idle ──────────────► connecting ─────► registered ──────────────► reconnecting
 *    ▲                     │   ▲              │    ▲                      │  │
 *    │                     │   │ register()   │    └───── re-registered ──┘  │
 *    │        rejected /   ▼   │              │ rejected / expired           │ gave up
 *    └──── reset ────── failed ◄──────────────┴──────────────────────────────┘
 *
 *   connecting | registered | reconnecting | failed ── unregister() ──► unregistered
 *   unregistered ── register() ──► connecting;   unregistered ── reset ──► idle
 * ```
 *
 * Allowed moves (everything else throws):
 * - idle → connecting
 * - connecting → registered | failed | unregistered
 * - registered → reconnecting | unregistered | failed
 * - reconnecting → registered | failed | unregistered
 * - failed → connecting | unregistered | idle
 * - unregistered → connecting | idle
 * @packageDocumentation
 */

export enum RegistrationState {
  /** No user agent yet (logged out). */
  Idle = 'idle',
  /** Connecting the SIP WebSocket and sending the first REGISTER. */
  Connecting = 'connecting',
  /** The registrar accepted our binding; calls can arrive. */
  Registered = 'registered',
  /** The SIP WebSocket dropped; retrying with backoff. Established calls are kept. */
  Reconnecting = 'reconnecting',
  /** We unregistered on purpose. */
  Unregistered = 'unregistered',
  /** The registrar rejected us or the server could not be reached; see the reason. */
  Failed = 'failed',
}

const ALLOWED: Readonly<Record<RegistrationState, readonly RegistrationState[]>> = {
  [RegistrationState.Idle]: [RegistrationState.Connecting],
  [RegistrationState.Connecting]: [
    RegistrationState.Registered,
    RegistrationState.Failed,
    RegistrationState.Unregistered,
  ],
  [RegistrationState.Registered]: [
    RegistrationState.Reconnecting,
    RegistrationState.Unregistered,
    RegistrationState.Failed,
  ],
  [RegistrationState.Reconnecting]: [
    RegistrationState.Registered,
    RegistrationState.Failed,
    RegistrationState.Unregistered,
  ],
  [RegistrationState.Failed]: [
    RegistrationState.Connecting,
    RegistrationState.Unregistered,
    RegistrationState.Idle,
  ],
  [RegistrationState.Unregistered]: [RegistrationState.Connecting, RegistrationState.Idle],
};

/** Thrown on a move the diagram does not allow. */
export class IllegalTransitionError extends Error {
  constructor(machine: string, from: string, to: string) {
    super(`Illegal ${machine} state transition: ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Every move the registration machine allows, for tests and documentation. */
export function registrationTransitions(): [RegistrationState, RegistrationState][] {
  return Object.entries(ALLOWED).flatMap(([from, tos]) =>
    tos.map((to): [RegistrationState, RegistrationState] => [from as RegistrationState, to]),
  );
}

/** True if `from → to` is in the diagram. */
export function canTransitionRegistration(from: RegistrationState, to: RegistrationState): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * The guarded transition: returns `to`, or throws {@link IllegalTransitionError}.
 * Staying in the same state is not a transition and is not allowed here; reducers treat a
 * repeated state as "no change" before calling this.
 */
export function registrationTransition(
  from: RegistrationState,
  to: RegistrationState,
): RegistrationState {
  if (!canTransitionRegistration(from, to)) {
    throw new IllegalTransitionError('registration', from, to);
  }
  return to;
}

/** The registration slice of the store. */
export interface RegistrationSnapshot {
  readonly state: RegistrationState;
  /** Human-readable cause of the last failure (e.g. `403 Forbidden`), else null. */
  readonly reason: string | null;
  /** Our address of record while a user agent exists. */
  readonly aor: string | null;
}

export const initialRegistration: RegistrationSnapshot = {
  state: RegistrationState.Idle,
  reason: null,
  aor: null,
};

/**
 * Pure reducer: moves to `to` (guarded), keeping the failure reason only in `failed` and
 * `reconnecting`. A repeated state returns the same object (no emission).
 */
export function reduceRegistration(
  snapshot: RegistrationSnapshot,
  to: RegistrationState,
  reason: string | null = null,
): RegistrationSnapshot {
  if (snapshot.state === to && snapshot.reason === reason) return snapshot;
  const state = snapshot.state === to ? to : registrationTransition(snapshot.state, to);
  const keepsReason =
    state === RegistrationState.Failed || state === RegistrationState.Reconnecting;
  return { ...snapshot, state, reason: keepsReason ? reason : null };
}
