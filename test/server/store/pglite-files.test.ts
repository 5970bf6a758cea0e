import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/server/store/db';
import { appliedMigrations, loadMigrations, migrate } from '../../../src/server/store/migrate';
import { DEMO_USERS, seedDemoCompany } from '../../../src/server/store/seed';

const root = mkdtempSync(join(tmpdir(), 'sentral-pglite-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the embedded database in a data directory', () => {
  it('creates the directory, and keeps schema and data across restarts', async () => {
    const dataDir = join(root, 'data', 'pglite');
    const first = await openDatabase({ dataDir });
    expect((await seedDemoCompany(first)).seeded).toBe(true);
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect((await appliedMigrations(second)).size).toBe(loadMigrations().length);
      expect((await seedDemoCompany(second)).seeded).toBe(false);
      const [row] = await second.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      expect(row?.n).toBe(DEMO_USERS.length);
    } finally {
      await second.close();
    }
  });
});
