/**
 * One database interface over two engines: embedded PGlite (PostgreSQL compiled to
 * WebAssembly, the default) and a real PostgreSQL server through a `pg` pool
 * (when `DATABASE_URL` is set). Both speak the same SQL, so the rest of the server
 * never asks which one it has.
 *
 * Differences the callers should know about:
 * - `bigint` (int8) columns come back as `number` from PGlite and as `string`
 *   from `pg`. Cast counts with `::int` so both agree.
 * - `timestamptz` comes back as a `Date` from both; `uuid` as a string.
 * - PGlite is one connection: queries outside a transaction wait while one runs.
 *
 * @packageDocumentation
 */
import { mkdirSync } from 'node:fs';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import { migrate } from './migrate';
import { RoutingVersion } from './routing-version';

/** The engine behind a {@link Db}. */
export type DbKind = 'pglite' | 'postgres';

/** A connection to the store: a whole database, or one open transaction on it. */
export interface Db {
  /** Runs one parameterised statement (`$1`, `$2`, …) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of one or more statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when `fn` resolves, rolled back when it
   * throws. Called on a transaction, it nests through a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Closes the database or pool. Not allowed on a transaction. */
  close(): Promise<void>;
  readonly kind: DbKind;
  /**
   * Moves whenever a statement through this database (or one of its transactions, again
   * when it ends) may have changed routing data; lookups memoised against it stay right
   * (see routing-version.ts).
   */
  readonly routing: RoutingVersion;
}

/** Where the store lives. */
export interface OpenDatabaseOptions {
  /** A `postgres://` URL: use a real PostgreSQL server through a `pg` pool. */
  databaseUrl?: string;
  /**
   * PGlite's data directory (created when missing); `'memory://'` or `undefined`
   * for an in-memory database. Ignored when `databaseUrl` is set.
   */
  dataDir?: string;
  /** Run pending migrations on open (default `true`). */
  migrate?: boolean;
  /**
   * Errors of idle pooled PostgreSQL connections (server restart, network loss).
   * The pool drops the broken connection itself; the default reports the error as
   * a process warning instead of crashing on an unhandled `'error'` event.
   */
  onError?: (error: Error) => void;
}

/** Opens the store and brings its schema up to date. */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Db> {
  const db = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts.onError)
    : await openPGlite(opts.dataDir);
  if (opts.migrate !== false) {
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}

async function openPGlite(dataDir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = dataDir === undefined || dataDir === '' || dataDir.startsWith('memory://');
  if (!inMemory && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  // PGlite's default shared_buffers (128 MB) is sized for a server; a switchboard's working set
  // is small, and 16 MB saves ~130 MiB of resident memory (measured, docs/benchmarks.md).
  const pglite = await PGlite.create(inMemory ? undefined : dataDir, {
    postgresqlconf: 'shared_buffers = 16MB\n',
  });
  return new PGliteDb(pglite);
}

async function openPostgres(url: string, onError?: (error: Error) => void): Promise<Db> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', onError ?? ((error) => process.emitWarning(error)));
  try {
    // Fail on open, not on the first request, when the server is unreachable.
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresDb(pool);
}

/**
 * Shared savepoint logic for a transaction handle: `transaction()` on an open
 * transaction nests through a savepoint.
 */
abstract class TransactionDb implements Db {
  abstract readonly kind: DbKind;
  private savepoints = 0;
  /** Whether a statement of this transaction changed routing data (bump again at its end). */
  changedRouting = false;

  constructor(readonly routing: RoutingVersion) {}

  protected note(sql: string): void {
    if (this.routing.note(sql)) this.changedRouting = true;
  }

  abstract query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  abstract exec(sql: string): Promise<void>;

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sentral_sp_${++this.savepoints}`;
    await this.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.exec(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await this.exec(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }

  close(): Promise<void> {
    return Promise.reject(new Error('close() is not allowed inside a transaction'));
  }
}

class PGliteDb implements Db {
  readonly kind = 'pglite';
  readonly routing = new RoutingVersion();
  constructor(private readonly pglite: PGlite) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.routing.note(sql);
    return (await this.pglite.query<T>(sql, params)).rows;
  }

  async exec(sql: string): Promise<void> {
    this.routing.note(sql);
    await this.pglite.exec(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const txDb = { current: undefined as PGliteTransactionDb | undefined };
    try {
      return await this.pglite.transaction((tx) => {
        txDb.current = new PGliteTransactionDb(tx, this.routing);
        return fn(txDb.current);
      });
    } finally {
      if (txDb.current?.changedRouting) this.routing.bump();
    }
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

class PGliteTransactionDb extends TransactionDb {
  readonly kind = 'pglite';
  constructor(
    private readonly tx: PGliteTransaction,
    routing: RoutingVersion,
  ) {
    super(routing);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.note(sql);
    return (await this.tx.query<T>(sql, params)).rows;
  }

  async exec(sql: string): Promise<void> {
    this.note(sql);
    await this.tx.exec(sql);
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres';
  readonly routing = new RoutingVersion();
  private closed = false;
  constructor(private readonly pool: Pool) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.routing.note(sql);
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    this.routing.note(sql);
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const txDb = new PostgresTransactionDb(client, this.routing);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(txDb);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable; destroy it rather than return it to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      }
    } finally {
      client.release(broken);
      if (txDb.changedRouting) this.routing.bump();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

class PostgresTransactionDb extends TransactionDb {
  readonly kind = 'postgres';
  constructor(
    private readonly client: PoolClient,
    routing: RoutingVersion,
  ) {
    super(routing);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.note(sql);
    return (await this.client.query(sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    this.note(sql);
    await this.client.query(sql);
  }
}
