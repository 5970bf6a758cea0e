/**
 * State of one agent in one queue (an agent logged in to three queues has three of these).
 *
 * ```
 *                 login                 offer               answer
 *  logged_out ───────────► available ─────────► ringing ─────────► on_call
 *      ▲                    │  ▲  ▲               │  │               │  │
 *      │           pause    │  │  │ no answer,    │  │ auto-pause,   │  │ call ended
 *      │                    ▼  │  │ declined,     │  │ pause         │  │ (wrapUpS > 0)
 *      │                  paused  │ cancelled     │  ▼               │  ▼
 *      │                    ▲  │  └───────────────┘ paused           │ wrap_up
 *      │          unpause ──┘  │ ◄── call ended, no wrap-up ─────────┘  │
 *      │                       ▼ ◄── wrap-up over ──────────────────────┘
 *      │                   available      (paused instead when a pause was asked for
 *      │                                   during the call or the wrap-up)
 *      └──── logout: from every state but logged_out ────┘
 * ```
 *
 * - `logged_out`: not a member on duty; never offered a call of this queue.
 * - `available`: logged in and waiting for calls. Whether an offer actually goes out also
 *   depends on the agent as a whole: reachable, not busy on another call, not ringing or
 *   talking or wrapping up for another queue or answer group.
 * - `ringing`: an offer of this queue is ringing the agent's phone.
 * - `on_call`: talking to a caller of this queue.
 * - `wrap_up`: after-call work; no offers from any queue until it is over.
 * - `paused`: logged in but taking no calls, with a reason (`auto_no_answer` when the engine
 *   paused the agent after missed offers).
 */
export enum AgentState {
  LoggedOut = 'logged_out',
  Available = 'available',
  Ringing = 'ringing',
  OnCall = 'on_call',
  WrapUp = 'wrap_up',
  Paused = 'paused',
}

const ALLOWED: Record<AgentState, readonly AgentState[]> = {
  [AgentState.LoggedOut]: [AgentState.Available],
  [AgentState.Available]: [AgentState.Ringing, AgentState.Paused, AgentState.LoggedOut],
  [AgentState.Ringing]: [
    AgentState.OnCall,
    AgentState.Available,
    AgentState.Paused,
    AgentState.LoggedOut,
  ],
  [AgentState.OnCall]: [
    AgentState.WrapUp,
    AgentState.Available,
    AgentState.Paused,
    AgentState.LoggedOut,
  ],
  [AgentState.WrapUp]: [AgentState.Available, AgentState.Paused, AgentState.LoggedOut],
  [AgentState.Paused]: [AgentState.Available, AgentState.LoggedOut],
};

/** Thrown by {@link transitionAgent} on a move that is not in the diagram. */
export class IllegalAgentTransition extends Error {
  constructor(
    readonly from: AgentState,
    readonly to: AgentState,
  ) {
    super(`Illegal agent state transition ${from} → ${to}`);
    this.name = 'IllegalAgentTransition';
  }
}

/** Returns `to`, or throws {@link IllegalAgentTransition} if the move is not allowed. */
export function transitionAgent(from: AgentState, to: AgentState): AgentState {
  if (!ALLOWED[from].includes(to)) throw new IllegalAgentTransition(from, to);
  return to;
}

/** Every allowed move, for tests and documentation. */
export const AGENT_TRANSITIONS: ReadonlyArray<readonly [AgentState, AgentState]> = Object.entries(
  ALLOWED,
).flatMap(([from, tos]) => tos.map((to) => [from as AgentState, to] as const));
