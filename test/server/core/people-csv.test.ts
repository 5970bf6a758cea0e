import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';

let core: TestCore;
let admin: RawApiClient;

beforeAll(async () => {
  core = await startTestCore();
  admin = await RawApiClient.connect(core.wsUrl);
  await loginEnrolled(admin, 'admin', 'admin1234'); // admins must have 2FA
});
afterAll(async () => {
  admin?.close();
  await core?.close();
});

const userCount = async () =>
  Number((await core.core.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]?.n);

describe('directory CSV import and export', () => {
  it('imports a good file in one go: new people, a new department, searchable at once', async () => {
    const csv = [
      'first_name,last_name,title,department,extension,mobile,email,role',
      'Astrid,Øien,Jurist,Juridisk,1050,+47 481 23 456,astrid.oien@nordlys.example,agent',
      '"Nils-Erik","Bø, jr.",Rådgiver,Juridisk,1051,,,',
    ].join('\n');
    expect(await admin.command('people.import', { csv })).toMatchObject({
      ok: true,
      result: { created: 2, updated: 0 },
    });
    const found = (await admin.command('directory.search', { query: 'oien' })) as {
      result: {
        results: Array<{
          person: { displayName: string; extension: string; mobile: string; department: string };
        }>;
      };
    };
    expect(found.result.results[0]?.person).toMatchObject({
      displayName: 'Astrid Øien',
      extension: '1050',
      mobile: '+4748123456',
      department: 'Juridisk',
    });
    // Importing the same file again updates, creates nothing.
    expect(await admin.command('people.import', { csv })).toMatchObject({
      result: { created: 0, updated: 2 },
    });
  });

  it('refuses a file with bad rows, naming each line and reason, and writes nothing', async () => {
    const before = await userCount();
    const csv = [
      'first_name,last_name,extension,mobile,role',
      'Good,Person,1060,,agent',
      '<script>alert(1)</script>,Evil,1061,,agent',
      'Phone,Wrong,1062,12ab,agent',
      'Role,Wrong,1063,,emperor',
      `${'x'.repeat(150)},Long,1064,,agent`,
      'Dup,Ext,1060,,agent',
    ].join('\n');
    const reply = (await admin.command('people.import', { csv })) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('bad_request');
    expect(reply.error.message).toMatch(/^Nothing was imported/);
    expect(reply.error.message).toContain('line 3 (first_name): contains markup');
    expect(reply.error.message).toContain('line 4 (mobile)');
    expect(reply.error.message).toContain('line 5 (role)');
    expect(reply.error.message).toContain('line 6 (first_name): longer than 100');
    expect(reply.error.message).toContain('line 7 (extension): same as line 2');
    expect(await userCount()).toBe(before);
  });

  it('rolls back a whole file when the database refuses one row (an extension already in use)', async () => {
    const before = await userCount();
    const csv = ['first_name,last_name,extension', 'Fresh,One,1070', 'Clash,Kari,1001'].join('\n');
    const reply = (await admin.command('people.import', { csv })) as { error: { message: string } };
    expect(reply.error.message).toContain('line 3');
    expect(await userCount()).toBe(before);
  });

  it('exports every person in the import format, and only admins may import or export', async () => {
    const reply = (await admin.command('people.export')) as { result: { csv: string } };
    const lines = reply.result.csv.trim().split('\n');
    expect(lines[0]).toBe(
      'first_name,last_name,title,department,extension,mobile,email,username,role',
    );
    expect(
      lines.some((l) => l.startsWith('Kari,Nordmann,Sentralbordoperatør,Sentralbord,1001,')),
    ).toBe(true);
    const kari = await RawApiClient.connect(core.wsUrl);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    expect(await kari.command('people.export')).toMatchObject({ error: { code: 'forbidden' } });
    expect(await kari.command('people.import', { csv: 'first_name,last_name\nA,B' })).toMatchObject(
      { error: { code: 'forbidden' } },
    );
    kari.close();
  });

  it('records imports and exports in the audit log, readable by admins only', async () => {
    const log = (await admin.command('audit.list', { limit: 50 })) as {
      result: {
        entries: Array<{
          actor: string | null;
          action: string;
          details: Record<string, unknown> | null;
        }>;
      };
    };
    const actions = log.result.entries.map((e) => e.action);
    expect(actions).toContain('people.export');
    expect(log.result.entries.find((e) => e.action === 'people.import')).toMatchObject({
      actor: 'admin',
      details: { created: 0, updated: 2 },
    });
    // Refused imports changed nothing and are not logged as imports.
    expect(actions.filter((a) => a === 'people.import')).toHaveLength(2);
    const kari = await RawApiClient.connect(core.wsUrl);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    expect(await kari.command('audit.list', {})).toMatchObject({ error: { code: 'forbidden' } });
    kari.close();
  });
});
