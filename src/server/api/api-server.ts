/**
 * The JSON API over WebSocket (`/api`): id-correlated commands validated against the schemas in
 * src/shared/protocol.ts, replies with stable error codes. A bad frame gets an error reply and
 * the connection stays usable.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  Commands,
  ErrorCode,
  PUBLIC_COMMANDS,
  SIP_PATH,
  isCommandType,
  type CommandResult,
  type CommandType,
  type Reply,
  type Role,
  type AnswerGroupConfig,
  type DepartmentConfig,
  type DirectoryEntry,
  type QueueConfig,
  type SessionUser,
  type Trunk,
} from '../../shared/protocol';
import type { IceServerConfig } from '../config';
import type { Logger } from '../logger';
import { ApiFailure, failures } from './errors';
import type { IssuedSipCredential, SipCredentialStore } from './sip-credentials';
import { BOARD_COMMANDS, boardEventText, redactSnapshot } from './board-view';
import { EventOutbox } from './event-outbox';
import { LoginThrottle } from './login-throttle';
import type { SwitchboardPort } from './switchboard-port';
import type { TenantEventBus } from '../events/event-bus';
import { StoreError } from '../store/errors';
import { hashToken, type SessionRepository } from '../store/sessions';
import { CsvImportError } from '../store/people-csv';
import type { AuditRepository } from '../store/audit';
import type { TwoFactorRepository } from '../store/two-factor';
import type { CallerHistoryRepository, CallerNote as StoredNote } from '../store/caller-history';
import { toE164 } from '../store/phone';
import type { RetentionRepository } from '../store/retention';
import type { TrunkConfig, TrunkInput } from '../store/trunks';
import type { AnswerGroupInput, QueueInput } from '../store/queues';

/** Roles that administer the company. */
const ADMIN_ROLES: ReadonlySet<Role> = new Set(['admin']);

/** Roles that may read statistics. */
const REPORT_ROLES: ReadonlySet<Role> = new Set(['supervisor', 'admin']);

/** What a session that must enrol in two-factor login may still do. */
const ENROLMENT_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  'auth.login',
  'auth.resume',
  'auth.logout',
  'system.ping',
  'twofactor.begin',
  'twofactor.confirm',
]);

/** Roles that see callers' history and notes (they answer outside callers). */
const CALLER_CARD_ROLES: ReadonlySet<Role> = new Set(['agent', 'operator', 'supervisor', 'admin']);

/** Roles that may take callers from queues and transfer them. */
const OPERATOR_ROLES: ReadonlySet<Role> = new Set(['operator', 'supervisor', 'admin']);

/** What the API needs to know about people; implemented over the store. */
export interface ApiPeople {
  authenticate(username: string, password: string): Promise<ApiUser | null>;
  list(tenantId: string): Promise<ApiUser[]>;
  tenantDomain(tenantId: string): Promise<string>;
}

export interface ApiUser extends SessionUser {
  mobile: string | null;
  department: string | null;
  title: string | null;
}

/** Reports from the call records; implemented by the store's StatisticsRepository. */
export interface ApiStatistics {
  queueStatistics(
    tenantId: string,
    range: { from: Date; to: Date },
  ): Promise<CommandResult<'stats.queues'>['queues']>;
  agentStatistics(
    tenantId: string,
    range: { from: Date; to: Date },
  ): Promise<CommandResult<'stats.agents'>['agents']>;
  hourlyVolume(
    tenantId: string,
    range: { from: Date; to: Date },
    timeZone?: string,
  ): Promise<
    Array<{ queueId: string; hour: Date; offered: number; answered: number; abandoned: number }>
  >;
}

/** Calendar feeds (calendar sync); implemented in core/core.ts. */
export interface ApiCalendars {
  setFeed(tenantId: string, userId: string, url: string | null): Promise<boolean>;
}

/** The directory as CSV (admins); implemented in core/core.ts over the store. */
export interface ApiPeopleCsv {
  import(tenantId: string, csv: string): Promise<{ created: number; updated: number }>;
  /** One person, field by field, through the same checks as a CSV row. */
  save(
    tenantId: string,
    person: Record<string, string | null | undefined>,
  ): Promise<{ created: number; updated: number }>;
  setPassword(tenantId: string, userId: string, password: string): Promise<boolean>;
  export(tenantId: string): Promise<string>;
}

/** Queue, answer group and VIP administration; implemented over the store by the core. */
export interface ApiQueues {
  config(tenantId: string): Promise<{
    queues: QueueConfig[];
    answerGroups: AnswerGroupConfig[];
    vip: Array<{ pattern: string; label: string | null }>;
  }>;
  saveQueue(tenantId: string, id: string | undefined, input: QueueInput): Promise<QueueConfig>;
  deleteQueue(tenantId: string, id: string): Promise<boolean>;
  saveAnswerGroup(
    tenantId: string,
    id: string | undefined,
    input: AnswerGroupInput,
  ): Promise<AnswerGroupConfig>;
  deleteAnswerGroup(tenantId: string, id: string): Promise<boolean>;
  setVip(
    tenantId: string,
    entries: ReadonlyArray<{ pattern: string; label: string | null }>,
  ): Promise<Array<{ pattern: string; label: string | null }>>;
}

/** A department as the API writes it (numbers in any written form). */
export interface DepartmentInput {
  name: string;
  number: string | null;
  target: { kind: 'queue' | 'answer-group'; id: string } | null;
}

/** Department administration; implemented in people/department-admin.ts over the store. */
export interface ApiDepartments {
  list(tenantId: string): Promise<DepartmentConfig[]>;
  /** Creates (`id` undefined) or updates; `null` when there is no such department. */
  save(
    tenantId: string,
    id: string | undefined,
    input: DepartmentInput,
  ): Promise<DepartmentConfig | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface ApiTrunks {
  get(tenantId: string): TrunkConfig | undefined;
  save(tenantId: string, input: TrunkInput): Promise<TrunkConfig>;
}

/** A trunk as the API shows it: the password stays on the server. */
function trunkView(c: TrunkConfig): Trunk {
  return {
    enabled: c.enabled,
    transport: c.transport,
    host: c.host,
    port: c.port,
    username: c.username,
    fromDomain: c.fromDomain,
    allowedPrefixes: [...c.allowedPrefixes],
    callsPerMinute: c.callsPerMinute,
    inboundAddresses: [...c.inboundAddresses],
    hasPassword: c.password !== null,
  };
}

export interface ApiDeps {
  audit?: AuditRepository;
  privacy?: {
    exportPerson(tenantId: string, userId: string): Promise<Record<string, unknown> | null>;
    /** Deletes the person and reloads whatever holds them in memory (queues, directory). */
    deletePerson(tenantId: string, userId: string): Promise<boolean>;
  };
  twoFactor?: TwoFactorRepository;
  callerHistory?: CallerHistoryRepository;
  retention?: RetentionRepository;
  /** The tenants' SIP trunks; absent where the core has no trunk support wired. */
  trunks?: ApiTrunks;
  /** Queue and answer group administration. */
  queues?: ApiQueues;
  /** Departments and their numbers. */
  departments?: ApiDepartments;
  statistics?: ApiStatistics;
  peopleCsv?: ApiPeopleCsv;
  calendars?: ApiCalendars;
  people: ApiPeople;
  /** Per-tenant event stream every logged-in connection follows. */
  events: TenantEventBus;
  /** Queues and agents; absent in cores built without the switchboard engine. */
  switchboard?: SwitchboardPort;
  sipCredentials: SipCredentialStore;
  /** Sessions kept across a restart (store/sessions.ts); in memory only without it. */
  sessions?: SessionRepository;
  iceServers: IceServerConfig[];
  publicSipUrl: string | undefined;
  logger: Logger;
}

/** State of one API connection. */
interface ConnectionContext {
  readonly remote: string;
  /** Logged in, but must set up two-factor login before anything else. */
  mustEnrol?: boolean;
  /** `ws://host/sip` as the browser reached us (Host header), unless configured. */
  readonly sipUrl: string;
  user: SessionUser | undefined;
  sipCredential: IssuedSipCredential | undefined;
  sessionToken: string | undefined;
  /** Commands of one connection run one after another, in the order they arrived. */
  queue: Promise<void>;
  /** Stops the tenant event subscription of this connection. */
  unsubscribe: (() => void) | undefined;
  send: (frame: unknown) => void;
  /** Sends an already serialised event frame (serialised once for all connections; batched
   * when events come fast, see event-outbox.ts). */
  sendText: (text: string) => void;
}

type Handler<T extends CommandType> = (
  ctx: ConnectionContext,
  params: ReturnType<(typeof Commands)[T]['params']['parse']>,
) => Promise<CommandResult<T>>;

type HandlerTable = { [T in CommandType]: Handler<T> };

export class ApiServer {
  readonly #throttle = new LoginThrottle();
  readonly #connections = new Set<WebSocket>();
  readonly #handlers: HandlerTable;
  /**
   * SHA-256 of a session token → the login it resumes. Written through to the store when there
   * is one, and loaded back at start ({@link ApiServer.restoreSessions}).
   */
  readonly #sessions = new Map<
    string,
    { user: SessionUser; credential: IssuedSipCredential; mustEnrol: boolean }
  >();

  constructor(private readonly deps: ApiDeps) {
    this.#handlers = {
      'system.ping': async () => ({ now: Date.now() }),
      'auth.login': (ctx, p) => this.#login(ctx, p.username, p.password, p.code),
      'twofactor.begin': async (ctx) => {
        const user = requireUser(ctx);
        return this.#twoFactor().begin(
          user.id,
          `${user.username}@${await this.deps.people.tenantDomain(user.tenantId)}`,
        );
      },
      'twofactor.confirm': async (ctx, p) => {
        const user = requireUser(ctx);
        const codes = await this.#twoFactor().confirm(user.id, p.code);
        if (!codes)
          throw new ApiFailure(
            ErrorCode.BadRequest,
            'That code is not right; try the current one.',
          );
        ctx.mustEnrol = false;
        const key = ctx.sessionToken ? hashToken(ctx.sessionToken) : undefined;
        const session = key ? this.#sessions.get(key) : undefined;
        if (key && session) {
          session.mustEnrol = false;
          await this.#storeSession(key, session);
        }
        await this.#audit(user, 'twofactor.enrol', user.id, null);
        return { recoveryCodes: codes };
      },
      'twofactor.disable': async (ctx, p) => {
        const user = requireUser(ctx);
        const twoFactor = this.#twoFactor();
        if ((await twoFactor.state(user.id)).required) {
          throw new ApiFailure(
            ErrorCode.Forbidden,
            'Two-factor login is required for your account.',
          );
        }
        if (!(await twoFactor.verify(user.id, p.code))) throw failures.invalidCredentials();
        await twoFactor.disable(user.id);
        return {};
      },
      'twofactor.reset': async (ctx, p) => {
        const user = requireUser(ctx);
        if (!ADMIN_ROLES.has(user.role)) throw failures.forbidden();
        const people = await this.deps.people.list(user.tenantId);
        if (!people.some((x) => x.id === p.userId))
          throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
        await this.#twoFactor().disable(p.userId);
        await this.#audit(user, 'twofactor.reset', p.userId, null);
        return {};
      },
      'twofactor.require': async (ctx, p) => {
        const user = requireUser(ctx);
        if (!ADMIN_ROLES.has(user.role)) throw failures.forbidden();
        await this.#twoFactor().setTenantRequired(user.tenantId, p.required);
        await this.#audit(user, 'twofactor.require', null, { required: p.required });
        return {};
      },
      'auth.resume': async (ctx, p) => {
        const key = hashToken(p.token);
        const session = this.#sessions.get(key);
        if (!session || session.credential.expiresAt <= Date.now()) {
          if (session) this.#forgetSession(key);
          throw new ApiFailure(ErrorCode.SessionExpired, 'The session ended; log in again.');
        }
        ctx.user = session.user;
        ctx.mustEnrol = session.mustEnrol;
        ctx.sipCredential = session.credential;
        ctx.sessionToken = p.token;
        this.#follow(ctx);
        return { user: session.user };
      },
      'auth.logout': async (ctx) => {
        this.#endSession(ctx);
        return {};
      },
      'switchboard.snapshot': async (ctx) => {
        const user = requireUser(ctx);
        const snapshot = this.#switchboard().snapshot(user.tenantId);
        return user.role === 'board' ? redactSnapshot(snapshot) : snapshot;
      },
      'agent.login': async (ctx, p) => {
        this.#switchboard().agentLogin(requireUser(ctx), p.queueId);
        return {};
      },
      'agent.logout': async (ctx, p) => {
        this.#switchboard().agentLogout(requireUser(ctx), p.queueId);
        return {};
      },
      'agent.pause': async (ctx, p) => {
        this.#switchboard().agentPause(requireUser(ctx), p.queueId, p.reason);
        return {};
      },
      'agent.unpause': async (ctx, p) => {
        this.#switchboard().agentUnpause(requireUser(ctx), p.queueId);
        return {};
      },
      'transfer.blind': async (ctx, p) => {
        await this.#switchboard().blindTransfer(requireUser(ctx), p.target, p.callId);
        return {};
      },
      'transfer.consult': async (ctx, p) => {
        await this.#switchboard().consult(requireUser(ctx), p.target, p.callId);
        return {};
      },
      'transfer.complete': async (ctx, p) => {
        this.#switchboard().completeTransfer(requireUser(ctx), p.callId);
        return {};
      },
      'transfer.cancel': async (ctx, p) => {
        this.#switchboard().cancelConsult(requireUser(ctx), p.callId);
        return {};
      },
      'transfer.swap': async (ctx, p) => ({
        talkingTo: this.#switchboard().swapConsult(requireUser(ctx), p.callId),
      }),
      'caller.history': async (ctx, p) => {
        const { user, history } = this.#callerCard(ctx);
        const number = callerNumber(p.number);
        const [calls, notes] = await Promise.all([
          history.calls(user.tenantId, number, p.limit ?? 20),
          history.notes(user.tenantId, number),
        ]);
        return {
          number,
          calls: calls.map((c) => ({
            callId: c.callId,
            startedAt: c.startedAt.getTime(),
            answeredAt: c.answeredAt?.getTime() ?? null,
            endedAt: c.endedAt?.getTime() ?? null,
            outcome: c.outcome,
            queue: c.queue,
            answeredBy: c.answeredBy,
            transferredTo: c.transferredTo,
            transferredBy: c.transferredBy,
          })),
          notes: notes.map((n) => noteOut(number, n)),
        };
      },
      'caller.note.add': async (ctx, p) => {
        const { user, history } = this.#callerCard(ctx);
        const number = callerNumber(p.number);
        const note = await storeCall(() => history.addNote(user.tenantId, number, user.id, p.body));
        this.deps.events.publish(user.tenantId, 'caller.notes_changed', { number });
        return { note: noteOut(number, note) };
      },
      'caller.note.update': async (ctx, p) => {
        const { user, history } = this.#callerCard(ctx);
        const number = await history.noteNumber(user.tenantId, p.noteId);
        const note = number
          ? await storeCall(() => history.updateNote(user.tenantId, p.noteId, p.body))
          : null;
        if (!number || !note) throw new ApiFailure(ErrorCode.NotFound, 'No such note.');
        this.deps.events.publish(user.tenantId, 'caller.notes_changed', { number });
        return { note: noteOut(number, note) };
      },
      'caller.note.delete': async (ctx, p) => {
        const { user, history } = this.#callerCard(ctx);
        const number = await history.noteNumber(user.tenantId, p.noteId);
        if (!number || !(await history.deleteNote(user.tenantId, p.noteId))) {
          throw new ApiFailure(ErrorCode.NotFound, 'No such note.');
        }
        this.deps.events.publish(user.tenantId, 'caller.notes_changed', { number });
        return {};
      },
      'privacy.export': async (ctx, p) => {
        const user = requireUser(ctx);
        if (!ADMIN_ROLES.has(user.role)) throw failures.forbidden();
        const data = await this.#privacy().exportPerson(user.tenantId, p.userId);
        if (!data) throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
        await this.#audit(user, 'privacy.export', p.userId, null);
        return { data };
      },
      'people.delete': async (ctx, p) => {
        const user = requireUser(ctx);
        if (!ADMIN_ROLES.has(user.role)) throw failures.forbidden();
        if (p.userId === user.id) {
          throw new ApiFailure(ErrorCode.BadRequest, 'You cannot delete yourself.');
        }
        let deleted: boolean;
        try {
          deleted = await this.#privacy().deletePerson(user.tenantId, p.userId);
        } catch (err) {
          if (err instanceof StoreError) throw new ApiFailure(ErrorCode.Conflict, err.message);
          throw err;
        }
        if (!deleted) throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
        // Their sessions end and their SIP credentials stop working.
        for (const [token, s] of this.#sessions) {
          if (s.user.id !== p.userId) continue;
          this.deps.sipCredentials.revoke(s.credential);
          this.#sessions.delete(token);
        }
        await this.#audit(user, 'people.delete', p.userId, null);
        return {};
      },
      'message.send': async (ctx, p) => {
        const user = requireUser(ctx);
        return this.#switchboard().sendMessage(user, p.to, p.text, p.sms ?? false, p.from);
      },
      'presence.list': async (ctx) => ({
        people: this.#switchboard().presenceList(requireUser(ctx).tenantId),
      }),
      'absence.set': async (ctx, p) => {
        const user = requireUser(ctx);
        const forOther = p.userId !== undefined && p.userId !== user.id;
        if (forOther && !OPERATOR_ROLES.has(user.role)) throw failures.forbidden();
        const result = await this.#switchboard().setAbsence(user, p, forOther);
        if (forOther)
          await this.#audit(user, 'absence.set', p.userId ?? null, { reason: p.reason });
        return result;
      },
      'forwarding.get': async (ctx, p) => {
        const user = requireUser(ctx);
        if (p.userId !== undefined && p.userId !== user.id && !ADMIN_ROLES.has(user.role))
          throw failures.forbidden();
        return this.#switchboard().getForwarding(user, p.userId);
      },
      'forwarding.set': async (ctx, p) => {
        const user = requireUser(ctx);
        const forOther = p.userId !== undefined && p.userId !== user.id;
        if (forOther && !ADMIN_ROLES.has(user.role)) throw failures.forbidden();
        const result = await this.#switchboard().setForwarding(user, p);
        if (forOther) {
          const f = result.forwarding;
          await this.#audit(user, 'forwarding.set', p.userId ?? null, {
            busy: f.busyEnabled ? f.busyNumber : null,
            noAnswer: f.noAnswerEnabled ? f.noAnswerNumber : null,
            ringTimeS: f.ringTimeS,
          });
        }
        return result;
      },
      'calendar.set': async (ctx, p) => {
        const user = requireUser(ctx);
        const userId = p.userId ?? user.id;
        if (userId !== user.id && user.role !== 'admin') throw failures.forbidden();
        const calendars = this.deps.calendars;
        if (!calendars) throw new ApiFailure(ErrorCode.NotFound, 'Calendar sync is off.');
        try {
          if (!(await calendars.setFeed(user.tenantId, userId, p.url))) {
            throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
          }
          if (userId !== user.id)
            await this.#audit(user, 'calendar.set', userId, { set: p.url !== null });
        } catch (err) {
          if (err instanceof StoreError) throw new ApiFailure(ErrorCode.BadRequest, err.message);
          throw err;
        }
        return {};
      },
      'people.import': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const csv = this.deps.peopleCsv;
        if (!csv) throw new ApiFailure(ErrorCode.NotFound, 'Directory import is not available.');
        try {
          const result = await csv.import(user.tenantId, p.csv);
          await this.#audit(user, 'people.import', null, result);
          return result;
        } catch (err) {
          if (err instanceof CsvImportError) {
            throw new ApiFailure(ErrorCode.BadRequest, `Nothing was imported: ${err.message}`);
          }
          throw err;
        }
      },
      'people.save': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const csv = this.deps.peopleCsv;
        if (!csv) throw new ApiFailure(ErrorCode.NotFound, 'Directory changes are not available.');
        try {
          const result = await csv.save(user.tenantId, p);
          await this.#audit(user, 'people.save', p.username ?? null, result);
          return result;
        } catch (err) {
          if (err instanceof CsvImportError) {
            throw new ApiFailure(
              ErrorCode.BadRequest,
              err.message.replace(/^line 2 \(([^)]+)\)/, '$1'),
            );
          }
          throw err;
        }
      },
      'people.set_password': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const csv = this.deps.peopleCsv;
        if (!csv) throw new ApiFailure(ErrorCode.NotFound, 'Not available.');
        const done = await storeCall(() => csv.setPassword(user.tenantId, p.userId, p.password));
        if (!done) throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
        await this.#audit(user, 'people.set_password', p.userId, null);
        return {};
      },
      'auth.change_password': async (ctx, p) => {
        const user = requireUser(ctx);
        const key = { address: ctx.remote, username: user.username };
        const wait = this.#throttle.retryAfter(key);
        if (wait > 0) throw failures.rateLimited(wait);
        if (!(await this.deps.people.authenticate(user.username, p.current))) {
          this.#throttle.fail(key);
          throw failures.invalidCredentials();
        }
        const csv = this.deps.peopleCsv;
        if (!csv) throw new ApiFailure(ErrorCode.NotFound, 'Not available.');
        await storeCall(() => csv.setPassword(user.tenantId, user.id, p.password));
        return {};
      },
      'retention.set': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        if (!this.deps.retention)
          throw new ApiFailure(ErrorCode.NotFound, 'No retention settings here.');
        await this.deps.retention.setRetentionDays(user.tenantId, p.days);
        await this.#audit(user, 'retention.set', null, { days: p.days });
        return {};
      },
      'retention.get': async (ctx) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        if (!this.deps.retention)
          throw new ApiFailure(ErrorCode.NotFound, 'No retention settings here.');
        return { days: await this.deps.retention.retentionDays(user.tenantId) };
      },
      'people.list': async (ctx) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const people = await this.deps.people.list(user.tenantId);
        const twoFactor = await this.deps.twoFactor?.statesOf(user.tenantId);
        return {
          people: people.map((p) => ({
            ...directoryEntry(p),
            role: p.role,
            ...(twoFactor?.has(p.id) ? { twoFactor: twoFactor.get(p.id) } : {}),
          })),
        };
      },
      'queues.config': async (ctx) => {
        const user = requireRole(ctx, REPORT_ROLES);
        return this.#queues().config(user.tenantId);
      },
      'queue.save': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const { queueId, ...input } = p;
        const queue = await storeCall(() =>
          this.#queues().saveQueue(user.tenantId, queueId, input),
        );
        await this.#audit(user, 'queue.save', null, { queueId: queue.id, name: queue.name });
        return { queue };
      },
      'queue.delete': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        if (!(await storeCall(() => this.#queues().deleteQueue(user.tenantId, p.queueId)))) {
          throw new ApiFailure(ErrorCode.NotFound, 'No such queue.');
        }
        await this.#audit(user, 'queue.delete', null, { queueId: p.queueId });
        return {};
      },
      'answergroup.save': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const { groupId, ...input } = p;
        const answerGroup = await storeCall(() =>
          this.#queues().saveAnswerGroup(user.tenantId, groupId, input),
        );
        await this.#audit(user, 'answergroup.save', null, {
          groupId: answerGroup.id,
          name: answerGroup.name,
        });
        return { answerGroup };
      },
      'answergroup.delete': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        if (!(await storeCall(() => this.#queues().deleteAnswerGroup(user.tenantId, p.groupId)))) {
          throw new ApiFailure(ErrorCode.NotFound, 'No such answer group.');
        }
        await this.#audit(user, 'answergroup.delete', null, { groupId: p.groupId });
        return {};
      },
      'departments.list': async (ctx) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        return { departments: await this.#departments().list(user.tenantId) };
      },
      'department.save': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const { departmentId, ...input } = p;
        const department = await departmentCall(() =>
          this.#departments().save(user.tenantId, departmentId, input),
        );
        if (!department) throw new ApiFailure(ErrorCode.NotFound, 'No such department.');
        await this.#audit(user, 'department.save', null, {
          departmentId: department.id,
          name: department.name,
          number: department.number,
          target: department.target,
          created: departmentId === undefined,
        });
        return { department };
      },
      'department.delete': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const deleted = await departmentCall(() =>
          this.#departments().delete(user.tenantId, p.departmentId),
        );
        if (!deleted) throw new ApiFailure(ErrorCode.NotFound, 'No such department.');
        await this.#audit(user, 'department.delete', null, { departmentId: p.departmentId });
        return {};
      },
      'vip.set': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const vip = await storeCall(() => this.#queues().setVip(user.tenantId, p.entries));
        await this.#audit(user, 'vip.set', null, { entries: vip.length });
        return { vip };
      },
      'trunk.get': async (ctx) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const trunk = this.deps.trunks?.get(user.tenantId);
        return { trunk: trunk ? trunkView(trunk) : null };
      },
      'trunk.save': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const trunks = this.deps.trunks;
        if (!trunks) throw new ApiFailure(ErrorCode.NotFound, 'No trunk support here.');
        const saved = await storeCall(() => trunks.save(user.tenantId, p));
        // The audit log gets what changed, never the password.
        const { password, ...settings } = p;
        await this.#audit(user, 'trunk.save', null, {
          ...settings,
          password: password === undefined ? 'kept' : password === null ? 'cleared' : 'set',
        });
        return { trunk: trunkView(saved) };
      },
      'audit.list': async (ctx, p) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const audit = this.deps.audit;
        if (!audit) throw new ApiFailure(ErrorCode.NotFound, 'This core keeps no audit log.');
        const entries = await audit.list(user.tenantId, p.limit ?? 100, p.beforeId);
        return {
          entries: entries.map((e) => ({
            id: e.id,
            at: e.at.getTime(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            details: e.details,
          })),
        };
      },
      'people.export': async (ctx) => {
        const user = requireRole(ctx, ADMIN_ROLES);
        const csv = this.deps.peopleCsv;
        if (!csv) throw new ApiFailure(ErrorCode.NotFound, 'Directory export is not available.');
        const text = await csv.export(user.tenantId);
        await this.#audit(user, 'people.export', null, null);
        return { csv: text };
      },
      'absence.clear': async (ctx, p) => {
        const user = requireUser(ctx);
        const forOther = p.userId !== undefined && p.userId !== user.id;
        if (forOther && !OPERATOR_ROLES.has(user.role)) throw failures.forbidden();
        const cleared = await this.#switchboard().clearAbsence(user, p.userId, forOther);
        if (forOther) await this.#audit(user, 'absence.clear', p.userId ?? null, null);
        return { cleared };
      },
      'call.hangup': async (ctx, p) => {
        const user = requireUser(ctx);
        this.#switchboard().hangup(user, p.callId, OPERATOR_ROLES.has(user.role));
        return {};
      },
      'park.park': async (ctx, p) => this.#switchboard().park(requireUser(ctx), p.callId),
      'park.pickup': async (ctx, p) => {
        this.#switchboard().pickup(requireRole(ctx, OPERATOR_ROLES), p.slot);
        return {};
      },
      'stats.queues': async (ctx, p) => {
        const user = requireRole(ctx, REPORT_ROLES);
        return { queues: await this.#stats().queueStatistics(user.tenantId, range(p)) };
      },
      'stats.agents': async (ctx, p) => {
        const user = requireRole(ctx, REPORT_ROLES);
        return { agents: await this.#stats().agentStatistics(user.tenantId, range(p)) };
      },
      'stats.hourly': async (ctx, p) => {
        const user = requireRole(ctx, REPORT_ROLES);
        const hours = await this.#stats().hourlyVolume(user.tenantId, range(p), p.timeZone);
        return { hours: hours.map((h) => ({ ...h, hour: h.hour.getTime() })) };
      },
      'queue.pick': async (ctx, p) => {
        await this.#switchboard().pick(requireRole(ctx, OPERATOR_ROLES), p.callId);
        return {};
      },
      'directory.search': async (ctx, p) => ({
        results: this.#switchboard().searchDirectory(
          requireUser(ctx).tenantId,
          p.query,
          p.limit ?? 20,
        ),
      }),
      'directory.list': async (ctx) => {
        const user = requireUser(ctx);
        // Kiosk logins are not people to call.
        const people = (await this.deps.people.list(user.tenantId)).filter(
          (p) => p.role !== 'board',
        );
        return {
          people: people.map(directoryEntry),
        };
      },
    };
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  handleConnection(ws: WebSocket, request: IncomingMessage): void {
    const secure =
      request.headers['x-forwarded-proto'] === 'https' || 'encrypted' in request.socket;
    const host = request.headers.host ?? '127.0.0.1';
    const push = coalescingSender(ws, request.socket);
    const events = new EventOutbox(push);
    const ctx: ConnectionContext = {
      remote: request.socket.remoteAddress ?? 'unknown',
      sipUrl: this.deps.publicSipUrl ?? `${secure ? 'wss' : 'ws'}://${host}${SIP_PATH}`,
      user: undefined,
      sipCredential: undefined,
      sessionToken: undefined,
      queue: Promise.resolve(),
      unsubscribe: undefined,
      send: (frame) => {
        events.flush();
        push(JSON.stringify(frame));
      },
      sendText: (text) => events.event(text),
    };
    this.#connections.add(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.#send(ws, errorReply(null, ErrorCode.BadJson, 'Frames must be JSON text.'));
        return;
      }
      const text = data.toString();
      ctx.queue = ctx.queue.then(() => this.#onFrame(ws, ctx, text));
    });
    ws.on('close', () => {
      this.#connections.delete(ws);
      ctx.unsubscribe?.();
      events.close();
      // The SIP credential outlives the API socket: the phone keeps its registration while the
      // API reconnects. It ends at logout or expiry.
    });
    ws.on('error', (err) => this.deps.logger.debug('api socket error', { err }));
  }

  async #onFrame(ws: WebSocket, ctx: ConnectionContext, text: string): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#send(ws, errorReply(null, ErrorCode.BadJson, 'The frame is not valid JSON.'));
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.#send(ws, errorReply(null, ErrorCode.BadJson, 'A command must be a JSON object.'));
      return;
    }
    const { id, type, ...params } = frame as Record<string, unknown>;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      this.#send(
        ws,
        errorReply(null, ErrorCode.BadRequest, 'A command needs a positive integer id.'),
      );
      return;
    }
    ctx.send(await this.dispatch(ctx, id, type, params));
  }

  /** Validates and runs one command; never throws. Exposed for tests of the dispatch rules. */
  async dispatch(
    ctx: ConnectionContext,
    id: number,
    type: unknown,
    params: Record<string, unknown>,
  ): Promise<Reply> {
    if (!isCommandType(type)) {
      return errorReply(id, ErrorCode.UnknownCommand, `Unknown command type: ${String(type)}`);
    }
    if (!PUBLIC_COMMANDS.has(type) && !ctx.user) {
      return errorReply(id, ErrorCode.Unauthenticated, 'Log in first.');
    }
    if (ctx.mustEnrol && !ENROLMENT_COMMANDS.has(type)) {
      return errorReply(
        id,
        ErrorCode.EnrolmentRequired,
        'Set up two-factor login first (your account requires it).',
      );
    }
    if (ctx.user?.role === 'board' && !BOARD_COMMANDS.has(type)) {
      return errorReply(id, ErrorCode.Forbidden, 'The queue board is read-only.');
    }
    const parsed = Commands[type].params.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'command';
      return errorReply(id, ErrorCode.BadRequest, `${where}: ${issue?.message ?? 'invalid'}`);
    }
    try {
      const handler = this.#handlers[type] as Handler<typeof type>;
      const result = await handler(ctx, parsed.data as never);
      return { id, ok: true, result };
    } catch (err) {
      if (err instanceof ApiFailure) return errorReply(id, err.code, err.message);
      this.deps.logger.error('command failed', { type, err });
      return errorReply(id, ErrorCode.Internal, 'The switchboard core failed to run the command.');
    }
  }

  async #login(
    ctx: ConnectionContext,
    username: string,
    password: string,
    code: string | undefined,
  ): Promise<CommandResult<'auth.login'>> {
    const key = { address: ctx.remote, username };
    const wait = this.#throttle.retryAfter(key);
    if (wait > 0) throw failures.rateLimited(wait);
    const user = await this.deps.people.authenticate(username, password);
    if (!user) {
      this.#throttle.fail(key);
      throw failures.invalidCredentials();
    }
    const twoFactor = this.deps.twoFactor
      ? await this.deps.twoFactor.state(user.id)
      : { enabled: false, required: false };
    if (twoFactor.enabled) {
      if (code === undefined) {
        throw new ApiFailure(
          ErrorCode.SecondFactorRequired,
          'Enter the code from your authenticator app.',
        );
      }
      if (!(await this.deps.twoFactor?.verify(user.id, code))) {
        this.#throttle.fail(key);
        throw failures.invalidCredentials();
      }
    }
    this.#throttle.succeed(key);
    this.#endSession(ctx);
    const realm = await this.deps.people.tenantDomain(user.tenantId);
    const cred = this.deps.sipCredentials.issue(user.id, user.username, realm);
    ctx.user = {
      id: user.id,
      tenantId: user.tenantId,
      username: user.username,
      displayName: user.displayName,
      extension: user.extension,
      role: user.role,
      ...(user.presentableNumbers ? { presentableNumbers: user.presentableNumbers } : {}),
    };
    ctx.sipCredential = cred;
    ctx.mustEnrol = twoFactor.required && !twoFactor.enabled;
    const now = Date.now();
    for (const [token, s] of this.#sessions)
      if (s.credential.expiresAt <= now) this.#sessions.delete(token);
    const sessionToken = randomBytes(24).toString('base64url');
    const session = { user: ctx.user, credential: cred, mustEnrol: ctx.mustEnrol };
    const tokenKey = hashToken(sessionToken);
    this.#sessions.set(tokenKey, session);
    await this.#storeSession(tokenKey, session);
    ctx.sessionToken = sessionToken;
    this.#follow(ctx);
    this.deps.logger.info('login', { user: user.username });
    return {
      user: ctx.user,
      sip: {
        aor: `sip:${user.username}@${realm}`,
        authorizationUsername: cred.username,
        password: cred.password,
        displayName: user.displayName,
        wsServer: ctx.sipUrl,
        iceServers: this.deps.iceServers,
      },
      sessionToken,
      twoFactor,
    };
  }

  /**
   * Loads the sessions the store still holds (after a restart): their tokens resume and their
   * SIP credentials register again, so nobody is sent back to the login screen.
   * @returns how many were restored.
   */
  async restoreSessions(): Promise<number> {
    const stored = await this.deps.sessions?.live();
    for (const s of stored ?? []) {
      const credential: IssuedSipCredential = {
        username: s.sip.username,
        password: '',
        ha1: s.sip.ha1,
        realm: s.sip.realm,
        userId: s.user.id,
        expiresAt: s.expiresAt.getTime(),
      };
      this.deps.sipCredentials.restore(credential);
      this.#sessions.set(s.tokenHash, { user: s.user, credential, mustEnrol: s.mustEnrol });
    }
    return stored?.length ?? 0;
  }

  async #storeSession(
    key: string,
    s: { user: SessionUser; credential: IssuedSipCredential; mustEnrol: boolean },
  ): Promise<void> {
    try {
      await this.deps.sessions?.save({
        tokenHash: key,
        user: s.user,
        mustEnrol: s.mustEnrol,
        sip: { username: s.credential.username, realm: s.credential.realm, ha1: s.credential.ha1 },
        expiresAt: new Date(s.credential.expiresAt),
      });
    } catch (err) {
      // The session works on this core; it just would not survive a restart.
      this.deps.logger.error('storing a session failed', { err });
    }
  }

  #forgetSession(key: string): void {
    this.#sessions.delete(key);
    this.deps.sessions?.delete(key).catch((err: unknown) => {
      this.deps.logger.error('deleting a stored session failed', { err });
    });
  }

  /** Records an admin action or a change made on someone's behalf. */
  async #audit(
    user: SessionUser,
    action: string,
    target: string | null,
    details: Record<string, unknown> | null,
  ): Promise<void> {
    try {
      await this.deps.audit?.append(user.tenantId, user.id, action, target, details);
    } catch (err) {
      this.deps.logger.error('audit log write failed', { action, err });
    }
  }

  #stats(): ApiStatistics {
    const stats = this.deps.statistics;
    if (!stats) throw new ApiFailure(ErrorCode.NotFound, 'This core keeps no statistics.');
    return stats;
  }

  #queues(): ApiQueues {
    const queues = this.deps.queues;
    if (!queues) throw new ApiFailure(ErrorCode.NotFound, 'No queue administration here.');
    return queues;
  }

  #departments(): ApiDepartments {
    const departments = this.deps.departments;
    if (!departments)
      throw new ApiFailure(ErrorCode.NotFound, 'No department administration here.');
    return departments;
  }

  #switchboard(): SwitchboardPort {
    const sb = this.deps.switchboard;
    if (!sb) throw new ApiFailure(ErrorCode.NotFound, 'This core runs no switchboard engine.');
    return sb;
  }

  #privacy(): NonNullable<ApiDeps['privacy']> {
    const privacy = this.deps.privacy;
    if (!privacy) throw new ApiFailure(ErrorCode.NotFound, 'Privacy tools are off in this core.');
    return privacy;
  }

  #twoFactor(): TwoFactorRepository {
    const repo = this.deps.twoFactor;
    if (!repo) throw new ApiFailure(ErrorCode.NotFound, 'Two-factor login is off in this core.');
    return repo;
  }

  #callerCard(ctx: ConnectionContext): { user: SessionUser; history: CallerHistoryRepository } {
    const user = requireUser(ctx);
    if (!CALLER_CARD_ROLES.has(user.role)) throw failures.forbidden();
    const history = this.deps.callerHistory;
    if (!history) throw new ApiFailure(ErrorCode.NotFound, 'Caller history is off.');
    return { user, history };
  }

  /** Sends the tenant's events to this connection from now on. */
  #follow(ctx: ConnectionContext): void {
    ctx.unsubscribe?.();
    const user = ctx.user;
    if (!user) return;
    const board = user.role === 'board';
    ctx.unsubscribe = this.deps.events.subscribe(user.tenantId, (frame, text) =>
      ctx.sendText(board ? boardEventText(frame, text) : text),
    );
  }

  #endSession(ctx: ConnectionContext): void {
    ctx.unsubscribe?.();
    ctx.unsubscribe = undefined;
    if (ctx.sipCredential) this.deps.sipCredentials.revoke(ctx.sipCredential);
    if (ctx.sessionToken) this.#forgetSession(hashToken(ctx.sessionToken));
    ctx.user = undefined;
    ctx.sipCredential = undefined;
    ctx.sessionToken = undefined;
  }

  #send(ws: WebSocket, reply: Reply): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
  }

  close(): void {
    for (const ws of this.#connections) ws.close(1001, 'core shutting down');
  }
}

/** A person as the directory shows them (no role, no credentials). */
function directoryEntry(p: ApiUser): DirectoryEntry {
  return {
    id: p.id,
    username: p.username,
    displayName: p.displayName,
    extension: p.extension,
    mobile: p.mobile,
    department: p.department,
    title: p.title,
  };
}

function requireUser(ctx: ConnectionContext): SessionUser {
  if (!ctx.user) throw failures.unauthenticated();
  return ctx.user;
}

function range(p: { from: number; to: number }): { from: Date; to: Date } {
  return { from: new Date(p.from), to: new Date(p.to) };
}

function requireRole(ctx: ConnectionContext, roles: ReadonlySet<Role>): SessionUser {
  const user = requireUser(ctx);
  if (!roles.has(user.role)) throw failures.forbidden();
  return user;
}

function errorReply(id: number | null, code: ErrorCode, message: string): Reply {
  return { id, ok: false, error: { code, message } };
}

/** A caller's number as stored (E.164), or `bad_request`. */
function callerNumber(input: string): string {
  const e164 = toE164(input);
  if (!e164) throw new ApiFailure(ErrorCode.BadRequest, `number: ${input} is not a phone number`);
  return e164;
}

/** Runs a store call, turning what the store refuses into `bad_request`. */
async function storeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StoreError) throw new ApiFailure(ErrorCode.BadRequest, err.message);
    throw err;
  }
}

/**
 * Runs a department store call: a taken name or number is `conflict`, a department people still
 * belong to is `conflict`, anything else the store refuses is `bad_request`.
 */
async function departmentCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StoreError) {
      throw new ApiFailure(
        err.code === 'invalid' ? ErrorCode.BadRequest : ErrorCode.Conflict,
        err.message,
      );
    }
    throw err;
  }
}

function noteOut(number: string, n: StoredNote) {
  return {
    id: n.id,
    number,
    body: n.body,
    author: n.author,
    createdAt: n.createdAt.getTime(),
    updatedAt: n.updatedAt.getTime(),
  };
}

/**
 * Sends text frames so that all sent in one turn of the event loop leave in one write: a
 * call's state changes reach each listener in bursts, and a write per frame was a tenth of
 * the core's CPU at a few hundred calls/s (bench/sipp-cps, docs/benchmarks.md). The socket
 * is corked on the first frame and uncorked after the I/O phase; nothing waits longer.
 */
function coalescingSender(ws: WebSocket, socket: Duplex): (text: string) => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return (text) => {
    if (ws.readyState !== ws.OPEN) return;
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    ws.send(text);
  };
}
