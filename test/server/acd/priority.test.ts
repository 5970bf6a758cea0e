import { describe, expect, it } from 'vitest';
import { VipList, effectiveScore } from '../../../src/server/acd';
import { queueConfig, setup } from './harness';

/** A queue where nobody is logged in yet, so everyone waits and the order shows. */
function waitingRoom(options: Parameters<typeof setup>[0] = {}) {
  const h = setup(options);
  h.acd.configureQueue(queueConfig());
  h.acd.setVipList('acme', ['+4791234567', '+4799*']);
  const order = () => h.acd.snapshot('acme').queues[0]?.callers.map((c) => c.callId);
  return { ...h, order };
}

describe('caller priority and order', () => {
  it('a VIP caller jumps ahead of earlier normal callers', () => {
    const h = waitingRoom();
    h.call('n1');
    h.clock.advanceS(10);
    h.call('n2');
    h.clock.advanceS(10);
    const vip = h.call('v1', { callerNumber: '+47 912 34 567' });
    expect(vip).toEqual({ result: 'queued', position: 1, priority: 'vip' });
    expect(h.order()).toEqual(['v1', 'n1', 'n2']);
    expect(h.eventsOf('positions_changed').at(-1)).toEqual({
      type: 'positions_changed',
      tenantId: 'acme',
      queueId: 'sales',
      callIds: ['v1', 'n1', 'n2'],
    });

    h.acd.agentLogin('sales', 'anna');
    expect(h.lastOffer()).toMatchObject({ callId: 'v1', priority: 'vip' });
  });

  it('a VIP prefix entry matches every number under it', () => {
    const h = waitingRoom();
    expect(h.call('v1', { callerNumber: '+4799887766' })).toMatchObject({ priority: 'vip' });
    expect(h.call('n1', { callerNumber: '+4798887766' })).toMatchObject({ priority: 'normal' });
  });

  it('ageing: a normal caller who has waited longer than the VIP bonus stays ahead', () => {
    const h = waitingRoom({ priorityBonusS: { vip: 120 } });
    h.call('n1');
    h.clock.advanceS(121);
    h.call('v1', { callerNumber: '+4791234567' });
    expect(h.order()).toEqual(['n1', 'v1']);
    h.clock.advanceS(1);
    h.call('n2');
    expect(h.order()).toEqual(['n1', 'v1', 'n2']);
  });

  it('ageing: a VIP arriving within the bonus still goes first', () => {
    const h = waitingRoom({ priorityBonusS: { vip: 120 } });
    h.call('n1');
    h.clock.advanceS(119);
    h.call('v1', { callerNumber: '+4791234567' });
    expect(h.order()).toEqual(['v1', 'n1']);
  });

  it('a recalled call goes ahead of VIP callers', () => {
    const h = waitingRoom();
    h.call('v1', { callerNumber: '+4791234567' });
    h.clock.advanceS(60);
    h.call('r1', { priority: 'recall' });
    expect(h.order()).toEqual(['r1', 'v1']);
    h.acd.agentLogin('sales', 'anna');
    expect(h.lastOffer().callId).toBe('r1');
  });

  it('a priority given by the core wins over the VIP list', () => {
    const h = waitingRoom();
    expect(h.call('x', { callerNumber: '+4791234567', priority: 'normal' })).toMatchObject({
      priority: 'normal',
    });
  });

  it('callers of equal priority are served in arrival order', () => {
    const h = waitingRoom();
    for (const id of ['a', 'b', 'c']) h.call(id);
    expect(h.order()).toEqual(['a', 'b', 'c']);
    expect(h.eventsOf('positions_changed')).toEqual([]); // nobody moved
    expect(h.eventsOf('caller_joined').map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('a caller overflowing in from another queue keeps its original waiting time', () => {
    const h = waitingRoom();
    const enteredAt = h.clock.now;
    h.clock.advanceS(90);
    h.call('n1');
    h.clock.advanceS(1);
    h.call('moved', { enteredAt });
    expect(h.order()).toEqual(['moved', 'n1']);
    expect(h.acd.caller('moved')).toMatchObject({ enteredAt, position: 1 });
  });

  it('positions close up when a caller ahead leaves', () => {
    const h = waitingRoom();
    for (const id of ['a', 'b', 'c']) h.call(id);
    h.acd.abandon('a');
    expect(h.eventsOf('positions_changed').at(-1)?.callIds).toEqual(['b', 'c']);
    h.acd.abandon('c'); // the last one: nobody behind moves
    expect(h.eventsOf('positions_changed')).toHaveLength(1);
    expect(h.acd.caller('b')?.position).toBe(1);
  });
});

describe('VIP list and score', () => {
  it('matches exact numbers in any common spelling and prefixes ending in *', () => {
    const list = new VipList(['+47 22 33 44 55', '0046*', '  ', '+4799*']);
    expect(list.matches('+4722334455')).toBe(true);
    expect(list.matches('004722334455')).toBe(true);
    expect(list.matches('+46701234567')).toBe(true);
    expect(list.matches('+4799000000')).toBe(true);
    expect(list.matches('+4722334456')).toBe(false);
  });

  it('subtracts the class bonus from the time the caller entered', () => {
    const bonuses = { vip: 120, recall: 300 };
    expect(effectiveScore(1_000_000, 'normal', bonuses)).toBe(1_000_000);
    expect(effectiveScore(1_000_000, 'vip', bonuses)).toBe(880_000);
    expect(effectiveScore(1_000_000, 'recall', bonuses)).toBe(700_000);
  });
});
