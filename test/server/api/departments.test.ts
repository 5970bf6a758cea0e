/**
 * Departments with their own numbers (issue 4): an admin creates, renames, renumbers and deletes
 * them through the API, and a call to a department's number reaches the queue or answer group
 * it names at once. Bad input is refused with a stable code and changes nothing; no other role
 * may change or read them; no company can see or touch another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/store/passwords';
import { RawApiClient } from '../support/api-client';
import { DOMAIN, outsideInvite } from '../support/scenarios';
import { SipPeer, rand } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

type Reply = { ok: boolean; result?: any; error?: { code: string; message: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Department = {
  id: string;
  name: string;
  number: string | null;
  target: { kind: string; id: string } | null;
  people: number;
};

let core: TestCore;
let admin: RawApiClient;
const opened: Array<{ close(): void }> = [];
const queueIds = new Map<string, string>();
let answerGroupId = '';

const cmd = (api: RawApiClient, type: string, params: Record<string, unknown> = {}) =>
  api.command(type, params) as Promise<Reply>;
const tenantId = () => core.core.people.tenantByDomain(DOMAIN)?.id ?? '';
const departments = async (): Promise<Department[]> =>
  (await cmd(admin, 'departments.list')).result.departments;
const byName = async (name: string) => (await departments()).find((d) => d.name === name);
const routesTo = (number: string) => core.core.switchboard.isPublicNumber(tenantId(), number);

beforeAll(async () => {
  core = await startTestCore();
  admin = await RawApiClient.connect(core.wsUrl);
  opened.push(admin);
  await loginEnrolled(admin, 'admin', 'admin1234');
  const config = await cmd(admin, 'queues.config');
  for (const q of config.result.queues as Array<{ id: string; name: string }>) {
    queueIds.set(q.name, q.id);
  }
  answerGroupId = config.result.answerGroups[0].id;
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function as(username: string, password = 'demo1234'): Promise<RawApiClient> {
  const api = await RawApiClient.connect(core.wsUrl);
  opened.push(api);
  const reply = (await api.command('auth.login', { username, password })) as Reply;
  if (!reply.ok) throw new Error(`login ${username}: ${JSON.stringify(reply)}`);
  return api;
}

describe('departments kept by an admin', () => {
  it("lists the demo departments with their numbers; Salg's number leads to the Salg queue", async () => {
    const list = await departments();
    expect(list.map((d) => d.name)).toEqual([
      'IT',
      'Kundeservice',
      'Ledelse',
      'Salg',
      'Sentralbord',
      'Økonomi',
    ]);
    const salg = await byName('Salg');
    expect(salg).toMatchObject({
      number: '+4721000020',
      target: { kind: 'queue', id: queueIds.get('Salg') },
      people: 8,
    });
    expect((await byName('Sentralbord'))?.target).toBeNull();
  });

  it('creates a department whose own number rings its queue at once, audited', async () => {
    expect(await routesTo('+47 21 00 00 40')).toBe(false);
    const saved = await cmd(admin, 'department.save', {
      name: 'Innkjøp',
      number: '21 00 00 40',
      target: { kind: 'queue', id: queueIds.get('Kundeservice') },
    });
    expect(saved).toMatchObject({
      ok: true,
      result: {
        department: {
          name: 'Innkjøp',
          number: '+4721000040',
          target: { kind: 'queue', id: queueIds.get('Kundeservice') },
          people: 0,
        },
      },
    });

    // An outside caller dialling the department's number waits in Kundeservice.
    const peer = await SipPeer.connect(core.wsUrl);
    opened.push(peer);
    peer.send(
      outsideInvite({
        peer,
        to: '+4721000040',
        fromNumber: '+4790000066',
        callId: rand(),
        fromTag: rand(),
      }),
    );
    await peer.expectResponse(182, 'INVITE');
    const waiting = core.core.switchboard
      .snapshot(tenantId())
      .callers.filter((c) => c.number === '+4790000066');
    expect(waiting.map((c) => c.queueId)).toEqual([queueIds.get('Kundeservice')]);

    const audit = await cmd(admin, 'audit.list', { limit: 5 });
    expect(audit.result.entries[0]).toMatchObject({
      action: 'department.save',
      details: { name: 'Innkjøp', number: '+4721000040', created: true },
    });
  });

  it('renumbers and renames a department: the old number stops routing, people see the new name', async () => {
    const it = await byName('Innkjøp');
    const saved = await cmd(admin, 'department.save', {
      departmentId: it?.id,
      name: 'Innkjøp og lager',
      number: '1096',
      target: { kind: 'answer-group', id: answerGroupId },
    });
    expect(saved.result.department).toMatchObject({ number: '1096', name: 'Innkjøp og lager' });
    expect(await routesTo('+4721000040')).toBe(false);
    expect(await routesTo('1096')).toBe(true);

    const ledelse = await byName('Ledelse');
    await cmd(admin, 'department.save', {
      departmentId: ledelse?.id,
      name: 'Ledergruppen',
      number: null,
      target: null,
    });
    const people = (await cmd(admin, 'directory.list')).result.people as Array<{
      username: string;
      department: string | null;
    }>;
    expect(people.find((p) => p.username === 'tor.eriksen')?.department).toBe('Ledergruppen');
  });

  it('deletes an empty department (its number stops routing) but not one people belong to', async () => {
    const salg = await byName('Salg');
    const refused = await cmd(admin, 'department.delete', { departmentId: salg?.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(refused.error?.message).toContain('8 people');
    expect(await byName('Salg')).toEqual(salg);

    const gone = await byName('Innkjøp og lager');
    expect(await cmd(admin, 'department.delete', { departmentId: gone?.id })).toMatchObject({
      ok: true,
    });
    expect(await routesTo('1096')).toBe(false);
    expect(await byName('Innkjøp og lager')).toBeUndefined();
    expect(await cmd(admin, 'department.delete', { departmentId: gone?.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect((await cmd(admin, 'audit.list', { limit: 1 })).result.entries[0]).toMatchObject({
      action: 'department.delete',
      details: { departmentId: gone?.id },
    });
  });

  it('keeps a queue that a department routes to from being deleted', async () => {
    const saved = await cmd(admin, 'queue.save', {
      name: 'Midlertidig',
      number: null,
      strategy: 'ring-all',
      ringTimeoutS: 20,
      wrapUpS: 0,
      maxWaitS: null,
      maxLength: null,
      overflowTarget: null,
      noAgentsTarget: null,
      autoPauseAfterMisses: null,
      isMain: false,
      members: [],
    });
    const queueId = saved.result.queue.id;
    const dept = await cmd(admin, 'department.save', {
      name: 'Prosjekt',
      number: '+47 21 00 00 41',
      target: { kind: 'queue', id: queueId },
    });
    expect(dept.ok).toBe(true);
    expect(await cmd(admin, 'queue.delete', { queueId })).toMatchObject({ ok: false });
    expect(await routesTo('+4721000041')).toBe(true);

    // The number leads to one place: no other queue or answer group may take it…
    const before = await cmd(admin, 'queues.config');
    const taken = await cmd(admin, 'answergroup.save', {
      name: 'Snarvei',
      number: '21 00 00 41',
      mode: 'parallel',
      ringTimeoutS: 15,
      fallback: null,
      members: [],
    });
    expect(taken.ok).toBe(false);
    expect(taken.error?.message).toContain("department's number");
    expect((await cmd(admin, 'queues.config')).result).toEqual(before.result);
    // …but the department's own target may carry it too.
    const { id: _id, ...settings } = saved.result.queue;
    const own = await cmd(admin, 'queue.save', { ...settings, queueId, number: '+4721000041' });
    expect(own).toMatchObject({ ok: true, result: { queue: { number: '+4721000041' } } });
  });
});

describe('bad input is refused with a stable code and changes nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a malformed number', { name: 'Ny', number: '21 00 abc' }, 'bad_request', 'number'],
    ['too many digits', { name: 'Ny', number: '+47 2100000000000000' }, 'bad_request', 'number'],
    ['an overlong number', { name: 'Ny', number: '1'.repeat(33) }, 'bad_request', 'number'],
    ['an overlong name', { name: 'x'.repeat(101), number: null }, 'bad_request', 'name'],
    ['an empty name', { name: '', number: null }, 'bad_request', 'name'],
    [
      'a script tag in the name',
      { name: '<script>alert(1)</script>', number: null },
      'bad_request',
      'markup',
    ],
    ["a person's extension", { name: 'Ny', number: '1001' }, 'conflict', 'Kari Nordmann'],
    ["a person's mobile", { name: 'Ny', number: '400 01 001' }, 'conflict', 'number'],
    ["another department's number", { name: 'Ny', number: '21000010' }, 'conflict', 'Sentralbord'],
    ["a queue's number", { name: 'Ny', number: '+4721000030' }, 'conflict', 'Kundeservice'],
    ["an answer group's number", { name: 'Ny', number: '1099' }, 'conflict', 'answer group'],
    ['the main number', { name: 'Ny', number: '+4721000000' }, 'conflict', 'number'],
    ['a name taken in another case', { name: 'SALG', number: null }, 'conflict', 'Salg'],
    [
      'a target that does not exist',
      {
        name: 'Ny',
        number: null,
        target: { kind: 'queue', id: '00000000-0000-4000-8000-000000000000' },
      },
      'bad_request',
      'target',
    ],
    [
      'a target of another kind',
      { name: 'Ny', number: null, target: { kind: 'user', id: 'x' } },
      'bad_request',
      'target',
    ],
  ];

  it.each(cases)('%s', async (_what, params, code, mentions) => {
    const before = await departments();
    const reply = await cmd(admin, 'department.save', { target: null, ...params });
    expect(reply).toMatchObject({ ok: false, error: { code } });
    expect(reply.error?.message).toContain(mentions);
    expect(await departments()).toEqual(before);
  });

  it("refuses a queue's number on a department unless that queue is its target", async () => {
    const kundeservice = await byName('Kundeservice');
    const elsewhere = await cmd(admin, 'department.save', {
      departmentId: kundeservice?.id,
      name: 'Kundeservice',
      number: '+4721000030',
      target: { kind: 'queue', id: queueIds.get('Salg') },
    });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const own = await cmd(admin, 'department.save', {
      departmentId: kundeservice?.id,
      name: 'Kundeservice',
      number: '+4721000030',
      target: { kind: 'queue', id: queueIds.get('Kundeservice') },
    });
    expect(own).toMatchObject({ ok: true });
  });
});

describe('only admins, and only their own company', () => {
  it('forbids every other role to read or change departments, and nothing changes', async () => {
    const created = await cmd(admin, 'people.save', {
      first_name: 'Una',
      last_name: 'User',
      username: 'una.user',
      role: 'user',
      extension: '1050',
    });
    expect(created.ok).toBe(true);
    const una = (await cmd(admin, 'directory.list')).result.people.find(
      (p: { username: string }) => p.username === 'una.user',
    );
    expect(
      (await cmd(admin, 'people.set_password', { userId: una.id, password: 'demo1234' })).ok,
    ).toBe(true);
    const before = await departments();
    const salg = before.find((d) => d.name === 'Salg');
    for (const username of ['una.user', 'ola.hansen', 'kari.nordmann', 'ingrid.bakke', 'tavle']) {
      const api = await as(username);
      for (const [type, params] of [
        ['departments.list', {}],
        ['department.save', { name: 'Hack', number: '1097', target: null }],
        ['department.save', { departmentId: salg?.id, name: 'Hacked', number: null, target: null }],
        ['department.delete', { departmentId: salg?.id }],
      ] as const) {
        const reply = await cmd(api, type, params);
        expect(reply, `${username} ${type}`).toMatchObject({
          ok: false,
          error: { code: 'forbidden' },
        });
      }
    }
    expect(await departments()).toEqual(before);
    expect(await routesTo('1097')).toBe(false);
  });

  it("never shows or lets another company's admin touch a department, or point at its queues", async () => {
    const db = core.core.db;
    const [t] = await db.query<{ id: string }>(
      `INSERT INTO tenants (name, domain, main_number)
       VALUES ('Fjellvann AS', 'fjellvann.sentral.invalid', '+4722000000') RETURNING id`,
    );
    await db.query(
      `INSERT INTO users (tenant_id, username, first_name, last_name, role, password_hash)
       VALUES ($1, 'fjell.admin', 'Fjell', 'Admin', 'admin', $2)`,
      [t?.id, await hashPassword('other1234')],
    );
    await db.query(`INSERT INTO departments (tenant_id, name) VALUES ($1, 'Drift')`, [t?.id]);
    await core.core.people.refreshTenants();
    const other = await RawApiClient.connect(core.wsUrl);
    opened.push(other);
    await loginEnrolled(other, 'fjell.admin', 'other1234');

    const theirs = (await cmd(other, 'departments.list')).result.departments as Department[];
    expect(theirs.map((d) => d.name)).toEqual(['Drift']);

    const before = await departments();
    const salg = before.find((d) => d.name === 'Salg');
    expect(
      await cmd(other, 'department.save', {
        departmentId: salg?.id,
        name: 'Stolen',
        number: null,
        target: null,
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await cmd(other, 'department.delete', { departmentId: salg?.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // A target in another company does not exist for them.
    expect(
      await cmd(other, 'department.save', {
        name: 'Omvei',
        number: '+4722000050',
        target: { kind: 'queue', id: queueIds.get('Salg') },
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // The same number in two companies is two numbers.
    expect(
      await cmd(other, 'department.save', { name: 'Salg', number: '+4721000010', target: null }),
    ).toMatchObject({ ok: true });
    expect(await departments()).toEqual(before);
  });
});
