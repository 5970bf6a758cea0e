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
  DEMO_ANSWER_GROUP,
  DEMO_DEPARTMENTS,
  DEMO_PASSWORD,
  DEMO_QUEUES,
  DEMO_TENANT,
  DEMO_USERS,
  DEMO_VIP_LIST,
  demoPasswordFor,
  seedDemoCompany,
  usernameFor,
} from './seed';
export type { DemoDepartment, DemoQueue, DemoUser, SeedResult } from './seed';
export { ROLES, UserRepository, compareByName, normaliseUsername } from './users';
export type { Role, User } from './users';
export { StoreError, sqlState, translateWriteError } from './errors';
export type { StoreErrorCode, TranslateOptions } from './errors';
export {
  ANSWER_GROUP_MODES,
  QUEUE_STRATEGIES,
  QueueRepository,
  TARGET_KINDS,
  matchesVip,
  normaliseRoutingNumber,
  normaliseVipPattern,
} from './queues';
export type {
  AnswerGroup,
  AnswerGroupInput,
  AnswerGroupMode,
  AnswerGroupPatch,
  Queue,
  QueueInput,
  QueuePatch,
  QueueStrategy,
  RoutingMatch,
  Target,
  TargetKind,
  VipEntry,
} from './queues';
export {
  CALL_DIRECTIONS,
  CALL_LEGS,
  CALL_OUTCOMES,
  QUEUE_EVENTS,
  RecordsRepository,
  normaliseRecordNumber,
} from './records';
export type {
  CallDirection,
  CallHistoryEntry,
  CallLeg,
  CallOutcome,
  CallRecord,
  CallRecordPatch,
  NewCallRecord,
  QueueEvent,
  QueueEventType,
} from './records';
export { StatisticsRepository } from './statistics';
export type { AgentStatistics, HourlyVolume, QueueStatistics, TimeRange } from './statistics';
export { ABSENCE_REASONS, AbsenceRepository, CALL_HANDLING } from './absences';
export type { Absence, AbsenceInput, AbsenceReason, AbsenceSource, CallHandling } from './absences';
