/**
 * Queues, answer groups, the VIP list, records and statistics: the same tests on
 * PGlite (switchboard.test.ts) and a real PostgreSQL (switchboard-postgres.test.ts).
 * The database must hold the seeded demo company; every other check makes tenants of
 * its own, so tests do not depend on each other's data.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { StoreError } from '../../../src/server/store/errors';
import { loadMigrations } from '../../../src/server/store/migrate';
import { QueueRepository, matchesVip, normaliseVipPattern } from '../../../src/server/store/queues';
import type { CallOutcome, NewCallRecord } from '../../../src/server/store/records';
import { RecordsRepository } from '../../../src/server/store/records';
import { DEMO_QUEUES, DEMO_TENANT } from '../../../src/server/store/seed';
import { StatisticsRepository } from '../../../src/server/store/statistics';

export interface SeededStore {
  db: Db;
  /** The demo tenant. */
  tenantId: string;
}

interface TestTenant {
  tenantId: string;
  /** Users with extensions 2001, 2002, … in order. */
  userIds: string[];
}

async function createTenant(
  db: Db,
  userCount = 4,
  mainNumber: string | null = null,
): Promise<TestTenant> {
  const [tenant] = await db.query<{ id: string }>(
    'INSERT INTO tenants (name, domain, main_number) VALUES ($1, $2, $3) RETURNING id',
    ['Test AS', `t-${randomUUID()}.invalid`, mainNumber],
  );
  if (!tenant) throw new Error('no tenant');
  const userIds: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const [user] = await db.query<{ id: string }>(
      `INSERT INTO users (tenant_id, username, first_name, last_name, extension)
       VALUES ($1, $2, $3, 'Tester', $4) RETURNING id`,
      [
        tenant.id,
        `u${randomUUID().slice(0, 12)}`,
        `Agent${String.fromCharCode(65 + i)}`,
        `${2001 + i}`,
      ],
    );
    if (!user) throw new Error('no user');
    userIds.push(user.id);
  }
  return { tenantId: tenant.id, userIds };
}

function storeError(code: StoreError['code'], field?: string) {
  return expect.objectContaining({ name: 'StoreError', code, ...(field ? { field } : {}) });
}

const at = (iso: string) => new Date(iso);
const s = (seconds: number) => seconds * 1000;

export function describeSwitchboardStore(store: () => SeededStore): void {
  const db = () => store().db;
  const queues = () => new QueueRepository(db());
  const records = () => new RecordsRepository(db());
  const statistics = () => new StatisticsRepository(db());

  describe('migration 0002', () => {
    it('is applied and creates the queue, answer group, VIP and record tables', async () => {
      expect(loadMigrations().map((m) => m.name)).toContain('queues_and_records');
      const rows = await db().query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY ($1)
          ORDER BY tablename`,
        [
          [
            'answer_group_members',
            'answer_groups',
            'call_records',
            'queue_log',
            'queue_members',
            'queues',
            'vip_numbers',
          ],
        ],
      );
      expect(rows).toHaveLength(7);
    });

    it('refuses a target whose kind and column disagree, and a bad strategy', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await expect(
        db().query(
          `INSERT INTO queues (tenant_id, name, overflow_kind, overflow_number)
           VALUES ($1, 'X', 'queue', '+4722000000')`,
          [tenantId],
        ),
      ).rejects.toMatchObject({ code: '23514' });
      await expect(
        db().query(`INSERT INTO queues (tenant_id, name, strategy) VALUES ($1, 'Y', 'random')`, [
          tenantId,
        ]),
      ).rejects.toMatchObject({ code: '23514' });
    });

    it('refuses a second main queue in a tenant', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await db().query(`INSERT INTO queues (tenant_id, name, is_main) VALUES ($1, 'A', true)`, [
        tenantId,
      ]);
      await expect(
        db().query(`INSERT INTO queues (tenant_id, name, is_main) VALUES ($1, 'B', true)`, [
          tenantId,
        ]),
      ).rejects.toMatchObject({ code: '23505' });
    });

    it('refuses a queue log event outside the list', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await expect(
        db().query(`INSERT INTO queue_log (tenant_id, event) VALUES ($1, 'exploded')`, [tenantId]),
      ).rejects.toMatchObject({ code: '23514' });
    });
  });

  describe('the demo switchboard seed', () => {
    const usernames = async (ids: readonly string[]) => {
      const rows = await db().query<{ id: string; username: string }>(
        'SELECT id, username FROM users WHERE id = ANY ($1::uuid[])',
        [ids],
      );
      return ids.map((id) => rows.find((r) => r.id === id)?.username);
    };

    it('makes Sentralbord the main queue on the main number, with the operators first', async () => {
      const main = await queues().mainQueue(store().tenantId);
      expect(main).toMatchObject({
        name: 'Sentralbord',
        number: DEMO_TENANT.mainNumber,
        strategy: 'longest-idle',
        ringTimeoutS: 20,
        wrapUpS: 10,
        maxWaitS: 300,
        isMain: true,
      });
      expect(await usernames(main?.members ?? [])).toEqual([
        'kari.nordmann',
        'ase.strom',
        'live.asheim',
      ]);
      const kundeservice = (await queues().list(store().tenantId)).find(
        (q) => q.name === 'Kundeservice',
      );
      expect(main?.overflowTarget).toEqual({ kind: 'queue', id: kundeservice?.id });
    });

    it('creates Salg (round-robin) and Kundeservice (ring-all) with their departments', async () => {
      const list = await queues().list(store().tenantId);
      expect(list.map((q) => [q.name, q.number, q.strategy])).toEqual([
        ['Kundeservice', '+4721000030', 'ring-all'],
        ['Salg', '+4721000020', 'round-robin'],
        ['Sentralbord', '+4721000000', 'longest-idle'],
      ]);
      expect(DEMO_QUEUES).toHaveLength(3);
      const salg = list.find((q) => q.name === 'Salg');
      const members = await usernames(salg?.members ?? []);
      expect(members).toHaveLength(8);
      expect(members).toContain('ola.hansen');
      expect(list.find((q) => q.name === 'Kundeservice')?.members).toHaveLength(9);
    });

    it('creates the IT-support answer group on 1099, falling back to Sentralbord', async () => {
      const [group] = await queues().listAnswerGroups(store().tenantId);
      const main = await queues().mainQueue(store().tenantId);
      expect(group).toMatchObject({
        name: 'IT-support',
        number: '1099',
        mode: 'parallel',
        ringTimeoutS: 15,
        fallback: { kind: 'queue', id: main?.id },
      });
      expect(await usernames(group?.members ?? [])).toEqual([
        'jonas.strand',
        'mads.berntsen',
        'julie.fosse',
        'dag.ronning',
      ]);
    });

    it('fills the VIP list with a number and a prefix', async () => {
      expect((await queues().vipList(store().tenantId)).map((v) => v.pattern)).toEqual([
        '+4741*',
        '+4790000001',
      ]);
    });
  });

  describe('queues', () => {
    it('are created with every setting and their members in order, and read back', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const [a, b, c] = userIds;
      const other = await queues().create(tenantId, { name: 'Reserve', number: '+47 22 00 00 09' });
      const created = await queues().create(tenantId, {
        name: '  Hovedkø ',
        number: '22 00 00 01',
        strategy: 'serial',
        ringTimeoutS: 12,
        wrapUpS: 5,
        maxWaitS: 120,
        maxLength: 10,
        overflowTarget: { kind: 'queue', id: other.id },
        noAgentsTarget: { kind: 'number', id: '0047 915 00 000' },
        serviceLevelS: 30,
        autoPauseAfterMisses: 2,
        isMain: true,
        members: [c ?? '', a ?? '', b ?? ''],
      });
      expect(created).toMatchObject({
        tenantId,
        name: 'Hovedkø',
        number: '+4722000001',
        strategy: 'serial',
        ringTimeoutS: 12,
        wrapUpS: 5,
        maxWaitS: 120,
        maxLength: 10,
        overflowTarget: { kind: 'queue', id: other.id },
        noAgentsTarget: { kind: 'number', id: '+4791500000' },
        serviceLevelS: 30,
        autoPauseAfterMisses: 2,
        isMain: true,
        members: [c, a, b],
      });
      expect(await queues().get(tenantId, created.id)).toEqual(created);
      expect((await queues().list(tenantId)).map((q) => q.name)).toEqual(['Hovedkø', 'Reserve']);
      expect(await queues().mainQueue(tenantId)).toEqual(created);
    });

    it('take the schema defaults for what is left out', async () => {
      const { tenantId } = await createTenant(db(), 0);
      expect(await queues().create(tenantId, { name: 'Enkel' })).toMatchObject({
        number: null,
        strategy: 'ring-all',
        ringTimeoutS: 20,
        wrapUpS: 0,
        maxWaitS: null,
        maxLength: null,
        overflowTarget: null,
        noAgentsTarget: null,
        serviceLevelS: 20,
        autoPauseAfterMisses: null,
        isMain: false,
        members: [],
      });
    });

    it('update fields and replace members in one go, keeping what is not named', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const [a, b, c] = userIds as [string, string, string];
      const queue = await queues().create(tenantId, {
        name: 'Kø',
        number: '1200',
        strategy: 'ring-all',
        members: [a, b],
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const updated = await queues().update(tenantId, queue.id, {
        strategy: 'round-robin',
        maxWaitS: 60,
        overflowTarget: { kind: 'user', id: c },
        members: [b, c],
      });
      expect(updated).toMatchObject({
        name: 'Kø',
        number: '1200',
        strategy: 'round-robin',
        maxWaitS: 60,
        overflowTarget: { kind: 'user', id: c },
        members: [b, c],
      });
      expect(updated?.updatedAt.getTime()).toBeGreaterThan(queue.updatedAt.getTime());
      const cleared = await queues().update(tenantId, queue.id, {
        maxWaitS: null,
        overflowTarget: null,
        members: [],
      });
      expect(cleared).toMatchObject({ maxWaitS: null, overflowTarget: null, members: [] });
    });

    it('roll back the whole create when one member is not a user of the tenant', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const stranger = (await createTenant(db(), 1)).userIds[0] ?? '';
      await expect(
        queues().create(tenantId, { name: 'Halv', members: [userIds[0] ?? '', stranger] }),
      ).rejects.toEqual(storeError('invalid', 'members'));
      expect(await queues().list(tenantId)).toEqual([]);
      const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM queue_members WHERE tenant_id = $1',
        [tenantId],
      );
      expect(n).toBe(0);
    });

    it('roll back the whole update when one member is unknown', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const queue = await queues().create(tenantId, {
        name: 'Fast',
        strategy: 'serial',
        members: [userIds[0] ?? ''],
      });
      await expect(
        queues().update(tenantId, queue.id, {
          name: 'Endret',
          strategy: 'ring-all',
          members: [userIds[1] ?? '', randomUUID()],
        }),
      ).rejects.toEqual(storeError('invalid', 'members'));
      expect(await queues().get(tenantId, queue.id)).toEqual(queue);
    });

    it('refuse a member listed twice, a bad id, and bad settings, before writing', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const a = userIds[0] ?? '';
      await expect(queues().create(tenantId, { name: 'X', members: [a, a] })).rejects.toEqual(
        storeError('invalid', 'members'),
      );
      await expect(queues().create(tenantId, { name: 'X', members: ['1001'] })).rejects.toEqual(
        storeError('invalid', 'members'),
      );
      await expect(queues().create(tenantId, { name: ' ' })).rejects.toEqual(
        storeError('invalid', 'name'),
      );
      await expect(queues().create(tenantId, { name: 'X', ringTimeoutS: 0 })).rejects.toEqual(
        storeError('invalid', 'ringTimeoutS'),
      );
      await expect(queues().create(tenantId, { name: 'X', wrapUpS: 1.5 })).rejects.toEqual(
        storeError('invalid', 'wrapUpS'),
      );
      await expect(
        queues().create(tenantId, { name: 'X', strategy: 'random' as 'serial' }),
      ).rejects.toEqual(storeError('invalid', 'strategy'));
      await expect(queues().create(tenantId, { name: 'X', number: 'sentralbord' })).rejects.toEqual(
        storeError('invalid', 'number'),
      );
      await expect(
        queues().create(tenantId, { name: 'X', overflowTarget: { kind: 'number', id: '12' } }),
      ).rejects.toEqual(storeError('invalid', 'overflowTarget'));
      await expect(
        queues().create(tenantId, {
          name: 'X',
          overflowTarget: { kind: 'elsewhere' as 'queue', id: randomUUID() },
        }),
      ).rejects.toEqual(storeError('invalid', 'overflowTarget'));
      expect(await queues().list(tenantId)).toEqual([]);
    });

    it("refuse a target in another tenant's queue", async () => {
      const { tenantId } = await createTenant(db(), 0);
      const other = await createTenant(db(), 0);
      const theirs = await queues().create(other.tenantId, { name: 'Deres' });
      await expect(
        queues().create(tenantId, {
          name: 'Vår',
          overflowTarget: { kind: 'queue', id: theirs.id },
        }),
      ).rejects.toEqual(storeError('invalid'));
      expect(await queues().list(tenantId)).toEqual([]);
    });

    it('refuse a name or number already taken in the tenant, but not in another', async () => {
      const { tenantId } = await createTenant(db());
      const other = await createTenant(db(), 0);
      await queues().create(tenantId, { name: 'Salg', number: '+47 22 00 00 20' });
      await expect(queues().create(tenantId, { name: 'Salg' })).rejects.toEqual(
        storeError('conflict'),
      );
      await expect(
        queues().create(tenantId, { name: 'Salg 2', number: '22000020' }),
      ).rejects.toEqual(storeError('conflict'));
      await expect(
        queues().createAnswerGroup(tenantId, { name: 'Gruppe', number: '0047 22 00 00 20' }),
      ).rejects.toEqual(storeError('conflict', 'number'));
      // 2001 is the first user's extension.
      await expect(queues().create(tenantId, { name: 'Kort', number: '2001' })).rejects.toEqual(
        storeError('conflict', 'number'),
      );
      await expect(
        queues().create(other.tenantId, { name: 'Salg', number: '+4722000020' }),
      ).resolves.toMatchObject({ number: '+4722000020' });
    });

    it('hand the main mark over when another queue becomes main', async () => {
      const { tenantId } = await createTenant(db(), 0);
      const first = await queues().create(tenantId, { name: 'Første', isMain: true });
      const second = await queues().create(tenantId, { name: 'Andre' });
      await queues().update(tenantId, second.id, { isMain: true });
      expect((await queues().mainQueue(tenantId))?.id).toBe(second.id);
      expect((await queues().get(tenantId, first.id))?.isMain).toBe(false);
    });

    it('are deleted with their members; a queue still some target is in use', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const target = await queues().create(tenantId, { name: 'Mål', members: userIds });
      const source = await queues().create(tenantId, {
        name: 'Kilde',
        noAgentsTarget: { kind: 'queue', id: target.id },
      });
      await expect(queues().delete(tenantId, target.id)).rejects.toEqual(storeError('in_use'));
      expect(await queues().delete(tenantId, source.id)).toBe(true);
      expect(await queues().delete(tenantId, target.id)).toBe(true);
      expect(await queues().get(tenantId, target.id)).toBeNull();
      expect(await queues().delete(tenantId, target.id)).toBe(false);
      const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM queue_members WHERE tenant_id = $1',
        [tenantId],
      );
      expect(n).toBe(0);
    });

    it('lose a member whose user is deleted', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const queue = await queues().create(tenantId, { name: 'Kø', members: userIds });
      await db().query('DELETE FROM users WHERE id = $1', [userIds[1]]);
      expect((await queues().get(tenantId, queue.id))?.members).toEqual([
        userIds[0],
        userIds[2],
        userIds[3],
      ]);
    });
  });

  describe('answer groups', () => {
    it('are created, updated and deleted with their members', async () => {
      const { tenantId, userIds } = await createTenant(db());
      const [a, b, c] = userIds as [string, string, string];
      const queue = await queues().create(tenantId, { name: 'Kø' });
      const group = await queues().createAnswerGroup(tenantId, {
        name: 'Support',
        number: '1099',
        mode: 'serial',
        ringTimeoutS: 10,
        fallback: { kind: 'queue', id: queue.id },
        members: [b, a],
      });
      expect(group).toMatchObject({
        name: 'Support',
        number: '1099',
        mode: 'serial',
        ringTimeoutS: 10,
        fallback: { kind: 'queue', id: queue.id },
        members: [b, a],
      });
      const updated = await queues().updateAnswerGroup(tenantId, group.id, {
        mode: 'parallel',
        fallback: { kind: 'number', id: '+47 22 33 44 55' },
        members: [c],
      });
      expect(updated).toMatchObject({
        mode: 'parallel',
        ringTimeoutS: 10,
        fallback: { kind: 'number', id: '+4722334455' },
        members: [c],
      });
      expect(await queues().listAnswerGroups(tenantId)).toEqual([updated]);
      await expect(
        queues().updateAnswerGroup(tenantId, group.id, { members: [a, randomUUID()] }),
      ).rejects.toEqual(storeError('invalid', 'members'));
      expect(await queues().getAnswerGroup(tenantId, group.id)).toEqual(updated);
      // A queue overflowing to the group keeps it from being deleted.
      await queues().update(tenantId, queue.id, {
        overflowTarget: { kind: 'answer-group', id: group.id },
      });
      await expect(queues().deleteAnswerGroup(tenantId, group.id)).rejects.toEqual(
        storeError('in_use'),
      );
      await queues().update(tenantId, queue.id, { overflowTarget: null });
      expect(await queues().deleteAnswerGroup(tenantId, group.id)).toBe(true);
      expect(await queues().listAnswerGroups(tenantId)).toEqual([]);
    });

    it('refuse a number a queue of the tenant already has', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await queues().create(tenantId, { name: 'Kø', number: '1500' });
      await expect(
        queues().createAnswerGroup(tenantId, { name: 'Gruppe', number: '1500' }),
      ).rejects.toEqual(storeError('conflict', 'number'));
    });
  });

  describe('the VIP list', () => {
    it('normalises numbers and prefixes written in any form', () => {
      expect(normaliseVipPattern('900 00 001')).toBe('+4790000001');
      expect(normaliseVipPattern('+47 900 00 001')).toBe('+4790000001');
      expect(normaliseVipPattern('tel:+4790000001')).toBe('+4790000001');
      expect(normaliseVipPattern('+47 41*')).toBe('+4741*');
      expect(normaliseVipPattern('004741*')).toBe('+4741*');
      expect(normaliseVipPattern('41*')).toBe('+4741*');
      expect(normaliseVipPattern('+46*')).toBe('+46*');
    });

    it.each([['abc'], ['+47 41'], ['*'], ['+*'], ['+0*'], ['41a*'], ['12'], ['']])(
      'refuses %j',
      (pattern) => {
        expect(() => normaliseVipPattern(pattern)).toThrow(StoreError);
      },
    );

    it('replaces the list, collapsing duplicates and keeping labels', async () => {
      const { tenantId } = await createTenant(db(), 0);
      const stored = await queues().setVipList(tenantId, [
        { pattern: '+47 900 00 001', label: ' Styreleder ' },
        '90000001',
        '41*',
        { pattern: '+46*', label: '' },
      ]);
      expect(stored).toEqual([
        { pattern: '+46*', label: null },
        { pattern: '+4741*', label: null },
        { pattern: '+4790000001', label: 'Styreleder' },
      ]);
      expect(await queues().vipList(tenantId)).toEqual(stored);
      expect(await queues().setVipList(tenantId, ['+4791234567'])).toEqual([
        { pattern: '+4791234567', label: null },
      ]);
    });

    it('keeps the old list when one entry is invalid', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await queues().setVipList(tenantId, ['+4790000001']);
      await expect(queues().setVipList(tenantId, ['+4741*', 'not a number'])).rejects.toEqual(
        storeError('invalid', 'pattern'),
      );
      expect((await queues().vipList(tenantId)).map((v) => v.pattern)).toEqual(['+4790000001']);
    });

    it('matches callers by exact number or prefix, in any written form', () => {
      const patterns = ['+4790000001', '+4741*'];
      expect(matchesVip(patterns, '900 00 001')).toBe(true);
      expect(matchesVip(patterns, 'sip:+4741234567@trunk')).toBe(true);
      expect(matchesVip(patterns, '0047 41 23 45 67')).toBe(true);
      expect(matchesVip(patterns, '+4790000002')).toBe(false);
      expect(matchesVip(patterns, '1001')).toBe(false);
      expect(matchesVip(patterns, 'anonymous')).toBe(false);
    });
  });

  describe('findByNumber', () => {
    const find = (dialled: string) => queues().findByNumber(store().tenantId, dialled);
    const idOf = async (name: string) =>
      (await queues().list(store().tenantId)).find((q) => q.name === name)?.id;

    it.each([
      ['+47 21 00 00 00'],
      ['+4721000000'],
      ['21000000'],
      ['21 00 00 00'],
      ['0047 21000000'],
      ['4721000000'],
      ['sip:+4721000000@nordlys.sentral.invalid;user=phone'],
      ['tel:+47-21-00-00-00'],
      ['"Nordlys" <sip:21000000@nordlys.sentral.invalid>'],
    ])('finds the main queue from %j', async (dialled) => {
      expect(await find(dialled)).toEqual({ kind: 'queue', id: await idOf('Sentralbord') });
    });

    it('finds Salg and Kundeservice on their (department) numbers', async () => {
      expect(await find('21 00 00 20')).toEqual({ kind: 'queue', id: await idOf('Salg') });
      expect(await find('0047 21 00 00 30')).toEqual({
        kind: 'queue',
        id: await idOf('Kundeservice'),
      });
    });

    it('finds the answer group on its short number', async () => {
      const [group] = await queues().listAnswerGroups(store().tenantId);
      expect(await find('1099')).toEqual({ kind: 'answer-group', id: group?.id });
      expect(await find('sip:1099@nordlys.sentral.invalid')).toEqual({
        kind: 'answer-group',
        id: group?.id,
      });
    });

    it('finds nothing for a number no queue or group has, or a user has', async () => {
      // The Sentralbord department's own number is directory information only.
      expect(await find('+47 21 00 00 10')).toBeNull();
      expect(await find('1001')).toBeNull();
      expect(await find('kari.nordmann')).toBeNull();
      expect(await find('')).toBeNull();
    });

    it("leads the tenant's main number to the main queue even on another number", async () => {
      const { tenantId } = await createTenant(db(), 0, '+4723000000');
      const main = await queues().create(tenantId, { name: 'Hoved', number: '1000', isMain: true });
      expect(await queues().findByNumber(tenantId, '23 00 00 00')).toEqual({
        kind: 'queue',
        id: main.id,
      });
      expect(await queues().findByNumber(tenantId, '1000')).toEqual({ kind: 'queue', id: main.id });
    });
  });

  describe('tenant isolation', () => {
    it("gives tenant B nothing of tenant A's queues, groups, VIP list and records", async () => {
      const a = await createTenant(db(), 2);
      const b = await createTenant(db(), 1);
      const queue = await queues().create(a.tenantId, {
        name: 'A-kø',
        number: '+4722000099',
        members: a.userIds,
      });
      const group = await queues().createAnswerGroup(a.tenantId, {
        name: 'A-gruppe',
        number: '1400',
      });
      await queues().setVipList(a.tenantId, ['+4790000001']);
      const recordId = await records().insertCallRecord({
        tenantId: a.tenantId,
        callId: 'iso-1',
        leg: 'inbound',
        direction: 'incoming',
        callerNumber: '+4791111111',
        queueId: queue.id,
        userId: a.userIds[0] ?? null,
        answeredAt: new Date(),
        waitMs: 1000,
      });

      expect(await queues().list(b.tenantId)).toEqual([]);
      expect(await queues().get(b.tenantId, queue.id)).toBeNull();
      expect(await queues().update(b.tenantId, queue.id, { name: 'Stjålet' })).toBeNull();
      expect(await queues().delete(b.tenantId, queue.id)).toBe(false);
      expect(await queues().getAnswerGroup(b.tenantId, group.id)).toBeNull();
      expect(await queues().updateAnswerGroup(b.tenantId, group.id, { name: 'X' })).toBeNull();
      expect(await queues().deleteAnswerGroup(b.tenantId, group.id)).toBe(false);
      expect(await queues().findByNumber(b.tenantId, '+4722000099')).toBeNull();
      expect(await queues().findByNumber(b.tenantId, '1400')).toBeNull();
      expect(await queues().vipList(b.tenantId)).toEqual([]);
      expect(await queues().mainQueue(b.tenantId)).toBeNull();

      expect(await records().getCallRecord(b.tenantId, recordId)).toBeNull();
      expect(await records().updateCallRecord(b.tenantId, recordId, { outcome: 'failed' })).toBe(
        false,
      );
      expect(await records().queueHistory(b.tenantId, '+4791111111')).toEqual([]);
      const range = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
      expect(await statistics().queueStatistics(b.tenantId, range)).toEqual([]);
      expect(await statistics().agentStatistics(b.tenantId, range)).toEqual([]);
      expect(await statistics().hourlyVolume(b.tenantId, range)).toEqual([]);

      // A's things are untouched, and A sees them.
      expect((await queues().get(a.tenantId, queue.id))?.name).toBe('A-kø');
      expect((await records().getCallRecord(a.tenantId, recordId))?.outcome).toBeNull();
      expect(await records().queueHistory(a.tenantId, '91111111')).toHaveLength(1);
      expect((await statistics().queueStatistics(a.tenantId, range))[0]).toMatchObject({
        offered: 1,
        answered: 1,
      });
    });

    it("refuses records of tenant B pointing at tenant A's queue or user", async () => {
      const a = await createTenant(db(), 1);
      const b = await createTenant(db(), 1);
      const queue = await queues().create(a.tenantId, { name: 'A-kø' });
      await expect(
        records().insertCallRecord({
          tenantId: b.tenantId,
          callId: 'iso-2',
          leg: 'inbound',
          direction: 'incoming',
          queueId: queue.id,
        }),
      ).rejects.toEqual(storeError('invalid'));
      await expect(
        records().appendQueueEvents([
          { tenantId: b.tenantId, event: 'joined', callId: 'iso-3', queueId: null },
          { tenantId: b.tenantId, event: 'offered', callId: 'iso-3', agentId: a.userIds[0] },
        ]),
      ).rejects.toEqual(storeError('invalid'));
      const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM queue_log WHERE tenant_id = $1',
        [b.tenantId],
      );
      expect(n).toBe(0);
      const ownId = await records().insertCallRecord({
        tenantId: b.tenantId,
        callId: 'iso-4',
        leg: 'outbound',
        direction: 'incoming',
      });
      await expect(
        records().updateCallRecord(b.tenantId, ownId, { userId: a.userIds[0] ?? null }),
      ).rejects.toEqual(storeError('invalid'));
    });
  });

  describe('records', () => {
    it('append queue events in one insert, with details and normalised numbers', async () => {
      const { tenantId, userIds } = await createTenant(db(), 1);
      const queue = await queues().create(tenantId, { name: 'Kø' });
      const agentId = userIds[0] ?? '';
      await records().appendQueueEvents([
        {
          tenantId,
          event: 'joined',
          at: at('2025-01-06T09:00:00Z'),
          callId: 'c1',
          queueId: queue.id,
          callerNumber: '+47 915 00 000',
        },
        {
          tenantId,
          event: 'offered',
          at: at('2025-01-06T09:00:02Z'),
          callId: 'c1',
          queueId: queue.id,
          agentId,
        },
        {
          tenantId,
          event: 'agent_pause',
          at: at('2025-01-06T09:00:03Z'),
          agentId,
          data: { reason: 'lunch', æøå: ['ok'] },
        },
        {
          tenantId,
          event: 'answered',
          at: at('2025-01-06T09:00:05Z'),
          callId: 'c1',
          queueId: queue.id,
          agentId,
          waitMs: 5000,
        },
      ]);
      await records().appendQueueEvents([]);
      const rows = await db().query<{
        event: string;
        at: Date;
        caller_number: string | null;
        data: unknown;
        wait_ms: number | null;
      }>(
        'SELECT event, at, caller_number, data, wait_ms FROM queue_log WHERE tenant_id = $1 ORDER BY id',
        [tenantId],
      );
      expect(rows.map((r) => r.event)).toEqual(['joined', 'offered', 'agent_pause', 'answered']);
      expect(rows[0]).toMatchObject({
        caller_number: '+4791500000',
        at: at('2025-01-06T09:00:00Z'),
      });
      expect(rows[2]?.data).toEqual({ reason: 'lunch', æøå: ['ok'] });
      expect(rows[3]?.wait_ms).toBe(5000);
    });

    it('refuse a whole batch when one event is malformed', async () => {
      const { tenantId } = await createTenant(db(), 0);
      await expect(
        records().appendQueueEvents([
          { tenantId, event: 'joined', callId: 'x' },
          { tenantId, event: 'vanished' as 'joined', callId: 'x' },
        ]),
      ).rejects.toEqual(storeError('invalid', 'event'));
      await expect(
        records().appendQueueEvents([{ tenantId, event: 'joined', waitMs: -1 }]),
      ).rejects.toEqual(storeError('invalid', 'waitMs'));
      const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM queue_log WHERE tenant_id = $1',
        [tenantId],
      );
      expect(n).toBe(0);
    });

    it('insert a call record at the start and complete it at the end', async () => {
      const { tenantId, userIds } = await createTenant(db(), 2);
      const queue = await queues().create(tenantId, { name: 'Kø' });
      const id = await records().insertCallRecord({
        tenantId,
        callId: 'call-1',
        leg: 'inbound',
        direction: 'incoming',
        startedAt: at('2025-01-06T09:00:00Z'),
        callerNumber: 'sip:004791500000@trunk',
        callerName: 'Ola <b>',
        calleeNumber: '21 00 00 00',
        queueId: queue.id,
      });
      expect(await records().getCallRecord(tenantId, id)).toMatchObject({
        id,
        tenantId,
        callId: 'call-1',
        callerNumber: '+4791500000',
        callerName: 'Ola <b>',
        calleeNumber: '+4721000000',
        answeredAt: null,
        outcome: null,
        recall: false,
      });
      expect(
        await records().updateCallRecord(tenantId, id, {
          answeredAt: at('2025-01-06T09:00:12Z'),
          userId: userIds[0] ?? null,
          waitMs: 12_000,
        }),
      ).toBe(true);
      expect(
        await records().updateCallRecord(tenantId, id, {
          endedAt: at('2025-01-06T09:01:12Z'),
          talkMs: 60_000,
          outcome: 'transferred',
          transferredTo: 'sip:2002@host',
          transferredBy: userIds[0] ?? null,
        }),
      ).toBe(true);
      expect(await records().getCallRecord(tenantId, id)).toMatchObject({
        answeredAt: at('2025-01-06T09:00:12Z'),
        endedAt: at('2025-01-06T09:01:12Z'),
        userId: userIds[0],
        waitMs: 12_000,
        talkMs: 60_000,
        outcome: 'transferred',
        transferredTo: '2002',
        transferredBy: userIds[0],
      });
      expect(await records().updateCallRecord(tenantId, randomUUID(), { talkMs: 1 })).toBe(false);
      await expect(
        records().updateCallRecord(tenantId, id, { outcome: 'exploded' as CallOutcome }),
      ).rejects.toEqual(storeError('invalid', 'outcome'));
      await expect(records().updateCallRecord(tenantId, id, { tenantId } as never)).rejects.toEqual(
        storeError('invalid'),
      );
    });

    it('insert several call records in one statement, all or none', async () => {
      const { tenantId, userIds } = await createTenant(db(), 1);
      const base = { tenantId, callId: 'multi', direction: 'incoming' as const };
      const ids = await records().insertCallRecords([
        {
          ...base,
          leg: 'inbound',
          callerNumber: '915 00 000',
          startedAt: at('2025-01-06T09:00:00Z'),
        },
        { ...base, leg: 'outbound', userId: userIds[0] ?? null, outcome: 'no_answer' },
      ]);
      expect(ids).toHaveLength(2);
      expect(await records().getCallRecord(tenantId, ids[0] ?? '')).toMatchObject({
        leg: 'inbound',
        callerNumber: '+4791500000',
        startedAt: at('2025-01-06T09:00:00Z'),
        recall: false,
      });
      expect(await records().getCallRecord(tenantId, ids[1] ?? '')).toMatchObject({
        leg: 'outbound',
        userId: userIds[0],
        outcome: 'no_answer',
      });
      expect(await records().insertCallRecords([])).toEqual([]);
      await expect(
        records().insertCallRecords([
          { ...base, leg: 'inbound', callId: 'lost' },
          { ...base, leg: 'inbound', callId: 'lost', userId: randomUUID() },
        ]),
      ).rejects.toEqual(storeError('invalid'));
      const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
        "SELECT count(*)::int AS n FROM call_records WHERE tenant_id = $1 AND call_id = 'lost'",
        [tenantId],
      );
      expect(n).toBe(0);
    });

    it('keep their rows when the user or queue is deleted, without the reference', async () => {
      const { tenantId, userIds } = await createTenant(db(), 1);
      const queue = await queues().create(tenantId, { name: 'Borte', members: userIds });
      const id = await records().insertCallRecord({
        tenantId,
        callId: 'gone',
        leg: 'inbound',
        direction: 'incoming',
        queueId: queue.id,
        userId: userIds[0] ?? null,
        transferredBy: userIds[0] ?? null,
      });
      await records().appendQueueEvents([
        { tenantId, event: 'agent_login', queueId: queue.id, agentId: userIds[0] ?? null },
      ]);
      await db().query('DELETE FROM users WHERE id = $1', [userIds[0]]);
      expect(await queues().delete(tenantId, queue.id)).toBe(true);
      expect(await records().getCallRecord(tenantId, id)).toMatchObject({
        tenantId,
        userId: null,
        queueId: null,
        transferredBy: null,
      });
      const log = await db().query(
        'SELECT queue_id, agent_id FROM queue_log WHERE tenant_id = $1',
        [tenantId],
      );
      expect(log).toEqual([{ queue_id: null, agent_id: null }]);
      await db().query('DELETE FROM tenants WHERE id = $1', [tenantId]);
      expect(await records().getCallRecord(tenantId, id)).toBeNull();
    });

    it("give a caller's history newest first, with who answered and where it went", async () => {
      const { tenantId, userIds } = await createTenant(db(), 2);
      const [kari, ola] = userIds as [string, string];
      const main = await queues().create(tenantId, { name: 'Sentralbord', number: '+4722000000' });
      const salg = await queues().create(tenantId, { name: 'Salg', number: '+4722000020' });
      const caller = '+4791500000';
      const insert = (r: Omit<NewCallRecord, 'tenantId' | 'leg' | 'direction'>) =>
        records().insertCallRecord({ tenantId, leg: 'inbound', direction: 'incoming', ...r });
      await insert({
        callId: 'h1',
        startedAt: at('2025-01-06T09:00:00Z'),
        callerNumber: caller,
        queueId: main.id,
        answeredAt: at('2025-01-06T09:00:10Z'),
        userId: kari,
        waitMs: 10_000,
        talkMs: 30_000,
        outcome: 'transferred',
        transferredTo: '2002',
        transferredBy: kari,
      });
      await insert({
        callId: 'h2',
        startedAt: at('2025-01-07T10:00:00Z'),
        callerNumber: '915 00 000',
        queueId: main.id,
        waitMs: 300_000,
        outcome: 'overflow',
        overflowQueueId: salg.id,
      });
      await insert({
        callId: 'h2',
        startedAt: at('2025-01-07T10:05:00Z'),
        callerNumber: caller,
        queueId: salg.id,
        answeredAt: at('2025-01-07T10:05:03Z'),
        userId: ola,
        waitMs: 3_000,
        outcome: 'answered',
      });
      await insert({
        callId: 'h3',
        startedAt: at('2025-01-08T08:00:00Z'),
        callerNumber: caller,
        queueId: salg.id,
        waitMs: 4_000,
        outcome: 'transferred',
        transferredTo: '+47 22 00 00 00',
        transferredBy: ola,
      });
      // Another caller, an outgoing call to the caller, and another tenant: not in it.
      await insert({ callId: 'x1', callerNumber: '+4791500001', queueId: main.id });
      await records().insertCallRecord({
        tenantId,
        callId: 'x2',
        leg: 'inbound',
        direction: 'outgoing',
        userId: kari,
        callerNumber: '2001',
        calleeNumber: caller,
      });

      const history = await records().queueHistory(tenantId, '0047 915 00 000');
      expect(history.map((h) => [h.callId, h.queueName, h.outcome])).toEqual([
        ['h3', 'Salg', 'transferred'],
        ['h2', 'Salg', 'answered'],
        ['h2', 'Sentralbord', 'overflow'],
        ['h1', 'Sentralbord', 'transferred'],
      ]);
      expect(history[3]).toMatchObject({
        userId: kari,
        userName: 'AgentA Tester',
        waitMs: 10_000,
        talkMs: 30_000,
        transferredTo: '2002',
        transferredToName: 'AgentB Tester',
        transferredByName: 'AgentA Tester',
      });
      expect(history[2]).toMatchObject({ overflowQueueName: 'Salg', userName: null });
      expect(history[1]).toMatchObject({ userName: 'AgentB Tester' });
      expect(history[0]).toMatchObject({
        transferredTo: '+4722000000',
        transferredToName: 'Sentralbord',
        transferredByName: 'AgentB Tester',
      });
      expect(await records().queueHistory(tenantId, caller, 2)).toEqual(history.slice(0, 2));
      expect(await records().queueHistory(tenantId, '+4799999999')).toEqual([]);
    });
  });

  describe('statistics', () => {
    // One morning in queue Q (service level 20 s) with ten callers, one of whom overflows
    // to R after 300 s; agents A, B, C; D only takes an internal call. Times in UTC.
    //
    //  visit  joined  answered by     wait  talk  outcome                offers (outbound legs)
    //  c1     08:00   A               5 s   60 s  answered               A answered, B cancelled
    //  c2     08:10   A              10 s  120 s  answered               A answered
    //  c3     08:20   B              15 s   30 s  answered               A no_answer, B answered
    //  c4     08:40   B              20 s   90 s  transferred by B → A   B answered
    //  c5     09:05   C (pick)       18 s   47 s  answered               C answered
    //  c6     09:15   A              25 s  150 s  answered               B rejected, A answered
    //  c7     09:30   B              40 s  105 s  transferred by B → ext B answered
    //  c8     09:45   —              30 s         abandoned              A no_answer, C cancelled
    //  c9     10:00   —              50 s         abandoned              —
    //  c10    10:30   —             300 s         overflow → R           A no_answer, B busy
    //  c10 R  10:35   C               4 s   20 s  answered               C answered
    //
    // Q: 10 offered, 7 answered (5 within 20 s), 2 abandoned, 1 overflow, 2 transferred;
    //    waits of answered 5+10+15+20+18+25+40 = 133 s / 7 = 19 s; longest 300 s;
    //    talk 60+120+30+90+47+150+105 = 602 s / 7 = 86 s.
    const from = at('2025-03-10T08:00:00Z');
    const to = at('2025-03-10T11:00:00Z');

    interface Scripted {
      tenantId: string;
      q: string;
      r: string;
      idle: string;
      agents: { a: string; b: string; c: string; d: string };
    }

    async function script(): Promise<Scripted> {
      const { tenantId, userIds } = await createTenant(db(), 4);
      const [a, b, c, d] = userIds as [string, string, string, string];
      const r = await queues().create(tenantId, { name: 'R-kø', serviceLevelS: 20 });
      const q = await queues().create(tenantId, {
        name: 'Q-kø',
        serviceLevelS: 20,
        overflowTarget: { kind: 'queue', id: r.id },
        members: [a, b, c],
      });
      const idle = await queues().create(tenantId, { name: 'S-kø' });
      const rows: NewCallRecord[] = [];
      const visit = (
        callId: string,
        joined: string,
        queueId: string,
        waitS: number,
        end: { by?: string; talkS?: number; outcome: CallOutcome; transferredBy?: string },
        extra: Partial<NewCallRecord> = {},
      ) => {
        const startedAt = at(`2025-03-10T${joined}:00Z`);
        const answeredAt = end.by ? new Date(startedAt.getTime() + s(waitS)) : null;
        rows.push({
          tenantId,
          callId,
          leg: 'inbound',
          direction: 'incoming',
          startedAt,
          answeredAt,
          endedAt: new Date(startedAt.getTime() + s(waitS + (end.talkS ?? 0))),
          callerNumber: `+479150${callId.replace(/\D/g, '').padStart(4, '0')}`,
          userId: end.by ?? null,
          queueId,
          waitMs: s(waitS),
          talkMs: end.talkS === undefined ? null : s(end.talkS),
          outcome: end.outcome,
          transferredBy: end.transferredBy ?? null,
          transferredTo: end.transferredBy ? '2001' : null,
          ...extra,
        });
      };
      const offer = (
        callId: string,
        joined: string,
        queueId: string,
        userId: string,
        outcome: CallOutcome,
      ) =>
        rows.push({
          tenantId,
          callId,
          leg: 'outbound',
          direction: 'incoming',
          startedAt: at(`2025-03-10T${joined}:01Z`),
          userId,
          queueId,
          outcome,
        });

      visit('c1', '08:00', q.id, 5, { by: a, talkS: 60, outcome: 'answered' });
      offer('c1', '08:00', q.id, a, 'answered');
      offer('c1', '08:00', q.id, b, 'cancelled');
      visit('c2', '08:10', q.id, 10, { by: a, talkS: 120, outcome: 'answered' });
      offer('c2', '08:10', q.id, a, 'answered');
      visit('c3', '08:20', q.id, 15, { by: b, talkS: 30, outcome: 'answered' });
      offer('c3', '08:20', q.id, a, 'no_answer');
      offer('c3', '08:20', q.id, b, 'answered');
      visit('c4', '08:40', q.id, 20, {
        by: b,
        talkS: 90,
        outcome: 'transferred',
        transferredBy: b,
      });
      offer('c4', '08:40', q.id, b, 'answered');
      // The transferred call rings A directly: not a queue offer, not a transfer by A.
      rows.push({
        tenantId,
        callId: 'c4',
        leg: 'outbound',
        direction: 'incoming',
        startedAt: at('2025-03-10T08:41:50Z'),
        userId: a,
        transferredBy: b,
        outcome: 'answered',
      });
      visit('c5', '09:05', q.id, 18, { by: c, talkS: 47, outcome: 'answered' });
      offer('c5', '09:05', q.id, c, 'answered');
      visit('c6', '09:15', q.id, 25, { by: a, talkS: 150, outcome: 'answered' });
      offer('c6', '09:15', q.id, b, 'rejected');
      offer('c6', '09:15', q.id, a, 'answered');
      visit('c7', '09:30', q.id, 40, {
        by: b,
        talkS: 105,
        outcome: 'transferred',
        transferredBy: b,
      });
      offer('c7', '09:30', q.id, b, 'answered');
      visit('c8', '09:45', q.id, 30, { outcome: 'abandoned' });
      offer('c8', '09:45', q.id, a, 'no_answer');
      offer('c8', '09:45', q.id, c, 'cancelled');
      visit('c9', '10:00', q.id, 50, { outcome: 'abandoned' });
      visit('c10', '10:30', q.id, 300, { outcome: 'overflow' }, { overflowQueueId: r.id });
      offer('c10', '10:30', q.id, a, 'no_answer');
      offer('c10', '10:30', q.id, b, 'busy');
      visit('c10', '10:35', r.id, 4, { by: c, talkS: 20, outcome: 'answered' });
      offer('c10', '10:35', r.id, c, 'answered');
      // Outside the range: just before `from`, and exactly at `to`.
      visit('c0', '07:59', q.id, 1, { by: a, talkS: 1, outcome: 'answered' });
      visit('c11', '11:00', q.id, 1, { by: a, talkS: 1, outcome: 'answered' });
      // Outgoing calls: A twice, B once (user's leg inbound, trunk leg outbound without user).
      for (const [callId, user, time] of [
        ['o1', a, '08:30'],
        ['o2', a, '09:50'],
        ['o3', b, '10:10'],
      ] as const) {
        rows.push({
          tenantId,
          callId,
          leg: 'inbound',
          direction: 'outgoing',
          startedAt: at(`2025-03-10T${time}:00Z`),
          userId: user,
          calleeNumber: '+4722334455',
          outcome: 'answered',
        });
        rows.push({
          tenantId,
          callId,
          leg: 'outbound',
          direction: 'outgoing',
          startedAt: at(`2025-03-10T${time}:00Z`),
          calleeNumber: '+4722334455',
          outcome: 'answered',
        });
      }
      // An internal call A → D: neither outgoing nor an offer.
      rows.push({
        tenantId,
        callId: 'i1',
        leg: 'inbound',
        direction: 'internal',
        startedAt: at('2025-03-10T09:00:00Z'),
        userId: a,
        outcome: 'answered',
      });
      rows.push({
        tenantId,
        callId: 'i1',
        leg: 'outbound',
        direction: 'internal',
        startedAt: at('2025-03-10T09:00:00Z'),
        userId: d,
        outcome: 'answered',
      });
      // Half one by one, half in one statement: both paths give the same figures.
      const half = Math.floor(rows.length / 2);
      for (const row of rows.slice(0, half)) await records().insertCallRecord(row);
      await records().insertCallRecords(rows.slice(half));
      return { tenantId, q: q.id, r: r.id, idle: idle.id, agents: { a, b, c, d } };
    }

    let scripted: Promise<Scripted> | undefined;
    const scenario = () => (scripted ??= script());

    it('per queue match the scripted morning exactly', async () => {
      const { tenantId, q, r, idle } = await scenario();
      const stats = await statistics().queueStatistics(tenantId, { from, to });
      expect(stats.map((x) => x.queueName)).toEqual(['Q-kø', 'R-kø', 'S-kø']);
      expect(stats[0]).toEqual({
        queueId: q,
        queueName: 'Q-kø',
        serviceLevelS: 20,
        offered: 10,
        answered: 7,
        answeredWithinServiceLevel: 5,
        unanswered: 3,
        abandoned: 2,
        overflowed: 1,
        transferred: 2,
        recalls: 0,
        answerRate: 70,
        serviceLevel: 50,
        averageWaitMs: 19_000,
        longestWaitMs: 300_000,
        averageTalkMs: 86_000,
      });
      expect(stats[1]).toMatchObject({
        queueId: r,
        offered: 1,
        answered: 1,
        answeredWithinServiceLevel: 1,
        answerRate: 100,
        serviceLevel: 100,
        averageWaitMs: 4_000,
        longestWaitMs: 4_000,
        averageTalkMs: 20_000,
      });
      expect(stats[2]).toEqual({
        queueId: idle,
        queueName: 'S-kø',
        serviceLevelS: 20,
        offered: 0,
        answered: 0,
        answeredWithinServiceLevel: 0,
        unanswered: 0,
        abandoned: 0,
        overflowed: 0,
        transferred: 0,
        recalls: 0,
        answerRate: null,
        serviceLevel: null,
        averageWaitMs: null,
        longestWaitMs: null,
        averageTalkMs: null,
      });
    });

    it("measure the service level against each queue's own target", async () => {
      const { tenantId, q } = await scenario();
      await queues().update(tenantId, q, { serviceLevelS: 10 });
      try {
        const [stats] = await statistics().queueStatistics(tenantId, { from, to });
        // Answered within 10 s: c1 (5 s) and c2 (10 s).
        expect(stats).toMatchObject({ answeredWithinServiceLevel: 2, serviceLevel: 20 });
      } finally {
        await queues().update(tenantId, q, { serviceLevelS: 20 });
      }
    });

    it('per agent match the scripted morning exactly', async () => {
      const { tenantId, agents } = await scenario();
      const stats = await statistics().agentStatistics(tenantId, { from, to });
      expect(stats).toEqual([
        {
          userId: agents.a,
          displayName: 'AgentA Tester',
          offered: 6,
          answered: 3,
          answerRate: 50,
          averageWaitMs: 13_333,
          longestWaitMs: 25_000,
          averageTalkMs: 110_000,
          talkMs: 330_000,
          transferred: 0,
          outgoing: 2,
        },
        {
          userId: agents.b,
          displayName: 'AgentB Tester',
          offered: 5,
          answered: 3,
          answerRate: 60,
          averageWaitMs: 25_000,
          longestWaitMs: 40_000,
          averageTalkMs: 75_000,
          talkMs: 225_000,
          transferred: 2,
          outgoing: 1,
        },
        {
          userId: agents.c,
          displayName: 'AgentC Tester',
          offered: 2,
          answered: 2,
          answerRate: 100,
          averageWaitMs: 11_000,
          longestWaitMs: 18_000,
          averageTalkMs: 33_500,
          talkMs: 67_000,
          transferred: 0,
          outgoing: 0,
        },
      ]);
      const queueAnswered = (await statistics().queueStatistics(tenantId, { from, to })).reduce(
        (sum, x) => sum + x.answered,
        0,
      );
      expect(stats.reduce((sum, x) => sum + x.answered, 0)).toBe(queueAnswered);
    });

    it('count hourly volume per queue', async () => {
      const { tenantId, q, r } = await scenario();
      const hours = await statistics().hourlyVolume(tenantId, { from, to });
      const expected = [
        { queueId: q, hour: at('2025-03-10T08:00:00Z'), offered: 4, answered: 4, abandoned: 0 },
        { queueId: q, hour: at('2025-03-10T09:00:00Z'), offered: 4, answered: 3, abandoned: 1 },
        { queueId: q, hour: at('2025-03-10T10:00:00Z'), offered: 2, answered: 0, abandoned: 1 },
        { queueId: r, hour: at('2025-03-10T10:00:00Z'), offered: 1, answered: 1, abandoned: 0 },
      ].sort((x, y) => (x.queueId === y.queueId ? 0 : x.queueId < y.queueId ? -1 : 1));
      expect(hours).toEqual(expected);
      expect(await statistics().hourlyVolume(tenantId, { from, to }, 'Europe/Oslo')).toEqual(
        expected,
      );
    });

    it('cut hours in the given time zone', async () => {
      const { tenantId, q } = await scenario();
      // India is UTC+05:30: its hours start at half past in UTC.
      const hours = await statistics().hourlyVolume(tenantId, { from, to }, 'Asia/Kolkata');
      expect(hours.filter((h) => h.queueId === q).map((h) => [h.hour, h.offered])).toEqual([
        [at('2025-03-10T07:30:00Z'), 3],
        [at('2025-03-10T08:30:00Z'), 3],
        [at('2025-03-10T09:30:00Z'), 3],
        [at('2025-03-10T10:30:00Z'), 1],
      ]);
      await expect(
        statistics().hourlyVolume(tenantId, { from, to }, 'Mars/Olympus_Mons'),
      ).rejects.toEqual(storeError('invalid', 'timeZone'));
    });

    it('count only records started inside [from, to)', async () => {
      const { tenantId } = await scenario();
      const [morning] = await statistics().queueStatistics(tenantId, {
        from: at('2025-03-10T07:00:00Z'),
        to: at('2025-03-10T12:00:00Z'),
      });
      expect(morning?.offered).toBe(12);
      const [one] = await statistics().queueStatistics(tenantId, {
        from: at('2025-03-10T08:00:00Z'),
        to: at('2025-03-10T08:10:00Z'),
      });
      expect(one).toMatchObject({ offered: 1, answered: 1, averageWaitMs: 5_000 });
      await expect(statistics().queueStatistics(tenantId, { from: to, to: from })).rejects.toEqual(
        storeError('invalid', 'range'),
      );
    });
  });
}
