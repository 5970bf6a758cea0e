/**
 * State of a consultation: the operator, with the caller on hold, talks to a colleague on a
 * second line before completing the transfer (attended), completing it while the colleague
 * still rings (semi-attended) or going back to the caller.
 *
 * ```
 *   Ringing ──► Talking ──► Ended
 *      └──────────────────► Ended
 * ```
 * - Ringing: the caller is held (inactive); the operator's phone answered a second line
 *   (auto-answer) and its offer rings the colleague's phones.
 * - Talking: operator and colleague talk; `swap` moves the operator between the two.
 * - Ended: completed (the colleague now has the caller), cancelled, or hung up by either side.
 */
export enum ConsultState {
  Ringing = 'ringing',
  Talking = 'talking',
  Ended = 'ended',
}

const ALLOWED: Record<ConsultState, readonly ConsultState[]> = {
  [ConsultState.Ringing]: [ConsultState.Talking, ConsultState.Ended],
  [ConsultState.Talking]: [ConsultState.Ended],
  [ConsultState.Ended]: [],
};

export class IllegalConsultTransition extends Error {
  constructor(from: ConsultState, to: ConsultState) {
    super(`Illegal consultation state transition ${from} → ${to}`);
    this.name = 'IllegalConsultTransition';
  }
}

export function transitionConsult(from: ConsultState, to: ConsultState): ConsultState {
  if (!ALLOWED[from].includes(to)) throw new IllegalConsultTransition(from, to);
  return to;
}
