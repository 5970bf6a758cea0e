/**
 * Departments of a tenant with their own numbers (issue 4), and where those numbers lead.
 *
 * A department has a name (text, unique in the tenant regardless of case, as the directory CSV
 * matches them), an optional number and an optional target: a queue or an answer group of the
 * same tenant. A call to the number goes to the target; without a target the number is
 * directory information (shown, presentable on outgoing calls) and rings only where a queue or
 * answer group owns the same number — the arrangement of 0002, which {@link
 * DepartmentRepository.list} reports as the department's target.
 *
 * Numbers are normalised like queue numbers (E.164 via libphonenumber-js, else a 2–8 digit
 * internal number). One number leads to one place: a department's number may not be another
 * department's, a person's extension or mobile, or a queue's or answer group's number (the
 * tenant's main number counting as its main queue's) — unless that queue or answer group is the
 * department's own target, where both lead to the same place. Writers of one number wait for
 * each other on the advisory lock the queue and answer group trigger takes (0002).
 *
 * @packageDocumentation
 */
import type { Db } from './db';
import { StoreError, translateWriteError } from './errors';
import { compactNumber, stripUri, toE164 } from './phone';
import { normaliseRoutingNumber, type RoutingMatch } from './queues';

/** Where a department's number leads. */
export interface DepartmentTarget {
  readonly kind: 'queue' | 'answer-group';
  readonly id: string;
}

export interface Department {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** E.164 or an internal short number; `null`: none. */
  readonly number: string | null;
  /** The stored target, else the queue or answer group owning the same number, else `null`. */
  readonly target: DepartmentTarget | null;
  /** Whether {@link Department.target} is stored (`false`: derived from a shared number). */
  readonly targetStored: boolean;
  /** People in the department. */
  readonly people: number;
}

export interface DepartmentInput {
  name: string;
  /** Any written form; `null` or `''`: no number. */
  number: string | null;
  target: DepartmentTarget | null;
}

/** One department number that leads somewhere (for the router's table). */
export interface DepartmentRoute {
  readonly tenantId: string;
  readonly number: string;
  readonly target: RoutingMatch;
}

/** Longest department name (the directory CSV's limit for a field). */
export const MAX_DEPARTMENT_NAME = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Names are text: markup and control characters are refused, as in the directory CSV. */
function requireDepartmentName(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new StoreError('invalid', 'name: a name is required', 'name');
  }
  const name = input.trim();
  if (name.length > MAX_DEPARTMENT_NAME) {
    throw new StoreError('invalid', `name: longer than ${MAX_DEPARTMENT_NAME} characters`, 'name');
  }
  if (
    /[<>]/.test(name) ||
    [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  ) {
    throw new StoreError('invalid', 'name: contains markup or control characters', 'name');
  }
  return name;
}

function requireTarget(target: DepartmentTarget | null): DepartmentTarget | null {
  if (target === null) return null;
  if (target.kind !== 'queue' && target.kind !== 'answer-group') {
    throw new StoreError('invalid', 'target: must be a queue or an answer group', 'target');
  }
  if (typeof target.id !== 'string' || !UUID.test(target.id)) {
    throw new StoreError('invalid', 'target: not an id', 'target');
  }
  return { kind: target.kind, id: target.id.toLowerCase() };
}

function sameTarget(a: DepartmentTarget | null, b: DepartmentTarget | null): boolean {
  return a !== null && b !== null && a.kind === b.kind && a.id === b.id;
}

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  number: string | null;
  target_kind: 'queue' | 'answer-group' | null;
  target_queue_id: string | null;
  target_answer_group_id: string | null;
  shared_queue_id: string | null;
  shared_answer_group_id: string | null;
  people: number;
}

const SELECT = `
  SELECT d.id, d.tenant_id, d.name, d.number, d.target_kind, d.target_queue_id,
         d.target_answer_group_id,
         (SELECT q.id FROM queues q WHERE q.tenant_id = d.tenant_id AND q.number = d.number
           LIMIT 1) AS shared_queue_id,
         (SELECT g.id FROM answer_groups g WHERE g.tenant_id = d.tenant_id AND g.number = d.number
           LIMIT 1) AS shared_answer_group_id,
         (SELECT count(*)::int FROM users u WHERE u.tenant_id = d.tenant_id
             AND u.department_id = d.id) AS people
    FROM departments d`;

function toDepartment(row: Row): Department {
  const stored: DepartmentTarget | null =
    row.target_kind === 'queue' && row.target_queue_id
      ? { kind: 'queue', id: row.target_queue_id }
      : row.target_kind === 'answer-group' && row.target_answer_group_id
        ? { kind: 'answer-group', id: row.target_answer_group_id }
        : null;
  const shared: DepartmentTarget | null = row.shared_queue_id
    ? { kind: 'queue', id: row.shared_queue_id }
    : row.shared_answer_group_id
      ? { kind: 'answer-group', id: row.shared_answer_group_id }
      : null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    number: row.number,
    target: stored ?? shared,
    targetStored: stored !== null,
    people: row.people,
  };
}

const NAME_ORDER = new Intl.Collator('nb', { sensitivity: 'base', numeric: true });

/**
 * The departments of a tenant. Every method takes the tenant and never reads or writes another
 * tenant's rows. Writes are checked first and run in one transaction; a refusal is a
 * {@link StoreError} (`invalid`, `conflict`, `in_use`) and leaves nothing behind.
 */
export class DepartmentRepository {
  constructor(private readonly db: Db) {}

  /** The tenant's departments, by name. */
  async list(tenantId: string): Promise<Department[]> {
    if (!UUID.test(tenantId)) return [];
    const rows = await this.db.query<Row>(`${SELECT} WHERE d.tenant_id = $1`, [tenantId]);
    return rows.map(toDepartment).sort((a, b) => NAME_ORDER.compare(a.name, b.name));
  }

  async get(tenantId: string, id: string): Promise<Department | null> {
    return getDepartment(this.db, tenantId, id);
  }

  /** Creates a department. @throws {@link StoreError} */
  async create(tenantId: string, input: DepartmentInput): Promise<Department> {
    if (!UUID.test(tenantId)) throw new StoreError('invalid', 'Unknown tenant', 'tenantId');
    const checked = this.#check(input);
    return this.#write(async (tx) => {
      await checkFree(tx, tenantId, null, checked);
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO departments (tenant_id, name, number, target_kind, target_queue_id,
                                  target_answer_group_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tenantId, checked.name, checked.number, ...targetValues(checked.target)],
      );
      return requireRow(await getDepartment(tx, tenantId, row?.id ?? ''));
    });
  }

  /** Updates a department; `null` when the tenant has none with this id. @throws {@link StoreError} */
  async update(tenantId: string, id: string, input: DepartmentInput): Promise<Department | null> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return null;
    const checked = this.#check(input);
    return this.#write(async (tx) => {
      const rows = await tx.query<{ id: string }>(
        'SELECT id FROM departments WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, id],
      );
      if (rows.length === 0) return null;
      await checkFree(tx, tenantId, id, checked);
      await tx.query(
        `UPDATE departments
            SET name = $3, number = $4, target_kind = $5, target_queue_id = $6,
                target_answer_group_id = $7
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, checked.name, checked.number, ...targetValues(checked.target)],
      );
      return getDepartment(tx, tenantId, id);
    });
  }

  /**
   * Deletes a department; `false` when none such.
   * @throws {@link StoreError} `in_use` while people belong to it.
   */
  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return false;
    return this.#write(async (tx) => {
      const [row] = await tx.query<{ people: number }>(
        `SELECT count(*)::int AS people FROM users WHERE tenant_id = $1 AND department_id = $2`,
        [tenantId, id],
      );
      const people = row?.people ?? 0;
      if (people > 0) {
        throw new StoreError(
          'in_use',
          `${people === 1 ? '1 person belongs' : `${people} people belong`} to this department; move them first`,
        );
      }
      const deleted = await tx.query(
        'DELETE FROM departments WHERE tenant_id = $1 AND id = $2 RETURNING id',
        [tenantId, id],
      );
      return deleted.length > 0;
    });
  }

  /** Every department number with a stored target, in every tenant (the router's table). */
  async routes(): Promise<DepartmentRoute[]> {
    const rows = await this.db.query<{
      tenant_id: string;
      number: string;
      target_kind: 'queue' | 'answer-group';
      target_id: string;
    }>(
      `SELECT tenant_id, number, target_kind,
              COALESCE(target_queue_id, target_answer_group_id) AS target_id
         FROM departments
        WHERE number IS NOT NULL AND target_kind IS NOT NULL`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      number: r.number,
      target: { kind: r.target_kind, id: r.target_id },
    }));
  }

  #check(input: DepartmentInput): DepartmentInput {
    return {
      name: requireDepartmentName(input.name),
      number: normaliseRoutingNumber(input.number),
      target: requireTarget(input.target),
    };
  }

  async #write<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (error) {
      translateWriteError(error, 'department');
    }
  }
}

/**
 * The department number (normalised) a dialled number names, in any written form, for
 * matching against {@link DepartmentRoute.number}: E.164 when valid, else the bare digits.
 */
export function dialledKeys(dialled: string): string[] {
  const bare = stripUri(dialled);
  const e164 = toE164(bare);
  const compact = compactNumber(bare);
  return [e164, /^[0-9]{2,8}$/.test(compact) ? compact : null].filter(
    (k): k is string => k !== null,
  );
}

function targetValues(
  target: DepartmentTarget | null,
): [string | null, string | null, string | null] {
  return [
    target?.kind ?? null,
    target?.kind === 'queue' ? target.id : null,
    target?.kind === 'answer-group' ? target.id : null,
  ];
}

async function getDepartment(db: Db, tenantId: string, id: string): Promise<Department | null> {
  if (!UUID.test(tenantId) || !UUID.test(id)) return null;
  const [row] = await db.query<Row>(`${SELECT} WHERE d.tenant_id = $1 AND d.id = $2`, [
    tenantId,
    id,
  ]);
  return row ? toDepartment(row) : null;
}

function requireRow<T>(row: T | null): T {
  if (row === null) throw new Error('department vanished inside its own transaction');
  return row;
}

/**
 * Refuses a name or number that is taken (see the module comment) and a target that is not the
 * tenant's. Takes the number's advisory lock first, so a concurrent queue or answer group write
 * of the same number waits for this transaction.
 */
async function checkFree(
  tx: Db,
  tenantId: string,
  selfId: string | null,
  input: DepartmentInput,
): Promise<void> {
  const [sameName] = await tx.query<{ name: string }>(
    `SELECT name FROM departments
      WHERE tenant_id = $1 AND lower(name) = lower($2) AND id IS DISTINCT FROM $3::uuid`,
    [tenantId, input.name, selfId],
  );
  if (sameName) {
    throw new StoreError(
      'conflict',
      `name: there is already a department ${sameName.name}`,
      'name',
    );
  }
  const target = input.target;
  if (target) {
    const table = target.kind === 'queue' ? 'queues' : 'answer_groups';
    const found = await tx.query(`SELECT 1 FROM ${table} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      target.id,
    ]);
    if (found.length === 0) {
      throw new StoreError(
        'invalid',
        `target: no such ${target.kind === 'queue' ? 'queue' : 'answer group'}`,
        'target',
      );
    }
  }
  const number = input.number;
  if (number === null) return;
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
    `sentral:number:${tenantId}:${number}`,
  ]);
  const [department] = await tx.query<{ name: string }>(
    `SELECT name FROM departments
      WHERE tenant_id = $1 AND number = $2 AND id IS DISTINCT FROM $3::uuid`,
    [tenantId, number, selfId],
  );
  if (department) {
    throw new StoreError(
      'conflict',
      `number: ${number} is already the number of department ${department.name}`,
      'number',
    );
  }
  const [person] = await tx.query<{ name: string }>(
    `SELECT btrim(first_name || ' ' || last_name) AS name FROM users
      WHERE tenant_id = $1 AND (extension = $2 OR mobile = $2) LIMIT 1`,
    [tenantId, number],
  );
  if (person) {
    throw new StoreError(
      'conflict',
      `number: ${number} is already ${person.name}'s number`,
      'number',
    );
  }
  const owners = await tx.query<{ kind: 'queue' | 'answer-group'; id: string; name: string }>(
    `SELECT 'queue' AS kind, id, name FROM queues WHERE tenant_id = $1 AND number = $2
     UNION ALL
     SELECT 'answer-group', id, name FROM answer_groups WHERE tenant_id = $1 AND number = $2
     UNION ALL
     SELECT 'queue', q.id, q.name FROM queues q JOIN tenants t ON t.id = q.tenant_id
      WHERE q.tenant_id = $1 AND q.is_main AND t.main_number = $2`,
    [tenantId, number],
  );
  const other = owners.find((o) => !sameTarget(target, { kind: o.kind, id: o.id }));
  if (other) {
    throw new StoreError(
      'conflict',
      `number: ${number} is already the number of ${other.kind === 'queue' ? 'queue' : 'answer group'} ${other.name}; choose it as the target or another number`,
      'number',
    );
  }
  const [tenant] = await tx.query<{ main_number: string | null }>(
    'SELECT main_number FROM tenants WHERE id = $1',
    [tenantId],
  );
  if (tenant?.main_number === number && !target) {
    throw new StoreError('conflict', `number: ${number} is the company's main number`, 'number');
  }
}
