/**
 * Users of a tenant: lookup by username, extension or any written phone number,
 * the directory list, and password login.
 *
 * @packageDocumentation
 */
import type { Db } from './db';
import { RoutingMemo } from './routing-version';
import { StoreError } from './errors';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords';
import { compactNumber, stripUri, toE164 } from './phone';

/** What a user may do, from least to most. */
export const ROLES = ['user', 'agent', 'operator', 'supervisor', 'board', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A user as the rest of the server sees it (never with the password hash). */
export interface User {
  readonly id: string;
  readonly tenantId: string;
  /** Lowercase login name. */
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  /** The stored display name, or 'first last' when none is stored. */
  readonly displayName: string;
  readonly title: string | null;
  readonly departmentId: string | null;
  readonly departmentName: string | null;
  /** Internal number, e.g. `'1001'`. */
  readonly extension: string | null;
  /** E.164, e.g. `'+4740001001'`. */
  readonly mobile: string | null;
  readonly email: string | null;
  readonly role: Role;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface UserRow {
  id: string;
  tenant_id: string;
  username: string;
  first_name: string;
  last_name: string;
  display_name: string;
  title: string | null;
  department_id: string | null;
  department_name: string | null;
  extension: string | null;
  mobile: string | null;
  email: string | null;
  role: Role;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = `
  u.id, u.tenant_id, u.username, u.first_name, u.last_name,
  coalesce(u.display_name, btrim(u.first_name || ' ' || u.last_name)) AS display_name,
  u.title, u.department_id, d.name AS department_name, u.extension, u.mobile,
  u.email, u.role, u.created_at, u.updated_at`;
const FROM_USERS = 'FROM users u LEFT JOIN departments d ON d.id = u.department_id';
const SELECT_USER = `SELECT ${USER_COLUMNS} ${FROM_USERS}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    username: row.username,
    firstName: row.first_name,
    lastName: row.last_name,
    displayName: row.display_name,
    title: row.title,
    departmentId: row.department_id,
    departmentName: row.department_name,
    extension: row.extension,
    mobile: row.mobile,
    email: row.email,
    role: row.role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Norwegian alphabetical order (… x y z æ ø å; 'Aa' files as 'å', as in Norwegian
 * directories), the same on PGlite and PostgreSQL.
 */
const NAME_ORDER = new Intl.Collator('nb', { sensitivity: 'base', numeric: true });

/**
 * Compares users by last name, then first name, then username. A user without a
 * last name (a shared or system account) files under the first name.
 */
export function compareByName(a: User, b: User): number {
  return (
    NAME_ORDER.compare(a.lastName || a.firstName, b.lastName || b.firstName) ||
    NAME_ORDER.compare(a.firstName, b.firstName) ||
    NAME_ORDER.compare(a.username, b.username)
  );
}

/** Usernames are compared lowercase; see the CHECK on `users.username`. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Reads users; every method scopes by tenant except the login-wide username lookups. */
export class UserRepository {
  /** Per-call lookups (who is calling, who is dialled) answered without a query. */
  readonly #lookups: RoutingMemo<User | null>;

  constructor(private readonly db: Db) {
    this.#lookups = new RoutingMemo(() => db.routing.value);
  }

  /** The user with this id, or `null`. */
  async get(id: string): Promise<User | null> {
    if (!UUID.test(id)) return null;
    const [row] = await this.db.query<UserRow>(`${SELECT_USER} WHERE u.id = $1`, [id]);
    return row ? toUser(row) : null;
  }

  /** The user with this username in any letter case, or `null`. */
  async findByUsername(username: string): Promise<User | null> {
    const wanted = normaliseUsername(username);
    return this.#lookups.get(`username\n${wanted}`, async () => {
      const [row] = await this.db.query<UserRow>(`${SELECT_USER} WHERE u.username = $1`, [wanted]);
      return row ? toUser(row) : null;
    });
  }

  /** The tenant's user with this internal number, or `null`. */
  async findByExtension(tenantId: string, extension: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow>(
      `${SELECT_USER} WHERE u.tenant_id = $1 AND u.extension = $2`,
      [tenantId, compactNumber(extension.trim())],
    );
    return row ? toUser(row) : null;
  }

  /**
   * The tenant's user a dialled string means: an extension (`1001`), a mobile
   * number in any written form (`+47 400 01 001`, `0047 40001001`,
   * `400 01 001`, `sip:+4740001001@host`), or a username (`kari.nordmann`).
   * An extension wins over a mobile, a mobile over a username.
   */
  async findByNumber(tenantId: string, dialled: string): Promise<User | null> {
    const bare = stripUri(dialled);
    return this.#lookups.get(`number\n${tenantId}\n${bare}`, async () => {
      const compact = compactNumber(bare);
      const extension = /^[0-9]{2,8}$/.test(compact) ? compact : null;
      const mobile = toE164(bare);
      const username = /^[a-z0-9._-]+$/i.test(bare) ? normaliseUsername(bare) : null;
      if (extension === null && mobile === null && username === null) return null;
      const [row] = await this.db.query<UserRow>(
        `${SELECT_USER}
        WHERE u.tenant_id = $1
          AND (u.extension = $2 OR u.mobile = $3 OR u.username = $4)
        ORDER BY CASE WHEN u.extension = $2 THEN 0 WHEN u.mobile = $3 THEN 1 ELSE 2 END,
                 u.last_name, u.first_name, u.username
        LIMIT 1`,
        [tenantId, extension, mobile, username],
      );
      return row ? toUser(row) : null;
    });
  }

  /** The tenant's directory: all users with their department, by last then first name. */
  async list(tenantId: string): Promise<User[]> {
    const rows = await this.db.query<UserRow>(`${SELECT_USER} WHERE u.tenant_id = $1`, [tenantId]);
    // Sorted here, not in SQL: the database collation differs between PGlite and
    // PostgreSQL installs, and the directory must be in Norwegian order everywhere.
    return rows.map(toUser).sort(compareByName);
  }

  /**
   * Sets a user's password (argon2id). False when there is no such user in the tenant.
   * At least 8 characters; the caller checks who may do this.
   */
  async setPassword(tenantId: string, userId: string, password: string): Promise<boolean> {
    if (password.length < 8 || password.length > 256) {
      throw new StoreError('invalid', 'A password has 8 to 256 characters.', 'password');
    }
    const rows = await this.db.query(
      `UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id::text = $2 RETURNING id`,
      [tenantId, userId, await hashPassword(password)],
    );
    return rows.length > 0;
  }

  /**
   * The user when the password is right, otherwise `null` — for an unknown user,
   * a user without a password and a wrong password alike, and in about the same
   * time (an unknown user costs one dummy argon2id verification).
   */
  async authenticate(username: string, password: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow & { password_hash: string | null }>(
      `SELECT ${USER_COLUMNS}, u.password_hash ${FROM_USERS} WHERE u.username = $1`,
      [normaliseUsername(username)],
    );
    if (!row?.password_hash) {
      await verifyAgainstDummy(password);
      return null;
    }
    const { password_hash: hash, ...user } = row;
    if (!(await verifyPassword(password, hash))) return null;
    if (needsRehash(hash)) {
      // An old (scrypt) or weaker hash: replace it now that we have the password.
      await this.db.query(
        'UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3',
        [user.id, await hashPassword(password), hash],
      );
    }
    return toUser(user);
  }
}
