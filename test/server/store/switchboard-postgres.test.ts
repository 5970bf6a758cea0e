/**
 * Queues, answer groups, the VIP list, records and statistics on a real PostgreSQL
 * server started for this file by scripts/postgres.mjs: the same tests as on PGlite
 * (switchboard.test.ts). Skipped without PostgreSQL binaries, except in CI, where
 * postgres.test.ts fails for the missing server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import { seedDemoCompany } from '../../../src/server/store/seed';
import type { RunningPostgres } from './postgres-script';
import { loadPostgresScript } from './postgres-script';
import { describeSwitchboardStore } from './switchboard-queries';

const script = await loadPostgresScript();
const binDir = script.findPostgresBinDir();

// Skipped only without PostgreSQL binaries on a developer machine (postgres.test.ts says so
// and fails on CI instead); PGlite runs the same queries in switchboard.test.ts.
describe.skipIf(!binDir)('the switchboard store on a real PostgreSQL server', () => {
  let server: RunningPostgres;
  let db: Db;
  let tenantId: string;

  beforeAll(async () => {
    server = await script.startPostgres({ binDir });
    db = await openDatabase({ databaseUrl: server.url });
    const result = await seedDemoCompany(db);
    expect(result.seeded).toBe(true);
    tenantId = result.tenantId ?? '';
  });

  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it('is a PostgreSQL server, not PGlite', () => {
    expect(db.kind).toBe('postgres');
  });

  describeSwitchboardStore(() => ({ db, tenantId }));
});
