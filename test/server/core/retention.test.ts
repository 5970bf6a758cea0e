import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionRepository } from '../../../src/server/store/retention';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

let core: TestCore;
let tenantId = '';
let queueId = '';
const DAY = 24 * 3600_000;
const NOW = new Date('2026-11-23T12:00:00Z');

beforeAll(async () => {
  core = await startTestCore();
  const [t] = await core.core.db.query<{ id: string }>(`SELECT id FROM tenants LIMIT 1`);
  tenantId = t?.id ?? '';
  const [q] = await core.core.db.query<{ id: string }>(
    `SELECT id FROM queues WHERE tenant_id = $1 LIMIT 1`,
    [tenantId],
  );
  queueId = q?.id ?? '';
});
afterAll(async () => {
  await core?.close();
});

async function record(callId: string, daysAgo: number, queue: boolean): Promise<void> {
  await core.core.db.query(
    `INSERT INTO call_records (tenant_id, call_id, leg, direction, started_at, queue_id, outcome)
     VALUES ($1, $2, 'inbound', $3, $4, $5, 'answered')`,
    [
      tenantId,
      callId,
      queue ? 'incoming' : 'internal',
      new Date(NOW.getTime() - daysAgo * DAY),
      queue ? queueId : null,
    ],
  );
}

const remaining = async () =>
  (
    await core.core.db.query<{ call_id: string }>(
      `SELECT call_id FROM call_records ORDER BY call_id`,
    )
  ).map((r) => r.call_id);

describe('retention', () => {
  it("deletes a user's call log after 30 days and queue history after the tenant's retention, and logs the run", async () => {
    await record('direct-40d', 40, false);
    await record('direct-10d', 10, false);
    await record('queue-100d', 100, true);
    await record('queue-50d', 50, true);
    await core.core.db.query(
      `INSERT INTO queue_log (tenant_id, at, event, queue_id) VALUES ($1, $2, 'joined', $3), ($1, $4, 'joined', $3)`,
      [tenantId, new Date(NOW.getTime() - 100 * DAY), queueId, new Date(NOW.getTime() - 5 * DAY)],
    );
    const runs = await new RetentionRepository(core.core.db).run(NOW);
    expect(runs.find((r) => r.tenantId === tenantId)).toMatchObject({
      callLogDeleted: 1,
      queueRecordsDeleted: 1,
      queueLogDeleted: 1,
    });
    expect(await remaining()).toEqual(['direct-10d', 'queue-50d']);
    const logged = await core.core.db.query<{ call_log_deleted: number }>(
      `SELECT call_log_deleted FROM retention_runs WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(logged.map((r) => Number(r.call_log_deleted))).toEqual([1]);
  });

  it("follows the admin's retention setting, audited; others may not change it", async () => {
    const admin = await RawApiClient.connect(core.wsUrl);
    await loginEnrolled(admin, 'admin', 'admin1234'); // admins must have 2FA
    expect(await admin.command('retention.set', { days: 30 })).toMatchObject({ ok: true });
    expect(await admin.command('retention.set', { days: 0 })).toMatchObject({
      error: { code: 'bad_request' },
    });
    await new RetentionRepository(core.core.db).run(NOW);
    expect(await remaining()).toEqual(['direct-10d']);
    const audit = (await admin.command('audit.list')) as {
      result: { entries: Array<{ action: string; details: unknown }> };
    };
    expect(audit.result.entries[0]).toMatchObject({
      action: 'retention.set',
      details: { days: 30 },
    });
    const kari = await RawApiClient.connect(core.wsUrl);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    expect(await kari.command('retention.set', { days: 3650 })).toMatchObject({
      error: { code: 'forbidden' },
    });
    kari.close();
    admin.close();
  });
});
