import { describe, expect, it } from 'vitest';
import { T0, queueConfig, setup } from './harness';

/** Moves the fake clock to `s` seconds after the start of the scenario. */
function at(h: ReturnType<typeof setup>, s: number): void {
  h.clock.advance(T0 + s * 1000 - h.clock.now);
}

describe('live queue statistics', () => {
  it('match a scripted scenario exactly', () => {
    const h = setup({ retryDelayMs: 5000 });
    h.acd.configureQueue(
      queueConfig({ members: ['anna', 'bjorn'], serviceLevelS: 20, ringTimeoutS: 15, wrapUpS: 0 }),
    );
    h.acd.agentLogin('sales', 'anna');
    h.acd.agentLogin('sales', 'bjorn');
    const offerFor = (callId: string) => {
      const offer = h
        .offers()
        .filter((o) => o.callId === callId)
        .at(-1);
      if (!offer) throw new Error(`no offer for ${callId}`);
      return offer;
    };

    h.call('c1'); // → anna
    h.call('c2'); // → bjorn
    at(h, 5);
    expect(h.acd.offerAnswered(offerFor('c1').offerId, 'anna')).toBe('connected'); // waited 5 s
    at(h, 15); // bjorn misses c2, which rests 5 s
    at(h, 20); // c2 rings bjorn again
    expect(offerFor('c2').agentIds).toEqual(['bjorn']);
    at(h, 21);
    h.call('c3'); // nobody free
    at(h, 25);
    expect(h.acd.offerAnswered(offerFor('c2').offerId, 'bjorn')).toBe('connected'); // waited 25 s
    at(h, 51);
    expect(h.acd.abandon('c3')).toBe(30_000); // after the service level
    at(h, 55);
    h.call('c4');
    at(h, 58);
    expect(h.acd.abandon('c4')).toBe(3_000); // within the service level
    at(h, 65);
    h.acd.callEnded('anna', 'c1'); // talked 60 s
    at(h, 70);
    h.call('c5'); // → anna
    at(h, 72);
    expect(h.acd.offerAnswered(offerFor('c5').offerId, 'anna')).toBe('connected'); // waited 2 s
    at(h, 85);
    h.acd.callEnded('bjorn', 'c2'); // talked 60 s
    at(h, 100);
    h.call('c6'); // → bjorn
    at(h, 101);
    expect(h.acd.pick('c6', 'olga')).toEqual({ ok: true });
    at(h, 102);
    h.acd.callEnded('anna', 'c5'); // talked 30 s
    at(h, 103);
    h.acd.pickConnected('c6'); // waited 3 s

    expect(h.acd.stats('sales')).toEqual({
      queueId: 'sales',
      tenantId: 'acme',
      waiting: 0,
      longestWaitMs: 0,
      answered: 4,
      abandoned: 2,
      overflowed: 0,
      timedOut: 0,
      rejected: 0,
      answeredWithinServiceLevel: 3,
      abandonedAfterServiceLevel: 1,
      serviceLevel: 60, // 3 ÷ (4 + 1)
      averageWaitMs: 8750, // (5 + 25 + 2 + 3) ÷ 4 s
      averageTalkMs: 50_000, // (60 + 60 + 30) ÷ 3 s
      agentsLoggedIn: 2,
      agentsAvailable: 2,
      agentsPaused: 0,
    });
    expect(h.eventsOf('caller_left').map((e) => [e.callId, e.reason, e.waitedMs])).toEqual([
      ['c1', 'answered', 5000],
      ['c2', 'answered', 25_000],
      ['c3', 'abandoned', 30_000],
      ['c4', 'abandoned', 3000],
      ['c5', 'answered', 2000],
      ['c6', 'picked', 3000],
    ]);
  });

  it('reports waiting callers and the longest wait', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    h.clock.advanceS(30);
    h.call('v1', { priority: 'vip' });
    h.clock.advanceS(5);
    expect(h.acd.stats('sales')).toMatchObject({
      waiting: 2,
      longestWaitMs: 35_000,
      serviceLevel: null,
      averageWaitMs: 0,
    });
  });

  it('counts agents logged in, free and paused', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.loginAll();
    h.acd.agentPause('bjorn', 'lunch');
    h.acd.agentBusy('cecilie', true);
    expect(h.acd.stats('sales')).toMatchObject({
      agentsLoggedIn: 3,
      agentsAvailable: 1,
      agentsPaused: 1,
    });
  });

  it('starts from zero at midnight', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.answer();
    expect(h.acd.stats('sales').answered).toBe(1);
    h.clock.advance(15 * 3600_000); // 00:00 the next day
    expect(h.acd.stats('sales').answered).toBe(0);
  });

  it('sends queue_stats every 5 s while something changes, then stops', () => {
    const h = setup({ statsIntervalMs: 5000 });
    h.acd.configureQueue(queueConfig());
    h.clock.advanceS(5);
    expect(h.eventsOf('queue_stats')).toHaveLength(1);
    h.clock.advanceS(60);
    expect(h.eventsOf('queue_stats')).toHaveLength(1); // nothing changed

    h.call('c1');
    h.clock.advanceS(5);
    h.clock.advanceS(5);
    const stats = h.eventsOf('queue_stats');
    expect(stats.slice(1).map((e) => e.stats.longestWaitMs)).toEqual([5000, 10_000]);
    expect(stats[1]).toMatchObject({ type: 'queue_stats', tenantId: 'acme' });

    h.acd.abandon('c1');
    h.clock.advanceS(60);
    expect(h.eventsOf('queue_stats').map((e) => e.stats.waiting)).toEqual([0, 1, 1, 0]);
  });

  it('take in the day so far after a restart, keep counting on top, and start over the next day', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ members: ['anna'], serviceLevelS: 20, wrapUpS: 0 }));
    expect(h.acd.dayStart()).toBe(Date.UTC(2025, 0, 6)); // the day of T0 (UTC midnight here)
    expect(
      h.acd.restoreDay('sales', {
        answered: 3,
        answeredWithinSl: 2,
        abandoned: 2,
        abandonedAfterSl: 1,
        overflowed: 1,
        timedOut: 0,
        totalWaitAnsweredMs: 30_000,
      }),
    ).toBe(true);
    expect(h.acd.restoreDay('nope', {} as never)).toBe(false);
    expect(h.acd.stats('sales')).toMatchObject({
      answered: 3,
      abandoned: 2,
      overflowed: 1,
      answeredWithinServiceLevel: 2,
      abandonedAfterServiceLevel: 1,
      serviceLevel: 50,
      averageWaitMs: 10_000,
    });
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.clock.advance(2000);
    const offer = h.offers().at(-1);
    if (!offer) throw new Error('no offer');
    expect(h.acd.offerAnswered(offer.offerId, 'anna')).toBe('connected');
    expect(h.acd.stats('sales')).toMatchObject({ answered: 4, answeredWithinServiceLevel: 3 });
    h.clock.advance(24 * 3600_000);
    expect(h.acd.stats('sales')).toMatchObject({ answered: 0, abandoned: 0, overflowed: 0 });
  });
});
