import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import { QueueRepository } from '../../../src/server/store/queues';
import {
  MEMO_MAX_ENTRIES,
  MEMO_TTL_MS,
  RoutingMemo,
  RoutingVersion,
} from '../../../src/server/store/routing-version';
import { seedDemoCompany } from '../../../src/server/store/seed';
import { UserRepository } from '../../../src/server/store/users';

describe('the routing version', () => {
  it('moves for writes that name a routing table, and only for those', () => {
    const v = new RoutingVersion();
    const moves = (sql: string) => {
      const before = v.value;
      v.note(sql);
      return v.value !== before;
    };
    expect(moves('UPDATE users SET extension = $2 WHERE id = $1')).toBe(true);
    expect(moves('INSERT INTO queues (id, tenant_id, name) VALUES ($1, $2, $3)')).toBe(true);
    expect(moves('DELETE FROM answer_groups WHERE id = $1')).toBe(true);
    expect(moves('update tenants set main_number = $2')).toBe(true);
    expect(moves('INSERT INTO departments (id) VALUES ($1)')).toBe(true);
    expect(moves('SELECT * FROM users WHERE id = $1')).toBe(false);
    expect(moves('INSERT INTO call_records (id) VALUES ($1)')).toBe(false);
    expect(moves('INSERT INTO queue_events (id) VALUES ($1)')).toBe(false);
    // A column named like a verb is not a write.
    expect(moves('SELECT updated_at, created_at FROM users')).toBe(false);
  });
});

describe('a routing memo', () => {
  it('answers again from memory while the version stands', async () => {
    const v = new RoutingVersion();
    const memo = new RoutingMemo<string>(() => v.value);
    let loads = 0;
    const load = () => Promise.resolve(`answer ${++loads}`);
    expect(await memo.get('1011', load)).toBe('answer 1');
    expect(await memo.get('1011', load)).toBe('answer 1');
    expect(await memo.get('1012', load)).toBe('answer 2');
    v.bump();
    expect(await memo.get('1011', load)).toBe('answer 3');
  });

  it('shares one load between concurrent lookups of a key', async () => {
    const memo = new RoutingMemo<number>(() => 0);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 7;
    };
    expect(await Promise.all([memo.get('k', load), memo.get('k', load)])).toEqual([7, 7]);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next lookup tries again', async () => {
    const memo = new RoutingMemo<number>(() => 0);
    await expect(memo.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(await memo.get('k', () => Promise.resolve(1))).toBe(1);
  });

  it('does not keep what was read while a write was under way', async () => {
    const v = new RoutingVersion();
    const memo = new RoutingMemo<string>(() => v.value);
    const stale = memo.get('k', async () => {
      v.bump(); // a write lands while the old row is being read
      return 'old';
    });
    expect(await stale).toBe('old');
    expect(await memo.get('k', () => Promise.resolve('new'))).toBe('new');
  });

  it('expires an answer after the time limit even when nothing was written here', async () => {
    let now = 1_000;
    const memo = new RoutingMemo<string>(
      () => 0,
      () => now,
    );
    expect(await memo.get('k', () => Promise.resolve('first'))).toBe('first');
    now += MEMO_TTL_MS - 1;
    expect(await memo.get('k', () => Promise.resolve('second'))).toBe('first');
    now += 1;
    expect(await memo.get('k', () => Promise.resolve('second'))).toBe('second');
  });

  it('holds at most its bound of answers', async () => {
    const memo = new RoutingMemo<number>(() => 0);
    for (let i = 0; i <= MEMO_MAX_ENTRIES; i++) await memo.get(String(i), () => Promise.resolve(i));
    expect(memo.size).toBeLessThanOrEqual(MEMO_MAX_ENTRIES);
    expect(memo.size).toBeGreaterThan(0);
  });
});

describe('memoised lookups on a real store (PGlite)', () => {
  let db: Db;
  let tenantId: string;
  let users: UserRepository;
  let queues: QueueRepository;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    tenantId = (await seedDemoCompany(db)).tenantId ?? '';
    users = new UserRepository(db);
    queues = new QueueRepository(db);
  });

  afterAll(async () => {
    await db.close();
  });

  it('sees a changed extension on the next call', async () => {
    const before = await users.findByNumber(tenantId, '1011');
    expect(before?.username).toBe('martin.andersen');
    await db.query(`UPDATE users SET extension = '1911' WHERE id = $1`, [before?.id]);
    expect(await users.findByNumber(tenantId, '1011')).toBeNull();
    expect((await users.findByNumber(tenantId, '1911'))?.username).toBe('martin.andersen');
    await db.query(`UPDATE users SET extension = '1011' WHERE id = $1`, [before?.id]);
    expect((await users.findByNumber(tenantId, '1011'))?.username).toBe('martin.andersen');
  });

  it('sees a change made in a transaction once it commits, and none after a rollback', async () => {
    const user = await users.findByUsername('martin.andersen');
    expect(user?.extension).toBe('1011');
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE users SET title = 'Sjef' WHERE id = $1`, [user?.id]);
    });
    expect((await users.findByUsername('MARTIN.ANDERSEN'))?.title).toBe('Sjef');
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`UPDATE users SET title = 'Rolled back' WHERE id = $1`, [user?.id]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await users.findByUsername('martin.andersen'))?.title).toBe('Sjef');
  });

  it('sees a queue that takes a number, and loses it when the queue gives it up', async () => {
    expect(await queues.findByNumber(tenantId, '1399')).toBeNull();
    const [queue] = await db.query<{ id: string }>(
      'SELECT id FROM queues WHERE tenant_id = $1 AND NOT is_main LIMIT 1',
      [tenantId],
    );
    const [before] = await db.query<{ number: string | null }>(
      'SELECT number FROM queues WHERE id = $1',
      [queue?.id],
    );
    await db.query(`UPDATE queues SET number = '1399' WHERE id = $1`, [queue?.id]);
    expect(await queues.findByNumber(tenantId, '1399')).toEqual({ kind: 'queue', id: queue?.id });
    await db.query('UPDATE queues SET number = $2 WHERE id = $1', [queue?.id, before?.number]);
    expect(await queues.findByNumber(tenantId, '1399')).toBeNull();
  });
});
