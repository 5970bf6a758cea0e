import { describe, expect, it } from 'vitest';
import { groupConfig, queueConfig, setup } from './harness';

const FALLBACK = { kind: 'queue', id: 'sales' } as const;

function ring(h: ReturnType<typeof setup>, callId = 'g1') {
  return h.acd.ringAnswerGroup({
    callId,
    tenantId: 'acme',
    groupId: 'it-support',
    callerNumber: '+4740000001',
    callerName: 'Kari',
  });
}

describe('answer group, parallel', () => {
  it('rings every free member at once and cancels the rest when one answers', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'parallel', ringTimeoutS: 20 }));
    expect(ring(h)).toEqual({ result: 'ringing' });
    const offer = h.lastOffer();
    expect(offer).toMatchObject({
      callId: 'g1',
      source: { kind: 'answer-group', groupId: 'it-support' },
      agentIds: ['anna', 'bjorn', 'cecilie'],
      timeoutMs: 20_000,
      callerName: 'Kari',
    });
    expect(h.acd.offerAnswered(offer.offerId, 'cecilie')).toBe('connected');
    expect(h.cancels()).toEqual([
      expect.objectContaining({ agentIds: ['anna', 'bjorn'], reason: 'answered_elsewhere' }),
    ]);
    expect(h.eventsOf('answer_group_call').map((e) => [e.state, e.agentIds])).toEqual([
      ['ringing', ['anna', 'bjorn', 'cecilie']],
      ['answered', ['cecilie']],
    ]);
  });

  it('falls back when nobody answers within the ring time', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'parallel', ringTimeoutS: 20 }));
    ring(h);
    h.clock.advanceS(20);
    expect(h.actions.slice(1)).toEqual([
      expect.objectContaining({ type: 'cancel-offer', reason: 'timeout' }),
      {
        type: 'fallback',
        callId: 'g1',
        tenantId: 'acme',
        groupId: 'it-support',
        target: FALLBACK,
        reason: 'no_answer',
      },
    ]);
  });

  it('falls back as soon as every member has declined', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'parallel', members: ['anna', 'bjorn'] }));
    ring(h);
    const offer = h.lastOffer();
    h.acd.offerFailed(offer.offerId, 'anna', 'rejected');
    expect(h.actions.filter((a) => a.type === 'fallback')).toEqual([]);
    h.acd.offerFailed(offer.offerId, 'bjorn', 'busy');
    expect(h.actions.at(-1)).toMatchObject({ type: 'fallback', target: FALLBACK });
  });

  it('skips busy members and falls back at once when nobody can be rung', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'parallel', members: ['anna', 'bjorn'] }));
    h.acd.agentBusy('anna', true);
    ring(h);
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    expect(ring(h, 'g2')).toEqual({ result: 'fallback', target: FALLBACK, reason: 'no_members' });
  });
});

describe('answer group, serial', () => {
  it('rings one member at a time for the ring time each, then falls back', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'serial', ringTimeoutS: 10 }));
    ring(h);
    expect(h.lastOffer()).toMatchObject({ agentIds: ['anna'], timeoutMs: 10_000 });
    h.clock.advanceS(10);
    expect(h.lastOffer().agentIds).toEqual(['bjorn']);
    h.acd.offerFailed(h.lastOffer().offerId, 'bjorn', 'rejected');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
    h.clock.advanceS(10);
    expect(h.actions.at(-1)).toMatchObject({ type: 'fallback', callId: 'g1', reason: 'no_answer' });
    expect(h.acd.snapshot('acme').answerGroups[0]?.calls).toEqual([]);
  });

  it('connects the member who answers and stops there', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig({ mode: 'serial', ringTimeoutS: 10 }));
    ring(h);
    h.clock.advanceS(10);
    expect(h.answer()).toBe('connected');
    h.clock.advanceS(60);
    expect(h.offers()).toHaveLength(2);
    expect(h.actions.filter((a) => a.type === 'fallback')).toEqual([]);
  });

  it('skips members who are on a queue call', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ members: ['anna'] }));
    h.acd.configureAnswerGroup(groupConfig({ mode: 'serial' }));
    h.acd.agentLogin('sales', 'anna');
    h.call('c1');
    h.answer();
    ring(h);
    expect(h.lastOffer()).toMatchObject({ callId: 'g1', agentIds: ['bjorn'] });
  });
});

describe('answer groups and queues together', () => {
  it('a member ringing for the group is not offered queue calls meanwhile', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ members: ['anna'] }));
    h.acd.configureAnswerGroup(groupConfig({ mode: 'serial', members: ['anna'] }));
    h.acd.agentLogin('sales', 'anna');
    ring(h);
    h.call('c1');
    expect(h.offers()).toHaveLength(1);
    expect(h.answer()).toBe('connected');
    expect(h.acd.snapshot('acme').agents[0]).toMatchObject({
      agentId: 'anna',
      activity: 'on_call',
    });
    h.acd.callEnded('anna', 'g1');
    expect(h.lastOffer()).toMatchObject({ callId: 'c1', agentIds: ['anna'] });
  });

  it('a caller who hangs up while the group rings stops the ringing', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig());
    ring(h);
    h.clock.advanceS(4);
    expect(h.acd.abandon('g1')).toBe(4000);
    expect(h.cancels()[0]).toMatchObject({ reason: 'abandoned' });
    expect(h.eventsOf('answer_group_call').at(-1)).toMatchObject({ state: 'abandoned' });
    h.clock.advanceS(60);
    expect(h.actions.filter((a) => a.type === 'fallback')).toEqual([]);
  });

  it('removing a group falls its ringing calls back', () => {
    const h = setup();
    h.acd.configureAnswerGroup(groupConfig());
    ring(h);
    h.acd.removeAnswerGroup('it-support');
    expect(h.actions.at(-1)).toMatchObject({ type: 'fallback', reason: 'group_removed' });
    expect(h.acd.snapshot('acme').answerGroups).toEqual([]);
  });
});
