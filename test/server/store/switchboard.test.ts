/**
 * Queues, answer groups, the VIP list, records and statistics on the embedded database
 * (PGlite); switchboard-postgres.test.ts runs the same on a real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import { seedDemoCompany } from '../../../src/server/store/seed';
import { describeSwitchboardStore } from './switchboard-queries';

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

describe('the switchboard store on PGlite', () => {
  describeSwitchboardStore(() => ({ db, tenantId }));
});
