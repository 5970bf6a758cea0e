/**
 * The user queries every database engine must answer the same way, run against
 * PGlite (users.test.ts) and a real PostgreSQL (postgres.test.ts). The database
 * must hold the seeded demo company.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/store/db';
import { DEMO_ADMIN_PASSWORD, DEMO_PASSWORD, DEMO_USERS } from '../../../src/server/store/seed';
import { UserRepository, compareByName } from '../../../src/server/store/users';

export interface SeededStore {
  db: Db;
  tenantId: string;
}

export function describeUserQueries(store: () => SeededStore): void {
  const users = () => new UserRepository(store().db);

  describe('authenticate', () => {
    it('accepts the demo password, whatever the case of the username', async () => {
      const user = await users().authenticate('Kari.Nordmann', DEMO_PASSWORD);
      expect(user).toMatchObject({ username: 'kari.nordmann', role: 'operator' });
      expect(user).not.toHaveProperty('passwordHash');
      expect(user).not.toHaveProperty('password_hash');
    });

    it('rejects a wrong password with null', async () => {
      expect(await users().authenticate('kari.nordmann', 'demo12345')).toBeNull();
    });

    it('rejects an unknown user with null, as it does a wrong password', async () => {
      expect(await users().authenticate('nobody.here', DEMO_PASSWORD)).toBeNull();
    });

    it('lets the admin in with the admin password only', async () => {
      expect(await users().authenticate('admin', DEMO_ADMIN_PASSWORD)).toMatchObject({
        role: 'admin',
      });
      expect(await users().authenticate('admin', DEMO_PASSWORD)).toBeNull();
    });
  });

  describe('findByNumber', () => {
    // Kari Nordmann: extension 1001, mobile +47 400 01 001.
    it.each([
      ['+47 400 01 001'],
      ['+4740001001'],
      ['0047 40001001'],
      ['004740001001'],
      ['40001001'],
      ['400 01 001'],
      ['400-01-001'],
      ['sip:+4740001001@nordlys.sentral.invalid;user=phone'],
      ['tel:+47-400-01-001'],
      ['1001'],
      ['sip:1001@nordlys.sentral.invalid'],
      ['Kari.Nordmann'],
    ])('finds Kari Nordmann from %j', async (dialled) => {
      const user = await users().findByNumber(store().tenantId, dialled);
      expect(user?.username).toBe('kari.nordmann');
    });

    it('finds a 9xx mobile written with spaces', async () => {
      const user = await users().findByNumber(store().tenantId, '900 01 002');
      expect(user?.username).toBe('ase.strom');
    });

    it('finds nobody for a number no user has', async () => {
      expect(await users().findByNumber(store().tenantId, '+47 22 22 22 22')).toBeNull();
      expect(await users().findByNumber(store().tenantId, '9999')).toBeNull();
      expect(await users().findByNumber(store().tenantId, 'not a number!')).toBeNull();
    });

    it('looks only inside the given tenant', async () => {
      const otherTenant = '00000000-0000-4000-8000-000000000000';
      expect(await users().findByNumber(otherTenant, '1001')).toBeNull();
    });
  });

  describe('lookups', () => {
    it('finds a user by extension', async () => {
      const user = await users().findByExtension(store().tenantId, '1004');
      expect(user).toMatchObject({ firstName: 'Bjørn', lastName: 'Ødegård' });
    });

    it('finds a user by username in any case', async () => {
      const user = await users().findByUsername('RENE.LIE');
      expect(user).toMatchObject({ displayName: 'René Lie', departmentName: 'Salg' });
    });

    it('gets a user by id, and null for an unknown or malformed id', async () => {
      const kari = await users().findByUsername('kari.nordmann');
      expect(kari).not.toBeNull();
      expect(await users().get(kari?.id ?? '')).toEqual(kari);
      expect(await users().get('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await users().get('1001')).toBeNull();
    });
  });

  describe('list', () => {
    it('lists every user of the tenant with the department name', async () => {
      const list = await users().list(store().tenantId);
      expect(list).toHaveLength(DEMO_USERS.length);
      expect(list.find((u) => u.username === 'kari.nordmann')?.departmentName).toBe('Sentralbord');
      expect(list.every((u) => u.departmentName !== null)).toBe(true);
    });

    it('orders by last name, then first name, in Norwegian alphabetical order', async () => {
      const list = await users().list(store().tenantId);
      expect([...list].sort(compareByName)).toEqual(list);
      const lastNames = list.map((u) => u.lastName);
      // Æ, Ø, Å after Z, in that order; 'Aa' files as 'Å'.
      expect(lastNames.indexOf('Vik')).toBeLessThan(lastNames.indexOf('Ødegård'));
      expect(lastNames.indexOf('Ødegård')).toBeLessThan(lastNames.indexOf('Åsheim'));
      expect(lastNames.indexOf('Ødegård')).toBeLessThan(lastNames.indexOf('Aasen'));
      expect(lastNames.indexOf('Mæland')).toBeGreaterThan(lastNames.indexOf('Myhre'));
      // The admin has no last name and files under its first name, 'Administrator'.
      expect(list.slice(0, 2).map((u) => u.displayName)).toEqual([
        'Administrator',
        'Martin Andersen',
      ]);
    });
  });
}
