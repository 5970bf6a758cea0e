import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import { appliedMigrations, loadMigrations, migrate } from '../../../src/server/store/migrate';
import type { Migration } from '../../../src/server/store/migrate';
import { describeSchemaConstraints } from './schema-constraints';

let db: Db;

beforeAll(async () => {
  db = await openDatabase({});
});

afterAll(async () => {
  await db.close();
});

describe('migrations', () => {
  it('are numbered files 0001, 0002, … without gaps', () => {
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations[0]?.name).toBe('init');
  });

  it('are all applied once when the database opens', async () => {
    expect(db.kind).toBe('pglite');
    const applied = await appliedMigrations(db);
    expect([...applied.entries()]).toEqual(loadMigrations().map((m) => [m.version, m.name]));
    const [row] = await db.query<{ at: Date }>(
      'SELECT min(applied_at) AS at FROM schema_migrations',
    );
    expect(row?.at).toBeInstanceOf(Date);
  });

  it('apply nothing the second time', async () => {
    expect(await migrate(db)).toEqual([]);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(row?.n).toBe(loadMigrations().length);
  });

  it('apply a new migration after the existing ones, in order', async () => {
    const extra: Migration[] = [
      { version: 9002, name: 'second', sql: 'ALTER TABLE t9001 ADD COLUMN b int' },
      { version: 9001, name: 'first', sql: 'CREATE TABLE t9001 (a int)' },
    ].sort((a, b) => a.version - b.version);
    expect(await migrate(db, [...loadMigrations(), ...extra])).toEqual([9001, 9002]);
    await db.query('INSERT INTO t9001 (a, b) VALUES (1, 2)');
    expect(await migrate(db, [...loadMigrations(), ...extra])).toEqual([]);
  });

  it('roll back a failing migration and do not record it', async () => {
    const broken: Migration = {
      version: 9003,
      name: 'broken',
      sql: 'CREATE TABLE t9003 (a int); SELECT 1 / 0;',
    };
    await expect(migrate(db, [broken])).rejects.toThrow(/division by zero/);
    expect((await appliedMigrations(db)).has(9003)).toBe(false);
    const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 't9003'");
    expect(tables).toEqual([]);
  });

  it('refuse a file whose number was applied under another name', async () => {
    const [init] = loadMigrations();
    if (!init) throw new Error('no migrations');
    await expect(migrate(db, [{ ...init, name: 'something_else' }])).rejects.toThrow(
      /applied as "init".*renumber/,
    );
  });
});

describe('transactions', () => {
  beforeAll(async () => {
    await db.exec('CREATE TABLE tx_probe (v text)');
  });

  const values = async () =>
    (await db.query<{ v: string }>('SELECT v FROM tx_probe ORDER BY v')).map((r) => r.v);

  it('commit when the function resolves and return its value', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES ($1)', ['committed']);
      return 42;
    });
    expect(result).toBe(42);
    expect(await values()).toContain('committed');
  });

  it('roll back when the function throws, and rethrow', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES ($1)', ['rolled back']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await values()).not.toContain('rolled back');
  });

  it('nest through savepoints: an inner failure keeps the outer work', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tx_probe VALUES ($1)', ['outer']);
      await expect(
        tx.transaction(async (inner) => {
          await inner.query('INSERT INTO tx_probe VALUES ($1)', ['inner']);
          throw new Error('inner boom');
        }),
      ).rejects.toThrow('inner boom');
    });
    expect(await values()).toContain('outer');
    expect(await values()).not.toContain('inner');
  });

  it('cannot close the database from inside', async () => {
    await db.transaction(async (tx) => {
      await expect(tx.close()).rejects.toThrow(/not allowed inside a transaction/);
    });
  });
});

describe('the schema in the embedded database (PGlite)', () => {
  describeSchemaConstraints(() => db);
});
