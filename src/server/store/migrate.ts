/**
 * Numbered SQL migrations: `migrations/NNNN_name.sql`, applied in version order,
 * each in its own transaction and recorded in `schema_migrations`.
 *
 * Rules for migration files:
 * - Never edit or renumber a migration once it is on `main`; add a new one.
 * - A file runs inside a transaction, so no `CREATE INDEX CONCURRENTLY`,
 *   `VACUUM` or other statements PostgreSQL refuses in a transaction block.
 * - The same SQL runs on PGlite and PostgreSQL ≥ 15: only core features
 *   (no contrib extensions such as `citext` or `pgcrypto`).
 *
 * Several cores starting at once against one PostgreSQL serialise on a
 * transaction-scoped advisory lock, and each re-checks under the lock whether
 * another already applied the migration.
 *
 * @packageDocumentation
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db';

/** One migration file. */
export interface Migration {
  readonly version: number;
  /** The file name without version and extension, e.g. `init`. */
  readonly name: string;
  readonly sql: string;
}

/** The directory of the built-in migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Serialises migrators across processes; any constant works, this one is `'sentral:migrate'`. */
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('sentral:migrate'))";

const CREATE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    int PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/**
 * Reads `NNNN_name.sql` files from `dir`, sorted by version.
 * @throws if a `.sql` file is misnamed or two files share a version.
 */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new Error(`Migration file ${file} is not named NNNN_lower_snake_name.sql`);
    }
    migrations.push({
      version: Number(match[1]),
      name: match[2],
      sql: readFileSync(join(dir, file), 'utf8'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    const current = migrations[i];
    if (current && current.version === migrations[i - 1]?.version) {
      throw new Error(`Two migration files have version ${current.version}`);
    }
  }
  return migrations;
}

/**
 * Applies every migration the database has not seen, in order.
 * @returns the versions applied by this call (empty when already up to date).
 * @throws if an applied version carries another name than its file (two branches
 *   took the same number), or when a migration fails (that migration is rolled back;
 *   the ones before it stay applied).
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<number[]> {
  const known = await db.transaction(async (tx) => {
    await tx.query(LOCK_SQL);
    await tx.exec(CREATE_TABLE_SQL);
    return appliedMigrations(tx);
  });

  const applied: number[] = [];
  for (const migration of migrations) {
    const existing = known.get(migration.version);
    if (existing !== undefined) {
      assertSameName(migration, existing);
      continue;
    }
    const ran = await db.transaction(async (tx) => {
      await tx.query(LOCK_SQL);
      const [row] = await tx.query<{ name: string }>(
        'SELECT name FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      if (row) {
        // Another process applied it while we waited for the lock.
        assertSameName(migration, row.name);
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** The applied versions and their names. */
export async function appliedMigrations(db: Db): Promise<Map<number, string>> {
  const rows = await db.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((row) => [row.version, row.name]));
}

function assertSameName(migration: Migration, appliedName: string): void {
  if (appliedName !== migration.name) {
    throw new Error(
      `Migration ${migration.version} was applied as "${appliedName}" but the file is "${migration.name}"; ` +
        'renumber the newer migration',
    );
  }
}
