/**
 * The day so far per queue from the queue log (PGlite): what the engine's live counters take
 * in after a core restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { openDatabase } from '../../../src/server/store/db';
import { QueueDayRepository } from '../../../src/server/store/queue-day';
import { seedDemoCompany } from '../../../src/server/store/seed';

let db: Db;
let tenantId: string;
let mainQueue: string;
let salesQueue: string;

const DAY = Date.UTC(2026, 11, 5);
const HOUR = 3600_000;

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  const result = await seedDemoCompany(db);
  tenantId = result.tenantId ?? '';
  const queues = await db.query<{ id: string; name: string }>(
    'SELECT id, name FROM queues WHERE tenant_id = $1',
    [tenantId],
  );
  mainQueue = queues.find((q) => q.name === 'Sentralbord')?.id ?? '';
  salesQueue = queues.find((q) => q.name === 'Salg')?.id ?? '';
  const log = async (queueId: string, event: string, waitMs: number | null, at: number) =>
    db.query(
      'INSERT INTO queue_log (tenant_id, queue_id, event, wait_ms, at) VALUES ($1, $2, $3, $4, $5)',
      [tenantId, queueId, event, waitMs, new Date(at)],
    );
  // Sentralbord (service level 20 s) today.
  await log(mainQueue, 'joined', null, DAY + 9 * HOUR);
  await log(mainQueue, 'answered', 5_000, DAY + 9 * HOUR);
  await log(mainQueue, 'picked', 30_000, DAY + 10 * HOUR);
  await log(mainQueue, 'abandoned', 25_000, DAY + 11 * HOUR);
  await log(mainQueue, 'abandoned', 3_000, DAY + 11 * HOUR);
  await log(mainQueue, 'overflow', 300_000, DAY + 12 * HOUR);
  await log(mainQueue, 'timeout', 300_000, DAY + 12 * HOUR);
  await log(mainQueue, 'transferred', 1_000, DAY + 12 * HOUR);
  // Yesterday: not today's.
  await log(mainQueue, 'answered', 1_000, DAY - HOUR);
  await log(salesQueue, 'abandoned', 1_000, DAY - HOUR);
});

afterAll(async () => {
  await db.close();
});

describe('the queue day', () => {
  it("counts today's answered (picked too), abandoned, overflowed and timed-out callers per queue", async () => {
    const counts = await new QueueDayRepository(db).countsSince(tenantId, DAY);
    expect(counts.get(mainQueue)).toEqual({
      answered: 2,
      answeredWithinSl: 1,
      abandoned: 2,
      abandonedAfterSl: 1,
      overflowed: 1,
      timedOut: 1,
      totalWaitAnsweredMs: 35_000,
    });
    // A queue with nothing today is not listed: its counters start at zero anyway.
    expect(counts.has(salesQueue)).toBe(false);
  });

  it('is empty for a day without events', async () => {
    const counts = await new QueueDayRepository(db).countsSince(tenantId, DAY + 24 * HOUR);
    expect(counts.size).toBe(0);
  });
});
