import { describe, expect, it } from 'vitest';
import { queueConfig, setup } from './harness';

const OPERATORS = { kind: 'queue', id: 'switchboard' } as const;
const VOICEMAIL = { kind: 'number', id: '+4722000999' } as const;

describe('overflow', () => {
  it('sends a caller to the overflow target after the max wait', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxWaitS: 60, overflowTarget: OPERATORS }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentPause('anna', 'lunch');
    h.call('c1');
    h.clock.advanceS(59.999);
    expect(h.actions).toEqual([]);
    h.clock.advance(1);
    expect(h.actions).toEqual([
      {
        type: 'overflow',
        callId: 'c1',
        tenantId: 'acme',
        queueId: 'sales',
        target: OPERATORS,
        reason: 'max_wait',
      },
    ]);
    expect(h.eventsOf('caller_left')).toEqual([
      {
        type: 'caller_left',
        tenantId: 'acme',
        queueId: 'sales',
        callId: 'c1',
        reason: 'overflow',
        waitedMs: 60_000,
        agentId: null,
        target: OPERATORS,
      },
    ]);
    expect(h.acd.stats('sales')).toMatchObject({ waiting: 0, overflowed: 1 });
  });

  it('cancels a ringing offer when the max wait runs out, without counting a miss', () => {
    const h = setup();
    h.acd.configureQueue(
      queueConfig({ maxWaitS: 30, ringTimeoutS: 60, overflowTarget: OPERATORS }),
    );
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    const offer = h.lastOffer();
    h.clock.advanceS(30);
    expect(h.actions.slice(1).map((a) => a.type)).toEqual(['cancel-offer', 'overflow']);
    expect(h.cancels()[0]).toMatchObject({ offerId: offer.offerId, reason: 'overflow' });
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
    expect(h.acd.snapshot('acme').agents[0]?.missedInRow).toBe(0);
    expect(h.acd.offerAnswered(offer.offerId, 'anna')).toBe('lost');
  });

  it('times a caller out after the max wait when there is no overflow target', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxWaitS: 60 }));
    h.call('c1');
    h.clock.advanceS(60);
    expect(h.actions).toEqual([
      { type: 'timeout', callId: 'c1', tenantId: 'acme', queueId: 'sales', reason: 'max_wait' },
    ]);
    expect(h.eventsOf('caller_left')[0]).toMatchObject({ reason: 'timeout', waitedMs: 60_000 });
    expect(h.acd.stats('sales')).toMatchObject({ timedOut: 1, overflowed: 0 });
  });

  it('counts the max wait from joining this queue, not from the original entry', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxWaitS: 60, overflowTarget: OPERATORS }));
    const enteredAt = h.clock.now - 120_000;
    h.call('moved', { enteredAt });
    h.clock.advanceS(59);
    expect(h.actions).toEqual([]);
    h.clock.advanceS(1);
    expect(h.eventsOf('caller_left')[0]).toMatchObject({ reason: 'overflow', waitedMs: 180_000 });
  });

  it('overflows at once when a caller arrives and nobody is logged in', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ noAgentsTarget: VOICEMAIL }));
    expect(h.call('c1')).toEqual({ result: 'overflow', target: VOICEMAIL, reason: 'no_agents' });
    expect(h.acd.caller('c1')).toBeNull();
    expect(h.eventsOf('caller_joined')).toEqual([]);
    expect(h.acd.stats('sales').overflowed).toBe(1);
  });

  it('queues a caller when all logged-in agents are paused (paused counts as logged in)', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ noAgentsTarget: VOICEMAIL }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentPause('anna', 'lunch');
    expect(h.call('c1')).toMatchObject({ result: 'queued', position: 1 });
  });

  it('waits for agents when nobody is logged in and there is no no-agents target', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    expect(h.call('c1')).toMatchObject({ result: 'queued' });
    h.acd.agentLogin('sales', 'bjorn');
    expect(h.lastOffer()).toMatchObject({ callId: 'c1', agentIds: ['bjorn'] });
  });

  it('overflows every waiting caller when the last agent logs out', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ noAgentsTarget: VOICEMAIL }));
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('sales', 'bjorn');
    h.call('c1'); // offered to anna
    h.call('c2'); // offered to bjorn
    h.call('c3');
    h.acd.pick('c3', 'operator-1');
    h.acd.agentLogout('sales', 'anna');
    expect(h.actions.filter((a) => a.type === 'overflow')).toEqual([]);
    h.newActions();

    h.acd.agentLogout('sales', 'bjorn');
    const fresh = h.newActions();
    expect(fresh.filter((a) => a.type === 'overflow')).toEqual([
      expect.objectContaining({ callId: 'c1', target: VOICEMAIL, reason: 'no_agents' }),
      expect.objectContaining({ callId: 'c2', target: VOICEMAIL, reason: 'no_agents' }),
    ]);
    // The picked caller stays with its operator.
    expect(h.acd.snapshot('acme').queues[0]?.callers.map((c) => [c.callId, c.state])).toEqual([
      ['c3', 'picked'],
    ]);
    expect(h.acd.stats('sales').overflowed).toBe(2);
  });

  it('rejects a caller when the queue is full and has no overflow target', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxLength: 2 }));
    h.call('c1');
    h.call('c2');
    expect(h.call('c3')).toEqual({ result: 'rejected', reason: 'full' });
    expect(h.acd.stats('sales')).toMatchObject({ waiting: 2, rejected: 1 });
  });

  it('overflows a caller when the queue is full and has an overflow target', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxLength: 1, overflowTarget: OPERATORS }));
    h.call('c1');
    expect(h.call('c2')).toEqual({ result: 'overflow', target: OPERATORS, reason: 'full' });
    h.acd.abandon('c1');
    expect(h.call('c3')).toMatchObject({ result: 'queued' });
  });

  it('sends the callers of a removed queue to its overflow target', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ overflowTarget: OPERATORS }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.call('c2');
    h.acd.removeQueue('sales');
    expect(h.actions.slice(1)).toEqual([
      expect.objectContaining({ type: 'cancel-offer', callId: 'c1', reason: 'removed' }),
      expect.objectContaining({ type: 'overflow', callId: 'c1', reason: 'queue_removed' }),
      expect.objectContaining({ type: 'overflow', callId: 'c2', reason: 'queue_removed' }),
    ]);
    expect(h.acd.snapshot('acme').queues).toEqual([]);
    expect(() => h.call('c3')).toThrow(expect.objectContaining({ code: 'unknown_queue' }));
  });
});

describe('abandon', () => {
  it('removes the caller, reports the wait and counts it', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ serviceLevelS: 20 }));
    h.call('c1');
    h.clock.advanceS(33);
    expect(h.acd.abandon('c1')).toBe(33_000);
    expect(h.eventsOf('caller_left')).toEqual([
      expect.objectContaining({ callId: 'c1', reason: 'abandoned', waitedMs: 33_000 }),
    ]);
    expect(h.acd.stats('sales')).toMatchObject({
      waiting: 0,
      abandoned: 1,
      abandonedAfterServiceLevel: 1,
    });
    expect(h.acd.abandon('c1')).toBeNull();
  });

  it('cancels the offer of a caller who hangs up while an agent’s phone rings', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    const offer = h.lastOffer();
    h.clock.advanceS(3);
    h.acd.abandon('c1');
    expect(h.cancels()).toEqual([
      expect.objectContaining({ offerId: offer.offerId, agentIds: ['anna'], reason: 'abandoned' }),
    ]);
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
    expect(h.acd.offerAnswered(offer.offerId, 'anna')).toBe('lost');
  });

  it('clears the caller’s timers so nothing fires for it later', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ maxWaitS: 60, overflowTarget: OPERATORS }));
    h.call('c1');
    h.acd.abandon('c1');
    h.clock.advanceS(120);
    expect(h.actions).toEqual([]);
  });
});
