/** An admin keeps the directory by hand (one person at a time) and resets passwords. */
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

async function login(username: string, password: string) {
  const api = await RawApiClient.connect(core.wsUrl);
  opened.push(api);
  return { api, reply: await api.command('auth.login', { username, password }) };
}

describe('people kept by an admin', () => {
  it('creates a person (checked like a CSV row), finds them in the directory, then updates them', async () => {
    expect(
      await admin.command('people.save', {
        first_name: 'Åshild',
        last_name: 'Øverby',
        title: 'Regnskapsfører',
        department: 'Økonomi',
        extension: '1041',
        mobile: '+47 400 99 001',
      }),
    ).toMatchObject({ ok: true, result: { created: 1, updated: 0 } });
    const found = (await admin.command('directory.search', { query: 'ashild overby' })) as {
      result: {
        results: Array<{ person: { username: string; extension: string; title: string } }>;
      };
    };
    expect(found.result.results[0]?.person).toMatchObject({
      username: 'ashild.overby',
      extension: '1041',
      title: 'Regnskapsfører',
    });
    expect(
      await admin.command('people.save', {
        first_name: 'Åshild',
        last_name: 'Øverby',
        username: 'ashild.overby',
        title: 'Autorisert regnskapsfører',
        department: 'Økonomi',
        extension: '1041',
      }),
    ).toMatchObject({ ok: true, result: { created: 0, updated: 1 } });
    expect(
      await admin.command('people.save', { first_name: '<b>Eve</b>', last_name: 'X' }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    const [audit] = (
      (await admin.command('audit.list', { limit: 1 })) as {
        result: { entries: Array<{ action: string }> };
      }
    ).result.entries;
    expect(audit?.action).toBe('people.save');
  });

  it('resets a colleague’s password (admins only, 8+ characters); a user changes their own', async () => {
    const hakon = (
      await core.core.db.query<{ id: string }>(
        `SELECT id FROM users WHERE username = 'hakon.saether'`,
      )
    )[0]?.id;
    expect(
      await admin.command('people.set_password', { userId: hakon, password: 'short' }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    expect(
      await admin.command('people.set_password', { userId: hakon, password: 'ny-hemmelighet' }),
    ).toMatchObject({ ok: true });
    expect((await login('hakon.saether', 'demo1234')).reply).toMatchObject({
      error: { code: 'invalid_credentials' },
    });
    const { api, reply } = await login('hakon.saether', 'ny-hemmelighet');
    expect(reply).toMatchObject({ ok: true });
    expect(
      await api.command('people.set_password', { userId: hakon, password: 'whatever123' }),
    ).toMatchObject({ error: { code: 'forbidden' } });
    expect(
      await api.command('auth.change_password', {
        current: 'wrong',
        password: 'mitt-eget-passord',
      }),
    ).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(
      await api.command('auth.change_password', {
        current: 'ny-hemmelighet',
        password: 'mitt-eget-passord',
      }),
    ).toMatchObject({ ok: true });
    expect((await login('hakon.saether', 'mitt-eget-passord')).reply).toMatchObject({ ok: true });
  });
});
