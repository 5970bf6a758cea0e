/**
 * Switchboard configuration of a tenant: queues (innringerkø) and answer groups
 * (svargrupper) with their members, the VIP list, and which of them a dialled
 * number leads to.
 *
 * Numbers. A queue or answer group number is stored in E.164 when it is a valid
 * phone number (`+47 21 00 00 20`, `21000020`, `0047…` all become `+4721000020`) and
 * as an internal short number (`1099`) otherwise. One number leads to one place in
 * a tenant: the schema refuses a queue number that an answer group, a user's
 * extension or a user's mobile already has, and the reverse. A department may carry
 * the same number as the queue or answer group it leads to (migrations 0011, 0012);
 * {@link QueueRepository.findByNumber} only ever answers with a queue or an answer
 * group, and the tenant's main number leads to its main queue — a department's own
 * number is resolved after it (people/department-admin.ts, DepartmentRoutingQueues).
 * Its answers are memoised per number until routing data changes (routing-version.ts).
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { getCountryCallingCode } from 'libphonenumber-js';
import type { Db } from './db';
import { RoutingMemo } from './routing-version';
import { StoreError, translateWriteError } from './errors';
import { DEFAULT_COUNTRY, compactNumber, stripUri, toE164 } from './phone';

/** How a queue offers a waiting caller to its agents. */
export const QUEUE_STRATEGIES = ['ring-all', 'longest-idle', 'round-robin', 'serial'] as const;
export type QueueStrategy = (typeof QUEUE_STRATEGIES)[number];

/** How an answer group rings its members: all at once, or one after another. */
export const ANSWER_GROUP_MODES = ['parallel', 'serial'] as const;
export type AnswerGroupMode = (typeof ANSWER_GROUP_MODES)[number];

/** What a caller can be sent on to (overflow, no agents, fallback). */
export const TARGET_KINDS = ['queue', 'user', 'answer-group', 'number'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * A routing target: a queue, user or answer group of the same tenant by id, or an
 * external number (`id` is then the E.164 number).
 */
export interface Target {
  readonly kind: TargetKind;
  readonly id: string;
}

/** A queue with its agents. */
export interface Queue {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** E.164 or internal short number; `null` for a queue reached only by overflow. */
  readonly number: string | null;
  readonly strategy: QueueStrategy;
  /** Seconds one offer rings an agent. */
  readonly ringTimeoutS: number;
  /** Seconds an agent rests after a call before the next offer. */
  readonly wrapUpS: number;
  /** Longest wait before the caller goes to {@link Queue.overflowTarget}; `null`: no limit. */
  readonly maxWaitS: number | null;
  /** Most callers waiting; the next one goes to the overflow target. `null`: no limit. */
  readonly maxLength: number | null;
  readonly overflowTarget: Target | null;
  /** Where callers go while no agent is logged in; `null`: they wait. */
  readonly noAgentsTarget: Target | null;
  /** Target answer time in seconds for the service level. */
  readonly serviceLevelS: number;
  /** Misses in a row that pause an agent automatically; `null`: never. */
  readonly autoPauseAfterMisses: number | null;
  /** The tenant's main number leads here (at most one queue per tenant). */
  readonly isMain: boolean;
  /** User ids of the agents, in `serial` order. */
  readonly members: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A new queue; omitted fields take the schema's defaults. */
export interface QueueInput {
  name: string;
  /** Any written form; normalised (see the module comment). */
  number?: string | null;
  strategy?: QueueStrategy;
  ringTimeoutS?: number;
  wrapUpS?: number;
  maxWaitS?: number | null;
  maxLength?: number | null;
  overflowTarget?: Target | null;
  noAgentsTarget?: Target | null;
  serviceLevelS?: number;
  autoPauseAfterMisses?: number | null;
  /** Making a queue the main queue takes the mark from the previous one. */
  isMain?: boolean;
  /** User ids, in order; every one must be a user of the tenant. */
  members?: readonly string[];
}

/** Changes to a queue; omitted fields stay, `members` (when given) replaces the list. */
export type QueuePatch = Partial<QueueInput>;

/** An answer group with its members. */
export interface AnswerGroup {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly number: string | null;
  readonly mode: AnswerGroupMode;
  /** Parallel: how long all members ring; serial: how long each member rings. */
  readonly ringTimeoutS: number;
  /** Where the caller goes when nobody answers; `null`: the call is rejected. */
  readonly fallback: Target | null;
  /** User ids, in `serial` order. */
  readonly members: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface AnswerGroupInput {
  name: string;
  number?: string | null;
  mode?: AnswerGroupMode;
  ringTimeoutS?: number;
  fallback?: Target | null;
  members?: readonly string[];
}

export type AnswerGroupPatch = Partial<AnswerGroupInput>;

/** One entry of a tenant's VIP list. */
export interface VipEntry {
  /** E.164 number (`+4790000001`) or E.164 prefix ending with `*` (`+4741*`). */
  readonly pattern: string;
  readonly label: string | null;
}

/** What a dialled number leads to. */
export interface RoutingMatch {
  readonly kind: 'queue' | 'answer-group';
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHORT_NUMBER = /^[0-9]{2,8}$/;
const NAME_ORDER = new Intl.Collator('nb', { sensitivity: 'base', numeric: true });

// ---------------------------------------------------------------------------
// Validation and normalisation

/**
 * Normalises a queue or answer group number: E.164 when it is a valid phone number,
 * else a 2–8 digit internal number. `null` and `''` mean "no number".
 * @throws {@link StoreError} `invalid` for anything else.
 */
export function normaliseRoutingNumber(input: string | null | undefined): string | null {
  if (input === null || input === undefined || input.trim() === '') return null;
  const bare = stripUri(input);
  const e164 = toE164(bare);
  if (e164) return e164;
  const compact = compactNumber(bare);
  if (SHORT_NUMBER.test(compact)) return compact;
  throw new StoreError(
    'invalid',
    `"${input}" is neither a phone number nor a short number`,
    'number',
  );
}

/**
 * Normalises a VIP pattern: an exact number in any written form becomes E.164
 * (`900 00 001` → `+4790000001`); a prefix ends with `*` and is written
 * internationally with `+` or `00` (`+47 41*`, `004741*`) or nationally
 * (`41*` → `+4741*`, in {@link DEFAULT_COUNTRY}).
 * @throws {@link StoreError} `invalid` when it is neither.
 */
export function normaliseVipPattern(input: string): string {
  const bare = stripUri(input);
  if (bare.endsWith('*')) {
    let prefix = compactNumber(bare.slice(0, -1));
    if (prefix.startsWith('00')) prefix = `+${prefix.slice(2)}`;
    else if (/^[0-9]+$/.test(prefix))
      prefix = `+${getCountryCallingCode(DEFAULT_COUNTRY)}${prefix}`;
    if (/^\+[1-9][0-9]{0,13}$/.test(prefix)) return `${prefix}*`;
  } else {
    const e164 = toE164(bare);
    if (e164) return e164;
  }
  throw new StoreError(
    'invalid',
    `"${input}" is not a phone number or a number prefix ending with *`,
    'pattern',
  );
}

/**
 * Whether a caller's number (any written form) is on a VIP list of normalised
 * patterns (from {@link QueueRepository.vipList}).
 */
export function matchesVip(patterns: readonly string[], callerNumber: string): boolean {
  const number = toE164(callerNumber) ?? compactNumber(stripUri(callerNumber));
  if (!number.startsWith('+')) return false;
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? number.startsWith(pattern.slice(0, -1)) : pattern === number,
  );
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new StoreError('invalid', 'A name is required', 'name');
  }
  return name.trim();
}

function requireInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreError('invalid', `${field} must be a whole number ${min}–${max}`, field);
  }
  return value;
}

function optionalInt(value: unknown, field: string, min: number, max: number): number | null {
  return value === null ? null : requireInt(value, field, min, max);
}

function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new StoreError('invalid', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
}

function normaliseTarget(target: Target | null, field: string): Target | null {
  if (target === null) return null;
  const kind = requireOneOf(target.kind, TARGET_KINDS, field);
  if (kind === 'number') {
    const number = typeof target.id === 'string' ? toE164(target.id) : null;
    if (!number) throw new StoreError('invalid', `${field}: not a phone number`, field);
    return { kind, id: number };
  }
  if (typeof target.id !== 'string' || !UUID.test(target.id)) {
    throw new StoreError('invalid', `${field}: not an id`, field);
  }
  return { kind, id: target.id.toLowerCase() };
}

function normaliseMembers(members: readonly string[]): string[] {
  if (!Array.isArray(members)) throw new StoreError('invalid', 'members must be a list', 'members');
  const ids = members.map((id) => {
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new StoreError('invalid', `members: "${String(id)}" is not a user id`, 'members');
    }
    return id.toLowerCase();
  });
  if (new Set(ids).size !== ids.length) {
    throw new StoreError('invalid', 'members: a user is listed twice', 'members');
  }
  return ids;
}

/** The columns of a target slot (`overflow`, `no_agents`, `fallback`). */
function targetColumns(prefix: string, target: Target | null): Record<string, unknown> {
  return {
    [`${prefix}_kind`]: target?.kind ?? null,
    [`${prefix}_queue_id`]: target?.kind === 'queue' ? target.id : null,
    [`${prefix}_user_id`]: target?.kind === 'user' ? target.id : null,
    [`${prefix}_answer_group_id`]: target?.kind === 'answer-group' ? target.id : null,
    [`${prefix}_number`]: target?.kind === 'number' ? target.id : null,
  };
}

function targetSelect(alias: string, prefix: string): string {
  return `${alias}.${prefix}_kind, ${alias}.${prefix}_queue_id, ${alias}.${prefix}_user_id,
          ${alias}.${prefix}_answer_group_id, ${alias}.${prefix}_number`;
}

type Row = Record<string, unknown>;

function readTarget(row: Row, prefix: string): Target | null {
  const kind = row[`${prefix}_kind`] as TargetKind | null;
  if (kind === null) return null;
  const column =
    kind === 'answer-group' ? 'answer_group_id' : kind === 'number' ? 'number' : `${kind}_id`;
  return { kind, id: row[`${prefix}_${column}`] as string };
}

/** Validated column values of a queue input or patch (only the fields given). */
function queueColumns(input: QueuePatch): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (input.name !== undefined) columns.name = requireName(input.name);
  if (input.number !== undefined) columns.number = normaliseRoutingNumber(input.number);
  if (input.strategy !== undefined) {
    columns.strategy = requireOneOf(input.strategy, QUEUE_STRATEGIES, 'strategy');
  }
  if (input.ringTimeoutS !== undefined) {
    columns.ring_timeout_s = requireInt(input.ringTimeoutS, 'ringTimeoutS', 1, 600);
  }
  if (input.wrapUpS !== undefined)
    columns.wrap_up_s = requireInt(input.wrapUpS, 'wrapUpS', 0, 3600);
  if (input.maxWaitS !== undefined) {
    columns.max_wait_s = optionalInt(input.maxWaitS, 'maxWaitS', 1, 2_000_000_000);
  }
  if (input.maxLength !== undefined) {
    columns.max_length = optionalInt(input.maxLength, 'maxLength', 1, 2_000_000_000);
  }
  if (input.overflowTarget !== undefined) {
    Object.assign(
      columns,
      targetColumns('overflow', normaliseTarget(input.overflowTarget, 'overflowTarget')),
    );
  }
  if (input.noAgentsTarget !== undefined) {
    Object.assign(
      columns,
      targetColumns('no_agents', normaliseTarget(input.noAgentsTarget, 'noAgentsTarget')),
    );
  }
  if (input.serviceLevelS !== undefined) {
    columns.service_level_s = requireInt(input.serviceLevelS, 'serviceLevelS', 1, 3600);
  }
  if (input.autoPauseAfterMisses !== undefined) {
    columns.auto_pause_after_misses = optionalInt(
      input.autoPauseAfterMisses,
      'autoPauseAfterMisses',
      1,
      100,
    );
  }
  if (input.isMain !== undefined) {
    if (typeof input.isMain !== 'boolean') {
      throw new StoreError('invalid', 'isMain must be true or false', 'isMain');
    }
    columns.is_main = input.isMain;
  }
  return columns;
}

function answerGroupColumns(input: AnswerGroupPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (input.name !== undefined) columns.name = requireName(input.name);
  if (input.number !== undefined) columns.number = normaliseRoutingNumber(input.number);
  if (input.mode !== undefined) columns.mode = requireOneOf(input.mode, ANSWER_GROUP_MODES, 'mode');
  if (input.ringTimeoutS !== undefined) {
    columns.ring_timeout_s = requireInt(input.ringTimeoutS, 'ringTimeoutS', 1, 600);
  }
  if (input.fallback !== undefined) {
    Object.assign(columns, targetColumns('fallback', normaliseTarget(input.fallback, 'fallback')));
  }
  return columns;
}

// ---------------------------------------------------------------------------
// Rows

const SELECT_QUEUE = `
  SELECT q.id, q.tenant_id, q.name, q.number, q.strategy, q.ring_timeout_s, q.wrap_up_s,
         q.max_wait_s, q.max_length, ${targetSelect('q', 'overflow')},
         ${targetSelect('q', 'no_agents')}, q.service_level_s, q.auto_pause_after_misses,
         q.is_main, q.created_at, q.updated_at,
         coalesce((SELECT json_agg(m.user_id ORDER BY m.position)
                     FROM queue_members m WHERE m.queue_id = q.id), '[]'::json) AS members
    FROM queues q`;

const SELECT_ANSWER_GROUP = `
  SELECT g.id, g.tenant_id, g.name, g.number, g.mode, g.ring_timeout_s,
         ${targetSelect('g', 'fallback')}, g.created_at, g.updated_at,
         coalesce((SELECT json_agg(m.user_id ORDER BY m.position)
                     FROM answer_group_members m WHERE m.answer_group_id = g.id),
                  '[]'::json) AS members
    FROM answer_groups g`;

function toQueue(row: Row): Queue {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    number: row.number as string | null,
    strategy: row.strategy as QueueStrategy,
    ringTimeoutS: row.ring_timeout_s as number,
    wrapUpS: row.wrap_up_s as number,
    maxWaitS: row.max_wait_s as number | null,
    maxLength: row.max_length as number | null,
    overflowTarget: readTarget(row, 'overflow'),
    noAgentsTarget: readTarget(row, 'no_agents'),
    serviceLevelS: row.service_level_s as number,
    autoPauseAfterMisses: row.auto_pause_after_misses as number | null,
    isMain: row.is_main as boolean,
    members: row.members as string[],
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

function toAnswerGroup(row: Row): AnswerGroup {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    name: row.name as string,
    number: row.number as string | null,
    mode: row.mode as AnswerGroupMode,
    ringTimeoutS: row.ring_timeout_s as number,
    fallback: readTarget(row, 'fallback'),
    members: row.members as string[],
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

const byName = (a: { name: string }, b: { name: string }) => NAME_ORDER.compare(a.name, b.name);

/** The member table of a configuration table. */
interface MemberTable {
  readonly table: 'queue_members' | 'answer_group_members';
  readonly owner: 'queue_id' | 'answer_group_id';
}
const QUEUE_MEMBERS: MemberTable = { table: 'queue_members', owner: 'queue_id' };
const ANSWER_GROUP_MEMBERS: MemberTable = {
  table: 'answer_group_members',
  owner: 'answer_group_id',
};

async function replaceMembers(
  tx: Db,
  { table, owner }: MemberTable,
  tenantId: string,
  ownerId: string,
  members: readonly string[],
): Promise<void> {
  await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND ${owner} = $2`, [
    tenantId,
    ownerId,
  ]);
  if (members.length === 0) return;
  try {
    await tx.query(
      `INSERT INTO ${table} (tenant_id, ${owner}, user_id, position)
       SELECT $1::uuid, $2::uuid, m.user_id::uuid, m.ord::int
         FROM json_array_elements_text($3::json) WITH ORDINALITY AS m(user_id, ord)`,
      [tenantId, ownerId, JSON.stringify(members)],
    );
  } catch (error) {
    translateWriteError(error, 'members must be users of the tenant', { field: 'members' });
  }
}

/**
 * Inserts or updates one row from validated columns; `null` when an update found no
 * row of the tenant.
 */
async function writeRow(
  tx: Db,
  table: 'queues' | 'answer_groups',
  tenantId: string,
  id: string,
  columns: Record<string, unknown>,
  insert: boolean,
): Promise<boolean> {
  const names = Object.keys(columns);
  const values = Object.values(columns);
  if (insert) {
    const list = ['id', 'tenant_id', ...names];
    await tx.query(
      `INSERT INTO ${table} (${list.join(', ')})
       VALUES (${list.map((_, i) => `$${i + 1}`).join(', ')})`,
      [id, tenantId, ...values],
    );
    return true;
  }
  // Always touch updated_at, so a members-only change is visible too.
  const sets = ['updated_at = now()', ...names.map((name, i) => `${name} = $${i + 3}`)];
  const rows = await tx.query(
    `UPDATE ${table} SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING id`,
    [tenantId, id, ...values],
  );
  return rows.length > 0;
}

// ---------------------------------------------------------------------------

/**
 * Queues, answer groups and the VIP list of a tenant. Every method takes the tenant
 * and never reads or writes another tenant's rows. Writes are validated first
 * (throwing {@link StoreError} `invalid`) and run in one transaction: a bad member
 * or target leaves nothing behind.
 */
export class QueueRepository {
  /** Where dialled numbers lead, answered without a query on every INVITE. */
  readonly #routes: RoutingMemo<RoutingMatch | null>;

  constructor(private readonly db: Db) {
    this.#routes = new RoutingMemo(() => db.routing.value);
  }

  // -- queues ---------------------------------------------------------------

  /** The tenant's queues with their members, by name. */
  async list(tenantId: string): Promise<Queue[]> {
    if (!UUID.test(tenantId)) return [];
    const rows = await this.db.query(`${SELECT_QUEUE} WHERE q.tenant_id = $1`, [tenantId]);
    return rows.map(toQueue).sort(byName);
  }

  /** The tenant's queue with this id, or `null`. */
  async get(tenantId: string, id: string): Promise<Queue | null> {
    return getQueue(this.db, tenantId, id);
  }

  /** The queue the tenant's main number leads to, or `null` when none is marked. */
  async mainQueue(tenantId: string): Promise<Queue | null> {
    if (!UUID.test(tenantId)) return null;
    const [row] = await this.db.query(`${SELECT_QUEUE} WHERE q.tenant_id = $1 AND q.is_main`, [
      tenantId,
    ]);
    return row ? toQueue(row) : null;
  }

  /**
   * Creates a queue with its members in one transaction.
   * @throws {@link StoreError} `invalid` (bad field, member or target not of the
   *   tenant), `conflict` (name or number taken).
   */
  async create(tenantId: string, input: QueueInput): Promise<Queue> {
    const columns: Record<string, unknown> = {
      ...queueColumns(input),
      name: requireName(input.name),
    };
    const members = normaliseMembers(input.members ?? []);
    const id = randomUUID();
    return this.write('queue', async (tx) => {
      if (columns.is_main === true) await clearMain(tx, tenantId, id);
      await writeRow(tx, 'queues', tenantId, id, columns, true);
      await replaceMembers(tx, QUEUE_MEMBERS, tenantId, id, members);
      return requireRow(await getQueue(tx, tenantId, id));
    });
  }

  /**
   * Changes a queue; `members`, when given, replaces the member list. All in one
   * transaction.
   * @returns the updated queue, or `null` when the tenant has no such queue.
   * @throws {@link StoreError} as {@link QueueRepository.create}.
   */
  async update(tenantId: string, id: string, patch: QueuePatch): Promise<Queue | null> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return null;
    const columns = queueColumns(patch);
    const members = patch.members === undefined ? undefined : normaliseMembers(patch.members);
    return this.write('queue', async (tx) => {
      if (columns.is_main === true) await clearMain(tx, tenantId, id);
      if (!(await writeRow(tx, 'queues', tenantId, id, columns, false))) return null;
      if (members) await replaceMembers(tx, QUEUE_MEMBERS, tenantId, id, members);
      return getQueue(tx, tenantId, id);
    });
  }

  /**
   * Deletes a queue and its member list; its records stay, without the queue.
   * @returns `false` when the tenant has no such queue.
   * @throws {@link StoreError} `in_use` while another queue or answer group sends
   *   callers to it.
   */
  async delete(tenantId: string, id: string): Promise<boolean> {
    return deleteRow(this.db, 'queues', 'queue', tenantId, id);
  }

  // -- answer groups ----------------------------------------------------------

  /** The tenant's answer groups with their members, by name. */
  async listAnswerGroups(tenantId: string): Promise<AnswerGroup[]> {
    if (!UUID.test(tenantId)) return [];
    const rows = await this.db.query(`${SELECT_ANSWER_GROUP} WHERE g.tenant_id = $1`, [tenantId]);
    return rows.map(toAnswerGroup).sort(byName);
  }

  /** The tenant's answer group with this id, or `null`. */
  async getAnswerGroup(tenantId: string, id: string): Promise<AnswerGroup | null> {
    return getAnswerGroup(this.db, tenantId, id);
  }

  /** Creates an answer group with its members in one transaction; throws as {@link create}. */
  async createAnswerGroup(tenantId: string, input: AnswerGroupInput): Promise<AnswerGroup> {
    const columns: Record<string, unknown> = {
      ...answerGroupColumns(input),
      name: requireName(input.name),
    };
    const members = normaliseMembers(input.members ?? []);
    const id = randomUUID();
    return this.write('answer group', async (tx) => {
      await writeRow(tx, 'answer_groups', tenantId, id, columns, true);
      await replaceMembers(tx, ANSWER_GROUP_MEMBERS, tenantId, id, members);
      return requireRow(await getAnswerGroup(tx, tenantId, id));
    });
  }

  /** Changes an answer group in one transaction; `null` when the tenant has none such. */
  async updateAnswerGroup(
    tenantId: string,
    id: string,
    patch: AnswerGroupPatch,
  ): Promise<AnswerGroup | null> {
    if (!UUID.test(tenantId) || !UUID.test(id)) return null;
    const columns = answerGroupColumns(patch);
    const members = patch.members === undefined ? undefined : normaliseMembers(patch.members);
    return this.write('answer group', async (tx) => {
      if (!(await writeRow(tx, 'answer_groups', tenantId, id, columns, false))) return null;
      if (members) await replaceMembers(tx, ANSWER_GROUP_MEMBERS, tenantId, id, members);
      return getAnswerGroup(tx, tenantId, id);
    });
  }

  /** Deletes an answer group; `false` when none such, `in_use` while it is a target. */
  async deleteAnswerGroup(tenantId: string, id: string): Promise<boolean> {
    return deleteRow(this.db, 'answer_groups', 'answer group', tenantId, id);
  }

  // -- routing ------------------------------------------------------------------

  /**
   * The queue or answer group a dialled number leads to, in any written form
   * (`+47 21 00 00 20`, `21000020`, `0047 21000020`, `sip:+4721000020@host`, `1099`),
   * or `null`. The tenant's main number leads to its main queue even when that queue
   * carries another number. A number is never both a queue's and an answer group's
   * (see the module comment), so the answer is unambiguous.
   */
  async findByNumber(tenantId: string, dialled: string): Promise<RoutingMatch | null> {
    if (!UUID.test(tenantId)) return null;
    const bare = stripUri(dialled);
    return this.#routes.get(`${tenantId}\n${bare}`, async () => {
      const e164 = toE164(bare);
      const compact = compactNumber(bare);
      const short = SHORT_NUMBER.test(compact) ? compact : null;
      if (e164 === null && short === null) return null;
      const [row] = await this.db.query<RoutingMatch>(
        `SELECT kind, id FROM (
         SELECT 'queue' AS kind, id, CASE WHEN number = $2 THEN 0 ELSE 1 END AS rank
           FROM queues WHERE tenant_id = $1 AND number IN ($2, $3)
         UNION ALL
         SELECT 'answer-group', id, CASE WHEN number = $2 THEN 0 ELSE 1 END
           FROM answer_groups WHERE tenant_id = $1 AND number IN ($2, $3)
         UNION ALL
         SELECT 'queue', q.id, 2
           FROM queues q JOIN tenants t ON t.id = q.tenant_id
          WHERE q.tenant_id = $1 AND q.is_main AND t.main_number = $2
       ) AS m
       ORDER BY rank
       LIMIT 1`,
        [tenantId, e164, short],
      );
      return row ? { kind: row.kind, id: row.id } : null;
    });
  }

  // -- VIP list -----------------------------------------------------------------

  /** The tenant's VIP list, by pattern. */
  async vipList(tenantId: string): Promise<VipEntry[]> {
    if (!UUID.test(tenantId)) return [];
    return this.db.query<VipEntry>(
      'SELECT pattern, label FROM vip_numbers WHERE tenant_id = $1 ORDER BY pattern',
      [tenantId],
    );
  }

  /**
   * Replaces the tenant's VIP list. Each entry is a number or prefix (see
   * {@link normaliseVipPattern}), alone or with a label; duplicates after
   * normalisation collapse into the first.
   * @returns the stored list, by pattern.
   * @throws {@link StoreError} `invalid` naming the first bad entry; nothing changes.
   */
  async setVipList(
    tenantId: string,
    entries: readonly (string | { pattern: string; label?: string | null })[],
  ): Promise<VipEntry[]> {
    if (!UUID.test(tenantId)) throw new StoreError('invalid', 'Unknown tenant', 'tenantId');
    const byPattern = new Map<string, string | null>();
    for (const entry of entries) {
      const raw = typeof entry === 'string' ? entry : entry?.pattern;
      if (typeof raw !== 'string')
        throw new StoreError('invalid', 'A pattern is required', 'pattern');
      const pattern = normaliseVipPattern(raw);
      const label = typeof entry === 'string' ? null : (entry.label?.trim() ?? null) || null;
      if (!byPattern.has(pattern)) byPattern.set(pattern, label);
    }
    const rows = [...byPattern].map(([pattern, label]) => ({ pattern, label }));
    await this.write('VIP list', async (tx) => {
      await tx.query('DELETE FROM vip_numbers WHERE tenant_id = $1', [tenantId]);
      if (rows.length === 0) return;
      await tx.query(
        `INSERT INTO vip_numbers (tenant_id, pattern, label)
         SELECT $1::uuid, v.pattern, v.label
           FROM json_to_recordset($2::json) AS v(pattern text, label text)`,
        [tenantId, JSON.stringify(rows)],
      );
    });
    return this.vipList(tenantId);
  }

  private async write<T>(what: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(fn);
    } catch (error) {
      translateWriteError(error, what);
    }
  }
}

async function getQueue(db: Db, tenantId: string, id: string): Promise<Queue | null> {
  if (!UUID.test(tenantId) || !UUID.test(id)) return null;
  const [row] = await db.query(`${SELECT_QUEUE} WHERE q.tenant_id = $1 AND q.id = $2`, [
    tenantId,
    id,
  ]);
  return row ? toQueue(row) : null;
}

async function getAnswerGroup(db: Db, tenantId: string, id: string): Promise<AnswerGroup | null> {
  if (!UUID.test(tenantId) || !UUID.test(id)) return null;
  const [row] = await db.query(`${SELECT_ANSWER_GROUP} WHERE g.tenant_id = $1 AND g.id = $2`, [
    tenantId,
    id,
  ]);
  return row ? toAnswerGroup(row) : null;
}

async function clearMain(tx: Db, tenantId: string, exceptId: string): Promise<void> {
  await tx.query(
    'UPDATE queues SET is_main = false WHERE tenant_id = $1 AND is_main AND id <> $2',
    [tenantId, exceptId],
  );
}

async function deleteRow(
  db: Db,
  table: 'queues' | 'answer_groups',
  what: string,
  tenantId: string,
  id: string,
): Promise<boolean> {
  if (!UUID.test(tenantId) || !UUID.test(id)) return false;
  try {
    const rows = await db.query(
      `DELETE FROM ${table} WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id],
    );
    return rows.length > 0;
  } catch (error) {
    translateWriteError(error, what, { onDelete: true });
  }
}

function requireRow<T>(row: T | null): T {
  if (row === null) throw new Error('A row written in this transaction is not there');
  return row;
}
