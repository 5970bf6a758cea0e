/**
 * What the admin views read (issue 4): the retention setting as it is now, and everyone with
 * their role. Admins only; no other role reads them; each company sees only its own people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/store/passwords';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

type Reply = { ok: boolean; result?: any; error?: { code: string; message: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any

let core: TestCore;
let admin: RawApiClient;
const opened: RawApiClient[] = [];
const cmd = (api: RawApiClient, type: string, params: Record<string, unknown> = {}) =>
  api.command(type, params) as Promise<Reply>;

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

describe('admin views', () => {
  it('reads the retention setting back after it was changed', async () => {
    expect(await cmd(admin, 'retention.get')).toMatchObject({ ok: true, result: { days: 90 } });
    expect((await cmd(admin, 'retention.set', { days: 45 })).ok).toBe(true);
    expect(await cmd(admin, 'retention.get')).toMatchObject({ ok: true, result: { days: 45 } });
  });

  it('lists everyone with their role, the kiosk login too', async () => {
    const people = (await cmd(admin, 'people.list')).result.people as Array<{
      username: string;
      role: string;
    }>;
    const role = (u: string) => people.find((p) => p.username === u)?.role;
    expect([role('kari.nordmann'), role('ingrid.bakke'), role('ola.hansen')]).toEqual([
      'operator',
      'supervisor',
      'agent',
    ]);
    expect([role('tavle'), role('admin')]).toEqual(['board', 'admin']);
    expect(people).toHaveLength(42);
    // Two-factor per person: admins must have it (the admin here enrolled to log in).
    const twoFactor = (u: string) =>
      (people as Array<{ username: string; twoFactor?: unknown }>).find((p) => p.username === u)
        ?.twoFactor;
    expect(twoFactor('admin')).toEqual({ enabled: true, required: true });
    expect(twoFactor('ola.hansen')).toEqual({ enabled: false, required: false });
  });

  it('forbids both to every other role', async () => {
    for (const username of ['ola.hansen', 'kari.nordmann', 'ingrid.bakke', 'tavle']) {
      const api = await RawApiClient.connect(core.wsUrl);
      opened.push(api);
      await api.command('auth.login', { username, password: 'demo1234' });
      for (const type of ['retention.get', 'people.list']) {
        expect(await cmd(api, type), `${username} ${type}`).toMatchObject({
          ok: false,
          error: { code: 'forbidden' },
        });
      }
    }
  });

  it("shows another company's admin only their own people and retention", async () => {
    const db = core.core.db;
    const [t] = await db.query<{ id: string }>(
      `INSERT INTO tenants (name, domain) VALUES ('Fjellvann AS', 'fjellvann.sentral.invalid')
       RETURNING id`,
    );
    await db.query(
      `INSERT INTO users (tenant_id, username, first_name, last_name, role, password_hash)
       VALUES ($1, 'fjell.admin', 'Fjell', 'Admin', 'admin', $2)`,
      [t?.id, await hashPassword('other1234')],
    );
    await core.core.people.refreshTenants();
    const other = await RawApiClient.connect(core.wsUrl);
    opened.push(other);
    await loginEnrolled(other, 'fjell.admin', 'other1234');
    const people = (await cmd(other, 'people.list')).result.people as Array<{ username: string }>;
    expect(people.map((p) => p.username)).toEqual(['fjell.admin']);
    expect(await cmd(other, 'retention.get')).toMatchObject({ result: { days: 90 } });
  });
});
