/**
 * What the schema itself refuses, whatever code writes to it; run against PGlite
 * (db.test.ts) and a real PostgreSQL (postgres.test.ts). Each check uses tenants
 * of its own, so the database may hold other data.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';

const CHECK_VIOLATION = { code: '23514' };
const UNIQUE_VIOLATION = { code: '23505' };
const FOREIGN_KEY_VIOLATION = { code: '23503' };

async function createTenant(db: Db): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    'INSERT INTO tenants (name, domain) VALUES ($1, $2) RETURNING id',
    ['Test AS', `t-${randomUUID()}.invalid`],
  );
  if (!row) throw new Error('no tenant');
  return row.id;
}

interface UserFields {
  username?: string;
  extension?: string | null;
  mobile?: string | null;
  role?: string;
  departmentId?: string | null;
}

async function insertUser(db: Db, tenantId: string, fields: UserFields = {}) {
  const [row] = await db.query<{ id: string; updated_at: Date }>(
    `INSERT INTO users (tenant_id, username, first_name, last_name, extension, mobile, role,
                        department_id)
     VALUES ($1, $2, 'Test', 'Person', $3, $4, $5, $6) RETURNING id, updated_at`,
    [
      tenantId,
      fields.username ?? `u${randomUUID().slice(0, 8)}`,
      fields.extension ?? null,
      fields.mobile ?? null,
      fields.role ?? 'agent',
      fields.departmentId ?? null,
    ],
  );
  if (!row) throw new Error('no user');
  return row;
}

export function describeSchemaConstraints(database: () => Db): void {
  describe('constraints', () => {
    it('reject a role other than agent, operator, supervisor or admin', async () => {
      const tenant = await createTenant(database());
      await expect(insertUser(database(), tenant, { role: 'superuser' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(insertUser(database(), tenant, { role: 'Admin' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
    });

    it('reject a username that is taken, even by another tenant', async () => {
      const [a, b] = [await createTenant(database()), await createTenant(database())];
      const username = `same.${randomUUID().slice(0, 8)}`;
      await insertUser(database(), a, { username });
      await expect(insertUser(database(), a, { username })).rejects.toMatchObject(UNIQUE_VIOLATION);
      await expect(insertUser(database(), b, { username })).rejects.toMatchObject(UNIQUE_VIOLATION);
    });

    it('reject a username with capitals or spaces', async () => {
      const tenant = await createTenant(database());
      await expect(insertUser(database(), tenant, { username: 'Kari.X' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(insertUser(database(), tenant, { username: 'kari x' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
    });

    it('reject an extension taken in the same tenant, but allow it in another', async () => {
      const [a, b] = [await createTenant(database()), await createTenant(database())];
      await insertUser(database(), a, { extension: '2001' });
      await expect(insertUser(database(), a, { extension: '2001' })).rejects.toMatchObject(
        UNIQUE_VIOLATION,
      );
      await expect(insertUser(database(), b, { extension: '2001' })).resolves.toBeDefined();
      await expect(insertUser(database(), b, { extension: '20a1' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
    });

    it('reject a mobile number not in E.164', async () => {
      const tenant = await createTenant(database());
      await expect(insertUser(database(), tenant, { mobile: '400 01 001' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(
        insertUser(database(), tenant, { mobile: '+4740001001' }),
      ).resolves.toBeDefined();
    });

    it('reject a department that belongs to another tenant', async () => {
      const [a, b] = [await createTenant(database()), await createTenant(database())];
      const [department] = await database().query<{ id: string }>(
        "INSERT INTO departments (tenant_id, name) VALUES ($1, 'Salg') RETURNING id",
        [a],
      );
      await expect(
        insertUser(database(), b, { departmentId: department?.id ?? null }),
      ).rejects.toMatchObject(FOREIGN_KEY_VIOLATION);
      await expect(
        insertUser(database(), a, { departmentId: department?.id ?? null }),
      ).resolves.toBeDefined();
    });

    it('delete departments and users with their tenant', async () => {
      const tenant = await createTenant(database());
      await database().query("INSERT INTO departments (tenant_id, name) VALUES ($1, 'IT')", [
        tenant,
      ]);
      await insertUser(database(), tenant);
      await database().query('DELETE FROM tenants WHERE id = $1', [tenant]);
      const [row] = await database().query<{ n: number }>(
        `SELECT (SELECT count(*) FROM users WHERE tenant_id = $1)
              + (SELECT count(*) FROM departments WHERE tenant_id = $1) AS n`,
        [tenant],
      );
      expect(Number(row?.n)).toBe(0);
    });
  });

  describe('defaults', () => {
    it('give rows uuid ids and move updated_at on every update', async () => {
      const tenant = await createTenant(database());
      expect(tenant).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const user = await insertUser(database(), tenant);
      // now() is the transaction start; a later statement in its own transaction is later.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const [updated] = await database().query<{ updated_at: Date }>(
        "UPDATE users SET title = 'Tester' WHERE id = $1 RETURNING updated_at",
        [user.id],
      );
      expect(updated?.updated_at.getTime()).toBeGreaterThan(user.updated_at.getTime());
    });
  });
}
