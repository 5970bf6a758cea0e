import { describe, expect, it } from 'vitest';
import { groupConfig, queueConfig, setup } from './harness';

describe('tenant isolation', () => {
  function twoTenants() {
    const h = setup();
    h.acd.configureQueue(queueConfig({ id: 'acme-sales', tenantId: 'acme', members: ['anna'] }));
    h.acd.configureQueue(
      queueConfig({ id: 'globex-sales', tenantId: 'globex', members: ['gunnar'] }),
    );
    h.acd.configureAnswerGroup(groupConfig({ id: 'acme-it', tenantId: 'acme', members: ['anna'] }));
    h.acd.configureAnswerGroup(
      groupConfig({ id: 'globex-it', tenantId: 'globex', members: ['gunnar'] }),
    );
    h.acd.agentLogin('globex-sales', 'gunnar');
    h.acd.enqueue({
      callId: 'a1',
      tenantId: 'acme',
      queueId: 'acme-sales',
      callerNumber: '+4740000001',
      callerName: 'Kari',
    });
    h.acd.enqueue({
      callId: 'g1',
      tenantId: 'globex',
      queueId: 'globex-sales',
      callerNumber: '+4640000001',
      callerName: 'Sven',
    });
    return h;
  }

  it('shows a tenant only its own queues, callers, agents and answer groups', () => {
    const h = twoTenants();
    const acme = h.acd.snapshot('acme');
    expect(acme.queues.map((q) => q.id)).toEqual(['acme-sales']);
    expect(acme.queues[0]?.callers.map((c) => c.callId)).toEqual(['a1']);
    expect(acme.queues[0]?.agents.map((a) => a.agentId)).toEqual(['anna']);
    expect(acme.answerGroups.map((g) => g.id)).toEqual(['acme-it']);
    expect(acme.agents.map((a) => a.agentId)).toEqual(['anna']);
    expect(JSON.stringify(acme)).not.toMatch(/globex|gunnar|g1|Sven/);

    const globex = h.acd.snapshot('globex');
    expect(globex.queues[0]?.callers).toEqual([
      {
        callId: 'g1',
        queueId: 'globex-sales',
        number: '+4640000001',
        name: 'Sven',
        priority: 'normal',
        enteredAt: h.clock.now,
        rank: h.clock.now, // a normal caller: no priority bonus
        position: 1,
        state: 'offered',
      },
    ]);
    expect(JSON.stringify(globex)).not.toMatch(/acme|anna|a1|Kari/);
    expect(h.acd.snapshot('initech')).toEqual({
      tenantId: 'initech',
      queues: [],
      answerGroups: [],
      agents: [],
    });
  });

  it('labels every event with the tenant it belongs to', () => {
    const h = twoTenants();
    const tenantOf = (e: { tenantId: string }) => e.tenantId;
    const byQueue = h.events
      .filter((e): e is typeof e & { queueId: string } => 'queueId' in e)
      .map((e) => [e.queueId.split('-')[0], tenantOf(e)]);
    expect(byQueue.length).toBeGreaterThan(0);
    for (const [prefix, tenant] of byQueue) expect(tenant).toBe(prefix);
  });

  it('refuses to put a caller into another tenant’s queue or group', () => {
    const h = twoTenants();
    expect(() =>
      h.acd.enqueue({
        callId: 'x',
        tenantId: 'acme',
        queueId: 'globex-sales',
        callerNumber: '+4740000009',
        callerName: null,
      }),
    ).toThrow(expect.objectContaining({ code: 'unknown_queue' }));
    expect(() =>
      h.acd.ringAnswerGroup({
        callId: 'y',
        tenantId: 'acme',
        groupId: 'globex-it',
        callerNumber: '+4740000009',
        callerName: null,
      }),
    ).toThrow(expect.objectContaining({ code: 'unknown_answer_group' }));
    expect(() =>
      h.acd.configureQueue(queueConfig({ id: 'globex-sales', tenantId: 'acme' })),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('keeps VIP lists per tenant', () => {
    const h = twoTenants();
    h.acd.setVipList('acme', ['+4791234567']);
    expect(h.acd.isVip('acme', '+4791234567')).toBe(true);
    expect(h.acd.isVip('globex', '+4791234567')).toBe(false);
  });
});

describe('bad requests', () => {
  it('refuses a call id that is already waiting', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    expect(() => h.call('c1')).toThrow(expect.objectContaining({ code: 'duplicate_call' }));
    expect(h.eventsOf('caller_joined')).toHaveLength(1);
  });

  it('refuses invalid configuration', () => {
    const h = setup();
    expect(() => h.acd.configureQueue(queueConfig({ ringTimeoutS: 0 }))).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => h.acd.configureQueue(queueConfig({ members: ['anna', 'anna'] }))).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(h.acd.snapshot('acme').queues).toEqual([]);
  });

  it('ignores reports about offers and calls it does not know', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    expect(h.acd.offerAnswered('offer-404', 'anna')).toBe('lost');
    expect(h.acd.offerFailed('offer-404', 'anna', 'no_answer')).toBe(false);
    expect(h.acd.offerRinging('offer-404', 'anna')).toBe(false);
    expect(h.acd.callEnded('anna', 'nope')).toBe(false);
    expect(h.acd.pickConnected('nope')).toBe(false);
    expect(h.acd.callerTransferred('nope')).toBe(false);
    expect(h.actions).toEqual([]);
  });
});

describe('reconfiguration', () => {
  it('logs out members who are removed and follows the new order', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig({ strategy: 'serial' }));
    h.loginAll();
    h.acd.configureQueue(queueConfig({ strategy: 'serial', members: ['cecilie', 'anna'] }));
    expect(h.eventsOf('agent_state').at(-1)).toMatchObject({
      agentId: 'bjorn',
      state: 'logged_out',
    });
    h.call('c1');
    expect(h.lastOffer().agentIds).toEqual(['cecilie']);
  });

  it('lets a caller leave as transferred', () => {
    const h = setup();
    h.acd.configureQueue(queueConfig());
    h.call('c1');
    expect(h.acd.callerTransferred('c1')).toBe(true);
    expect(h.eventsOf('caller_left')[0]).toMatchObject({ reason: 'transferred' });
  });
});
