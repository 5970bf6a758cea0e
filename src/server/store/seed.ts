/**
 * The demo company every fresh install starts with: an accounting firm with a
 * switchboard, six departments and 40 employees, plus an `admin` account.
 *
 * The data is exported so the README's demo logins can be generated from (and
 * checked against) the same source. Names are fictitious; e-mail addresses use
 * the reserved `.example` domain. Mobile numbers are valid-format Norwegian
 * numbers (`+47 400 01 0nn`, `+47 900 01 0nn`) made up for the demo: never dial them.
 *
 * @packageDocumentation
 */
import type { Db } from './db';
import { hashPassword } from './passwords';
import { QueueRepository } from './queues';
import type { AnswerGroupMode, QueueStrategy } from './queues';
import type { Role } from './users';

/** Password of every demo employee (it is a demo: one shared, published password). */
export const DEMO_PASSWORD = 'demo1234';
/** Password of the demo `admin` account. */
export const DEMO_ADMIN_PASSWORD = 'admin1234';

export const DEMO_TENANT = {
  name: 'Nordlys Regnskap AS',
  domain: 'nordlys.sentral.invalid',
  mainNumber: '+4721000000',
} as const;

const EMAIL_DOMAIN = 'nordlys.example';

export interface DemoDepartment {
  readonly name: string;
  /** E.164 direct number, if the department has one. */
  readonly number: string | null;
}

export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { name: 'Sentralbord', number: '+4721000010' },
  { name: 'Salg', number: '+4721000020' },
  { name: 'Kundeservice', number: '+4721000030' },
  { name: 'Økonomi', number: null },
  { name: 'IT', number: null },
  { name: 'Ledelse', number: null },
];

export interface DemoUser {
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  /** Display name: 'first last'. */
  readonly name: string;
  readonly title: string;
  readonly department: string;
  readonly extension: string | null;
  /** E.164. */
  readonly mobile: string | null;
  readonly email: string;
  readonly role: Role;
}

/**
 * A lowercase ASCII username `first.last`: æ→ae, ø→o, å→a, other accents
 * dropped (é→e); spaces become dashes.
 */
export function usernameFor(firstName: string, lastName: string): string {
  const ascii = (name: string) =>
    name
      .toLowerCase()
      .replace(/æ/g, 'ae')
      .replace(/ø/g, 'o')
      .replace(/å/g, 'a')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\s+/g, '-')
      .replace(/[^a-z0-9-]/g, '');
  return [firstName, lastName].map(ascii).filter(Boolean).join('.');
}

/** [first name, last name, title, department, role]; extensions follow in order from 1001. */
type Employee = readonly [string, string, string, string, Role?];

const EMPLOYEES: readonly Employee[] = [
  ['Kari', 'Nordmann', 'Sentralbordoperatør', 'Sentralbord', 'operator'],
  ['Åse', 'Strøm', 'Sentralbordoperatør', 'Sentralbord', 'operator'],
  ['Ingrid', 'Bakke', 'Teamleder sentralbord og kundeservice', 'Sentralbord', 'supervisor'],
  ['Bjørn', 'Ødegård', 'Daglig leder', 'Ledelse'],
  ['Hege', 'Solberg', 'Assisterende daglig leder', 'Ledelse'],
  ['Tor', 'Eriksen', 'HR-sjef', 'Ledelse'],
  ['Ola', 'Hansen', 'Salgssjef', 'Salg'],
  ['René', 'Lie', 'Kundeansvarlig', 'Salg'],
  ['Lars', 'Johansen', 'Kundeansvarlig', 'Salg'],
  ['Silje', 'Larsen', 'Kundeansvarlig', 'Salg'],
  ['Martin', 'Andersen', 'Salgskonsulent', 'Salg'],
  ['Ida', 'Pedersen', 'Salgskonsulent', 'Salg'],
  ['Kåre', 'Mæland', 'Salgskonsulent', 'Salg'],
  ['Camilla', 'Kristiansen', 'Salgskoordinator', 'Salg'],
  ['Nina', 'Jensen', 'Kundeservicesjef', 'Kundeservice'],
  ['Jørgen', 'Karlsen', 'Kundebehandler', 'Kundeservice'],
  ['Sofie', 'Berg', 'Kundebehandler', 'Kundeservice'],
  ['Even', 'Dahl', 'Kundebehandler', 'Kundeservice'],
  ['Thea', 'Halvorsen', 'Kundebehandler', 'Kundeservice'],
  ['Sindre', 'Jacobsen', 'Kundebehandler', 'Kundeservice'],
  ['Mathilde', 'Moen', 'Kundebehandler', 'Kundeservice'],
  ['André', 'Gundersen', 'Kundebehandler', 'Kundeservice'],
  ['Anne-Lise', 'Sæbø', 'Kundebehandler', 'Kundeservice'],
  ['Marianne', 'Haugen', 'Økonomisjef', 'Økonomi'],
  ['Håkon', 'Sæther', 'Autorisert regnskapsfører', 'Økonomi'],
  ['Solveig', 'Bråten', 'Autorisert regnskapsfører', 'Økonomi'],
  ['Øyvind', 'Lund', 'Regnskapsfører', 'Økonomi'],
  ['Kristin', 'Myhre', 'Regnskapsfører', 'Økonomi'],
  ['Eirik', 'Holm', 'Regnskapsfører', 'Økonomi'],
  ['Randi', 'Aasen', 'Lønnsansvarlig', 'Økonomi'],
  ['Stian', 'Ellingsen', 'Regnskapsmedarbeider', 'Økonomi'],
  ['Hanne', 'Bø', 'Regnskapsmedarbeider', 'Økonomi'],
  ['Frode', 'Næss', 'Fakturaansvarlig', 'Økonomi'],
  ['Ragnhild', 'Vik', 'Regnskapsmedarbeider', 'Økonomi'],
  ['Gunnar', 'Fjeld', 'Skatterådgiver', 'Økonomi'],
  ['Jonas', 'Strand', 'IT-sjef', 'IT'],
  ['Mads', 'Berntsen', 'Systemutvikler', 'IT'],
  ['Julie', 'Fosse', 'IT-konsulent', 'IT'],
  ['Dag', 'Rønning', 'Brukerstøtte', 'IT'],
  ['Live', 'Åsheim', 'Kontormedarbeider', 'Sentralbord'],
];

/** The demo employees (extensions 1001–1040) followed by the `admin` account. */
export const DEMO_USERS: readonly DemoUser[] = [
  ...EMPLOYEES.map(([firstName, lastName, title, department, role = 'agent'], index) => {
    const n = String(index + 1).padStart(3, '0');
    const username = usernameFor(firstName, lastName);
    return {
      username,
      firstName,
      lastName,
      name: `${firstName} ${lastName}`,
      title,
      department,
      extension: String(1001 + index),
      // Alternate between the 4xx and 9xx mobile ranges.
      mobile: index % 2 === 0 ? `+4740001${n}` : `+4790001${n}`,
      email: `${username}@${EMAIL_DOMAIN}`,
      role,
    };
  }),
  {
    username: 'admin',
    firstName: 'Administrator',
    lastName: '',
    name: 'Administrator',
    title: 'Systemadministrator',
    department: 'IT',
    extension: null,
    mobile: null,
    email: `admin@${EMAIL_DOMAIN}`,
    role: 'admin',
  },
  {
    // The queue board on the wall: a read-only kiosk login.
    username: 'tavle',
    firstName: 'Køtavle',
    lastName: '',
    name: 'Køtavle',
    title: 'Køtavle (veggskjerm)',
    department: 'Sentralbord',
    extension: null,
    mobile: null,
    email: `tavle@${EMAIL_DOMAIN}`,
    role: 'board',
  },
];

/** The password a demo user logs in with. */
export function demoPasswordFor(user: Pick<DemoUser, 'role'>): string {
  return user.role === 'admin' ? DEMO_ADMIN_PASSWORD : DEMO_PASSWORD;
}

export interface SeedResult {
  /** `false` when the database already had a tenant and nothing was written. */
  readonly seeded: boolean;
  /** The demo tenant's id, or `null` when it was not seeded and does not exist. */
  readonly tenantId: string | null;
}

/** Serialises concurrent seeders; `'sentral:seed'`. */
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('sentral:seed'))";

/**
 * Creates the demo company in an empty database. Does nothing when any tenant
 * exists, so it is safe to call on every start.
 */
export async function seedDemoCompany(db: Db): Promise<SeedResult> {
  if (await hasTenant(db)) return { seeded: false, tenantId: await demoTenantId(db) };

  // Two argon2id hashes, reused for every account: a published demo password
  // gains nothing from a salt per user, and 41 hashes would take seconds.
  const [employeeHash, adminHash] = await Promise.all([
    hashPassword(DEMO_PASSWORD),
    hashPassword(DEMO_ADMIN_PASSWORD),
  ]);

  return db.transaction(async (tx) => {
    await tx.query(LOCK_SQL);
    if (await hasTenant(tx)) return { seeded: false, tenantId: await demoTenantId(tx) };

    const [tenant] = await tx.query<{ id: string }>(
      'INSERT INTO tenants (name, domain, main_number) VALUES ($1, $2, $3) RETURNING id',
      [DEMO_TENANT.name, DEMO_TENANT.domain, DEMO_TENANT.mainNumber],
    );
    if (!tenant) throw new Error('Inserting the demo tenant returned no row');

    await tx.query(
      `INSERT INTO departments (tenant_id, name, number)
       SELECT $1::uuid, d.name, d.number
         FROM json_to_recordset($2::json) AS d(name text, number text)`,
      [tenant.id, JSON.stringify(DEMO_DEPARTMENTS)],
    );

    const users = DEMO_USERS.map((user) => ({
      ...user,
      passwordHash: user.role === 'admin' ? adminHash : employeeHash,
    }));
    const inserted = await tx.query(
      `INSERT INTO users (tenant_id, username, first_name, last_name, title, department_id,
                          extension, mobile, email, role, password_hash)
       SELECT $1::uuid, u."username", u."firstName", u."lastName", u."title", d.id,
              u."extension", u."mobile", u."email", u."role", u."passwordHash"
         FROM json_to_recordset($2::json) AS u("username" text, "firstName" text,
              "lastName" text, "title" text, "department" text, "extension" text,
              "mobile" text, "email" text, "role" text, "passwordHash" text)
         JOIN departments d ON d.tenant_id = $1::uuid AND d.name = u."department"
       RETURNING id`,
      [tenant.id, JSON.stringify(users)],
    );
    if (inserted.length !== DEMO_USERS.length) {
      throw new Error(`Seeded ${inserted.length} of ${DEMO_USERS.length} demo users`);
    }
    await seedDemoSwitchboard(tx, tenant.id);
    return { seeded: true, tenantId: tenant.id };
  });
}

async function hasTenant(db: Db): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM tenants LIMIT 1');
  return rows.length > 0;
}

async function demoTenantId(db: Db): Promise<string | null> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM tenants WHERE domain = $1', [
    DEMO_TENANT.domain,
  ]);
  return row?.id ?? null;
}

/** A demo queue; `members` are usernames, or a department whose users with an extension join. */
export interface DemoQueue {
  readonly name: string;
  /** E.164. */
  readonly number: string;
  readonly strategy: QueueStrategy;
  readonly ringTimeoutS: number;
  readonly wrapUpS: number;
  readonly maxWaitS: number | null;
  /** Name of the queue a caller overflows to after `maxWaitS`. */
  readonly overflowTo: string | null;
  readonly autoPauseAfterMisses: number | null;
  readonly isMain: boolean;
  readonly members: readonly string[] | { readonly department: string };
}

/**
 * The demo queues. The main number leads to Sentralbord; Salg and Kundeservice own
 * their departments' direct numbers (the departments keep them as directory
 * information; the queue is what a call to the number reaches).
 */
export const DEMO_QUEUES: readonly DemoQueue[] = [
  {
    name: 'Sentralbord',
    number: DEMO_TENANT.mainNumber,
    strategy: 'longest-idle',
    ringTimeoutS: 20,
    wrapUpS: 10,
    maxWaitS: 300,
    overflowTo: 'Kundeservice',
    autoPauseAfterMisses: 3,
    isMain: true,
    members: ['kari.nordmann', 'ase.strom', 'live.asheim'],
  },
  {
    name: 'Salg',
    number: '+4721000020',
    strategy: 'round-robin',
    ringTimeoutS: 20,
    wrapUpS: 10,
    maxWaitS: null,
    overflowTo: null,
    autoPauseAfterMisses: 3,
    isMain: false,
    members: { department: 'Salg' },
  },
  {
    name: 'Kundeservice',
    number: '+4721000030',
    strategy: 'ring-all',
    ringTimeoutS: 20,
    wrapUpS: 10,
    maxWaitS: null,
    overflowTo: null,
    autoPauseAfterMisses: 3,
    isMain: false,
    members: { department: 'Kundeservice' },
  },
];

/** The demo answer group: the IT department on the internal number 1099. */
export const DEMO_ANSWER_GROUP = {
  name: 'IT-support',
  number: '1099',
  mode: 'parallel' as AnswerGroupMode,
  ringTimeoutS: 15,
  /** Name of the queue that takes the caller when nobody in IT answers. */
  fallbackTo: 'Sentralbord',
  department: 'IT',
} as const;

/** The demo VIP list: one number and one prefix (every +47 41… caller). */
export const DEMO_VIP_LIST: readonly { pattern: string; label: string }[] = [
  { pattern: '+4790000001', label: 'Styreleder' },
  { pattern: '+4741*', label: 'Eksempel: alle +47 41…' },
];

/**
 * Queues, the answer group and the VIP list of the demo tenant, inside the seed's
 * transaction (only when the tenant is created).
 */
async function seedDemoSwitchboard(tx: Db, tenantId: string): Promise<void> {
  const users = await tx.query<{ id: string; username: string; department: string }>(
    `SELECT u.id, u.username, d.name AS department
       FROM users u JOIN departments d ON d.id = u.department_id
      WHERE u.tenant_id = $1 AND u.extension IS NOT NULL
      ORDER BY u.extension`,
    [tenantId],
  );
  const membersOf = (members: DemoQueue['members']): string[] =>
    'department' in members
      ? users.filter((u) => u.department === members.department).map((u) => u.id)
      : members.map((username) => {
          const user = users.find((u) => u.username === username);
          if (!user) throw new Error(`Demo queue member ${username} is not a demo user`);
          return user.id;
        });

  const queues = new QueueRepository(tx);
  // Created without overflow first: a queue may overflow to one created after it.
  const ids = new Map<string, string>();
  for (const queue of DEMO_QUEUES) {
    const created = await queues.create(tenantId, {
      name: queue.name,
      number: queue.number,
      strategy: queue.strategy,
      ringTimeoutS: queue.ringTimeoutS,
      wrapUpS: queue.wrapUpS,
      maxWaitS: queue.maxWaitS,
      autoPauseAfterMisses: queue.autoPauseAfterMisses,
      isMain: queue.isMain,
      members: membersOf(queue.members),
    });
    ids.set(queue.name, created.id);
  }
  const idOf = (name: string): string => {
    const id = ids.get(name);
    if (!id) throw new Error(`No demo queue ${name}`);
    return id;
  };
  for (const queue of DEMO_QUEUES) {
    if (queue.overflowTo === null) continue;
    await queues.update(tenantId, idOf(queue.name), {
      overflowTarget: { kind: 'queue', id: idOf(queue.overflowTo) },
    });
  }
  await queues.createAnswerGroup(tenantId, {
    name: DEMO_ANSWER_GROUP.name,
    number: DEMO_ANSWER_GROUP.number,
    mode: DEMO_ANSWER_GROUP.mode,
    ringTimeoutS: DEMO_ANSWER_GROUP.ringTimeoutS,
    fallback: { kind: 'queue', id: idOf(DEMO_ANSWER_GROUP.fallbackTo) },
    members: membersOf({ department: DEMO_ANSWER_GROUP.department }),
  });
  await queues.setVipList(tenantId, DEMO_VIP_LIST);
}
