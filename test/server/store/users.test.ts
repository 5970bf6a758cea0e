import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import * as passwords from '../../../src/server/store/passwords';
import { toE164 } from '../../../src/server/store/phone';
import {
  DEMO_DEPARTMENTS,
  DEMO_TENANT,
  DEMO_USERS,
  demoPasswordFor,
  seedDemoCompany,
  usernameFor,
} from '../../../src/server/store/seed';
import { UserRepository } from '../../../src/server/store/users';
import { describeUserQueries } from './user-queries';

// Wrap (not replace) the dummy check, to see that an unknown user pays for one.
vi.mock('../../../src/server/store/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof passwords>();
  return { ...actual, verifyAgainstDummy: vi.fn(actual.verifyAgainstDummy) };
});

let db: Db;
let tenantId: string;

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  const result = await seedDemoCompany(db);
  expect(result.seeded).toBe(true);
  tenantId = result.tenantId ?? '';
});

afterAll(async () => {
  await db.close();
});

describe('the demo company seed', () => {
  it('creates one tenant with the demo name, domain and main number', async () => {
    const tenants = await db.query('SELECT id, name, domain, main_number FROM tenants');
    expect(tenants).toEqual([
      {
        id: tenantId,
        name: DEMO_TENANT.name,
        domain: 'nordlys.sentral.invalid',
        main_number: '+4721000000',
      },
    ]);
  });

  it('creates the six departments, the switchboard with its number', async () => {
    const rows = await db.query<{ name: string; number: string | null }>(
      'SELECT name, number FROM departments WHERE tenant_id = $1 ORDER BY name',
      [tenantId],
    );
    expect(rows.map((d) => d.name).sort()).toEqual(
      ['Sentralbord', 'Salg', 'Kundeservice', 'Økonomi', 'IT', 'Ledelse'].sort(),
    );
    expect(rows.find((d) => d.name === 'Sentralbord')?.number).toBe('+4721000010');
    expect(DEMO_DEPARTMENTS).toHaveLength(6);
  });

  it('creates 40 employees on extensions 1001–1040, an admin account and a queue-board login', async () => {
    const list = await new UserRepository(db).list(tenantId);
    expect(list).toHaveLength(42);
    expect(list.find((u) => u.username === 'tavle')).toMatchObject({
      role: 'board',
      extension: null,
    });
    const extensions = list.flatMap((u) => (u.extension ? [Number(u.extension)] : []));
    expect(extensions.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => 1001 + i),
    );
    expect(list.find((u) => u.username === 'admin')).toMatchObject({
      role: 'admin',
      extension: null,
    });
  });

  it('gives two operators, one supervisor, one admin and agents for the rest', () => {
    const count = (role: string) => DEMO_USERS.filter((u) => u.role === role).length;
    expect(count('operator')).toBe(2);
    expect(count('supervisor')).toBe(1);
    expect(count('admin')).toBe(1);
    expect(count('board')).toBe(1);
    expect(count('agent')).toBe(DEMO_USERS.length - 5);
    expect(
      DEMO_USERS.filter((u) => u.role === 'operator').every((u) => u.department === 'Sentralbord'),
    ).toBe(true);
  });

  it('stores exactly the exported demo users', async () => {
    const list = await new UserRepository(db).list(tenantId);
    const fromDb = list.map((u) => [u.username, u.displayName, u.extension, u.role]).sort();
    const exported = DEMO_USERS.map((u) => [u.username, u.name, u.extension, u.role]).sort();
    expect(fromDb).toEqual(exported);
  });

  it('has unique lowercase ASCII usernames first.last', () => {
    const usernames = DEMO_USERS.map((u) => u.username);
    expect(new Set(usernames).size).toBe(usernames.length);
    for (const username of usernames) expect(username).toMatch(/^[a-z-]+(\.[a-z-]+)?$/);
  });

  it('folds æ, ø, å and é into ASCII usernames', () => {
    expect(usernameFor('Bjørn', 'Ødegård')).toBe('bjorn.odegard');
    expect(usernameFor('Åse', 'Strøm')).toBe('ase.strom');
    expect(usernameFor('René', 'Lie')).toBe('rene.lie');
    expect(usernameFor('Anne-Lise', 'Sæbø')).toBe('anne-lise.saebo');
    expect(usernameFor('Kåre', 'Mæland')).toBe('kare.maeland');
  });

  it('gives every employee a valid Norwegian mobile in E.164 and an e-mail at nordlys.example', () => {
    for (const user of DEMO_USERS.filter((u) => u.extension)) {
      expect(user.mobile).toMatch(/^\+47[49]\d{7}$/);
      expect(toE164(user.mobile ?? '')).toBe(user.mobile);
      expect(user.email).toBe(`${user.username}@nordlys.example`);
    }
  });

  it('includes names with æ, ø, å and é', () => {
    const names = DEMO_USERS.map((u) => u.name).join(' ');
    for (const letter of ['æ', 'ø', 'å', 'é', 'Ø', 'Å']) expect(names).toContain(letter);
  });

  it('does nothing the second time', async () => {
    const again = await seedDemoCompany(db);
    expect(again).toEqual({ seeded: false, tenantId });
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(row?.n).toBe(DEMO_USERS.length);
  });

  it('lets every demo user log in with the published password', async () => {
    const users = new UserRepository(db);
    const sample = [DEMO_USERS[0], DEMO_USERS[39], DEMO_USERS[40]];
    for (const demo of sample) {
      if (!demo) throw new Error('missing demo user');
      expect(await users.authenticate(demo.username, demoPasswordFor(demo))).not.toBeNull();
    }
  });
});

describe('users in the embedded database (PGlite)', () => {
  describeUserQueries(() => ({ db, tenantId }));

  it('runs one dummy password check for an unknown user', async () => {
    const dummy = vi.mocked(passwords.verifyAgainstDummy);
    dummy.mockClear();
    expect(await new UserRepository(db).authenticate('no.such.user', 'demo1234')).toBeNull();
    expect(dummy).toHaveBeenCalledTimes(1);
    dummy.mockClear();
    expect(await new UserRepository(db).authenticate('kari.nordmann', 'wrong')).toBeNull();
    expect(dummy).not.toHaveBeenCalled();
  });

  it('replaces an old scrypt hash with argon2id at the next successful login (not a failed one)', async () => {
    const old = await passwords.hashPasswordScrypt('demo1234');
    await db.query(`UPDATE users SET password_hash = $1 WHERE username = 'hege.solberg'`, [old]);
    const users = new UserRepository(db);
    const stored = async () =>
      (
        await db.query<{ password_hash: string }>(
          `SELECT password_hash FROM users WHERE username = 'hege.solberg'`,
        )
      )[0]?.password_hash;
    expect(await users.authenticate('hege.solberg', 'wrong')).toBeNull();
    expect(await stored()).toBe(old);
    expect(await users.authenticate('hege.solberg', 'demo1234')).not.toBeNull();
    expect(await stored()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await users.authenticate('hege.solberg', 'demo1234')).not.toBeNull();
  });
});
