/**
 * The JSON protocol between the browser and the switchboard core, declared once.
 *
 * Transport: one WebSocket at `/api`, one JSON object per text frame.
 *
 * - Command (client → core): `{ id, type, ...params }` where `id` is a positive integer the
 *   client chooses, unique per connection.
 * - Reply (core → client): `{ id, ok: true, result }` or `{ id, ok: false, error: { code, message } }`.
 *   A frame that cannot be parsed or has no usable id is answered with `id: null`.
 * - Event (core → client): `{ type: 'event', event, seq, data }`; `seq` is per tenant and gap-free
 *   (later issues fill the event catalogue). Events that come faster than one per 20 ms to a
 *   connection arrive together as `{ type: 'events', frames: [event, …] }`, in order.
 *
 * The server validates every command with these schemas; the client uses the inferred types.
 * @packageDocumentation
 */
import { z } from 'zod';
import {
  AbsenceInfo,
  AbsenceReason,
  AgentReport,
  CallHandling,
  Presence,
  ChosenPauseReason,
  HourlyReport,
  QueueReport,
  StatsRange,
  SwitchboardSnapshot,
} from './switchboard';

/** A person's busy / no-answer forwarding (`forwarding.get` / `forwarding.set`). */
export const ForwardingSettings = z.object({
  /** Forward when every phone of the person answers busy or declines (486/600/603). */
  busyEnabled: z.boolean(),
  busyNumber: z.string().max(32).nullable(),
  /** Forward when nobody answers within `ringTimeS` seconds. */
  noAnswerEnabled: z.boolean(),
  noAnswerNumber: z.string().max(32).nullable(),
  /** 5–120 seconds; 20 unless set. */
  ringTimeS: z.number().int(),
});
export type ForwardingSettings = z.infer<typeof ForwardingSettings>;

/** Stable error codes. Clients switch on these; messages are for humans and may change. */
export const ErrorCode = {
  /** The frame was not valid JSON or not an object. */
  BadJson: 'bad_json',
  /** The command's fields did not match its schema. */
  BadRequest: 'bad_request',
  /** No command of that `type` exists. */
  UnknownCommand: 'unknown_command',
  /** The command needs a logged-in session. */
  Unauthenticated: 'unauthenticated',
  /** Username or password wrong (never says which). */
  InvalidCredentials: 'invalid_credentials',
  /** Logged in, but the role or tenant does not allow this. */
  Forbidden: 'forbidden',
  /** The session token is unknown or expired (e.g. the core restarted): log in again. */
  SessionExpired: 'session_expired',
  /** The thing the command names does not exist (for this tenant). */
  NotFound: 'not_found',
  /** The command does not fit the current state (e.g. the caller was already taken). */
  Conflict: 'conflict',
  /** Too many attempts; try later. */
  RateLimited: 'rate_limited',
  /** The password was right; now send it again with `code` from the authenticator app. */
  SecondFactorRequired: 'second_factor_required',
  /** This account must set up two-factor login first (`twofactor.begin` / `confirm`). */
  EnrolmentRequired: 'enrolment_required',
  /** A forward number is neither an internal number nor a valid phone number (`forwarding.set`). */
  InvalidNumber: 'invalid_number',
  /** A ring time outside 5–120 seconds (`forwarding.set`). */
  RingTimeOutOfRange: 'ring_time_out_of_range',
  /** The core failed; the message says no more than necessary. */
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * `user`: phones only; `agent`: also takes queue calls; `operator`: the switchboard;
 * `supervisor`: statistics and the queue board; `board`: a read-only kiosk login for the wall
 * screen (no caller numbers or names); `admin`: the company's contact person.
 */
export const Role = z.enum(['user', 'agent', 'operator', 'supervisor', 'board', 'admin']);
export type Role = z.infer<typeof Role>;

/** A previous call of an outside caller (times in epoch ms). Names are text, never HTML. */
export const PastCall = z.object({
  callId: z.string(),
  startedAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  outcome: z.string().nullable(),
  queue: z.string().nullable(),
  answeredBy: z.string().nullable(),
  transferredTo: z.string().nullable(),
  transferredBy: z.string().nullable(),
});
export type PastCall = z.infer<typeof PastCall>;

/** An operator's note on a caller. `body` is plain text, never HTML. */
export const CallerNote = z.object({
  id: z.number(),
  number: z.string(),
  body: z.string(),
  author: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type CallerNote = z.infer<typeof CallerNote>;

/** A person as the directory shows them. */
export const DirectoryEntry = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  extension: z.string(),
  mobile: z.string().nullable(),
  department: z.string().nullable(),
  title: z.string().nullable(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;

/** What the browser needs to run its SIP user agent for this session. */
export const SipCredentials = z.object({
  /** Address of record, e.g. `sip:kari.nordmann@sentral.invalid`. */
  aor: z.string(),
  authorizationUsername: z.string(),
  /** Per-session SIP password issued by the core; never the login password. */
  password: z.string(),
  displayName: z.string(),
  /** SIP-over-WebSocket URL of the core (or the production edge). */
  wsServer: z.string(),
  /** ICE servers from the core's configuration (empty on loopback). */
  iceServers: z.array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  ),
});
export type SipCredentials = z.infer<typeof SipCredentials>;

export const SessionUser = z.object({
  id: z.string(),
  tenantId: z.string(),
  username: z.string(),
  displayName: z.string(),
  extension: z.string(),
  role: Role,
  /**
   * Numbers the user may show on calls to external numbers, the default first (the company's
   * main number, their mobile, their department's number); the phone picks one per call with
   * P-Preferred-Identity and the core refuses any other.
   */
  presentableNumbers: z
    .array(z.object({ number: z.string(), kind: z.enum(['main', 'mobile', 'department']) }))
    .optional(),
});
export type SessionUser = z.infer<typeof SessionUser>;

const text = (max: number) => z.string().min(1).max(max);

/** A SIP trunk's settings as an admin edits them (issue 6). */
export const TrunkSettings = z.object({
  enabled: z.boolean(),
  transport: z.enum(['udp', 'tcp']),
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/),
  port: z.number().int().min(1).max(65535),
  username: z.string().min(1).max(100).nullable(),
  fromDomain: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9.-]*$/)
    .nullable(),
  allowedPrefixes: z.array(z.string().regex(/^\+[1-9][0-9]{0,14}$/)).max(100),
  callsPerMinute: z.number().int().min(1).max(10_000),
  inboundAddresses: z
    .array(
      z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9.:-]+$/),
    )
    .max(20),
});
export const Trunk = TrunkSettings.extend({ hasPassword: z.boolean() });
export type Trunk = z.infer<typeof Trunk>;

/** Where a caller goes on (overflow, no agents, fallback): by id, or an E.164 `number`. */
export const RouteTarget = z.object({
  kind: z.enum(['queue', 'user', 'answer-group', 'number']),
  id: z.string().min(1).max(64),
});
/** A queue's settings as an admin edits them (issue 4); numbers in any written form. */
export const QueueSettings = z.object({
  name: z.string().min(1).max(80),
  number: z.string().max(32).nullable(),
  strategy: z.enum(['ring-all', 'longest-idle', 'round-robin', 'serial']),
  ringTimeoutS: z.number().int().min(5).max(300),
  wrapUpS: z.number().int().min(0).max(600),
  maxWaitS: z.number().int().min(10).max(7200).nullable(),
  maxLength: z.number().int().min(1).max(1000).nullable(),
  overflowTarget: RouteTarget.nullable(),
  noAgentsTarget: RouteTarget.nullable(),
  autoPauseAfterMisses: z.number().int().min(1).max(20).nullable(),
  isMain: z.boolean(),
  /** User ids, in serial order. */
  members: z.array(z.string().min(1).max(64)).max(500),
});
export const QueueConfig = QueueSettings.extend({ id: z.string() });
export type QueueConfig = z.infer<typeof QueueConfig>;
export const AnswerGroupSettings = z.object({
  name: z.string().min(1).max(80),
  number: z.string().max(32).nullable(),
  mode: z.enum(['parallel', 'serial']),
  ringTimeoutS: z.number().int().min(5).max(300),
  fallback: RouteTarget.nullable(),
  members: z.array(z.string().min(1).max(64)).max(500),
});
export const AnswerGroupConfig = AnswerGroupSettings.extend({ id: z.string() });
export type AnswerGroupConfig = z.infer<typeof AnswerGroupConfig>;
export const VipPattern = z.object({ pattern: z.string(), label: z.string().nullable() });
/**
 * A department as an admin edits it (issue 4): its name, its own number (in any written form;
 * stored E.164, or 2–8 digits for an internal one) and where a call to that number goes — a
 * queue or an answer group of the company. Without a target the number is directory information
 * (shown, presentable on outgoing calls) and rings only where a queue or answer group owns the
 * same number.
 */
export const DepartmentSettings = z.object({
  name: z.string().min(1).max(100),
  number: z.string().max(32).nullable(),
  target: z
    .object({ kind: z.enum(['queue', 'answer-group']), id: z.string().min(1).max(64) })
    .nullable(),
});
export const DepartmentConfig = DepartmentSettings.extend({
  id: z.string(),
  /** How many people belong to it (a department with people cannot be deleted). */
  people: z.number().int(),
});
export type DepartmentConfig = z.infer<typeof DepartmentConfig>;

export type VipPattern = z.infer<typeof VipPattern>;

/** Commands: params schema and result schema per `type`. */
export const Commands = {
  /**
   * With two-factor login on, the first attempt answers `second_factor_required`; send the
   * same again with `code` (6 digits from the app, or a recovery code). An account that must
   * have 2FA but has none logs in with `twoFactor.required && !twoFactor.enabled` and can only
   * enrol until it has (other commands: `enrolment_required`).
   */
  'auth.login': {
    params: z.object({
      username: text(128),
      password: text(256),
      code: z.string().min(1).max(32).optional(),
    }),
    result: z.object({
      user: SessionUser,
      sip: SipCredentials,
      twoFactor: z.object({ enabled: z.boolean(), required: z.boolean() }),
      /**
       * Resumes this session on a new API connection (`auth.resume`) after a network blip.
       * Memory only in the browser; valid until logout or the SIP credential's expiry.
       */
      sessionToken: z.string(),
    }),
  },
  'auth.resume': {
    params: z.object({ token: text(256) }),
    result: z.object({ user: SessionUser }),
  },
  /** Starts enrolment: a new secret, its `otpauth://` URI and the QR code as module rows. */
  'twofactor.begin': {
    params: z.object({}),
    result: z.object({ secret: z.string(), uri: z.string(), qr: z.array(z.string()) }),
  },
  /** Confirms with a code from the app: 2FA is on; the recovery codes are shown this once. */
  'twofactor.confirm': {
    params: z.object({ code: text(16) }),
    result: z.object({ recoveryCodes: z.array(z.string()) }),
  },
  /** Turns your 2FA off with a current code (not when your role or company requires it). */
  'twofactor.disable': {
    params: z.object({ code: text(32) }),
    result: z.object({}),
  },
  /** Admins: turn a colleague's 2FA off (lost phone); audited. */
  'twofactor.reset': {
    params: z.object({ userId: z.string().min(1).max(64) }),
    result: z.object({}),
  },
  /** Admins: require 2FA of everyone in the company (admins always need it); audited. */
  'twofactor.require': {
    params: z.object({ required: z.boolean() }),
    result: z.object({}),
  },
  'auth.logout': {
    params: z.object({}),
    result: z.object({}),
  },
  /**
   * Search-as-you-type over the company directory: names (accents folded), numbers in any
   * format, titles, departments; ranked; each hit with live presence.
   */
  'directory.search': {
    params: z.object({
      query: z.string().max(200),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    result: z.object({
      results: z.array(
        z.object({
          person: DirectoryEntry,
          presence: Presence.nullable(),
          matched: z.enum(['name', 'number', 'title', 'department', 'email']),
        }),
      ),
    }),
  },
  'directory.list': {
    params: z.object({}),
    result: z.object({ people: z.array(DirectoryEntry) }),
  },
  'system.ping': {
    params: z.object({}),
    result: z.object({ now: z.number() }),
  },
  /** Queues, waiting callers and agent states of the tenant, with the seq they match. */
  'switchboard.snapshot': {
    params: z.object({}),
    result: SwitchboardSnapshot,
  },
  'agent.login': {
    params: z.object({ queueId: z.string().min(1).max(64) }),
    result: z.object({}),
  },
  'agent.logout': {
    params: z.object({ queueId: z.string().min(1).max(64) }),
    result: z.object({}),
  },
  /** Pause in one queue, or in all the agent's queues when `queueId` is left out. */
  'agent.pause': {
    params: z.object({ queueId: z.string().min(1).max(64).optional(), reason: ChosenPauseReason }),
    result: z.object({}),
  },
  'agent.unpause': {
    params: z.object({ queueId: z.string().min(1).max(64).optional() }),
    result: z.object({}),
  },
  /**
   * Blind transfer of the caller you are talking to, to a colleague (extension, username or
   * number). Not answered within the recall time, busy or rejected → it rings you again,
   * marked as a recall. `callId` (the core's, or your leg's SIP Call-ID) picks the call when
   * you have several; without it your only connected call is meant.
   */
  'transfer.blind': {
    params: z.object({ target: text(64), callId: z.string().min(1).max(256).optional() }),
    result: z.object({}),
  },
  /**
   * Consultation (attended transfer): the caller you are talking to is held and the colleague
   * rings; when they answer, your phone gets them on a second line (auto-answer). Then
   * `transfer.complete`, `transfer.cancel` or `transfer.swap`. Progress comes as
   * `call.consult` events.
   */
  'transfer.consult': {
    params: z.object({ target: text(64), callId: z.string().min(1).max(256).optional() }),
    result: z.object({}),
  },
  /**
   * Hands the held caller to the consulted colleague: attended when they talk to you,
   * semi-attended while they still ring (then recall applies as for a blind transfer).
   */
  'transfer.complete': {
    params: z.object({ callId: z.string().min(1).max(256).optional() }),
    result: z.object({}),
  },
  /** Ends the consultation; the caller is taken off hold and is with you again. */
  'transfer.cancel': {
    params: z.object({ callId: z.string().min(1).max(256).optional() }),
    result: z.object({}),
  },
  /** Switches you between the caller and the consulted colleague; the other one is held. */
  'transfer.swap': {
    params: z.object({ callId: z.string().min(1).max(256).optional() }),
    result: z.object({ talkingTo: z.enum(['target', 'caller']) }),
  },
  /**
   * Ends a call from the core's side: your own answered call, or — for operators, supervisors
   * and admins — any call of the tenant by its core id (a stuck caller, a call left open).
   */
  'call.hangup': {
    params: z.object({ callId: z.string().min(1).max(256).optional() }),
    result: z.object({}),
  },
  /**
   * Parks the caller you are talking to on the tenant's shared list (the caller hears nothing
   * and stays connected); not picked up within the park time, it rings you again.
   */
  'park.park': {
    params: z.object({ callId: z.string().min(1).max(256).optional() }),
    result: z.object({ slot: z.string() }),
  },
  /** Picks up a parked call: the core rings your phone with auto-answer and connects it. */
  'park.pickup': {
    params: z.object({ slot: z.string().min(1).max(8) }),
    result: z.object({}),
  },
  /** Presence of everyone in the company (then follow `presence.changed` events). */
  'presence.list': { params: z.object({}), result: z.object({ people: z.array(Presence) }) },
  /**
   * Marks an absence: yours, or (operators, supervisors, admins) a colleague's. Replaces the
   * current one; ends by itself at `until` (epoch ms). Calls meanwhile follow `callHandling`.
   */
  'absence.set': {
    params: z.object({
      userId: z.string().min(1).max(64).optional(),
      reason: AbsenceReason,
      from: z.number().int().nonnegative().optional(),
      until: z.number().int().nonnegative().nullable().optional(),
      message: z.string().max(200).nullable().optional(),
      callHandling: CallHandling.optional(),
      forwardNumber: z.string().max(32).nullable().optional(),
    }),
    result: z.object({ absence: AbsenceInfo }),
  },
  /**
   * Sets (or clears with null) a person's calendar feed (ICS URL or CalDAV free/busy):
   * yourself, or anyone for admins. Busy and out-of-office time becomes absences.
   */
  'calendar.set': {
    params: z.object({
      userId: z.string().min(1).max(64).optional(),
      url: z.string().max(2000).nullable(),
    }),
    result: z.object({}),
  },
  /**
   * Imports the company directory from CSV (admins): all or nothing — a file with a bad row
   * is refused with each row's line number and reason, and nothing is written.
   */
  'people.import': {
    params: z.object({ csv: z.string().min(1).max(5_000_000) }),
    result: z.object({ created: z.number().int(), updated: z.number().int() }),
  },
  /** How many days queue history is kept (admins); a user's own call log is always 30 days. */
  'retention.set': {
    params: z.object({ days: z.number().int().min(1).max(3650) }),
    result: z.object({}),
  },
  /** How many days queue history and caller notes are kept now (admins). */
  'retention.get': {
    params: z.object({}),
    result: z.object({ days: z.number().int() }),
  },
  /**
   * Admins: everyone in the company with their role (the directory leaves roles out), for the
   * people view where an admin resets a password or two-factor login, or deletes a person.
   */
  'people.list': {
    params: z.object({}),
    result: z.object({
      people: z.array(
        DirectoryEntry.extend({
          role: Role,
          /** Whether they log in with a second factor, and whether they must. */
          twoFactor: z.object({ enabled: z.boolean(), required: z.boolean() }).optional(),
        }),
      ),
    }),
  },
  /**
   * The tenant's queues, answer groups and VIP list as configured (admins and supervisors).
   */
  'queues.config': {
    params: z.object({}),
    result: z.object({
      queues: z.array(QueueConfig),
      answerGroups: z.array(AnswerGroupConfig),
      vip: z.array(VipPattern),
    }),
  },
  /**
   * Creates a queue, or updates the one with `queueId` (admins). The engine takes the change at
   * once; callers already waiting stay. Numbers must be free in the tenant (`conflict`).
   */
  'queue.save': {
    params: QueueSettings.extend({ queueId: z.string().max(64).optional() }),
    result: z.object({ queue: QueueConfig }),
  },
  /** Deletes a queue nobody waits in (admins). */
  'queue.delete': {
    params: z.object({ queueId: z.string().max(64) }),
    result: z.object({}),
  },
  /** Creates or updates an answer group (admins). */
  'answergroup.save': {
    params: AnswerGroupSettings.extend({ groupId: z.string().max(64).optional() }),
    result: z.object({ answerGroup: AnswerGroupConfig }),
  },
  'answergroup.delete': {
    params: z.object({ groupId: z.string().max(64) }),
    result: z.object({}),
  },
  /**
   * Replaces the VIP list (admins): numbers in any form or prefixes ending in `*`; the first
   * bad entry is named and nothing changes.
   */
  'vip.set': {
    params: z.object({
      entries: z
        .array(
          z.object({ pattern: z.string().min(1).max(40), label: z.string().max(80).nullable() }),
        )
        .max(1000),
    }),
    result: z.object({ vip: z.array(VipPattern) }),
  },
  /** The company's departments with their numbers and where those numbers lead (admins). */
  'departments.list': {
    params: z.object({}),
    result: z.object({ departments: z.array(DepartmentConfig) }),
  },
  /**
   * Creates a department, or updates the one with `departmentId` (admins; audited). The name is
   * text (markup refused) and unique in the company; the number must be a phone number or a
   * 2–8 digit internal number (`bad_request`) that no person, other department, queue or answer
   * group has — a queue's or answer group's number is allowed only when it is the department's
   * own target (`conflict` otherwise). Calls to the number ring the target at once.
   */
  'department.save': {
    params: DepartmentSettings.extend({ departmentId: z.string().max(64).optional() }),
    result: z.object({ department: DepartmentConfig }),
  },
  /** Deletes a department nobody belongs to (admins; `conflict` while people are in it). */
  'department.delete': {
    params: z.object({ departmentId: z.string().max(64) }),
    result: z.object({}),
  },
  /**
   * The tenant's SIP trunk to its carrier (admins): where calls to external numbers go and
   * where calls from outside come from, with the toll-fraud guard's allowed number prefixes
   * and calls per minute. The password is never returned, only whether one is set. `null`
   * when no trunk is configured.
   */
  'trunk.get': {
    params: z.object({}),
    result: z.object({ trunk: Trunk.nullable() }),
  },
  /**
   * Sets the tenant's trunk (admins). `password` omitted keeps the stored one, `null` clears
   * it. Prefixes are E.164 beginnings (`+47`, `+4722`); an empty list allows no external call.
   */
  'trunk.save': {
    params: TrunkSettings.extend({ password: z.string().min(1).max(200).nullable().optional() }),
    result: z.object({ trunk: Trunk }),
  },
  /**
   * An outside caller's history with the company (previous calls, newest first: when, queue,
   * who answered, transferred to whom, outcome) and the operators' notes on them. `number` in
   * any written form. Agents, operators, supervisors and admins.
   */
  'caller.history': {
    params: z.object({ number: text(32), limit: z.number().int().min(1).max(100).optional() }),
    result: z.object({
      number: z.string(),
      calls: z.array(PastCall),
      notes: z.array(CallerNote),
    }),
  },
  /** Adds a note on a caller (plain text, 1–2000 characters). */
  'caller.note.add': {
    params: z.object({ number: text(32), body: z.string().max(2000) }),
    result: z.object({ note: CallerNote }),
  },
  /** (`noteId`, not `id`: `id` is the frame's own.) */
  'caller.note.update': {
    params: z.object({ noteId: z.number().int().positive(), body: z.string().max(2000) }),
    result: z.object({ note: CallerNote }),
  },
  'caller.note.delete': {
    params: z.object({ noteId: z.number().int().positive() }),
    result: z.object({}),
  },
  /** The audit log, newest first (admins). */
  'audit.list': {
    params: z.object({
      limit: z.number().int().min(1).max(1000).optional(),
      beforeId: z.number().int().positive().optional(),
    }),
    result: z.object({
      entries: z.array(
        z.object({
          id: z.number(),
          at: z.number(),
          actor: z.string().nullable(),
          action: z.string(),
          target: z.string().nullable(),
          details: z.record(z.string(), z.unknown()).nullable(),
        }),
      ),
    }),
  },
  /** The company directory as CSV in the import format (admins). */
  'people.export': { params: z.object({}), result: z.object({ csv: z.string() }) },
  /**
   * Admins: create or update one person (by username), checked like a directory CSV row: names
   * are text (markup refused), numbers in any format, department created when new.
   */
  'people.save': {
    params: z.object({
      first_name: text(100),
      last_name: z.string().max(100).optional(),
      title: z.string().max(100).nullable().optional(),
      department: z.string().max(100).nullable().optional(),
      extension: z.string().max(16).nullable().optional(),
      mobile: z.string().max(32).nullable().optional(),
      email: z.string().max(200).nullable().optional(),
      username: z.string().max(64).optional(),
      role: Role.optional(),
    }),
    result: z.object({ created: z.number(), updated: z.number() }),
  },
  /** Admins: set a colleague's password (a reset); audited. At least 8 characters. */
  'people.set_password': {
    params: z.object({ userId: z.string().min(1).max(64), password: z.string().max(256) }),
    result: z.object({}),
  },
  /** Change your own password (the current one is asked again). */
  'auth.change_password': {
    params: z.object({ current: text(256), password: z.string().max(256) }),
    result: z.object({}),
  },
  /**
   * A text message to a colleague (by extension, username or number): SIP MESSAGE to their
   * registered phones, and as SMS to their mobile when `sms` is set. Plain text.
   */
  'message.send': {
    params: z.object({
      to: text(64),
      text: z.string().max(1000),
      sms: z.boolean().optional(),
      /** For the SMS: one of the sender's presentable numbers (else their extension). */
      from: z.string().max(32).optional(),
    }),
    result: z.object({ delivered: z.number().int(), sms: z.boolean() }),
  },
  /** Admins: everything held about one person, as JSON (the service terms promise it). Audited. */
  'privacy.export': {
    params: z.object({ userId: z.string().min(1).max(64) }),
    result: z.object({ data: z.record(z.string(), z.unknown()) }),
  },
  /**
   * Admins: delete a person and their personal data (their own call log; queue statistics keep
   * their rows without them). `in_use` while a queue or answer group sends calls to them. Audited.
   */
  'people.delete': {
    params: z.object({ userId: z.string().min(1).max(64) }),
    result: z.object({}),
  },
  /**
   * Busy / no-answer forwarding of a person: yours, or (admins) anyone's in the company.
   * Numbers come back normalised (internal numbers as digits, others E.164).
   */
  'forwarding.get': {
    params: z.object({ userId: z.string().min(1).max(64).optional() }),
    result: z.object({ forwarding: ForwardingSettings }),
  },
  /**
   * Replaces a person's busy / no-answer forwarding: yours, or (admins; audited) anyone's in
   * the company. A forward number is an internal number (extension, queue, answer group) or an
   * external one (out through the trunk); `invalid_number` when it is neither or is missing
   * while enabled, `ring_time_out_of_range` outside 5–120 s. Absences take precedence.
   */
  'forwarding.set': {
    params: ForwardingSettings.extend({ userId: z.string().min(1).max(64).optional() }),
    result: z.object({ forwarding: ForwardingSettings }),
  },
  'absence.clear': {
    params: z.object({ userId: z.string().min(1).max(64).optional() }),
    result: z.object({ cleared: z.boolean() }),
  },
  /** Per-queue statistics over a range (supervisors and admins). */
  'stats.queues': { params: StatsRange, result: z.object({ queues: z.array(QueueReport) }) },
  /** Per-agent statistics over a range (supervisors and admins). */
  'stats.agents': { params: StatsRange, result: z.object({ agents: z.array(AgentReport) }) },
  /** Calls per queue and hour over a range (supervisors and admins). */
  'stats.hourly': {
    params: StatsRange.and(z.object({ timeZone: z.string().max(64).optional() })),
    result: z.object({ hours: z.array(HourlyReport) }),
  },
  /** An operator takes a waiting caller: the core rings the operator's phone with auto-answer. */
  'queue.pick': {
    params: z.object({ callId: z.string().min(1).max(128) }),
    result: z.object({}),
  },
} as const;

export type CommandType = keyof typeof Commands;
export type CommandParams<T extends CommandType> = z.infer<(typeof Commands)[T]['params']>;
export type CommandResult<T extends CommandType> = z.infer<(typeof Commands)[T]['result']>;

/** Commands that may be sent before logging in. */
export const PUBLIC_COMMANDS: ReadonlySet<CommandType> = new Set([
  'auth.login',
  'auth.resume',
  'system.ping',
]);

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Reply<R = unknown> =
  { id: number; ok: true; result: R } | { id: number | null; ok: false; error: ApiError };

export interface EventFrame<D = unknown> {
  type: 'event';
  event: string;
  seq: number;
  data: D;
}

/**
 * Several events in one frame, in order: sent when events come faster than one per 20 ms to a
 * connection (src/server/api/event-outbox.ts). A client handles each as if it came alone.
 */
export interface EventBatchFrame {
  type: 'events';
  frames: EventFrame[];
}

export type ServerFrame = Reply | EventFrame | EventBatchFrame;

export function isCommandType(type: unknown): type is CommandType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(Commands, type);
}

/** Path of the JSON API WebSocket. */
export const API_PATH = '/api';
/** Path of the SIP-over-WebSocket endpoint (RFC 7118, subprotocol `sip`). */
export const SIP_PATH = '/sip';
