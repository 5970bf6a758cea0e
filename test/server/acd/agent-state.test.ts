import { describe, expect, it } from 'vitest';
import {
  AGENT_TRANSITIONS,
  AgentState,
  IllegalAgentTransition,
  transitionAgent,
} from '../../../src/server/acd';
import { queueConfig, setup } from './harness';

type Harness = ReturnType<typeof setup>;

const ALL_STATES = Object.values(AgentState);
const allowed = new Set(AGENT_TRANSITIONS.map(([from, to]) => `${from}→${to}`));
const illegal = ALL_STATES.flatMap((from) =>
  ALL_STATES.filter((to) => !allowed.has(`${from}→${to}`)).map((to) => [from, to] as const),
);

describe('agent state transition function', () => {
  it.each(AGENT_TRANSITIONS)('allows %s → %s', (from, to) => {
    expect(transitionAgent(from, to)).toBe(to);
  });

  it.each(illegal)('refuses %s → %s', (from, to) => {
    expect(() => transitionAgent(from, to)).toThrow(IllegalAgentTransition);
  });

  it('has exactly the moves of the diagram', () => {
    expect([...allowed].sort()).toEqual(
      [
        'logged_out→available',
        'available→ringing',
        'available→paused',
        'available→logged_out',
        'ringing→on_call',
        'ringing→available',
        'ringing→paused',
        'ringing→logged_out',
        'on_call→wrap_up',
        'on_call→available',
        'on_call→paused',
        'on_call→logged_out',
        'wrap_up→available',
        'wrap_up→paused',
        'wrap_up→logged_out',
        'paused→available',
        'paused→logged_out',
      ].sort(),
    );
  });
});

/** Drives anna in `sales` into a state and returns the harness. */
function anna(state: AgentState, wrapUpS = 0): Harness {
  const h = setup();
  h.acd.configureQueue(
    queueConfig({ members: ['anna'], wrapUpS, autoPauseAfterMisses: 1, ringTimeoutS: 10 }),
  );
  if (state === AgentState.LoggedOut) return h;
  h.acd.agentLogin('sales', 'anna');
  if (state === AgentState.Paused) h.acd.agentPause('anna', 'lunch');
  if (state === AgentState.Available || state === AgentState.Paused) return h;
  h.call('c1');
  if (state === AgentState.Ringing) return h;
  h.answer();
  if (state === AgentState.OnCall) return h;
  h.acd.callEnded('anna', 'c1');
  return h;
}

/** How the engine makes each allowed move happen. */
const SCENARIOS: Record<string, () => Harness> = {
  'logged_out→available': () => {
    const h = anna(AgentState.LoggedOut);
    h.acd.agentLogin('sales', 'anna');
    return h;
  },
  'available→ringing': () => {
    const h = anna(AgentState.Available);
    h.call('c1');
    return h;
  },
  'available→paused': () => {
    const h = anna(AgentState.Available);
    h.acd.agentPause('anna', 'meeting');
    return h;
  },
  'available→logged_out': () => {
    const h = anna(AgentState.Available);
    h.acd.agentLogout('sales', 'anna');
    return h;
  },
  'ringing→on_call': () => {
    const h = anna(AgentState.Ringing);
    h.answer();
    return h;
  },
  'ringing→available': () => {
    const h = anna(AgentState.Ringing);
    h.acd.offerFailed(h.lastOffer().offerId, 'anna', 'busy');
    return h;
  },
  'ringing→paused': () => {
    const h = anna(AgentState.Ringing);
    h.clock.advanceS(10); // one miss with autoPauseAfterMisses 1
    return h;
  },
  'ringing→logged_out': () => {
    const h = anna(AgentState.Ringing);
    h.acd.agentLogout('sales', 'anna');
    return h;
  },
  'on_call→wrap_up': () => {
    const h = anna(AgentState.OnCall, 30);
    h.acd.callEnded('anna', 'c1');
    return h;
  },
  'on_call→available': () => {
    const h = anna(AgentState.OnCall, 0);
    h.acd.callEnded('anna', 'c1');
    return h;
  },
  'on_call→paused': () => {
    const h = anna(AgentState.OnCall, 0);
    h.acd.agentPause('anna', 'admin');
    h.acd.callEnded('anna', 'c1');
    return h;
  },
  'on_call→logged_out': () => {
    const h = anna(AgentState.OnCall);
    h.acd.agentLogout('sales', 'anna');
    return h;
  },
  'wrap_up→available': () => {
    const h = anna(AgentState.WrapUp, 30);
    h.clock.advanceS(30);
    return h;
  },
  'wrap_up→paused': () => {
    const h = anna(AgentState.WrapUp, 30);
    h.acd.agentPause('anna', 'other');
    h.clock.advanceS(30);
    return h;
  },
  'wrap_up→logged_out': () => {
    const h = anna(AgentState.WrapUp, 30);
    h.acd.agentLogout('sales', 'anna');
    return h;
  },
  'paused→available': () => {
    const h = anna(AgentState.Paused);
    h.acd.agentUnpause('anna');
    return h;
  },
  'paused→logged_out': () => {
    const h = anna(AgentState.Paused);
    h.acd.agentLogout('sales', 'anna');
    return h;
  },
};

describe('agent state transitions driven by the engine', () => {
  it('has a scenario for every allowed move', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...allowed].sort());
  });

  it.each(AGENT_TRANSITIONS)('moves an agent from %s to %s', (from, to) => {
    const run = SCENARIOS[`${from}→${to}`];
    if (!run) throw new Error('no scenario');
    const h = run();
    const states = [
      AgentState.LoggedOut,
      ...h
        .eventsOf('agent_state')
        .filter((e) => e.queueId === 'sales' && e.agentId === 'anna')
        .map((e) => e.state),
    ];
    expect(states.slice(-2)).toEqual([from, to]);
    expect(h.acd.agentState('sales', 'anna').state).toBe(to);
  });
});

describe('agent state bookkeeping', () => {
  it('records when the agent entered its state', () => {
    const h = anna(AgentState.Available);
    const loggedInAt = h.clock.now;
    h.clock.advanceS(42);
    expect(h.acd.agentState('sales', 'anna')).toMatchObject({
      state: 'available',
      since: loggedInAt,
      idleSince: loggedInAt,
    });
    h.acd.agentPause('anna', 'lunch');
    expect(h.eventsOf('agent_state').at(-1)).toEqual({
      type: 'agent_state',
      tenantId: 'acme',
      queueId: 'sales',
      agentId: 'anna',
      state: 'paused',
      reason: 'lunch',
      since: loggedInAt + 42_000,
    });
  });

  it('changes the reason of a pause without leaving the paused state', () => {
    const h = anna(AgentState.Paused);
    const since = h.acd.agentState('sales', 'anna').since;
    h.clock.advanceS(5);
    h.acd.agentPause('anna', 'meeting');
    expect(h.acd.agentState('sales', 'anna')).toMatchObject({
      state: 'paused',
      reason: 'meeting',
      since,
    });
  });

  it('refuses requests that make no sense with a stable error code, changing nothing', () => {
    const h = anna(AgentState.LoggedOut);
    expect(() => h.acd.agentPause('anna', 'lunch', 'sales')).toThrow(
      expect.objectContaining({ code: 'not_logged_in' }),
    );
    expect(() => h.acd.agentLogin('sales', 'mallory')).toThrow(
      expect.objectContaining({ code: 'not_member' }),
    );
    expect(() => h.acd.agentLogin('nope', 'anna')).toThrow(
      expect.objectContaining({ code: 'unknown_queue' }),
    );
    expect(h.eventsOf('agent_state')).toEqual([]);
  });

  it('treats a second login and a logout when logged out as no-ops', () => {
    const h = anna(AgentState.Available);
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogout('sales', 'anna');
    h.acd.agentLogout('sales', 'anna');
    expect(h.eventsOf('agent_state').map((e) => e.state)).toEqual(['available', 'logged_out']);
  });
});
