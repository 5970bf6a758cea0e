/**
 * The server's persistence layer: one {@link Db} over PGlite or PostgreSQL,
 * numbered SQL migrations, and typed repositories.
 *
 * @packageDocumentation
 */
export { openDatabase } from './db';
export type { Db, DbKind, OpenDatabaseOptions } from './db';
export { MIGRATIONS_DIR, appliedMigrations, loadMigrations, migrate } from './migrate';
export type { Migration } from './migrate';
export {
  SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from './passwords';
export { DEFAULT_COUNTRY, compactNumber, stripUri, toE164 } from './phone';
export {
  DEMO_ADMIN_PASSWORD,
  DEMO_DEPARTMENTS,
  DEMO_PASSWORD,
  DEMO_TENANT,
  DEMO_USERS,
  demoPasswordFor,
  seedDemoCompany,
  usernameFor,
} from './seed';
export type { DemoDepartment, DemoUser, SeedResult } from './seed';
export { ROLES, UserRepository, compareByName, normaliseUsername } from './users';
export type { Role, User } from './users';
