/**
 * An admin defines queues, answer groups and the VIP list through the API (issue 4), and the
 * engine routes by them at once; bad input is refused with a stable code and changes nothing;
 * other roles cannot change anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { DOMAIN, outsideInvite } from '../support/scenarios';
import { SipPeer, rand } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

let core: TestCore;
let admin: RawApiClient;
const opened: Array<{ close(): void }> = [];
const ids = new Map<string, string>();

type Reply = { ok: boolean; result?: any; error?: { code: string; message: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  core = await startTestCore();
  admin = await RawApiClient.connect(core.wsUrl);
  opened.push(admin);
  await loginEnrolled(admin, 'admin', 'admin1234');
  const list = (await admin.command('directory.list', {})) as Reply;
  for (const p of list.result.people as Array<{ id: string; username: string }>) {
    ids.set(p.username, p.id);
  }
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function as(username: string): Promise<RawApiClient> {
  const api = await RawApiClient.connect(core.wsUrl);
  opened.push(api);
  await api.command('auth.login', { username, password: 'demo1234' });
  return api;
}

const cmd = (api: RawApiClient, type: string, params: Record<string, unknown> = {}) =>
  api.command(type, params) as Promise<Reply>;

function supportQueue(overrides: object = {}) {
  return {
    name: 'Support',
    number: '21 00 00 99',
    strategy: 'serial',
    ringTimeoutS: 15,
    wrapUpS: 5,
    maxWaitS: 120,
    maxLength: 10,
    overflowTarget: null,
    noAgentsTarget: null,
    autoPauseAfterMisses: 3,
    isMain: false,
    members: [ids.get('ola.hansen'), ids.get('kari.nordmann')],
    ...overrides,
  };
}

const tenantId = () => core.core.people.tenantByDomain(DOMAIN)?.id ?? '';
const waitingIn = (queueId: string) =>
  core.core.switchboard.snapshot(tenantId()).callers.filter((c) => c.queueId === queueId);

async function callFromOutside(to: string) {
  const peer = await SipPeer.connect(core.wsUrl);
  opened.push(peer);
  const callId = rand();
  const branch = `z9hG4bK${rand()}`;
  const fromTag = rand();
  peer.send(outsideInvite({ peer, to, fromNumber: '+4790000077', callId, fromTag, branch }));
  const cancel = () =>
    peer.send(
      [
        `CANCEL sip:${to}@${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WSS ${peer.host};branch=${branch}`,
        'Max-Forwards: 70',
        `To: <sip:${to}@${DOMAIN}>`,
        `From: <sip:+4790000077@outside.invalid>;tag=${fromTag}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  return { peer, callId, cancel };
}

describe('queues defined by an admin', () => {
  let supportId = '';
  let caller: Awaited<ReturnType<typeof callFromOutside>>;

  it('creates a queue that the engine routes its number to at once', async () => {
    const saved = await cmd(admin, 'queue.save', supportQueue());
    expect(saved.ok).toBe(true);
    expect(saved.result.queue).toMatchObject({
      name: 'Support',
      number: '+4721000099',
      strategy: 'serial',
      members: [ids.get('ola.hansen'), ids.get('kari.nordmann')],
    });
    supportId = saved.result.queue.id;
    const config = await cmd(admin, 'queues.config');
    expect(config.result.queues.map((q: { name: string }) => q.name)).toContain('Support');

    caller = await callFromOutside('+4721000099');
    await caller.peer.expectResponse(182, 'INVITE');
    expect(waitingIn(supportId).map((c) => c.number)).toEqual(['+4790000077']);
  });

  it('refuses to delete a queue a caller waits in (conflict), and deletes it once empty', async () => {
    const refused = await cmd(admin, 'queue.delete', { queueId: supportId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(waitingIn(supportId)).toHaveLength(1);

    caller.cancel();
    await caller.peer.expectResponse(487, 'INVITE');
    expect(await cmd(admin, 'queue.delete', { queueId: supportId })).toMatchObject({ ok: true });
    expect(await core.core.switchboard.isPublicNumber(tenantId(), '+4721000099')).toBe(false);
  });

  it('updates strategy and members; the change is in the configuration', async () => {
    supportId = (await cmd(admin, 'queue.save', supportQueue())).result.queue.id;
    const saved = await cmd(
      admin,
      'queue.save',
      supportQueue({ queueId: supportId, strategy: 'ring-all', members: [ids.get('ola.hansen')] }),
    );
    expect(saved.result.queue).toMatchObject({
      strategy: 'ring-all',
      members: [ids.get('ola.hansen')],
    });
  });

  it('refuses a number another queue has, naming the conflict, and changes nothing', async () => {
    const before = await cmd(admin, 'queues.config');
    const taken = await cmd(
      admin,
      'queue.save',
      supportQueue({ name: 'Dup', number: '+4721000020' }),
    );
    expect(taken.ok).toBe(false);
    expect(['conflict', 'bad_request']).toContain(taken.error?.code);
    const unknownMember = await cmd(
      admin,
      'queue.save',
      supportQueue({
        name: 'Ghosts',
        number: '1099',
        members: ['00000000-0000-4000-8000-000000000000'],
      }),
    );
    expect(unknownMember).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const tooLong = await cmd(admin, 'queue.save', supportQueue({ name: 'x'.repeat(81) }));
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((await cmd(admin, 'queues.config')).result).toEqual(before.result);
  });

  it('lets a supervisor read the configuration but not change it; an operator neither', async () => {
    const ingrid = await as('ingrid.bakke');
    expect((await cmd(ingrid, 'queues.config')).ok).toBe(true);
    expect(
      await cmd(ingrid, 'queue.save', supportQueue({ name: 'Nope', number: '1098' })),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const kari = await as('kari.nordmann');
    expect(await cmd(kari, 'queues.config')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await cmd(kari, 'vip.set', { entries: [] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const names = (await cmd(admin, 'queues.config')).result.queues.map(
      (q: { name: string }) => q.name,
    );
    expect(names).not.toContain('Nope');
  });
});

describe('answer groups and the VIP list', () => {
  it('creates and deletes an answer group; its number routes only while it exists', async () => {
    const saved = await cmd(admin, 'answergroup.save', {
      name: 'Ledelsen',
      number: '1095',
      mode: 'parallel',
      ringTimeoutS: 20,
      fallback: null,
      members: [ids.get('bjorn.odegard')],
    });
    expect(saved.result.answerGroup).toMatchObject({ number: '1095', mode: 'parallel' });
    expect(await core.core.switchboard.isPublicNumber(tenantId(), '1095')).toBe(true);
    expect(
      await cmd(admin, 'answergroup.delete', { groupId: saved.result.answerGroup.id }),
    ).toMatchObject({
      ok: true,
    });
    expect(await core.core.switchboard.isPublicNumber(tenantId(), '1095')).toBe(false);
    expect(
      await cmd(admin, 'answergroup.delete', { groupId: saved.result.answerGroup.id }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('stores the VIP list normalised; a bad entry is named and nothing changes', async () => {
    const set = await cmd(admin, 'vip.set', {
      entries: [
        { pattern: '900 00 001', label: 'Styreleder' },
        { pattern: '41*', label: null },
      ],
    });
    expect(set.result.vip).toEqual([
      { pattern: '+4741*', label: null },
      { pattern: '+4790000001', label: 'Styreleder' },
    ]);
    const bad = await cmd(admin, 'vip.set', {
      entries: [
        { pattern: '+4790000002', label: null },
        { pattern: 'abc', label: null },
      ],
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(bad.error?.message).toContain('abc');
    expect((await cmd(admin, 'queues.config')).result.vip).toEqual(set.result.vip);
  });
});
