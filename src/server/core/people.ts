/**
 * The people the core serves, seen through the store: tenants by SIP domain, users by login or
 * dialled number. Adapts the store to what the API and the SIP side each need.
 */
import type { Db } from '../store/db';
import type { User, UserRepository } from '../store/users';
import type { ApiPeople, ApiUser } from '../api/api-server';
import type { Callee } from '../b2bua/b2bua';
import { presentableNumbers, type PresentableKind } from '../trunks/presented-number';

export interface Tenant {
  id: string;
  name: string;
  domain: string;
  mainNumber: string | null;
}

export class People implements ApiPeople {
  #tenantsById = new Map<string, Tenant>();
  #tenantsByDomain = new Map<string, Tenant>();

  constructor(
    private readonly db: Db,
    readonly users: UserRepository,
  ) {}

  /** Loads the tenant list (small; refreshed when tenants change). */
  async refreshTenants(): Promise<void> {
    const rows = await this.db.query<{
      id: string;
      name: string;
      domain: string;
      main_number: string | null;
    }>('SELECT id, name, domain, main_number FROM tenants');
    this.#tenantsById = new Map();
    this.#tenantsByDomain = new Map();
    for (const r of rows) {
      const t: Tenant = { id: r.id, name: r.name, domain: r.domain, mainNumber: r.main_number };
      this.#tenantsById.set(t.id, t);
      this.#tenantsByDomain.set(t.domain, t);
    }
  }

  tenantByDomain(domain: string): Tenant | undefined {
    return this.#tenantsByDomain.get(domain.toLowerCase());
  }

  tenants(): Tenant[] {
    return [...this.#tenantsById.values()];
  }

  tenant(id: string): Tenant | undefined {
    return this.#tenantsById.get(id);
  }

  async tenantDomain(tenantId: string): Promise<string> {
    const t = this.#tenantsById.get(tenantId);
    if (!t) throw new Error(`unknown tenant ${tenantId}`);
    return t.domain;
  }

  async authenticate(username: string, password: string): Promise<ApiUser | null> {
    const user = await this.users.authenticate(username, password);
    if (!user) return null;
    return { ...toApiUser(user), presentableNumbers: await this.presentableNumbers(user) };
  }

  /** The numbers `user` may show on external calls, the default first (see trunks/). */
  async presentableNumbers(user: User): Promise<Array<{ number: string; kind: PresentableKind }>> {
    let departmentNumber: string | null = null;
    if (user.departmentId) {
      const [row] = await this.db.query<{ number: string | null }>(
        'SELECT number FROM departments WHERE id = $1',
        [user.departmentId],
      );
      departmentNumber = row?.number ?? null;
    }
    return presentableNumbers({
      mobile: user.mobile,
      mainNumber: this.#tenantsById.get(user.tenantId)?.mainNumber ?? null,
      departmentNumber,
    });
  }

  async list(tenantId: string): Promise<ApiUser[]> {
    return (await this.users.list(tenantId)).map(toApiUser);
  }

  async findByUsername(username: string): Promise<User | null> {
    return this.users.findByUsername(username);
  }

  /** Resolves what a caller dialled to a user of the same tenant. */
  async resolveCallee(tenantId: string, dialled: string): Promise<Callee | null> {
    const user = await this.users.findByNumber(tenantId, dialled);
    const tenant = this.#tenantsById.get(tenantId);
    if (!user || !tenant) return null;
    return {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      extension: user.extension ?? user.username,
      domain: tenant.domain,
    };
  }
}

function toApiUser(u: User): ApiUser {
  return {
    id: u.id,
    tenantId: u.tenantId,
    username: u.username,
    displayName: u.displayName,
    extension: u.extension ?? '',
    role: u.role,
    mobile: u.mobile,
    department: u.departmentName,
    title: u.title,
  };
}
