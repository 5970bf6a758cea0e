/**
 * The privacy promises for one person: an admin exports everything held about them as JSON,
 * and deleting them deletes their personal data — proven by the rows that are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

let core: TestCore;
let admin: RawApiClient;
const opened: RawApiClient[] = [];

beforeAll(async () => {
  core = await startTestCore();
  admin = await RawApiClient.connect(core.wsUrl);
  opened.push(admin);
  await loginEnrolled(admin, 'admin', 'admin1234');
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function idOf(username: string): Promise<string> {
  const [row] = await core.core.db.query<{ id: string }>(
    `SELECT id FROM users WHERE username = $1`,
    [username],
  );
  return row?.id ?? '';
}

describe('privacy: export and deletion of one person', () => {
  it('exports everything held about a person as JSON, and only admins may', async () => {
    const nina = await idOf('nina.jensen');
    const db = core.core.db;
    const tenantId = (
      await db.query<{ tenant_id: string }>(`SELECT tenant_id FROM users WHERE id = $1`, [nina])
    )[0]?.tenant_id;
    await db.query(
      `INSERT INTO call_records (tenant_id, call_id, leg, direction, user_id, caller_number, outcome)
       VALUES ($1, 'c-own', 'inbound', 'internal', $2, '1015', 'answered')`,
      [tenantId, nina],
    );
    await db.query(
      `INSERT INTO call_forwarding (tenant_id, user_id, busy_enabled, busy_number)
       VALUES ($1, $2, true, '+4791234567')`,
      [tenantId, nina],
    );
    const reply = (await admin.command('privacy.export', { userId: nina })) as {
      ok: boolean;
      result: { data: Record<string, unknown> };
    };
    expect(reply.ok).toBe(true);
    expect(reply.result.data.person).toMatchObject({ username: 'nina.jensen', extension: '1015' });
    expect(reply.result.data.queues).toEqual(['Kundeservice']);
    expect(reply.result.data.callForwarding).toMatchObject({
      busy_enabled: true,
      busy_number: '+4791234567',
      no_answer_enabled: false,
    });
    expect(reply.result.data.calls).toEqual([expect.objectContaining({ call_id: 'c-own' })]);
    expect(JSON.stringify(reply.result.data)).not.toMatch(/password|totp_secret/);

    const ola = await RawApiClient.connect(core.wsUrl);
    opened.push(ola);
    await ola.command('auth.login', { username: 'ola.hansen', password: 'demo1234' });
    expect(await ola.command('privacy.export', { userId: nina })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await admin.command('privacy.export', { userId: 'nobody' })).toMatchObject({
      error: { code: 'not_found' },
    });
  });

  it('deletes a person: own call log gone, queue rows kept without them, notes kept without author, sessions ended', async () => {
    const db = core.core.db;
    const even = await idOf('even.dahl');
    const tenantId = (
      await db.query<{ tenant_id: string }>(`SELECT tenant_id FROM users WHERE id = $1`, [even])
    )[0]?.tenant_id;
    const queueId = (
      await db.query<{ id: string }>(`SELECT id FROM queues WHERE name = 'Kundeservice'`)
    )[0]?.id;
    await db.query(
      `INSERT INTO call_records (tenant_id, call_id, leg, direction, user_id, queue_id, caller_number, outcome)
       VALUES ($1, 'c-own-even', 'inbound', 'internal', $2, NULL, '1018', 'answered'),
              ($1, 'c-queue-even', 'inbound', 'incoming', $2, $3, '+4790000001', 'answered')`,
      [tenantId, even, queueId],
    );
    const session = await RawApiClient.connect(core.wsUrl);
    opened.push(session);
    await session.command('auth.login', { username: 'even.dahl', password: 'demo1234' });
    await session.command('caller.note.add', { number: '+4790000001', body: 'Evens notat' });

    expect(await admin.command('people.delete', { userId: even })).toMatchObject({ ok: true });
    expect(await db.query(`SELECT 1 FROM users WHERE id = $1`, [even])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM call_records WHERE call_id = 'c-own-even'`)).toEqual([]);
    expect(
      await db.query(`SELECT user_id FROM call_records WHERE call_id = 'c-queue-even'`),
    ).toEqual([{ user_id: null }]);
    expect(await db.query(`SELECT author_id FROM caller_notes WHERE body = 'Evens notat'`)).toEqual(
      [{ author_id: null }],
    );
    expect(await db.query(`SELECT 1 FROM queue_members WHERE user_id = $1`, [even])).toEqual([]);
    const directory = (await admin.command('directory.search', { query: 'Even Dahl' })) as {
      result: { results: unknown[] };
    };
    expect(directory.result.results).toEqual([]);
    const again = await RawApiClient.connect(core.wsUrl);
    opened.push(again);
    expect(
      await again.command('auth.login', { username: 'even.dahl', password: 'demo1234' }),
    ).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(await admin.command('people.delete', { userId: even })).toMatchObject({
      error: { code: 'not_found' },
    });
    const audit = (await admin.command('audit.list', {})) as {
      result: { entries: Array<{ action: string; target: string | null }> };
    };
    expect(audit.result.entries).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'people.delete', target: even })]),
    );
  });

  it('refuses to delete someone a queue overflows to, and changes nothing', async () => {
    const db = core.core.db;
    const sofie = await idOf('sofie.berg');
    await db.query(
      `UPDATE queues SET overflow_kind = 'user', overflow_user_id = $1, overflow_queue_id = NULL,
              overflow_answer_group_id = NULL, overflow_number = NULL WHERE name = 'Salg'`,
      [sofie],
    );
    expect(await admin.command('people.delete', { userId: sofie })).toMatchObject({
      error: { code: 'conflict' },
    });
    expect(await db.query(`SELECT 1 FROM users WHERE id = $1`, [sofie])).toHaveLength(1);
  });
});
