/**
 * Departments and their own numbers for the API (issue 4), and the table the router reads to
 * send a call to a department's number on to the department's queue or answer group.
 *
 * Routing. A dialled number goes to a queue or answer group owning it first (as before); only
 * when none does, a department number with a stored target answers, from an in-memory table
 * ({@link DepartmentNumbers}) reloaded after every department write — so an ordinary call to a
 * colleague costs no extra database query. A department whose number a queue or answer group
 * also carries (the 0002 arrangement) keeps routing through that queue or answer group.
 */
import type { DepartmentConfig } from '../../shared/protocol';
import type { ApiDepartments, DepartmentInput } from '../api/api-server';
import type { Db } from '../store/db';
import {
  dialledKeys,
  type Department,
  type DepartmentRepository,
  type DepartmentRoute,
} from '../store/departments';
import { QueueRepository, type RoutingMatch } from '../store/queues';

/** Department numbers that lead somewhere, by tenant and number, in memory. */
export class DepartmentNumbers {
  #routes = new Map<string, RoutingMatch>();

  constructor(private readonly source: { routes(): Promise<DepartmentRoute[]> }) {}

  /** Reads the table again (at start and after each department write). */
  async reload(): Promise<void> {
    const routes = new Map<string, RoutingMatch>();
    for (const r of await this.source.routes()) routes.set(key(r.tenantId, r.number), r.target);
    this.#routes = routes;
  }

  /** The queue or answer group a department number in any written form leads to, or `null`. */
  find(tenantId: string, dialled: string): RoutingMatch | null {
    for (const k of dialledKeys(dialled)) {
      const found = this.#routes.get(key(tenantId, k));
      if (found) return found;
    }
    return null;
  }
}

function key(tenantId: string, number: string): string {
  return `${tenantId} ${number}`;
}

/**
 * The queue repository the switchboard routes with: a number no queue or answer group owns
 * may be a department's, leading to the department's target.
 */
export class DepartmentRoutingQueues extends QueueRepository {
  constructor(
    db: Db,
    private readonly departments: Pick<DepartmentNumbers, 'find'>,
  ) {
    super(db);
  }

  override async findByNumber(tenantId: string, dialled: string): Promise<RoutingMatch | null> {
    return (
      (await super.findByNumber(tenantId, dialled)) ?? this.departments.find(tenantId, dialled)
    );
  }
}

function departmentConfig(d: Department): DepartmentConfig {
  return {
    id: d.id,
    name: d.name,
    number: d.number,
    target: d.target ? { kind: d.target.kind, id: d.target.id } : null,
    people: d.people,
  };
}

/** Department administration over the store; the engine reloads so names and routes hold. */
export class DepartmentAdmin implements ApiDepartments {
  constructor(
    private readonly repository: DepartmentRepository,
    private readonly numbers: Pick<DepartmentNumbers, 'reload'>,
    /** Reloads the directory, where people carry their department's name. */
    private readonly reloadDirectory: () => Promise<void>,
  ) {}

  async list(tenantId: string): Promise<DepartmentConfig[]> {
    return (await this.repository.list(tenantId)).map(departmentConfig);
  }

  async save(
    tenantId: string,
    id: string | undefined,
    input: DepartmentInput,
  ): Promise<DepartmentConfig | null> {
    const saved =
      id === undefined
        ? await this.repository.create(tenantId, input)
        : await this.repository.update(tenantId, id, input);
    if (!saved) return null;
    await this.numbers.reload();
    if (id !== undefined) await this.reloadDirectory();
    return departmentConfig(saved);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const deleted = await this.repository.delete(tenantId, id);
    if (deleted) await this.numbers.reload();
    return deleted;
  }
}
