import { describe, expect, it } from 'vitest';
import { Acd, type AcdAction } from '../../../src/server/acd';
import { FakeClock, queueConfig, setup } from './harness';

describe('distribution strategies', () => {
  it('longest-idle offers the call to the agent idle longest since their last call or login', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'longest-idle' }));
    h.acd.agentLogin('sales', 'anna');
    h.clock.advanceS(10);
    h.acd.agentLogin('sales', 'bjorn');
    h.clock.advanceS(10);
    h.acd.agentLogin('sales', 'cecilie');
    h.clock.advanceS(10);

    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['anna']);
    h.answer();
    h.clock.advanceS(10);
    h.acd.callEnded('anna', 'c1'); // anna idle since 40 s

    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['bjorn']); // idle since 10 s
    h.answer();
    h.clock.advanceS(10);
    h.acd.callEnded('bjorn', 'c2'); // bjorn idle since 50 s

    h.call('c3');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']); // idle since 20 s
    h.answer();

    h.call('c4');
    expect(h.lastOffer().agentIds).toEqual(['anna']); // 40 s beats 50 s; cecilie talks
  });

  it('longest-idle counts the end of a direct call reported through agentBusy', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll();
    h.clock.advanceS(5);
    h.acd.agentBusy('anna', true);
    h.acd.agentBusy('bjorn', true);
    h.clock.advanceS(5);
    h.acd.agentBusy('bjorn', false);
    h.clock.advanceS(5);
    h.acd.agentBusy('anna', false);

    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    h.call('c3');
    expect(h.lastOffer().agentIds).toEqual(['anna']);
  });

  it('round-robin continues after the agent offered last, wrapping around', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'round-robin' }));
    h.loginAll();
    const served: string[] = [];
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      h.call(id);
      const agent = h.lastOffer().agentIds[0] as string;
      served.push(agent);
      h.answer();
      h.acd.callEnded(agent, id);
    }
    expect(served).toEqual(['anna', 'bjorn', 'cecilie', 'anna', 'bjorn']);
  });

  it('round-robin skips members who are not free', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'round-robin' }));
    h.loginAll();
    h.call('c1');
    h.answer(); // anna
    h.acd.callEnded('anna', 'c1');
    h.acd.agentPause('bjorn', 'lunch');
    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
  });

  it('serial always starts from the first member in order', () => {
    const h = setup();
    h.acd.configureQueue(
      queueConfig({ strategy: 'serial', members: ['cecilie', 'anna', 'bjorn'] }),
    );
    h.loginAll();
    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
    h.answer();
    h.acd.callEnded('cecilie', 'c1');
    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
    h.answer();
    h.call('c3');
    expect(h.lastOffer().agentIds).toEqual(['anna']);
    h.answer();
    h.call('c4');
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
  });

  it('serial moves down the member list when nobody answers', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'serial', ringTimeoutS: 10 }));
    h.loginAll();
    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['anna']);
    h.clock.advanceS(10);
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    h.clock.advanceS(10);
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
  });

  it('ring-all offers every free agent and cancels the others when one answers', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'ring-all' }));
    h.loginAll();
    h.call('c1');
    const offer = h.lastOffer();
    expect(offer.agentIds).toEqual(['anna', 'bjorn', 'cecilie']);
    expect(h.acd.offerRinging(offer.offerId, 'bjorn')).toBe(true);

    expect(h.acd.offerAnswered(offer.offerId, 'bjorn')).toBe('connected');
    expect(h.cancels()).toEqual([
      expect.objectContaining({
        offerId: offer.offerId,
        agentIds: ['anna', 'cecilie'],
        reason: 'answered_elsewhere',
      }),
    ]);
    expect(h.acd.offerAnswered(offer.offerId, 'anna')).toBe('lost');
    expect(h.acd.agentState('sales', 'bjorn').state).toBe('on_call');
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');

    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['anna', 'cecilie']);
  });

  it('ring-all keeps ringing the others when one agent declines', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'ring-all' }));
    h.loginAll();
    h.call('c1');
    const offer = h.lastOffer();
    h.acd.offerFailed(offer.offerId, 'anna', 'rejected');
    expect(h.offers()).toHaveLength(1);
    expect(h.acd.offerAnswered(offer.offerId, 'cecilie')).toBe('connected');
    expect(h.cancels()[0]?.agentIds).toEqual(['bjorn']);
  });
});

describe('offer outcomes', () => {
  it('a ring timeout cancels the offer, counts a miss and offers the next agent', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ ringTimeoutS: 15 }));
    h.loginAll();
    h.call('c1');
    const first = h.lastOffer();
    expect(first).toMatchObject({ agentIds: ['anna'], timeoutMs: 15_000 });
    h.newActions();

    h.clock.advanceS(14.999);
    expect(h.newActions()).toEqual([]);
    h.clock.advance(1);
    expect(h.newActions()).toEqual([
      expect.objectContaining({
        type: 'cancel-offer',
        offerId: first.offerId,
        agentIds: ['anna'],
        reason: 'timeout',
      }),
      expect.objectContaining({ type: 'offer', callId: 'c1', agentIds: ['bjorn'] }),
    ]);
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
    expect(h.acd.snapshot('acme').agents.find((a) => a.agentId === 'anna')?.missedInRow).toBe(1);
    expect(h.acd.offerAnswered(first.offerId, 'anna')).toBe('lost');
  });

  it('a reported no-answer moves on to the next agent at once', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll();
    h.call('c1');
    h.acd.offerFailed(h.lastOffer().offerId, 'anna', 'no_answer');
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
  });

  it('busy and unreachable move on without counting a miss; rejected counts', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'serial' }));
    h.loginAll();
    h.call('c1');
    h.acd.offerFailed(h.lastOffer().offerId, 'anna', 'busy');
    h.acd.offerFailed(h.lastOffer().offerId, 'bjorn', 'unreachable');
    h.acd.offerFailed(h.lastOffer().offerId, 'cecilie', 'rejected');
    const missed = Object.fromEntries(
      h.acd.snapshot('acme').agents.map((a) => [a.agentId, a.missedInRow]),
    );
    expect(missed).toEqual({ anna: 0, bjorn: 0, cecilie: 1 });
  });

  it('a caller offered to every free agent rests for the retry delay, then starts over', () => {
    const h = setup({ retryDelayMs: 5000 });
    h.acd.configureQueue(queueConfig({ ringTimeoutS: 10 }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.clock.advanceS(10);
    expect(h.offers()).toHaveLength(1);
    h.clock.advanceS(4.9);
    expect(h.offers()).toHaveLength(1);
    h.clock.advanceS(0.1);
    expect(h.offers()).toHaveLength(2);
    expect(h.lastOffer().agentIds).toEqual(['anna']);
  });

  it('a resting caller goes at once to an agent it has not had yet', () => {
    const h = setup({ retryDelayMs: 5000 });
    h.acd.configureQueue(queueConfig({ ringTimeoutS: 10 }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.clock.advanceS(10);
    h.clock.advanceS(1);
    h.acd.agentLogin('sales', 'bjorn');
    expect(h.lastOffer()).toMatchObject({ callId: 'c1', agentIds: ['bjorn'] });
  });

  it('a resting caller does not hold up the callers behind it', () => {
    const h = setup({ retryDelayMs: 5000 });
    h.acd.configureQueue(queueConfig({ ringTimeoutS: 10 }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.call('c2');
    h.clock.advanceS(10); // anna missed c1; c1 rests, c2 goes to anna
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', agentIds: ['anna'] });
  });

  it('an offer the core fails from inside onAction is handled without recursion', () => {
    const clock = new FakeClock();
    const actions: AcdAction[] = [];
    const acd: Acd = new Acd({
      now: () => clock.now,
      timers: { set: clock.set, clear: clock.clear },
      onAction: (action) => {
        actions.push(action);
        if (action.type === 'offer' && action.agentIds.includes('anna')) {
          acd.offerFailed(action.offerId, 'anna', 'unreachable');
        }
      },
      onEvent: () => undefined,
    });
    acd.configureQueue(queueConfig());
    acd.agentLogin('sales', 'anna');
    acd.enqueue({
      callId: 'c1',
      tenantId: 'acme',
      queueId: 'sales',
      callerNumber: '+4740000001',
      callerName: null,
    });
    expect(actions.map((a) => a.type)).toEqual(['offer']); // then resting, not a loop
    acd.agentLogin('sales', 'bjorn');
    expect(actions.at(-1)).toMatchObject({ type: 'offer', agentIds: ['bjorn'] });
    expect(acd.caller('c1')?.state).toBe('offered');
  });
});

describe('who gets no offers', () => {
  it('an agent in wrap-up gets no offer until the wrap-up is over', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ wrapUpS: 30 }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.answer();
    h.clock.advanceS(60);
    h.acd.callEnded('anna', 'c1');
    expect(h.acd.agentState('sales', 'anna').state).toBe('wrap_up');

    h.call('c2');
    h.clock.advanceS(29.999);
    expect(h.offers()).toHaveLength(1);
    h.clock.advance(1);
    expect(h.acd.agentState('sales', 'anna').state).toBe('ringing');
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', agentIds: ['anna'] });
  });

  it('wrap-up in one queue blocks offers from the agent’s other queues too', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ wrapUpS: 30 }));
    h.acd.configureQueue(queueConfig({ id: 'support', members: ['anna'] }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('support', 'anna');
    h.call('c1');
    h.answer();
    h.acd.callEnded('anna', 'c1');
    h.call('c2', { queueId: 'support' });
    expect(h.offers()).toHaveLength(1);
    h.clock.advanceS(30);
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', source: { queueId: 'support' } });
  });

  it('paused agents get no offers until they unpause', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll();
    h.acd.agentPause('anna', 'lunch');
    h.acd.agentPause('bjorn', 'meeting', 'sales');
    expect(h.acd.agentState('sales', 'anna')).toMatchObject({ state: 'paused', reason: 'lunch' });
    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
    h.call('c2');
    expect(h.offers()).toHaveLength(1);
    h.acd.agentUnpause('anna');
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', agentIds: ['anna'] });
  });

  it('busy agents (a direct call) get no offers until they are free', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll('sales', ['anna', 'bjorn']);
    h.acd.agentBusy('anna', true);
    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    h.call('c2');
    expect(h.offers()).toHaveLength(1);
    expect(h.acd.snapshot('acme').agents[0]).toMatchObject({ agentId: 'anna', activity: 'busy' });
    h.acd.agentBusy('anna', false);
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', agentIds: ['anna'] });
  });

  it('unreachable agents get no offers until their phone registers again', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentReachable('anna', false);
    h.call('c1');
    expect(h.offers()).toHaveLength(0);
    expect(h.acd.snapshot('acme').agents[0]).toMatchObject({
      agentId: 'anna',
      activity: 'unreachable',
    });
    h.acd.agentReachable('anna', true);
    expect(h.lastOffer().agentIds).toEqual(['anna']);
  });

  it('an agent ringing for one queue is not offered another queue’s caller', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ members: ['anna'] }));
    h.acd.configureQueue(queueConfig({ id: 'support', members: ['anna'] }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('support', 'anna');
    h.call('c1');
    h.call('c2', { queueId: 'support' });
    expect(h.offers()).toHaveLength(1);
    h.acd.offerFailed(h.lastOffer().offerId, 'anna', 'rejected');
    expect(h.lastOffer()).toMatchObject({ callId: 'c2', agentIds: ['anna'] });
  });

  it('a pause asked for during a call starts after the wrap-up', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ wrapUpS: 10 }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.answer();
    h.acd.agentPause('anna', 'admin');
    expect(h.acd.agentState('sales', 'anna').state).toBe('on_call');
    h.acd.callEnded('anna', 'c1');
    h.clock.advanceS(10);
    expect(h.acd.agentState('sales', 'anna')).toMatchObject({ state: 'paused', reason: 'admin' });
  });

  it('pausing while ringing cancels the offer for that agent without a miss', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll();
    h.call('c1');
    const offer = h.lastOffer();
    h.acd.agentPause('anna', 'other');
    expect(h.cancels()).toEqual([
      expect.objectContaining({
        offerId: offer.offerId,
        agentIds: ['anna'],
        reason: 'agent_unavailable',
      }),
    ]);
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    expect(h.acd.snapshot('acme').agents[0]?.missedInRow).toBe(0);
  });
});

describe('auto-pause after missed offers', () => {
  it('pauses an agent after N offers missed in a row, in all its queues, and says why', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ autoPauseAfterMisses: 2, ringTimeoutS: 10 }));
    h.acd.configureQueue(queueConfig({ id: 'support', members: ['anna'] }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('support', 'anna');
    h.clock.advanceS(1);
    h.acd.agentLogin('sales', 'bjorn');

    h.call('c1');
    h.clock.advanceS(10); // anna misses c1 (1), bjorn gets it
    expect(h.answer('bjorn')).toBe('connected');
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');

    h.call('c2');
    expect(h.lastOffer().agentIds).toEqual(['anna']);
    h.clock.advanceS(10); // anna misses c2 (2)

    expect(h.acd.agentState('sales', 'anna')).toMatchObject({
      state: 'paused',
      reason: 'auto_no_answer',
    });
    expect(h.acd.agentState('support', 'anna')).toMatchObject({
      state: 'paused',
      reason: 'auto_no_answer',
    });
    expect(h.eventsOf('agent_auto_paused')).toEqual([
      {
        type: 'agent_auto_paused',
        tenantId: 'acme',
        queueId: 'sales',
        agentId: 'anna',
        missedOffers: 2,
      },
    ]);
    expect(h.offers()).toHaveLength(3); // nobody free for c2 now
  });

  it('an answered offer resets the count of misses in a row', () => {
    const h = setup();
    h.acd.configureQueue(
      queueConfig({ autoPauseAfterMisses: 2, ringTimeoutS: 10, members: ['anna'] }),
    );
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.clock.advanceS(10); // miss 1
    h.clock.advanceS(5); // retry
    h.answer();
    h.acd.callEnded('anna', 'c1');
    h.call('c2');
    h.clock.advanceS(10); // miss 1 again, not 2
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
    expect(h.eventsOf('agent_auto_paused')).toEqual([]);
  });

  it('unpausing starts the count again', () => {
    const h = setup();
    h.acd.configureQueue(
      queueConfig({ autoPauseAfterMisses: 1, ringTimeoutS: 10, members: ['anna'] }),
    );
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.clock.advanceS(10);
    expect(h.acd.agentState('sales', 'anna').reason).toBe('auto_no_answer');
    h.acd.agentUnpause('anna');
    expect(h.lastOffer()).toMatchObject({ callId: 'c1', agentIds: ['anna'] });
  });
});
