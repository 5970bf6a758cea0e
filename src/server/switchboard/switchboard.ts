/**
 * The switchboard: where SIP calls meet the ACD. It routes each new INVITE (a colleague, a
 * queue, an answer group), carries out the ACD's decisions on the B2BUA (ring agents, cancel
 * offers, overflow), tells the ACD what happened on the wire (answered, failed, abandoned,
 * ended), keeps agents' reachability and busy state in step with the registrar and calls,
 * publishes the tenant event stream, and writes the queue log and call records.
 *
 * Neither side knows the other: the ACD knows nothing of SIP, the B2BUA nothing of queues.
 */
import {
  ErrorCode,
  type CommandParams,
  type CommandResult,
  type SessionUser,
} from '../../shared/protocol';
import type { ParkedCall, Presence, SwitchboardSnapshot } from '../../shared/switchboard';
import { Acd, AcdError, type AcdAction, type AcdEvent, type Target } from '../acd';
import type { QueueDayCounts } from '../acd/queue-counters';
import { ApiFailure } from '../api/errors';
import type { SwitchboardPort } from '../api/switchboard-port';
import {
  bestFailure,
  requestUser,
  type Leg,
  type B2bua,
  type Call,
  type Callee,
  type CallPolicy,
  type OutboundLeg,
  type Party,
  type RingTarget,
  type TransferOptions,
} from '../b2bua/b2bua';
import { CallState } from '../b2bua/call-state';
import { ConsultState } from '../b2bua/consult-state';
import type { People } from '../core/people';
import type { TenantEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { Binding } from '../registrar/registrar';
import {
  createResponse,
  parseNameAddr,
  type Flow,
  type ServerTransaction,
  type SipRequest,
} from '../sip';
import type { QueueRepository } from '../store/queues';
import type { RecordsRepository } from '../store/records';
import type { User } from '../store/users';
import { toE164 } from '../store/phone';
import type { Trunks } from '../trunks/trunks';
import { choosePresentedNumber } from '../trunks/presented-number';
import { RecordWriter } from './record-writer';
import type { SmsGateway } from '../people/sms-gateway';
import { PresenceService, absenceInfo } from '../people/presence';
import { DirectoryIndex } from '../people/directory-index';
import {
  DirectoryLookup,
  HttpLookup,
  LookupService,
  type LookupProvider,
  type LookupResult,
} from '../people/lookup';
import { StoreError } from '../store/errors';
import type { AbsenceRepository } from '../store/absences';
import {
  RING_TIME_DEFAULT_S,
  type Forwarding,
  type ForwardingRepository,
} from '../store/forwarding';
import { callRecords, type LegNotes, type QueueVisit } from './call-ledger';
import { toProtocolEvent, toSnapshot } from './wire';

/** How often a waiting caller gets a fresh `182 Queued` (well inside 3 minutes, RFC 3261 §13.3.1.1). */
const QUEUED_REFRESH_MS = 60_000;
const PICK_TAG = 'pick';
/** How long an external number may ring before the caller gets 408. */
const EXTERNAL_RING_MS = 90_000;
/**
 * How many times one call may be forwarded (absence, busy, no answer): A→B→C stops at C.
 * A person the call already rang (or its caller) is never rung again: A→B→A does not loop.
 */
const MAX_FORWARDS = 2;

export interface SwitchboardDeps {
  b2bua: B2bua;
  /** Text messages to mobiles (a logging gateway unless one is configured). */
  sms?: SmsGateway;
  people: People;
  queues: QueueRepository;
  records: RecordsRepository;
  absences: AbsenceRepository;
  /** Busy / no-answer forwarding per person (none: calls are never forwarded that way). */
  forwarding?: Pick<ForwardingRepository, 'list' | 'set'>;
  events: TenantEventBus;
  logger: Logger;
  now?: () => number;
  /** Seconds a blind transfer rings before it comes back to the transferrer. */
  recallAfterS?: number;
  /** Seconds a call may stay parked before it rings its parker again. */
  parkRecallS?: number;
  /** The tenants' SIP trunks: calls to external numbers (none: such numbers are not found). */
  trunks?: Pick<Trunks, 'route'>;
  /** External number lookup (nummeroppslag), asked after the company directory. */
  lookup?: { urlTemplate: string; fields: { name?: string; company?: string; address?: string } };
  /** Queue prompts and hold music (rtpengine, src/server/media); none: 182 Queued only. */
  queueMedia?: { queued(call: Call): void };
  /**
   * The day so far per queue from the queue log, so the live counters (the board's "today")
   * survive a core restart; none: they start at zero.
   */
  queueDay?: {
    countsSince(tenantId: string, since: number): Promise<ReadonlyMap<string, QueueDayCounts>>;
  };
}

export class Switchboard implements SwitchboardPort {
  readonly acd: Acd;
  readonly presence: PresenceService;
  /** Search index over every tenant's people (accent-folded, numbers in any format). */
  readonly directory = new DirectoryIndex();
  /** Caller name lookup: the directory first, then the configured service; never delays a call. */
  readonly lookup: LookupService;
  readonly #log: Logger;
  /** ACD call id (= B2BUA call id) → the call. */
  readonly #calls = new Map<string, Call>();
  /** User id → user, for every user of every tenant (agents are resolved synchronously). */
  readonly #users = new Map<string, User>();
  readonly #usersByName = new Map<string, User>();
  /** User id → calls they are connected on (for the ACD's "busy"). */
  readonly #activeCalls = new Map<string, number>();
  readonly #records: RecordWriter;
  /** Tenants whose queue counters took in the day so far (once, at the first load). */
  readonly #dayRestored = new Set<string>();
  readonly #now: () => number;
  readonly #recallAfterMs: number;
  readonly #parkRecallMs: number;
  /** User id → their busy / no-answer forwarding (only people who have set any). */
  readonly #forwarding = new Map<string, Forwarding>();
  /** Tenant → its main (switchboard) queue, where recalls go when the operator is busy. */
  readonly #mainQueues = new Map<string, string>();
  /** Tenant → slot → parked call. */
  readonly #parked = new Map<
    string,
    Map<string, { call: Call; parkedBy: string; parkedAt: number; timer: NodeJS.Timeout }>
  >();

  constructor(private readonly deps: SwitchboardDeps) {
    this.#log = deps.logger;
    this.#now = deps.now ?? Date.now;
    this.#recallAfterMs = (deps.recallAfterS ?? 20) * 1000;
    this.#parkRecallMs = (deps.parkRecallS ?? 120) * 1000;
    this.#records = new RecordWriter(deps.records, deps.logger);
    const providers: LookupProvider[] = [
      new DirectoryLookup((tenantId, e164) => {
        for (const u of this.#users.values()) {
          if (u.tenantId === tenantId && u.mobile === e164) {
            return { name: u.displayName, department: u.departmentName };
          }
        }
        return null;
      }),
    ];
    if (deps.lookup) {
      providers.push(
        new HttpLookup({
          urlTemplate: deps.lookup.urlTemplate,
          fields: deps.lookup.fields,
          onError: (err) => this.#log.debug('number lookup failed', { err: err.message }),
        }),
      );
    }
    this.lookup = new LookupService(providers, {
      now: this.#now,
      onResult: ({ tenantId, number, result }) => this.#publishLookup(tenantId, number, result),
    });
    this.presence = new PresenceService({
      events: deps.events,
      absences: deps.absences,
      isRegistered: (userId) => this.#bindingsOf(userId).length > 0,
      callActivity: (userId) => this.#callActivity(userId),
      logger: deps.logger,
      now: this.#now,
    });
    this.acd = new Acd({
      now: this.#now,
      timers: {
        set: (fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return t;
        },
        clear: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      onAction: (action) => this.#onAction(action),
      onEvent: (event) => this.#onEvent(event),
    });
  }

  /** Loads every tenant's users, queues, answer groups and VIP list into the engine. */
  async load(): Promise<void> {
    for (const tenant of this.deps.people.tenants()) {
      const users = await this.deps.people.users.list(tenant.id);
      // Forget the tenant's people first: someone deleted since the last load is gone.
      for (const [id, known] of this.#users) {
        if (known.tenantId !== tenant.id) continue;
        this.#users.delete(id);
        this.#usersByName.delete(known.username);
      }
      for (const user of users) this.#remember(user);
      this.directory.replaceTenant(
        tenant.id,
        // Kiosk logins (the queue board) are not people to find and call.
        users
          .filter((u) => u.role !== 'board')
          .map((u) => ({
            id: u.id,
            tenantId: u.tenantId,
            firstName: u.firstName,
            lastName: u.lastName,
            displayName: u.displayName,
            title: u.title,
            department: u.departmentName,
            email: u.email,
            extension: u.extension,
            mobile: u.mobile,
            kind: 'person' as const,
          })),
      );
      await this.presence.load(
        tenant.id,
        users.map((u) => u.id),
      );
      await this.#loadForwarding(tenant.id);
      for (const q of await this.deps.queues.list(tenant.id)) {
        this.acd.configureQueue({
          id: q.id,
          tenantId: q.tenantId,
          name: q.name,
          number: q.number,
          strategy: q.strategy,
          ringTimeoutS: q.ringTimeoutS,
          wrapUpS: q.wrapUpS,
          maxWaitS: q.maxWaitS,
          maxLength: q.maxLength,
          overflowTarget: q.overflowTarget,
          noAgentsTarget: q.noAgentsTarget,
          serviceLevelS: q.serviceLevelS,
          autoPauseAfterMisses: q.autoPauseAfterMisses,
          members: [...q.members],
        });
      }
      for (const g of await this.deps.queues.listAnswerGroups(tenant.id)) {
        if (!g.fallback) continue; // the engine needs somewhere to send unanswered callers
        this.acd.configureAnswerGroup({
          id: g.id,
          tenantId: g.tenantId,
          name: g.name,
          number: g.number,
          mode: g.mode,
          ringTimeoutS: g.ringTimeoutS,
          members: [...g.members],
          fallback: g.fallback,
        });
      }
      await this.#restoreDay(tenant.id);
      const main = await this.deps.queues.mainQueue(tenant.id);
      if (main) this.#mainQueues.set(tenant.id, main.id);
      const vip = await this.deps.queues.vipList(tenant.id);
      this.acd.setVipList(
        tenant.id,
        vip.map((v) => v.pattern),
      );
    }
  }

  /**
   * On the first load of a tenant, the queues' counters take in the day so far from the queue
   * log (a core restart must not zero the board's "today"). Later loads (configuration
   * changes) keep the live counters.
   */
  async #restoreDay(tenantId: string): Promise<void> {
    if (!this.deps.queueDay || this.#dayRestored.has(tenantId)) return;
    this.#dayRestored.add(tenantId);
    const counts = await this.deps.queueDay.countsSince(tenantId, this.acd.dayStart());
    for (const [queueId, day] of counts) this.acd.restoreDay(queueId, day);
  }

  /** Flushes pending records (shutdown, tests). */
  flush(): Promise<void> {
    return this.#records.flush();
  }

  // ── facts from the registrar ────────────────────────────────────────────────

  /** The bindings of `aor` (`user@domain`) changed: the agent is reachable or not. */
  registrationChanged(aor: string, bindings: readonly Binding[]): void {
    const user = this.#usersByName.get(aor.split('@')[0] ?? '');
    if (user) {
      this.acd.agentReachable(user.id, bindings.length > 0);
      this.presence.touch(user.id);
    }
  }

  // ── routing ─────────────────────────────────────────────────────────────────

  /** Whether `dialled` is one of the tenant's public numbers (queues, answer groups). */
  async isPublicNumber(tenantId: string, dialled: string): Promise<boolean> {
    return (await this.deps.queues.findByNumber(tenantId, dialled)) !== null;
  }

  /** A new INVITE from an authenticated user or (to a public number) an outside caller. */
  async invite(req: SipRequest, tx: ServerTransaction, flow: Flow, caller: Party): Promise<void> {
    const dialled = requestUser(req) ?? '';
    const match = dialled ? await this.deps.queues.findByNumber(caller.tenantId, dialled) : null;
    if (match?.kind === 'queue') {
      const call = this.deps.b2bua.accept(req, tx, flow, caller, this.#queuePolicy());
      this.#enterQueue(call, match.id);
      return;
    }
    if (match?.kind === 'answer-group') {
      const call = this.deps.b2bua.accept(req, tx, flow, caller, this.#queuePolicy());
      this.#ringAnswerGroup(call, match.id);
      return;
    }
    if (caller.kind !== 'user') {
      tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    const callee = await this.deps.people.resolveCallee(caller.tenantId, dialled);
    if (!callee) {
      const external = this.deps.trunks ? toE164(dialled) : null;
      if (external) await this.#callExternal(req, tx, flow, caller, external);
      else tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    // A call to an absent person follows the absence's call handling.
    const absence = this.presence.absenceOf(callee.userId);
    if (absence?.callHandling === 'switchboard') {
      const main = await this.deps.queues.mainQueue(caller.tenantId);
      if (main) {
        const call = this.deps.b2bua.accept(req, tx, flow, caller, this.#queuePolicy());
        call.attributes.set('absentFor', callee.extension);
        this.#enterQueue(call, main.id);
        return;
      }
    } else if (absence?.callHandling === 'forward' && absence.forwardNumber) {
      const forward = await this.deps.people.resolveCallee(caller.tenantId, absence.forwardNumber);
      if (!forward) {
        // An external number: out through the tenant's trunk, or 480 when there is none.
        const external = toE164(absence.forwardNumber);
        const route = external ? this.#forwardRoute(caller.tenantId, external) : undefined;
        if (!route) {
          tx.respond(createResponse(req, 480, 'Absent'));
          return;
        }
        const call = this.deps.b2bua.accept(req, tx, flow, caller, this.#directPolicy());
        call.attributes.set('external', route.number);
        this.#ring(call, [route.target], { headers: route.headers });
        return;
      }
      this.#ringPerson(req, tx, flow, caller, forward, [callee.userId]);
      return;
    }
    this.#ringPerson(req, tx, flow, caller, callee, []);
  }

  /**
   * A user calls an external number: out through the tenant's trunk, after the toll-fraud
   * guard, showing a number the user may present (P-Preferred-Identity picks one).
   */
  async #callExternal(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    caller: Party,
    e164: string,
  ): Promise<void> {
    const user = caller.userId ? this.#users.get(caller.userId) : undefined;
    const trunks = this.deps.trunks;
    if (!user || !trunks) {
      tx.respond(createResponse(req, 403, 'Forbidden'));
      return;
    }
    const route = trunks.route(
      caller.tenantId,
      e164,
      await this.deps.people.presentableNumbers(user),
      req.get('P-Preferred-Identity'),
    );
    if (!route.ok) {
      tx.respond(createResponse(req, route.status, route.reason));
      return;
    }
    const call = this.deps.b2bua.accept(req, tx, flow, caller, this.#directPolicy());
    call.attributes.set('external', e164);
    const identity = `<sip:${route.presented}@${route.fromDomain}>`;
    this.deps.b2bua.setTimer(call, EXTERNAL_RING_MS, () => {
      if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return;
      this.deps.b2bua.cancelLegs(call, () => true);
      this.deps.b2bua.fail(call, 408, 'Request Timeout');
    });
    this.deps.b2bua.ring(call, [route.target], {
      headers: { From: `${identity};tag=${call.outFromTag}`, 'P-Asserted-Identity': identity },
    });
  }

  // ── busy / no-answer forwarding (ADR 0012) ──────────────────────────────────

  async #loadForwarding(tenantId: string): Promise<void> {
    const store = this.deps.forwarding;
    if (!store) return;
    const settings = await store.list(tenantId);
    for (const [id, known] of this.#forwarding) {
      if (known.tenantId === tenantId) this.#forwarding.delete(id);
    }
    for (const f of settings) this.#forwarding.set(f.userId, f);
  }

  /**
   * Rings a person for a new direct call with their busy / no-answer forwarding armed.
   * `forwardedFrom`: the people the call was already forwarded away from (an absence forward).
   */
  #ringPerson(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    caller: Party,
    callee: Callee,
    forwardedFrom: readonly string[],
  ): void {
    const settings = this.#forwardingOf(callee.userId, forwardedFrom.length);
    const b2bua = this.deps.b2bua;
    // A no-answer forward rings its target inside the same call: the overall cap grows by it.
    const options = settings?.noAnswerEnabled
      ? { ringTimeoutS: settings.ringTimeS + b2bua.ringTimeoutS }
      : {};
    const call = b2bua.ringUser(req, tx, flow, caller, callee, this.#personPolicy(), options);
    if (!call) return;
    call.attributes.set('forwardedFrom', [...forwardedFrom]);
    this.#armForwarding(call, callee.userId, settings);
  }

  /** The person's forwarding when any is on and the call may still be forwarded. */
  #forwardingOf(userId: string, forwards: number): Forwarding | undefined {
    if (forwards >= MAX_FORWARDS) return undefined;
    const f = this.#forwarding.get(userId);
    return f && (f.busyEnabled || f.noAnswerEnabled) ? f : undefined;
  }

  /** `userId` is the person ringing now; their ring time runs when they forward on no answer. */
  #armForwarding(call: Call, userId: string, settings: Forwarding | undefined): void {
    call.attributes.set('ringingPerson', userId);
    call.attributes.delete('forwardPending');
    if (!settings?.noAnswerEnabled) return;
    this.deps.b2bua.setTimer(call, settings.ringTimeS * 1000, () => {
      if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return;
      if (call.winner || call.attributes.get('ringingPerson') !== userId) return;
      call.attributes.set('forwardPending', 'no_answer');
      // Each cancelled phone reports 487; after the last one `exhausted` forwards the call.
      this.deps.b2bua.cancelLegs(call, (l) => l.user.userId === userId);
    });
  }

  /** A direct call to a person: connected and ended as any direct call; forwarded on failure. */
  #personPolicy(): CallPolicy {
    return this.deps.b2bua.directWith({
      answered: (call, leg) => this.#connected(call, leg),
      ended: (call) => this.#disconnected(call),
      finished: (call) => this.#finished(call),
      exhausted: (call, failed, failedReason) => {
        // After a forward the caller hears how the last target failed, not the first one.
        const since = call.attributes.get('forwardedAtLeg') as number | undefined;
        const { status, reason } =
          since === undefined
            ? { status: failed, reason: failedReason }
            : bestFailure(call.outbound.slice(since));
        const noAnswer = call.attributes.get('forwardPending') === 'no_answer';
        // Not forwarded after all: a cancelled ring means nobody answered (480, not 487).
        const fail = () =>
          noAnswer
            ? this.deps.b2bua.fail(call, 480, 'Temporarily Unavailable')
            : this.deps.b2bua.fail(call, status, reason);
        const number = this.#forwardNumber(call, status, noAnswer);
        if (number === undefined) {
          fail();
          return;
        }
        this.#forwardCall(call, number, noAnswer ? 'no-answer' : 'user-busy').then(
          (forwarded) => {
            if (!forwarded) fail();
          },
          (err: unknown) => {
            this.#log.error('forwarding failed', { call: call.id, err });
            fail();
          },
        );
      },
    });
  }

  /** Where the person ringing on `call` forwards it after `status`; undefined: nowhere. */
  #forwardNumber(call: Call, status: number, noAnswer: boolean): string | undefined {
    const userId = call.attributes.get('ringingPerson') as string | undefined;
    const from = (call.attributes.get('forwardedFrom') as string[] | undefined) ?? [];
    const settings = userId ? this.#forwardingOf(userId, from.length) : undefined;
    if (!settings) return undefined;
    if (noAnswer) return (settings.noAnswerEnabled && settings.noAnswerNumber) || undefined;
    const busy = status === 486 || status === 600 || status === 603;
    return (busy && settings.busyEnabled && settings.busyNumber) || undefined;
  }

  /**
   * Sends a call nobody answered on to `number`: a queue or answer group, a colleague (unless
   * the call already rang them or they are its caller) or, for E.164 numbers, out through the
   * tenant's trunk as absence forwards go. False when it cannot go there (the caller is told).
   */
  async #forwardCall(call: Call, number: string, why: 'user-busy' | 'no-answer'): Promise<boolean> {
    const from = call.attributes.get('ringingPerson') as string;
    const forwardedFrom = [
      ...((call.attributes.get('forwardedFrom') as string[] | undefined) ?? []),
      from,
    ];
    call.attributes.set('forwardedFrom', forwardedFrom);
    call.attributes.set('forwardedAtLeg', call.outbound.length);
    call.attributes.delete('ringingPerson');
    const tenantId = call.caller.tenantId;
    const fromUser = this.#users.get(from);
    // RFC 5806: the phone (or carrier) that rings sees whose call it is and why.
    const diversion = `<sip:${fromUser?.extension ?? fromUser?.username ?? from}@${
      this.deps.people.tenant(tenantId)?.domain ?? call.caller.domain
    }>;reason=${why};counter=${forwardedFrom.length}`;
    const match = await this.deps.queues.findByNumber(tenantId, number);
    if (call.state === CallState.Ended || call.winner) return true;
    if (match) {
      // The queue decides from now on how long the caller waits.
      this.deps.b2bua.clearTimers(call);
      call.policy = this.#queuePolicy();
      if (match.kind === 'queue') this.#enterQueue(call, match.id);
      else this.#ringAnswerGroup(call, match.id);
      return true;
    }
    if (/^[0-9]{2,8}$/.test(number)) {
      const callee = await this.deps.people.resolveCallee(tenantId, number);
      if ((call.state as CallState) === CallState.Ended || call.winner) return true;
      if (!callee || callee.userId === call.caller.userId) return false;
      if (forwardedFrom.includes(callee.userId)) return false; // A→B→A: no loop
      const bindings = this.#bindingsOf(callee.userId);
      if (bindings.length === 0) return false;
      this.#armForwarding(
        call,
        callee.userId,
        this.#forwardingOf(callee.userId, forwardedFrom.length),
      );
      this.#ring(
        call,
        bindings.map((binding) => ({ binding, user: callee })),
        { headers: { Diversion: diversion } },
      );
      return true;
    }
    const route = this.#forwardRoute(tenantId, number);
    if (!route) return false;
    call.attributes.set('external', route.number);
    this.#ring(call, [route.target], { headers: { ...route.headers, Diversion: diversion } });
    return true;
  }

  /**
   * A written forward number as routing reads it: digits that are an extension, queue or answer
   * group number of the company stay internal; anything else that is a phone number becomes
   * E.164 (8-digit Norwegian numbers are phone numbers, not unknown extensions). Digits that
   * are neither are `invalid_number`; other text goes on as written, for the store to refuse.
   */
  async #forwardTarget(
    tenantId: string,
    written: string | null,
    field: 'busyNumber' | 'noAnswerNumber',
  ): Promise<string | null> {
    if (written === null || written.trim() === '') return written;
    const compact = written.replace(/[\s\-./()]/g, '');
    if (/^[0-9]{2,8}$/.test(compact)) {
      if (await this.deps.queues.findByNumber(tenantId, compact)) return compact;
      const callee = await this.deps.people.resolveCallee(tenantId, compact);
      if (callee?.extension === compact) return compact;
    }
    const e164 = toE164(written);
    if (e164) return e164;
    if (/^[0-9]{2,8}$/.test(compact))
      throw new ApiFailure(
        ErrorCode.InvalidNumber,
        `${field}: ${compact} is no extension, queue or answer group number.`,
      );
    return written;
  }

  /** A person's forwarding (`forwarding.get`): theirs, within the asker's company. */
  getForwarding(user: SessionUser, userId: string | undefined): CommandResult<'forwarding.get'> {
    const id = userId ?? user.id;
    const target = this.#users.get(id);
    if (!target || target.tenantId !== user.tenantId || !this.deps.forwarding)
      throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
    return { forwarding: forwardingView(this.#forwarding.get(id)) };
  }

  /** Replaces a person's forwarding (`forwarding.set`); routing follows at once. */
  async setForwarding(
    user: SessionUser,
    p: CommandParams<'forwarding.set'>,
  ): Promise<CommandResult<'forwarding.set'>> {
    const id = p.userId ?? user.id;
    const target = this.#users.get(id);
    const store = this.deps.forwarding;
    if (!target || target.tenantId !== user.tenantId || !store)
      throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
    try {
      const saved = await store.set(
        user.tenantId,
        id,
        {
          busyEnabled: p.busyEnabled,
          busyNumber: await this.#forwardTarget(user.tenantId, p.busyNumber, 'busyNumber'),
          noAnswerEnabled: p.noAnswerEnabled,
          noAnswerNumber: await this.#forwardTarget(
            user.tenantId,
            p.noAnswerNumber,
            'noAnswerNumber',
          ),
          ringTimeS: p.ringTimeS,
        },
        user.id,
      );
      this.#forwarding.set(id, saved);
      return { forwarding: forwardingView(saved) };
    } catch (err) {
      if (err instanceof StoreError) {
        if (err.field === 'ringTimeS')
          throw new ApiFailure(ErrorCode.RingTimeOutOfRange, err.message);
        if (err.field === 'busyNumber' || err.field === 'noAnswerNumber')
          throw new ApiFailure(ErrorCode.InvalidNumber, `${err.field}: ${err.message}`);
        throw new ApiFailure(ErrorCode.BadRequest, err.message);
      }
      throw err;
    }
  }

  // ── API: agents and picks ───────────────────────────────────────────────────

  snapshot(tenantId: string): SwitchboardSnapshot {
    return toSnapshot(
      this.acd.snapshot(tenantId),
      this.deps.events.seq(tenantId),
      this.#parkedList(tenantId),
    );
  }

  searchDirectory(
    tenantId: string,
    query: string,
    limit: number,
  ): CommandResult<'directory.search'>['results'] {
    const results: CommandResult<'directory.search'>['results'] = [];
    for (const hit of this.directory.search(tenantId, query, { limit })) {
      const user = this.#users.get(hit.id);
      if (!user || user.tenantId !== tenantId) continue;
      results.push({
        person: {
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          extension: user.extension ?? '',
          mobile: user.mobile,
          department: user.departmentName,
          title: user.title,
        },
        presence: this.presence.get(user.id) ?? null,
        matched: hit.matched,
      });
    }
    return results;
  }

  presenceList(tenantId: string): Presence[] {
    return this.presence.list(tenantId);
  }

  async setAbsence(
    user: SessionUser,
    p: CommandParams<'absence.set'>,
    onBehalf: boolean,
  ): Promise<CommandResult<'absence.set'>> {
    const userId = p.userId ?? user.id;
    const target = this.#users.get(userId);
    if (!target || target.tenantId !== user.tenantId)
      throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
    try {
      const absence = await this.presence.setAbsence(user.tenantId, userId, {
        reason: p.reason,
        ...(p.from !== undefined ? { startsAt: new Date(p.from) } : {}),
        endsAt: p.until === undefined || p.until === null ? null : new Date(p.until),
        message: p.message ?? null,
        callHandling: p.callHandling ?? 'switchboard',
        forwardNumber: p.forwardNumber ?? null,
        source: onBehalf ? 'operator' : 'self',
        setBy: user.id,
      });
      return { absence: absenceInfo(absence) };
    } catch (err) {
      if (err instanceof StoreError) throw new ApiFailure(ErrorCode.BadRequest, err.message);
      throw err;
    }
  }

  async clearAbsence(
    user: SessionUser,
    userId: string | undefined,
    _onBehalf: boolean,
  ): Promise<boolean> {
    const id = userId ?? user.id;
    const target = this.#users.get(id);
    if (!target || target.tenantId !== user.tenantId)
      throw new ApiFailure(ErrorCode.NotFound, 'No such person.');
    return this.presence.clearAbsence(user.tenantId, id);
  }

  agentLogin(user: SessionUser, queueId: string): void {
    this.#agentCommand(user, queueId, () => this.acd.agentLogin(queueId, user.id));
    if (this.#bindingsOf(user.id).length > 0) this.acd.agentReachable(user.id, true);
  }

  agentLogout(user: SessionUser, queueId: string): void {
    this.#agentCommand(user, queueId, () => this.acd.agentLogout(queueId, user.id));
  }

  agentPause(
    user: SessionUser,
    queueId: string | undefined,
    reason: 'lunch' | 'meeting' | 'admin' | 'other',
  ): void {
    this.#agentCommand(user, queueId, () => this.acd.agentPause(user.id, reason, queueId));
  }

  agentUnpause(user: SessionUser, queueId: string | undefined): void {
    this.#agentCommand(user, queueId, () => this.acd.agentUnpause(user.id, queueId));
  }

  async pick(user: SessionUser, callId: string): Promise<void> {
    const caller = this.acd.caller(callId);
    const call = this.#calls.get(callId);
    if (!caller || !call || call.caller.tenantId !== user.tenantId) {
      throw new ApiFailure(ErrorCode.NotFound, 'No such waiting caller.');
    }
    const operator = this.#callee(user.id);
    const bindings = operator ? this.#bindingsOf(user.id) : [];
    if (!operator || bindings.length === 0) {
      throw new ApiFailure(ErrorCode.Conflict, 'Your phone is not registered.');
    }
    const result = this.acd.pick(callId, user.id, user.tenantId);
    if (!result.ok) {
      throw new ApiFailure(
        ErrorCode.Conflict,
        result.code === 'already_connecting'
          ? 'Someone else is already taking this caller.'
          : 'The caller is no longer waiting.',
      );
    }
    call.attributes.set('pickedBy', user.id);
    this.#ring(
      call,
      bindings.map((binding) => ({ binding, user: operator, tag: PICK_TAG })),
      { autoAnswer: true, headers: this.#queueHeaders(call) },
    );
  }

  async blindTransfer(
    user: SessionUser,
    target: string,
    callId: string | undefined,
  ): Promise<void> {
    const mine = this.deps.b2bua
      .calls()
      .filter((c) => c.caller.tenantId === user.tenantId && c.winner?.user.userId === user.id)
      .filter((c) => !callId || c.id === callId || c.winner?.invite.callId === callId);
    const call = mine[0];
    if (!call || mine.length > 1) {
      throw new ApiFailure(
        call ? ErrorCode.BadRequest : ErrorCode.NotFound,
        call
          ? 'You have several calls; say which (callId).'
          : 'You have no answered call to transfer.',
      );
    }
    if (call.state !== CallState.Active) {
      throw new ApiFailure(
        ErrorCode.Conflict,
        'The call is not in a state that can be transferred.',
      );
    }
    const match = await this.deps.queues.findByNumber(user.tenantId, target);
    if (match) {
      const transferrer = this.#callee(user.id);
      if (!transferrer) throw new ApiFailure(ErrorCode.NotFound, 'Unknown user.');
      this.#handOver(call, transferrer, target, 'blind');
      this.#requeue(call, match);
      return;
    }
    const { callee, transferrer } = await this.#transferTarget(user, target);
    this.#blind(call, transferrer, callee);
  }

  /**
   * Puts an answered caller back in a queue or answer group: held in the core (streams
   * inactive, the way parking does) while the engine offers it; the agent who answers is
   * connected by the transfer flow (ADR 0005).
   */
  #requeue(
    call: Call,
    match: { kind: 'queue' | 'answer-group'; id: string },
    priority?: 'recall',
  ): void {
    if (call.state === CallState.Active && !this.deps.b2bua.park(call)) {
      this.deps.b2bua.hangup(call, 'could not hold the caller for the queue');
      return;
    }
    call.policy = this.#queuePolicy();
    if (match.kind === 'queue') this.#enterQueue(call, match.id, undefined, priority);
    else this.#ringAnswerGroup(call, match.id);
  }

  /** A recall that cannot reach its operator goes to the caller's queue (or the main one). */
  #recallToQueue(call: Call, reason: string): boolean {
    const queueId =
      (call.attributes.get('firstQueueId') as string | undefined) ??
      this.#mainQueues.get(call.caller.tenantId);
    if (!queueId || call.state !== CallState.Transferring) return false;
    call.attributes.set('recall', reason);
    this.#requeue(call, { kind: 'queue', id: queueId }, 'recall');
    return true;
  }

  /**
   * Rings agents for a queue offer or pick: an INVITE with the caller's offer while the caller
   * waits unanswered, or the transfer flow (delayed offer) for a caller the core already holds.
   */
  #ring(
    call: Call,
    targets: RingTarget[],
    options: { autoAnswer?: boolean; headers: Record<string, string> },
  ): void {
    if (!call.inbound.dialog) {
      this.deps.b2bua.ring(call, targets, options);
      return;
    }
    const headers = { ...options.headers };
    if (options.autoAnswer) {
      headers['Call-Info'] = `<sip:${call.caller.domain}>;answer-after=0`;
      headers['Answer-Mode'] = 'Auto';
    }
    this.deps.b2bua.transfer(call, targets, {
      headers,
      accept: (leg) => call.policy.answered(call, leg),
      legFailed: (leg, status) => call.policy.legFailed?.(call, leg, status),
      // The engine decides what comes next, from each leg's failure.
      onFailed: () => undefined,
    });
  }

  /** Refuses a caller the queue cannot serve: a final response, or BYE once answered. */
  #reject(call: Call, status: number, reason: string): void {
    if (call.inbound.dialog) this.deps.b2bua.hangup(call, `${status} ${reason}`);
    else this.deps.b2bua.fail(call, status, reason);
  }

  /** The colleague a transfer or consultation goes to, and the user who makes it. */
  async #transferTarget(
    user: SessionUser,
    target: string,
  ): Promise<{ callee: Callee; transferrer: Callee }> {
    const callee = await this.deps.people.resolveCallee(user.tenantId, target);
    if (!callee) throw new ApiFailure(ErrorCode.NotFound, `Nobody has the number ${target}.`);
    if (callee.userId === user.id)
      throw new ApiFailure(ErrorCode.BadRequest, 'You cannot transfer a call to yourself.');
    if (this.#bindingsOf(callee.userId).length === 0)
      throw new ApiFailure(ErrorCode.Conflict, `${callee.displayName} is not reachable.`);
    const transferrer = this.#callee(user.id);
    if (!transferrer) throw new ApiFailure(ErrorCode.NotFound, 'Unknown user.');
    return { callee, transferrer };
  }

  /**
   * Consultation on the caller the user is talking to: the caller holds, the colleague rings
   * and, on answer, talks to the user on a second line of the same phone.
   */
  async consult(user: SessionUser, target: string, callId: string | undefined): Promise<void> {
    const call = this.#myAnsweredCall(user, callId);
    if (call.consultation)
      throw new ApiFailure(ErrorCode.Conflict, 'You are already consulting on this call.');
    const { callee, transferrer } = await this.#transferTarget(user, target);
    if (call.state !== CallState.Active || call.consultation)
      throw new ApiFailure(ErrorCode.Conflict, 'The call changed meanwhile; try again.');
    const ok = this.deps.b2bua.consult(
      call,
      this.#bindingsOf(callee.userId).map((binding) => ({ binding, user: callee })),
      {
        consulter: transferrer,
        onTalking: () => {
          this.#busy(callee.userId, +1);
          call.attributes.set('consultBusy', callee.userId);
          this.#publishConsult(call, user.id, callee, 'talking', 'target');
        },
        onEnded: (why, status) => {
          this.#consultBusyOff(call);
          call.attributes.delete('consultTarget');
          this.#publishConsult(
            call,
            user.id,
            callee,
            'ended',
            'caller',
            why === 'failed' ? failureReason(status ?? 480) : why,
          );
        },
      },
    );
    if (!ok) throw new ApiFailure(ErrorCode.Conflict, 'The call cannot consult now.');
    call.attributes.set('consultTarget', callee);
    this.#publishConsult(call, user.id, callee, 'ringing', 'target');
  }

  /** Completes the user's consultation: attended if the colleague talks, semi-attended if not. */
  completeTransfer(user: SessionUser, callId: string | undefined): void {
    const call = this.#myAnsweredCall(user, callId);
    const c = call.consultation;
    const callee = call.attributes.get('consultTarget') as Callee | undefined;
    const transferrer = this.#callee(user.id);
    if (!c || !callee || !transferrer)
      throw new ApiFailure(ErrorCode.Conflict, 'There is no consultation to complete.');
    const mode = c.state === ConsultState.Talking ? 'attended' : 'semi_attended';
    this.#consultBusyOff(call);
    call.attributes.delete('consultTarget');
    this.#handOver(call, transferrer, callee.extension, mode);
    this.#publishConsult(call, user.id, callee, 'completed', 'target');
    this.#startTransfer(call, callee, transferrer, { recall: mode === 'semi_attended' }, (o) =>
      this.deps.b2bua.completeConsult(call, o),
    );
  }

  cancelConsult(user: SessionUser, callId: string | undefined): void {
    const call = this.#myAnsweredCall(user, callId);
    if (!this.deps.b2bua.cancelConsult(call))
      throw new ApiFailure(ErrorCode.Conflict, 'There is no consultation to cancel.');
  }

  swapConsult(user: SessionUser, callId: string | undefined): 'target' | 'caller' {
    const call = this.#myAnsweredCall(user, callId);
    const callee = call.attributes.get('consultTarget') as Callee | undefined;
    const talkingTo = this.deps.b2bua.swapConsult(call);
    if (!talkingTo || !callee)
      throw new ApiFailure(ErrorCode.Conflict, 'Swap needs a colleague who has answered.');
    this.#publishConsult(call, user.id, callee, 'talking', talkingTo);
    return talkingTo;
  }

  /**
   * A text message to a colleague: SIP MESSAGE to every registered device of theirs, and (when
   * asked, and they have a mobile) an SMS through the gateway. The sender is shown by their
   * extension and name. Returns how many devices took it and whether the SMS went.
   */
  async sendMessage(
    user: SessionUser,
    to: string,
    text: string,
    sms: boolean,
    from?: string,
  ): Promise<{ delivered: number; sms: boolean }> {
    const body = text.trim();
    if (!body) throw new ApiFailure(ErrorCode.BadRequest, 'text: a message needs some text.');
    const callee = await this.deps.people.resolveCallee(user.tenantId, to);
    const sender = this.#callee(user.id);
    if (!callee || !sender)
      throw new ApiFailure(ErrorCode.NotFound, `Nobody has the number ${to}.`);
    // The SMS shows a number the sender may present (issue 4), else their extension.
    let smsFrom = sender.extension;
    const senderUser = this.#users.get(user.id);
    if (from !== undefined && senderUser) {
      const chosen = choosePresentedNumber(
        await this.deps.people.presentableNumbers(senderUser),
        from,
      );
      if (!chosen.ok) {
        throw new ApiFailure(ErrorCode.Forbidden, `from: you may not send from ${from}.`);
      }
      smsFrom = chosen.number;
    }
    const statuses = await Promise.all(
      this.#bindingsOf(callee.userId).map((b) =>
        this.deps.b2bua.sendMessage(b, sender, callee, body),
      ),
    );
    const delivered = statuses.filter((s) => s >= 200 && s < 300).length;
    const mobile = this.#users.get(callee.userId)?.mobile ?? null;
    let smsSent = false;
    if (sms) {
      if (!mobile) {
        throw new ApiFailure(ErrorCode.Conflict, `${callee.displayName} has no mobile number.`);
      }
      smsSent = (await this.deps.sms?.send({ to: mobile, from: smsFrom, text: body })) ?? false;
    }
    if (delivered === 0 && !smsSent) {
      throw new ApiFailure(
        ErrorCode.Conflict,
        `${callee.displayName} has no phone online${mobile ? ' — send it as SMS' : ''}.`,
      );
    }
    return { delivered, sms: smsSent };
  }

  #consultBusyOff(call: Call): void {
    const busy = call.attributes.get('consultBusy') as string | undefined;
    if (busy) this.#busy(busy, -1);
    call.attributes.delete('consultBusy');
  }

  #publishConsult(
    call: Call,
    operatorId: string,
    target: Callee,
    state: 'ringing' | 'talking' | 'completed' | 'ended',
    talkingTo: 'target' | 'caller',
    reason?: 'busy' | 'rejected' | 'no_answer' | 'unavailable' | 'cancelled' | 'hung_up',
  ): void {
    this.deps.events.publish(call.caller.tenantId, 'call.consult', {
      callId: call.id,
      operatorId,
      target: { userId: target.userId, extension: target.extension, name: target.displayName },
      state,
      talkingTo,
      ...(reason ? { reason } : {}),
    });
  }

  /**
   * Parks the caller the user is talking to on the tenant's shared list. The caller stays
   * connected with every stream inactive; after the park time it rings the parker again.
   */
  park(user: SessionUser, callId: string | undefined): { slot: string } {
    const call = this.#myAnsweredCall(user, callId);
    const parker = this.#callee(user.id);
    if (!parker) throw new ApiFailure(ErrorCode.NotFound, 'Unknown user.');
    const tenant = user.tenantId;
    let slots = this.#parked.get(tenant);
    if (!slots) this.#parked.set(tenant, (slots = new Map()));
    let n = 1;
    while (slots.has(String(n))) n++;
    const slot = String(n);
    this.acd.callEnded(user.id, call.id);
    this.#disconnected(call);
    if (!this.deps.b2bua.park(call)) {
      throw new ApiFailure(ErrorCode.Conflict, 'The call cannot be parked now.');
    }
    this.#closeVisit(call, {
      outcome: 'transferred',
      transferredTo: `park:${slot}`,
      transferredBy: user.id,
    });
    call.attributes.set('transferOutcome', 'transferred');
    const timer = setTimeout(() => {
      if (slots.get(slot)?.call !== call) return;
      slots.delete(slot);
      this.#publishParked(tenant);
      this.#startTransfer(call, parker, parker, { recall: false, reason: 'park_timeout' });
    }, this.#parkRecallMs);
    timer.unref();
    slots.set(slot, { call, parkedBy: user.id, parkedAt: this.#now(), timer });
    this.#publishParked(tenant);
    return { slot };
  }

  /** Picks up a parked call: rings the operator's phone with auto-answer (ADR 0005 flow). */
  pickup(user: SessionUser, slot: string): void {
    const slots = this.#parked.get(user.tenantId);
    const parked = slots?.get(slot);
    if (!slots || !parked || parked.call.state === CallState.Ended) {
      throw new ApiFailure(ErrorCode.NotFound, `Nothing is parked on ${slot}.`);
    }
    const operator = this.#callee(user.id);
    if (!operator || this.#bindingsOf(user.id).length === 0) {
      throw new ApiFailure(ErrorCode.Conflict, 'Your phone is not registered.');
    }
    slots.delete(slot);
    clearTimeout(parked.timer);
    this.#publishParked(user.tenantId);
    const parkedBy = this.#callee(parked.parkedBy) ?? operator;
    this.#startTransfer(parked.call, operator, parkedBy, { recall: true, autoAnswer: true });
  }

  hangup(user: SessionUser, callId: string | undefined, anyCall: boolean): void {
    const call =
      anyCall && callId
        ? this.deps.b2bua.call(callId)
        : this.#myAnsweredCall(user, callId, { anyState: true });
    if (!call || call.caller.tenantId !== user.tenantId) {
      throw new ApiFailure(ErrorCode.NotFound, 'No such call.');
    }
    this.deps.b2bua.hangup(call, `hung up by ${user.username} through the API`);
  }

  #myAnsweredCall(
    user: SessionUser,
    callId: string | undefined,
    opts: { anyState?: boolean } = {},
  ): Call {
    const mine = this.deps.b2bua
      .calls()
      .filter((c) => c.caller.tenantId === user.tenantId && c.winner?.user.userId === user.id)
      .filter((c) => !callId || c.id === callId || c.winner?.invite.callId === callId);
    const call = mine[0];
    if (!call || mine.length > 1) {
      throw new ApiFailure(
        call ? ErrorCode.BadRequest : ErrorCode.NotFound,
        call ? 'You have several calls; say which (callId).' : 'You have no answered call.',
      );
    }
    if (!opts.anyState && call.state !== CallState.Active) {
      throw new ApiFailure(ErrorCode.Conflict, 'The call is not in a state that allows this.');
    }
    return call;
  }

  #parkedList(tenantId: string): ParkedCall[] {
    return [...(this.#parked.get(tenantId)?.entries() ?? [])]
      .map(([slot, p]) => ({
        slot,
        callId: p.call.id,
        number: p.call.caller.number,
        name: p.call.caller.displayName,
        parkedBy: p.parkedBy,
        parkedAt: p.parkedAt,
      }))
      .sort((a, b) => Number(a.slot) - Number(b.slot));
  }

  /** Tells the operators what the lookup found about every waiting caller with that number. */
  #publishLookup(tenantId: string, number: string, result: LookupResult): void {
    for (const call of this.#calls.values()) {
      if (call.caller.tenantId !== tenantId || call.caller.number !== number) continue;
      this.deps.events.publish(tenantId, 'caller.lookup', {
        callId: call.id,
        number,
        name: result.name,
        company: result.company,
        address: result.address,
        source: result.source,
      });
    }
  }

  #publishParked(tenantId: string): void {
    this.deps.events.publish(tenantId, 'park.list', { parked: this.#parkedList(tenantId) });
  }

  /**
   * A REFER from the answering phone (RFC 3515, blind; RFC 5589 §6): accepted with 202, reported
   * by NOTIFY, then carried out like an API blind transfer, recall included. Attended REFER
   * (Refer-To with Replaces, RFC 3891) is declined for now.
   */
  onRefer(call: Call, leg: Leg, req: SipRequest, tx: ServerTransaction): void {
    void this.#refer(call, leg, req, tx).catch((err: unknown) => {
      this.#log.error('REFER failed', { err });
      tx.respond(createResponse(req, 500, 'Server Internal Error'));
    });
  }

  async #refer(call: Call, leg: Leg, req: SipRequest, tx: ServerTransaction): Promise<void> {
    if (leg.kind !== 'out' || leg !== call.winner || call.state !== CallState.Active) {
      tx.respond(createResponse(req, 403, 'Only the answering party can transfer'));
      return;
    }
    let referTo;
    try {
      referTo = parseNameAddr(req.get('Refer-To') ?? '');
    } catch {
      tx.respond(createResponse(req, 400, 'Bad Refer-To'));
      return;
    }
    const replaces = [...referTo.uri.headers].find(([h]) => h.toLowerCase() === 'replaces')?.[1];
    if (replaces !== undefined) {
      this.#referReplaces(call, leg, req, tx, replaces);
      return;
    }
    const target = referTo.uri.user;
    const callee = target
      ? await this.deps.people.resolveCallee(call.caller.tenantId, target)
      : null;
    if (!callee) {
      tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    if (this.#bindingsOf(callee.userId).length === 0) {
      tx.respond(createResponse(req, 480, 'Temporarily Unavailable'));
      return;
    }
    tx.respond(createResponse(req, 202, 'Accepted'));
    // The core takes the call over (recall included), so the transferor may hang up now.
    this.deps.b2bua.notifyRefer(leg, 'SIP/2.0 100 Trying', false);
    this.deps.b2bua.notifyRefer(leg, 'SIP/2.0 200 OK', true);
    this.#blind(call, leg.user, callee);
  }

  /**
   * Attended transfer by a phone (RFC 5589 §7): the transferor, talking to the caller on
   * `call`, called a colleague itself and now REFERs the caller to that dialog with Replaces.
   * The core joins the caller to the colleague's leg (answered) or, while the colleague still
   * rings, cancels that call and transfers blind with recall (semi-attended).
   */
  #referReplaces(
    call: Call,
    leg: OutboundLeg,
    req: SipRequest,
    tx: ServerTransaction,
    replaces: string,
  ): void {
    let value = replaces;
    try {
      value = decodeURIComponent(replaces);
    } catch {
      // Not percent-encoded after all.
    }
    const [replacedCallId = '', ...params] = value.split(';');
    const param = (name: string) =>
      params.map((p) => p.trim().split('=')).find(([k]) => k?.toLowerCase() === name)?.[1] ?? '';
    const found = this.deps.b2bua.findDialog(replacedCallId, param('to-tag'), param('from-tag'));
    const consult = found?.call;
    // Only a call the transferor made from this tenant can be joined to the caller.
    if (
      !consult ||
      consult === call ||
      found.leg !== consult.inbound ||
      consult.caller.userId !== leg.user.userId ||
      consult.caller.tenantId !== call.caller.tenantId
    ) {
      tx.respond(createResponse(req, 403, 'Replaces matches no call of yours'));
      return;
    }
    const ringing = consult.outbound.find((l) => l.final === undefined && !l.cancelled);
    const callee = consult.winner?.user ?? ringing?.user;
    const connected = consult.state === CallState.Active && consult.winner !== undefined;
    if (!callee || (!connected && !ringing)) {
      tx.respond(createResponse(req, 491, 'Request Pending'));
      return;
    }
    tx.respond(createResponse(req, 202, 'Accepted'));
    this.deps.b2bua.notifyRefer(leg, 'SIP/2.0 100 Trying', false);
    this.deps.b2bua.notifyRefer(leg, 'SIP/2.0 200 OK', true);
    if (!connected) {
      this.deps.b2bua.fail(consult, 487, 'Request Terminated');
      this.#blind(call, leg.user, callee);
      return;
    }
    this.#handOver(call, leg.user, callee.extension, 'attended');
    this.#startTransfer(call, callee, leg.user, { recall: false }, (o) =>
      this.deps.b2bua.join(call, consult, o),
    );
  }

  #blind(call: Call, transferrer: Callee, callee: Callee): void {
    this.#handOver(call, transferrer, callee.extension, 'blind');
    this.#startTransfer(call, callee, transferrer, { recall: true });
  }

  /** The transferrer lets the call go to `callee`: free from now on, and it is recorded. */
  #handOver(
    call: Call,
    transferrer: Callee,
    to: string,
    mode: 'blind' | 'attended' | 'semi_attended',
  ): void {
    const user = { id: transferrer.userId, tenantId: call.caller.tenantId };
    this.acd.callEnded(user.id, call.id);
    this.#disconnected(call);
    call.attributes.set('transferredBy', user.id);
    call.attributes.set('transferredTo', to);
    call.attributes.set('transferOutcome', 'transferred');
    this.#closeVisit(call, { outcome: 'transferred', transferredTo: to, transferredBy: user.id });
    this.#records.queueEvent({
      tenantId: user.tenantId,
      event: 'transferred',
      callId: call.id,
      queueId: (call.attributes.get('firstQueueId') as string | undefined) ?? null,
      agentId: user.id,
      data: { to, mode },
    });
  }

  /**
   * Rings `to` for a blind transfer; unanswered within the recall time, busy or rejected, the
   * call comes back to `by` marked as a recall with the reason (when `recall` is set).
   */
  #startTransfer(
    call: Call,
    to: Callee,
    by: Callee,
    opts: { recall: boolean; reason?: string; autoAnswer?: boolean },
    start: (options: TransferOptions) => boolean = (options) =>
      this.deps.b2bua.transfer(
        call,
        this.#bindingsOf(to.userId).map((binding) => ({ binding, user: to })),
        options,
      ),
  ): void {
    let timedOut = false;
    const referredBy = `<sip:${by.extension}@${by.domain}>`;
    const headers: Record<string, string> = { 'Referred-By': referredBy };
    if (opts.autoAnswer) {
      headers['Call-Info'] = `<sip:${to.domain}>;answer-after=0`;
      headers['Answer-Mode'] = 'Auto';
    }
    if (opts.reason) headers['X-Sentral-Recall'] = opts.reason;
    const ok = start({
      headers,
      onConnected: (leg) => {
        clearTimeout(timer);
        this.#connected(call, leg);
        call.attributes.set('connectedUsers', [leg.user.userId]);
      },
      onFailed: (status) => {
        clearTimeout(timer);
        const reason = timedOut
          ? 'no_answer'
          : status === 486 || status === 600
            ? 'busy'
            : status === 603
              ? 'rejected'
              : 'no_answer';
        if (!opts.recall) {
          // The recall itself went unanswered: the caller's queue takes over.
          if (this.#recallToQueue(call, reason)) return;
          this.deps.b2bua.hangup(call, `recall to ${by.username} failed (${reason})`);
          return;
        }
        this.#records.queueEvent({
          tenantId: call.caller.tenantId,
          event: 'recall',
          callId: call.id,
          queueId: (call.attributes.get('firstQueueId') as string | undefined) ?? null,
          agentId: by.userId,
          data: { reason, target: to.extension },
        });
        call.attributes.set('recall', reason);
        // A busy or unreachable operator is not rung: the call goes to the queue.
        if (this.#bindingsOf(by.userId).length === 0 || this.#activeCalls.has(by.userId)) {
          if (this.#recallToQueue(call, reason)) return;
          this.deps.b2bua.hangup(call, 'recall impossible: transferrer unreachable');
          return;
        }
        this.#startTransfer(call, by, by, { recall: false, reason });
      },
    });
    for (const l of call.outbound) {
      if (l.transfer === call.transferAttempts) {
        this.#note(call, l, {
          transferredBy: (call.attributes.get('transferredBy') as string | undefined) ?? by.userId,
        });
      }
    }
    const timer = setTimeout(() => {
      timedOut = true;
      for (const l of call.outbound) {
        if (l.transfer !== undefined && l.final === undefined)
          this.#note(call, l, { cancelReason: 'recall_timeout' });
      }
      this.deps.b2bua.cancelLegs(call, (l) => l.transfer !== undefined && l.final === undefined);
    }, this.#recallAfterMs);
    timer.unref();
    if (!ok) {
      clearTimeout(timer);
      this.deps.b2bua.hangup(call, 'transfer impossible');
    }
  }

  #agentCommand(user: SessionUser, queueId: string | undefined, run: () => void): void {
    if (queueId !== undefined) {
      const q = this.acd.snapshot(user.tenantId).queues.find((x) => x.id === queueId);
      if (!q) throw new ApiFailure(ErrorCode.NotFound, 'No such queue.');
    }
    try {
      run();
    } catch (err) {
      if (err instanceof AcdError) {
        if (err.code === 'not_member')
          throw new ApiFailure(ErrorCode.Forbidden, 'You are not a member of that queue.');
        if (err.code === 'unknown_queue')
          throw new ApiFailure(ErrorCode.NotFound, 'No such queue.');
        throw new ApiFailure(ErrorCode.Conflict, err.message);
      }
      throw err;
    }
  }

  // ── queue calls ─────────────────────────────────────────────────────────────

  #enterQueue(call: Call, queueId: string, enteredAt?: number, priority?: 'recall'): void {
    this.#calls.set(call.id, call);
    call.attributes.set('queueId', queueId);
    call.attributes.set('earlyMedia', false);
    if (!call.attributes.has('firstQueueId')) call.attributes.set('firstQueueId', queueId);
    if (!call.attributes.has('queuedAt')) call.attributes.set('queuedAt', this.#now());
    this.#visits(call).push({ queueId, startedAt: this.#now() });
    if (call.caller.kind === 'outside' && !call.attributes.has('lookedUp')) {
      call.attributes.set('lookedUp', true);
      const tenantId = call.caller.tenantId;
      const number = call.caller.number;
      // Whatever is cached comes at once; a slow service answers later through onResult.
      void this.lookup.lookupForCall(tenantId, number).then((result) => {
        if (result) this.#publishLookup(tenantId, number, result);
      });
    }
    this.deps.b2bua.provisional(call, 182, 'Queued');
    this.deps.queueMedia?.queued(call); // answered by rtpengine: welcome prompt, hold music
    queueMicrotask(() => this.#publishCallState(call));
    if (!call.attributes.has('refresh')) {
      call.attributes.set('refresh', true);
      const refresh = () => {
        if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return;
        this.deps.b2bua.provisional(call, 182, 'Queued');
        this.deps.b2bua.setTimer(call, QUEUED_REFRESH_MS, refresh);
      };
      this.deps.b2bua.setTimer(call, QUEUED_REFRESH_MS, refresh);
    }
    const result = this.acd.enqueue({
      callId: call.id,
      tenantId: call.caller.tenantId,
      queueId,
      callerNumber: call.caller.number,
      callerName: call.caller.displayName,
      ...(enteredAt !== undefined ? { enteredAt } : {}),
      ...(priority ? { priority } : {}),
    });
    if (result.result === 'overflow') {
      call.attributes.set('overflowQueueId', queueId);
      this.#sendTo(call, result.target);
    } else if (result.result === 'rejected') {
      this.#reject(call, 486, 'Queue Full');
    }
  }

  #ringAnswerGroup(call: Call, groupId: string): void {
    this.#calls.set(call.id, call);
    call.attributes.set('answerGroupId', groupId);
    const r = this.acd.ringAnswerGroup({
      callId: call.id,
      tenantId: call.caller.tenantId,
      groupId,
      callerNumber: call.caller.number,
      callerName: call.caller.displayName,
    });
    if (r.result === 'fallback') this.#sendTo(call, r.target);
  }

  /** Overflow / fallback: sends a not-yet-answered call on to another target. */
  #sendTo(call: Call, target: Target): void {
    if (call.state === CallState.Ended) return;
    const overflowTo =
      target.kind === 'queue'
        ? { overflowQueueId: target.id }
        : {
            transferredTo:
              target.kind === 'user'
                ? (this.#callee(target.id)?.extension ?? target.id)
                : target.id,
          };
    this.#closeVisit(call, { outcome: 'overflow', ...overflowTo });
    switch (target.kind) {
      case 'queue':
        this.#enterQueue(call, target.id, call.attributes.get('queuedAt') as number | undefined);
        return;
      case 'answer-group':
        this.#ringAnswerGroup(call, target.id);
        return;
      case 'user': {
        const callee = this.#callee(target.id);
        const bindings = callee ? this.#bindingsOf(target.id) : [];
        if (!callee || bindings.length === 0) {
          this.#reject(call, 480, 'Temporarily Unavailable');
          return;
        }
        call.policy = this.#directPolicy();
        this.#ring(
          call,
          bindings.map((binding) => ({ binding, user: callee })),
          { headers: {} },
        );
        return;
      }
      case 'number': {
        // Out through the tenant's trunk; without one the caller is told, not dropped silently.
        const route = this.#forwardRoute(call.caller.tenantId, target.id);
        if (!route) {
          this.#reject(call, 480, 'Temporarily Unavailable');
          return;
        }
        call.policy = this.#directPolicy();
        call.attributes.set('external', route.number);
        this.#ring(call, [route.target], { headers: route.headers });
        return;
      }
    }
  }

  /**
   * The trunk route for a call the company forwards to an external number (overflow, absence):
   * the toll-fraud guard applies, and the company's main number is the asserted identity
   * towards the carrier (From keeps the original caller, so the phone that rings shows them).
   */
  #forwardRoute(
    tenantId: string,
    e164: string,
  ): { number: string; target: RingTarget; headers: Record<string, string> } | undefined {
    const main = this.deps.people.tenant(tenantId)?.mainNumber;
    const route = main
      ? this.deps.trunks?.route(tenantId, e164, [{ number: main }], undefined)
      : undefined;
    if (!route?.ok) {
      this.#log.warn('no route for a forward to an external number', {
        tenantId,
        to: e164,
        why: route ? route.reason : 'no trunk or main number',
      });
      return undefined;
    }
    return {
      number: e164,
      target: route.target,
      headers: { 'P-Asserted-Identity': `<sip:${route.presented}@${route.fromDomain}>` },
    };
  }

  #onAction(action: AcdAction): void {
    const call = this.#calls.get(action.callId);
    if (!call || call.state === CallState.Ended) return;
    switch (action.type) {
      case 'offer': {
        if (action.source.kind === 'queue')
          call.attributes.set(`offerQueue:${action.offerId}`, action.source.queueId);
        this.#records.queueEvent({
          tenantId: action.tenantId,
          event: 'offered',
          callId: action.callId,
          queueId: action.source.kind === 'queue' ? action.source.queueId : null,
          callerNumber: action.callerNumber,
          data: { agents: action.agentIds },
        });
        const targets = [];
        for (const agentId of action.agentIds) {
          const user = this.#callee(agentId);
          const bindings = user ? this.#bindingsOf(agentId) : [];
          if (!user || bindings.length === 0) {
            // Tell the engine after it finished deciding (no re-entry).
            queueMicrotask(() => this.acd.offerFailed(action.offerId, agentId, 'unreachable'));
            continue;
          }
          for (const binding of bindings) targets.push({ binding, user, tag: action.offerId });
        }
        this.#ring(call, targets, { headers: this.#queueHeaders(call) });
        return;
      }
      case 'cancel-offer':
        for (const l of call.outbound) {
          if (
            l.tag === action.offerId &&
            action.agentIds.includes(l.user.userId) &&
            l.final === undefined
          ) {
            this.#note(call, l, { cancelReason: action.reason });
          }
        }
        this.deps.b2bua.cancelLegs(
          call,
          (l) => l.tag === action.offerId && action.agentIds.includes(l.user.userId),
        );
        return;
      case 'overflow':
        call.attributes.set('overflowQueueId', action.queueId);
        this.#sendTo(call, action.target);
        return;
      case 'timeout':
        this.#closeVisit(call, { outcome: 'no_answer' });
        this.#reject(call, 480, 'Temporarily Unavailable');
        return;
      case 'fallback':
        this.#sendTo(call, action.target);
        return;
    }
  }

  /** The policy of a call that waits in a queue or rings an answer group. */
  #queuePolicy(): CallPolicy {
    return {
      answered: (call, leg) => {
        if (leg.tag === PICK_TAG)
          return this.acd.pickConnected(call.id) && this.#connected(call, leg);
        if (!leg.tag) return false;
        return (
          this.acd.offerAnswered(leg.tag, leg.user.userId) === 'connected' &&
          this.#connected(call, leg)
        );
      },
      legFailed: (call, leg, status) => {
        if (call.winner) return;
        const sameOffer = call.outbound.filter(
          (l) =>
            l !== leg &&
            l.tag === leg.tag &&
            l.user.userId === leg.user.userId &&
            l.final === undefined &&
            !l.cancelled,
        );
        if (sameOffer.length > 0) return; // another device of this agent still rings
        if (leg.tag === PICK_TAG) {
          if (!leg.cancelled) this.acd.pickFailed(call.id);
          return;
        }
        if (leg.cancelled || !leg.tag) return; // the engine cancelled it and knows
        const reason =
          status === 486 || status === 600
            ? 'busy'
            : status === 603
              ? 'rejected'
              : status >= 500 && status < 600
                ? 'unreachable'
                : 'no_answer';
        if (reason === 'no_answer') {
          this.#records.queueEvent({
            tenantId: call.caller.tenantId,
            event: 'no_answer',
            callId: call.id,
            queueId: (call.attributes.get('queueId') as string | undefined) ?? null,
            agentId: leg.user.userId,
          });
        }
        this.acd.offerFailed(leg.tag, leg.user.userId, reason);
      },
      // The engine keeps the caller waiting and decides the next offer itself.
      exhausted: () => undefined,
      abandoned: (call) => {
        this.acd.abandon(call.id);
      },
      ended: (call) => {
        const agent = call.winner?.user.userId;
        if (agent) this.acd.callEnded(agent, call.id);
        this.#disconnected(call);
      },
      finished: (call) => this.#finished(call),
    };
  }

  #directPolicy(): CallPolicy {
    return this.deps.b2bua.directWith({
      answered: (call, leg) => this.#connected(call, leg),
      ended: (call) => this.#disconnected(call),
      finished: (call) => this.#finished(call),
    });
  }

  /** A call got connected: both users are busy now. Returns true (for `answered`). */
  #connected(call: Call, leg: OutboundLeg): boolean {
    const visit = this.#openVisit(call);
    if (visit && visit.answeredAt === undefined) {
      visit.answeredAt = this.#now();
      visit.userId = leg.user.userId;
    }
    if (leg.tag === PICK_TAG && visit) call.attributes.set(`offerQueue:${PICK_TAG}`, visit.queueId);
    call.attributes.set(
      'connectedUsers',
      [call.caller.userId, leg.user.userId].filter((u): u is string => !!u),
    );
    for (const id of call.attributes.get('connectedUsers') as string[]) this.#busy(id, +1);
    return true;
  }

  #disconnected(call: Call): void {
    for (const id of (call.attributes.get('connectedUsers') as string[] | undefined) ?? [])
      this.#busy(id, -1);
    call.attributes.delete('connectedUsers');
  }

  #busy(userId: string, delta: number): void {
    const n = Math.max(0, (this.#activeCalls.get(userId) ?? 0) + delta);
    if (n === 0) this.#activeCalls.delete(userId);
    else this.#activeCalls.set(userId, n);
    this.acd.agentBusy(userId, n > 0);
  }

  #visits(call: Call): QueueVisit[] {
    let v = call.attributes.get('visits') as QueueVisit[] | undefined;
    if (!v) call.attributes.set('visits', (v = []));
    return v;
  }

  #openVisit(call: Call): QueueVisit | undefined {
    const v = this.#visits(call);
    const last = v[v.length - 1];
    return last && last.endedAt === undefined && last.outcome === undefined ? last : undefined;
  }

  #closeVisit(call: Call, patch: Partial<QueueVisit>): void {
    const visit = this.#openVisit(call);
    if (visit) Object.assign(visit, { endedAt: this.#now(), ...patch });
  }

  #notes(call: Call): Map<OutboundLeg, LegNotes> {
    let n = call.attributes.get('legNotes') as Map<OutboundLeg, LegNotes> | undefined;
    if (!n) call.attributes.set('legNotes', (n = new Map()));
    return n;
  }

  #note(call: Call, leg: OutboundLeg, patch: LegNotes): void {
    const notes = this.#notes(call);
    notes.set(leg, { ...notes.get(leg), ...patch });
  }

  #finished(call: Call): void {
    // A caller the engine still holds (hung up by the core, a failure) leaves the queue now.
    if (this.acd.caller(call.id)) this.acd.abandon(call.id);
    this.#calls.delete(call.id);
    // A parked caller who hangs up leaves the shared list.
    const slots = this.#parked.get(call.caller.tenantId);
    for (const [slot, p] of slots ?? []) {
      if (p.call !== call) continue;
      clearTimeout(p.timer);
      slots?.delete(slot);
      this.#publishParked(call.caller.tenantId);
    }
    this.#disconnected(call);
    for (const row of callRecords(call, this.#visits(call), this.#notes(call), this.#now())) {
      this.#records.callRecord(row);
    }
  }

  // ── events ──────────────────────────────────────────────────────────────────

  #onEvent(event: AcdEvent): void {
    const wire = toProtocolEvent(event);
    if (wire) this.deps.events.publish(event.tenantId, wire.event, wire.data);
    this.#records.fromAcdEvent(event);
  }

  // ── presence ────────────────────────────────────────────────────────────────

  /** A device started or stopped ringing or talking: its user's presence may change. */
  legChanged(leg: OutboundLeg, call: Call): void {
    this.presence.touch(leg.user.userId);
    if (call.caller.userId) this.presence.touch(call.caller.userId);
    this.#publishCallState(call);
  }

  /** A call ended: presence of the users on it may change. */
  callEnded(call: Call): void {
    if (call.caller.userId) this.presence.touch(call.caller.userId);
    for (const id of new Set(call.outbound.map((l) => l.user.userId))) this.presence.touch(id);
    this.#publishCallState(call);
  }

  /** The call as a viewer sees it (see the `call.state` event). */
  #viewState(call: Call): 'queued' | 'ringing' | 'connected' | 'transferring' | 'ended' {
    const queued = this.acd.caller(call.id) !== null;
    switch (call.state) {
      case CallState.Ended:
        return 'ended';
      case CallState.Connecting:
      case CallState.Active:
        return call.winner ? 'connected' : 'ringing';
      case CallState.Transferring:
        return queued ? 'queued' : 'transferring';
      default:
        return queued ? 'queued' : 'ringing'; // a queued caller's offers show in `ringing`
    }
  }

  /** Publishes `call.state` when what a viewer would see of the call changed. */
  #publishCallState(call: Call): void {
    const state = this.#viewState(call);
    const data = {
      callId: call.id,
      state,
      number: call.caller.number,
      name: call.caller.displayName,
      callerUserId: call.caller.userId,
      connectedTo:
        state === 'connected' || state === 'ended' ? (call.winner?.user.userId ?? null) : null,
      ringing: [...new Set(call.outbound.filter(ringingLeg).map((l) => l.user.userId))].sort(),
      queueId: (call.attributes.get('queueId') as string | undefined) ?? null,
    } as const;
    const signature = JSON.stringify(data);
    if (call.attributes.get('publishedState') === signature) return;
    call.attributes.set('publishedState', signature);
    this.deps.events.publish(call.caller.tenantId, 'call.state', data);
  }

  #callActivity(userId: string): 'busy' | 'ringing' | null {
    let ringing = false;
    for (const call of this.deps.b2bua.calls()) {
      if (call.state === CallState.Ended) continue;
      if (call.winner?.user.userId === userId) return 'busy';
      if (call.consultation?.target?.user.userId === userId) return 'busy';
      if (call.caller.userId === userId && (call.winner || call.state === CallState.Active))
        return 'busy';
      if (
        call.outbound.some((l) => l.user.userId === userId && l.final === undefined && !l.cancelled)
      ) {
        ringing = true;
      }
    }
    return ringing ? 'ringing' : null;
  }

  // ── users ───────────────────────────────────────────────────────────────────

  #remember(user: User): void {
    this.#users.set(user.id, user);
    this.#usersByName.set(user.username, user);
  }

  #callee(userId: string): Callee | undefined {
    const user = this.#users.get(userId);
    const tenant = user ? this.deps.people.tenant(user.tenantId) : undefined;
    if (!user || !tenant) return undefined;
    return {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      extension: user.extension ?? user.username,
      domain: tenant.domain,
    };
  }

  #bindingsOf(userId: string): Binding[] {
    const callee = this.#callee(userId);
    return callee ? this.deps.b2bua.bindingsOf(callee) : [];
  }

  /** Headers telling the answering phone which queue the caller comes from. */
  #queueHeaders(call: Call): Record<string, string> {
    const queueId = call.attributes.get('queueId') as string | undefined;
    if (!queueId) return {};
    const name = this.acd.snapshot(call.caller.tenantId).queues.find((q) => q.id === queueId)?.name;
    const headers: Record<string, string> = name
      ? { 'X-Sentral-Queue': encodeURIComponent(name) }
      : {};
    // A call for an absent colleague that came to the switchboard: whom it was for.
    const absentFor = call.attributes.get('absentFor') as string | undefined;
    if (absentFor) headers['X-Sentral-For'] = absentFor;
    const recall = call.attributes.get('recall') as string | undefined;
    if (recall) headers['X-Sentral-Recall'] = recall;
    return headers;
  }
}

/** A SIP failure status as a consultation's reason word. */
function failureReason(status: number): 'busy' | 'rejected' | 'no_answer' | 'unavailable' {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'rejected';
  if (status === 408 || status === 487) return 'no_answer';
  return 'unavailable';
}

/** A leg still ringing (no final answer, not withdrawn). */
function ringingLeg(leg: OutboundLeg): boolean {
  return leg.final === undefined && !leg.cancelled;
}

/** Forwarding as the API shows it (defaults for someone who never set any). */
function forwardingView(f: Forwarding | undefined): CommandResult<'forwarding.get'>['forwarding'] {
  return {
    busyEnabled: f?.busyEnabled ?? false,
    busyNumber: f?.busyNumber ?? null,
    noAnswerEnabled: f?.noAnswerEnabled ?? false,
    noAnswerNumber: f?.noAnswerNumber ?? null,
    ringTimeS: f?.ringTimeS ?? RING_TIME_DEFAULT_S,
  };
}
