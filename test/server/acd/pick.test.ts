import { describe, expect, it } from 'vitest';
import { queueConfig, setup } from './harness';

describe('operator pick', () => {
  it('reserves a waiting caller for the operator and counts it as answered once connected', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    h.clock.advanceS(12);
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: true });
    expect(h.acd.caller('c1')?.state).toBe('picked');
    expect(h.eventsOf('caller_state').at(-1)).toMatchObject({
      callId: 'c1',
      state: 'picked',
      agentIds: ['olga'],
    });
    h.acd.agentLogin('sales', 'anna');
    expect(h.offers()).toEqual([]); // a picked caller is not offered

    h.clock.advanceS(2);
    expect(h.acd.pickConnected('c1')).toBe(true);
    expect(h.eventsOf('caller_left')).toEqual([
      expect.objectContaining({
        callId: 'c1',
        reason: 'picked',
        waitedMs: 14_000,
        agentId: 'olga',
      }),
    ]);
    expect(h.acd.stats('sales')).toMatchObject({ answered: 1, averageWaitMs: 14_000 });
  });

  it('cancels a ringing offer when an operator picks the caller', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    const offer = h.lastOffer();
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: true });
    expect(h.cancels()).toEqual([
      expect.objectContaining({ offerId: offer.offerId, agentIds: ['anna'], reason: 'picked' }),
    ]);
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
    expect(h.acd.snapshot('acme').agents[0]?.missedInRow).toBe(0);
  });

  it('lets exactly one of two operators picking the same caller win', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: true });
    expect(h.acd.pick('c1', 'per')).toEqual({ ok: false, code: 'already_connecting' });
    expect(h.acd.caller('c1')?.state).toBe('picked');
    h.acd.pickConnected('c1');
    expect(h.acd.pick('c1', 'per')).toEqual({ ok: false, code: 'already_connecting' });
  });

  it('pick first: a later answer of the cancelled offer is lost', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    const offer = h.lastOffer();
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: true });
    expect(h.acd.offerAnswered(offer.offerId, 'anna')).toBe('lost');
    expect(h.acd.caller('c1')?.state).toBe('picked');
    expect(h.acd.agentState('sales', 'anna').state).toBe('available');
  });

  it('answer first: a later pick fails with already_connecting', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    expect(h.answer()).toBe('connected');
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: false, code: 'already_connecting' });
    expect(h.cancels()).toEqual([]);
    h.acd.callEnded('anna', 'c1');
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: false, code: 'not_waiting' });
  });

  it('refuses a caller who is not waiting', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    expect(h.acd.pick('ghost', 'olga')).toEqual({ ok: false, code: 'not_waiting' });
    h.call('c1');
    h.acd.abandon('c1');
    expect(h.acd.pick('c1', 'olga')).toEqual({ ok: false, code: 'not_waiting' });
  });

  it('puts the caller back at its old position when the pick fails', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    for (const id of ['c1', 'c2', 'c3']) h.call(id);
    h.acd.pick('c2', 'olga');
    h.call('c4');
    expect(h.acd.pickFailed('c2')).toBe(true);
    expect(h.acd.caller('c2')).toMatchObject({ position: 2, state: 'waiting' });
    expect(h.acd.pickFailed('c2')).toBe(false);
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('sales', 'bjorn');
    expect(h.offers().map((o) => o.callId)).toEqual(['c1', 'c2']);
  });

  it('applies a max wait that ran out during the pick only if the pick fails', () => {
    const h = setup();
    const target = { kind: 'queue', id: 'switchboard' } as const;
    h.acd.configureQueue(queueConfig({ maxWaitS: 30, overflowTarget: target }));
    h.call('c1');
    h.call('c2');
    h.clock.advanceS(29);
    h.acd.pick('c1', 'olga');
    h.acd.pick('c2', 'per');
    h.clock.advanceS(5);
    expect(h.actions).toEqual([]);
    h.acd.pickConnected('c1');
    h.acd.pickFailed('c2');
    expect(h.actions).toEqual([
      expect.objectContaining({ type: 'overflow', callId: 'c2', reason: 'max_wait' }),
    ]);
  });

  it('hides another tenant’s caller from a pick that names the tenant', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    expect(h.acd.pick('c1', 'eve', 'globex')).toEqual({ ok: false, code: 'not_waiting' });
    expect(h.acd.pick('c1', 'olga', 'acme')).toEqual({ ok: true });
  });

  it('tracks talk time of a picked call when the core reports its end', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    h.acd.pick('c1', 'olga');
    h.acd.pickConnected('c1');
    h.clock.advanceS(90);
    expect(h.acd.callEnded('olga', 'c1')).toBe(true);
    expect(h.acd.stats('sales').averageTalkMs).toBe(90_000);
  });
});
