/**
 * The company directory as CSV (import and export). An import is all or nothing: every row is
 * checked first, and a file with any bad row is refused with each bad row's line number and
 * reason — nothing is written. A good file is written in one transaction: departments created
 * as needed, people created or updated by username. Imported people get no password (an admin
 * sets one); names are text, and markup in them is refused rather than stored.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Db } from './db';
import { toE164 } from './phone';
import { usernameFor } from './seed';
import { ROLES, type Role } from './users';

export const CSV_COLUMNS = [
  'first_name',
  'last_name',
  'title',
  'department',
  'extension',
  'mobile',
  'email',
  'username',
  'role',
] as const;

export interface PersonRow {
  line: number;
  firstName: string;
  lastName: string;
  title: string | null;
  department: string | null;
  extension: string | null;
  mobile: string | null;
  email: string | null;
  username: string;
  role: Role;
}

export interface CsvProblem {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  field: string | null;
  reason: string;
}

export class CsvImportError extends Error {
  override readonly name = 'CsvImportError';
  constructor(readonly problems: readonly CsvProblem[]) {
    super(
      problems
        .slice(0, 20)
        .map((p) => `line ${p.line}${p.field ? ` (${p.field})` : ''}: ${p.reason}`)
        .join('; ') + (problems.length > 20 ? `; and ${problems.length - 20} more` : ''),
    );
  }
}

const MAX_ROWS = 100_000;
const MAX_TEXT = 100;
// Names and titles are text: markup or control characters in them are refused.
const hasBadText = (v: string): boolean =>
  /[<>]/.test(v) || [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Parses and checks a directory CSV; throws {@link CsvImportError} listing every bad row. */
export function parsePeopleCsv(csv: string): PersonRow[] {
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    throw new CsvImportError([
      { line, field: null, reason: `not valid CSV: ${(err as Error).message}` },
    ]);
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase());
  const missing = ['first_name', 'last_name'].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvImportError([
      { line: 1, field: null, reason: `header must name ${missing.join(', ')}` },
    ]);
  }
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) {
    throw new CsvImportError([
      { line: 1, field: null, reason: `unknown column(s) ${unknown.join(', ')}` },
    ]);
  }
  if (records.length - 1 > MAX_ROWS) {
    throw new CsvImportError([{ line: 1, field: null, reason: `at most ${MAX_ROWS} rows` }]);
  }
  const problems: CsvProblem[] = [];
  const rows: PersonRow[] = [];
  const seenUser = new Map<string, number>();
  const seenExt = new Map<string, number>();
  records.slice(1).forEach((rec, i) => {
    const line = i + 2;
    const get = (col: string) => {
      const v = rec[header.indexOf(col)];
      return v === undefined || v === '' ? null : v;
    };
    const bad = (field: string, reason: string) => problems.push({ line, field, reason });
    const before = problems.length;
    const text = (col: string, required: boolean): string | null => {
      const v = get(col);
      if (v === null) {
        if (required) bad(col, 'is required');
        return null;
      }
      if (v.length > MAX_TEXT) bad(col, `longer than ${MAX_TEXT} characters`);
      else if (hasBadText(v)) bad(col, 'contains markup or control characters');
      return v;
    };
    const firstName = text('first_name', true) ?? '';
    const lastName = text('last_name', true) ?? '';
    const title = text('title', false);
    const department = text('department', false);
    const extension = get('extension');
    if (extension !== null && !/^[0-9]{2,8}$/.test(extension))
      bad('extension', 'must be 2–8 digits');
    const rawMobile = get('mobile');
    const mobile = rawMobile === null ? null : toE164(rawMobile);
    if (rawMobile !== null && !mobile)
      bad('mobile', `"${rawMobile.slice(0, 40)}" is not a phone number`);
    const email = get('email');
    if (email !== null && (email.length > 200 || !/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(email))) {
      bad('email', 'is not an e-mail address');
    }
    const username = (
      get('username') ?? (firstName && lastName ? usernameFor(firstName, lastName) : '')
    ).toLowerCase();
    if (username && !/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/.test(username))
      bad('username', 'letters, digits, . _ - only');
    const role = (get('role') ?? 'agent').toLowerCase();
    if (!(ROLES as readonly string[]).includes(role))
      bad('role', `must be one of ${ROLES.join(', ')}`);
    if (username && seenUser.has(username))
      bad('username', `same as line ${seenUser.get(username)}`);
    if (extension && seenExt.has(extension))
      bad('extension', `same as line ${seenExt.get(extension)}`);
    if (username) seenUser.set(username, line);
    if (extension) seenExt.set(extension, line);
    if (problems.length === before) {
      rows.push({
        line,
        firstName,
        lastName,
        title,
        department,
        extension,
        mobile,
        email,
        username,
        role: role as Role,
      });
    }
  });
  if (problems.length > 0) throw new CsvImportError(problems);
  return rows;
}

/** One person given field by field (the admin view), checked exactly like a CSV row. */
export function personRow(
  person: Partial<Record<(typeof CSV_COLUMNS)[number], string | null>>,
): PersonRow {
  const csv = stringify([[...CSV_COLUMNS], CSV_COLUMNS.map((c) => person[c] ?? '')]);
  const [row] = parsePeopleCsv(csv);
  if (!row) throw new CsvImportError([{ line: 2, field: null, reason: 'empty' }]);
  return row;
}

/** Writes checked rows in one transaction; any database refusal rolls everything back. */
export async function importPeople(
  db: Db,
  tenantId: string,
  rows: readonly PersonRow[],
): Promise<{ created: number; updated: number }> {
  return db.transaction(async (tx) => {
    const departments = new Map<string, string>();
    for (const d of await tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM departments WHERE tenant_id = $1`,
      [tenantId],
    )) {
      departments.set(d.name.toLowerCase(), d.id);
    }
    let created = 0;
    let updated = 0;
    for (const r of rows) {
      let departmentId: string | null = null;
      if (r.department) {
        departmentId = departments.get(r.department.toLowerCase()) ?? null;
        if (!departmentId) {
          const [d] = await tx.query<{ id: string }>(
            `INSERT INTO departments (tenant_id, name) VALUES ($1, $2) RETURNING id`,
            [tenantId, r.department],
          );
          departmentId = d?.id ?? null;
          if (departmentId) departments.set(r.department.toLowerCase(), departmentId);
        }
      }
      try {
        const [u] = await tx.query<{ inserted: boolean }>(
          `INSERT INTO users (tenant_id, username, first_name, last_name, title, department_id, extension, mobile, email, role)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (username) DO UPDATE SET
             first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, title = EXCLUDED.title,
             department_id = EXCLUDED.department_id, extension = EXCLUDED.extension,
             mobile = EXCLUDED.mobile, email = EXCLUDED.email, role = EXCLUDED.role
           WHERE users.tenant_id = EXCLUDED.tenant_id
           RETURNING (xmax = 0) AS inserted`,
          [
            tenantId,
            r.username,
            r.firstName,
            r.lastName,
            r.title,
            departmentId,
            r.extension,
            r.mobile,
            r.email,
            r.role,
          ],
        );
        if (!u)
          throw new CsvImportError([
            { line: r.line, field: 'username', reason: 'belongs to another company' },
          ]);
        if (u.inserted) created++;
        else updated++;
      } catch (err) {
        if (err instanceof CsvImportError) throw err;
        const detail = (err as Error).message.includes('extension')
          ? 'extension already taken'
          : (err as Error).message;
        throw new CsvImportError([{ line: r.line, field: null, reason: detail }]);
      }
    }
    return { created, updated };
  });
}

/** The tenant's people as CSV, in the import format (round-trips). */
export async function exportPeopleCsv(db: Db, tenantId: string): Promise<string> {
  const rows = await db.query<Record<string, string | null>>(
    `SELECT u.first_name, u.last_name, u.title, d.name AS department, u.extension, u.mobile, u.email, u.username, u.role
       FROM users u LEFT JOIN departments d ON d.id = u.department_id
      WHERE u.tenant_id = $1 ORDER BY u.last_name, u.first_name`,
    [tenantId],
  );
  return stringify(
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}
