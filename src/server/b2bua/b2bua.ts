/**
 * The back-to-back user agent: every call is an inbound leg (caller ↔ core) and one or more
 * outbound legs (core ↔ callee devices), each a dialog of its own. The core answers, forwards
 * and tears down each leg itself, so queues, picks, transfers and caller ID are local
 * decisions rather than hopes about what the far end supports. SDP passes through unchanged
 * (browser-to-browser media in the embedded profile).
 *
 * Mechanism, not policy: the B2BUA rings targets, cancels legs, connects the first answer the
 * call's {@link CallPolicy} accepts and relays in-dialog requests. *Whom* to ring and what a
 * failure means is the policy's business: a direct call to a colleague fails the caller when
 * every device failed; a queued caller keeps waiting while the ACD offers it to the next agent.
 */
import {
  Dialog,
  SipRequest,
  createCancel,
  createResponse,
  newBranch,
  newCallId,
  newTag,
  parseMessage,
  parseNameAddr,
  uriEquals,
  type ClientTransaction,
  type Flow,
  type Scheduler,
  type ServerTransaction,
  type SipResponse,
  type TransactionLayer,
} from '../sip';
import type { Binding } from '../registrar/registrar';
import type { Logger } from '../logger';
import { CallState, transitionCall } from './call-state';
import { ConsultState, transitionConsult } from './consult-state';
import { inactiveSdp, resumedSdp, sdpVersion } from './sdp';
import {
  MIN_SE,
  SessionTimer,
  decideAsUac,
  decideAsUas,
  listedTokens,
  parseMinSE,
  parseSessionExpires,
  uacHeaders,
  uasHeaders,
} from './session-timer';

/** Who is on the inbound side of a call. */
export interface Party {
  /** A logged-in user (authenticated by digest) or a caller from outside the company. */
  readonly kind: 'user' | 'outside';
  readonly tenantId: string;
  readonly userId: string | null;
  readonly username: string | null;
  /** Name to show; for outside callers what their From said (untrusted text). */
  readonly displayName: string | null;
  /** Extension for users, the caller's number (E.164 when known) for outside callers. */
  readonly number: string;
  readonly domain: string;
}

/** A user of the tenant as a callee. */
export interface Callee {
  userId: string;
  username: string;
  displayName: string;
  extension: string;
  domain: string;
}

/** One device to ring, on behalf of a user (and an ACD offer, when the policy tags it). */
export interface RingTarget {
  readonly binding: Binding;
  readonly user: Callee;
  /** Opaque tag the policy uses to group legs (e.g. an ACD offer id). */
  readonly tag?: string;
}

export interface RingOptions {
  /** Ask the device to answer at once (RFC 5373 / Call-Info answer-after=0): operator pick. */
  autoAnswer?: boolean;
  /** Extra headers on the outbound INVITE (e.g. which queue the caller waited in). */
  headers?: Record<string, string>;
}

/** Decides what the call's events mean. */
export interface CallPolicy {
  /** A device answered. Return true to connect it, false to hang it up (e.g. a lost race). */
  answered(call: Call, leg: OutboundLeg): boolean;
  /** One device failed or was cancelled before answering. */
  legFailed?(call: Call, leg: OutboundLeg, status: number): void;
  /** No device is ringing any more and nobody answered. */
  exhausted(call: Call, status: number, reason: string | undefined): void;
  /** The caller gave up (CANCEL) or vanished before the call was answered. */
  abandoned?(call: Call): void;
  /** The connected call ended; `by` says which side hung up. */
  ended?(call: Call, reason: string, by: 'caller' | 'callee' | 'core'): void;
  /** Every call ends here exactly once, whatever happened (records are written from it). */
  finished?(call: Call): void;
}

export interface B2buaDeps {
  /** Sends requests; a trunk's digest client may stand in front of the transaction layer. */
  transactions: Pick<TransactionLayer, 'sendRequest'>;
  /** Live registrations of an AOR (`user@domain`). */
  lookup(aor: string): Binding[];
  /** Resolves a dialled string (extension, username, number in any format) to a user. */
  resolve(tenantId: string, dialled: string): Promise<Callee | null>;
  /** Via header value (without branch) for requests the core sends on a flow. */
  via(flow: Flow): string;
  /** Contact the core puts in its requests and 2xx responses on a flow. */
  contact(flow: Flow): string;
  logger: Logger;
  /** Seconds a direct call may ring before the caller gets 408. */
  ringTimeoutS?: number;
  /** A device started or stopped ringing, got connected or was let go (presence follows). */
  onLegChange?: (leg: OutboundLeg, call: Call) => void;
  /** A call ended (presence of its parties follows). */
  onCallEnded?: (call: Call) => void;
  /** A REFER inside a call (RFC 3515 transfer from a SIP phone); 501 when absent. */
  onRefer?: (call: Call, leg: Leg, req: SipRequest, tx: ServerTransaction) => void;
  /** Timers of the session timers (RFC 4028); the transaction layer's, so fake time drives both. */
  scheduler?: Scheduler;
  /** The smallest session interval the core accepts (Min-SE); 90 s by default. */
  minSE?: number;
  /**
   * Seconds a connected call waits for a browser whose WebSocket closed to come back on a new
   * one (CALL_RECONNECT_GRACE_S, default {@link DEFAULT_RECONNECT_GRACE_S}); 0 ends the call at
   * once, as before.
   */
  reconnectGraceS?: number;
}

/** How long a connected call waits for a phone whose WebSocket dropped (ADR 0010). */
export const DEFAULT_RECONNECT_GRACE_S = 30;

/** How long a consulted colleague may ring (below the operator phone's 32 s wait for ACK). */
const CONSULT_RING_MS = 25_000;

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER';

/**
 * Option tags the B2BUA understands in a Require of an INVITE. Not `100rel`: the core sends
 * no reliable provisionals (RFC 3262), so an INVITE requiring them gets 420.
 */
export const B2BUA_OPTION_TAGS: readonly string[] = ['replaces', 'norefersub', 'timer'];

/** What the core's outgoing INVITEs say they support (never 100rel). */
const OUT_SUPPORTED = 'replaces, norefersub, timer';

const GLOBAL_SCHEDULER: Scheduler = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface InboundLeg {
  readonly kind: 'in';
  /** Changes only when the caller's phone comes back on a new WebSocket (ADR 0010). */
  flow: Flow;
  readonly invite: SipRequest;
  readonly tx: ServerTransaction;
  readonly localTag: string;
  dialog: Dialog | undefined;
}

export interface OutboundLeg {
  readonly kind: 'out';
  /** Changes only when the callee's phone comes back on a new WebSocket (ADR 0010). */
  flow: Flow;
  /** The INVITE sent (replaced once by its retry after a 422, RFC 4028 §7.4). */
  invite: SipRequest;
  readonly binding: Binding;
  readonly user: Callee;
  readonly tag: string | undefined;
  tx: ClientTransaction | undefined;
  dialog: Dialog | undefined;
  /** Got a provisional (so CANCEL is allowed) / a final response. */
  provisional: boolean;
  final: number | undefined;
  finalResponse: SipResponse | undefined;
  cancelled: boolean;
  failureReported: boolean;
  /** When the core sent the INVITE / the device answered and got connected / was let go. */
  readonly createdAt: number;
  answeredAt: number | undefined;
  releasedAt: number | undefined;
  /** When the leg got its final response (or failed) without being connected. */
  finishedAt: number | undefined;
  /** The transfer attempt that rang this leg (delayed offer, ADR 0005); undefined otherwise. */
  readonly transfer: number | undefined;
  /** A consultation leg: to the consulted colleague, or the operator's second line. */
  readonly consult: 'target' | 'operator' | undefined;
}

/** What a policy gives {@link B2bua.transfer}. */
export interface TransferOptions {
  /** Extra headers on the INVITEs (Referred-By, recall markers). */
  headers?: Record<string, string>;
  /** Every target failed (busy, rejected, no answer, unreachable); `status` is the best failure. */
  onFailed(status: number): void;
  /** The new party answered and the caller's media now flows to it. */
  onConnected?(leg: OutboundLeg): void;
  /** A device answered: return false to refuse it (another answer or pick won). */
  accept?(leg: OutboundLeg): boolean;
  /** One device failed or was cancelled (before the whole attempt is reported). */
  legFailed?(leg: OutboundLeg, status: number): void;
}

export type Leg = InboundLeg | OutboundLeg;

/** What a policy gives {@link B2bua.consult}. */
export interface ConsultOptions {
  /** Who consults: the identity the colleague's phone shows. */
  readonly consulter: Callee;
  /** The colleague answered and talks to the operator on the operator's second line. */
  onTalking?(leg: OutboundLeg): void;
  /**
   * The consultation ended without a transfer and the caller is back with the operator:
   * nobody answered (`failed`, with the best failure status), the operator cancelled it, or one
   * of the two hung up.
   */
  onEnded(why: 'failed' | 'cancelled' | 'hung_up', status?: number): void;
}

/** A consultation in progress on a call (see {@link ConsultState}). */
export class Consultation {
  state = ConsultState.Ringing;
  /** The operator line's 200 got its ACK (with the colleague's answer, or none when dropped). */
  lineAcked = false;
  /** Gives up ringing before the operator's phone gives up waiting for its ACK. */
  timer: NodeJS.Timeout | undefined;
  /** The colleague's leg that answered. */
  target: OutboundLeg | undefined;
  /** The operator's second line, rung with the colleague's offer. */
  operator: OutboundLeg | undefined;
  /** Whom the operator hears: the colleague, or (after a swap) the caller. */
  talkingTo: 'target' | 'caller' = 'target';

  constructor(
    /** The transfer attempt number the colleague's legs carry. */
    readonly attempt: number,
    readonly options: ConsultOptions,
    /** The colleague's devices. */
    readonly targets: readonly RingTarget[],
  ) {}

  moveTo(next: ConsultState): void {
    this.state = transitionConsult(this.state, next);
  }
}

/** An in-dialog request forwarded from one leg to the other, waiting for its answer / ACK. */
interface PendingForward {
  readonly from: Leg;
  readonly to: Leg;
  /** CSeq of the request sent on `to`, for the ACK of a re-INVITE. */
  readonly forwardedCseq: number;
  /** CSeq of the re-INVITE received on `from`, to match its ACK. */
  readonly receivedCseq: number;
  answered: boolean;
}

export class Call {
  state = CallState.Routing;
  readonly id = newCallId();
  readonly startedAt = Date.now();
  answeredAt: number | undefined;
  endedAt: number | undefined;
  endReason: string | undefined;
  /** The final status the caller got when the call failed before an answer. */
  failStatus: number | undefined;
  readonly outbound: OutboundLeg[] = [];
  winner: OutboundLeg | undefined;
  pendingInvite: PendingForward | undefined;
  /** An UPDATE with an offer forwarded and not answered yet (RFC 3311 §5.2: one at a time). */
  pendingUpdate: PendingForward | undefined;
  timers = new Set<NodeJS.Timeout>();
  /** Call-ID and From tag shared by this call's outbound legs (one fork per call). */
  readonly outCallId = newCallId();
  readonly outFromTag = newTag();
  /** Transfer attempts in flight (usually one; a queue may offer anew before the old ring ends). */
  readonly transfers = new Map<number, TransferOptions>();
  transferAttempts = 0;
  /** The last session description the core gave the caller (to re-offer it on hold). */
  lastSdpToCaller: string | undefined;
  /** The operator's consultation with a colleague, while the caller holds. */
  consultation: Consultation | undefined;
  /** Free-form attributes for the policy (queue id, offer ids, …). */
  readonly attributes = new Map<string, unknown>();

  constructor(
    readonly inbound: InboundLeg,
    readonly caller: Party,
    readonly dialled: string,
    public policy: CallPolicy,
  ) {}

  moveTo(next: CallState): void {
    this.state = transitionCall(this.state, next);
  }

  /** Legs still ringing (no final response, not cancelled). */
  get ringingLegs(): OutboundLeg[] {
    return this.outbound.filter((l) => l.final === undefined && !l.cancelled);
  }
}

export class B2bua {
  readonly #calls = new Map<string, Call>();
  /** Dialog id (`callId|localTag|remoteTag`) → the call and leg it belongs to. */
  readonly #dialogs = new Map<string, { call: Call; leg: Leg }>();
  /** INVITE server transaction → call, for CANCEL. */
  readonly #byInviteTx = new Map<ServerTransaction, Call>();
  readonly #log: Logger;
  /** The last session description each outbound leg got from its peer through the core. */
  readonly #sdpTo = new WeakMap<Leg, string>();
  /** The highest SDP `o=` version the core sent each leg (re-offers must go above it). */
  readonly #sdpVersions = new WeakMap<Leg, bigint>();
  /** Tail of each leg's chain of core-made re-INVITEs (one in flight at a time per leg). */
  readonly #reinvites = new WeakMap<Leg, Promise<unknown>>();
  /** The last session description each leg sent the core (to tell a refresh from a change). */
  readonly #sdpFrom = new WeakMap<Leg, string>();
  /** The very last description the core sent each leg, hold re-offers included. */
  readonly #lastSent = new WeakMap<Leg, string>();
  /** The last ACK the core sent on each leg (sent again for a retransmitted 2xx). */
  readonly #acksSent = new WeakMap<Leg, { cseq: number; text: string }>();
  /** Each connected leg's session timer (RFC 4028). */
  readonly #sessionTimers = new WeakMap<Leg, SessionTimer>();
  /** Legs whose peer allows UPDATE (the core refreshes with it; re-INVITE otherwise). */
  readonly #allowsUpdate = new WeakSet<Leg>();
  /** Legs with a session refresh from the core in flight. */
  readonly #refreshing = new WeakSet<Leg>();
  /** Early dialogs of inbound legs (To tag sent in a provisional, no 2xx yet) → call. */
  readonly #early = new Map<string, Call>();
  readonly #scheduler: Scheduler;
  readonly #minSE: number;
  readonly #reconnectGraceMs: number;
  /**
   * Legs of connected calls whose WebSocket closed: the call waits for the phone to come back
   * (ADR 0010) and `timer` ends it when the grace period runs out.
   */
  readonly #detached = new Map<Leg, { call: Call; timer: unknown }>();
  /** Policy of a direct call: connect the first answer; fail the caller when every device failed. */
  readonly direct: CallPolicy = {
    answered: () => true,
    exhausted: (call, status, reason) => this.fail(call, status, reason),
  };

  /** Seconds a direct call may ring before the caller gets 408 (unless ringUser says otherwise). */
  get ringTimeoutS(): number {
    return this.deps.ringTimeoutS ?? 60;
  }

  /** A direct-call policy with extra hooks (busy tracking, records) around the default. */
  directWith(hooks: Partial<CallPolicy>): CallPolicy {
    return { ...this.direct, ...hooks };
  }

  constructor(private readonly deps: B2buaDeps) {
    this.#log = deps.logger;
    this.#scheduler = deps.scheduler ?? GLOBAL_SCHEDULER;
    this.#minSE = deps.minSE ?? MIN_SE;
    this.#reconnectGraceMs = (deps.reconnectGraceS ?? DEFAULT_RECONNECT_GRACE_S) * 1000;
  }

  /**
   * Why a new INVITE cannot become a call here, before any ringing: a Require the core does
   * not support (420 with Unsupported, e.g. 100rel) or a session interval below Min-SE (422
   * with Min-SE, RFC 4028 §9). Undefined when it may proceed.
   */
  refusal(req: SipRequest): SipResponse | undefined {
    const unsupported = [...listedTokens(req, 'Require')].filter(
      (tag) => !B2BUA_OPTION_TAGS.includes(tag),
    );
    if (unsupported.length > 0) {
      const res = createResponse(req, 420, 'Bad Extension');
      res.set('Unsupported', unsupported.join(', '));
      return res;
    }
    const se = parseSessionExpires(req.get('Session-Expires'));
    if (se && se.delta < this.#minSE) {
      const res = createResponse(req, 422, 'Session Interval Too Small');
      res.set('Min-SE', String(this.#minSE));
      return res;
    }
    return undefined;
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Snapshot for tests and diagnostics. */
  calls(): readonly Call[] {
    return [...this.#calls.values()];
  }

  call(id: string): Call | undefined {
    return this.#calls.get(id);
  }

  /** Live registrations of a user. */
  bindingsOf(user: Callee): Binding[] {
    return this.deps.lookup(`${user.username}@${user.domain}`).filter((b) => !b.flow.closed);
  }

  // ── direct calls between users ─────────────────────────────────────────────

  /** A new INVITE from an authenticated user to a colleague: ring every device of theirs. */
  async invite(req: SipRequest, tx: ServerTransaction, flow: Flow, caller: Party): Promise<void> {
    const dialled = requestUser(req);
    if (!dialled) {
      tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    let callee: Callee | null;
    try {
      callee = await this.deps.resolve(caller.tenantId, dialled);
    } catch (err) {
      this.#log.error('callee lookup failed', { err });
      tx.respond(createResponse(req, 500, 'Server Internal Error'));
      return;
    }
    if (!callee) {
      tx.respond(createResponse(req, 404, 'Not Found'));
      return;
    }
    this.ringUser(req, tx, flow, caller, callee, this.direct);
  }

  /**
   * Rings every device of `callee` for a new inbound call; 480 when none is registered.
   * `options.ringTimeoutS` lengthens (or shortens) how long the call may ring in all before the
   * caller gets 408 (a no-answer forward rings a second target inside the same call).
   */
  ringUser(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    caller: Party,
    callee: Callee,
    policy: CallPolicy,
    options: { ringTimeoutS?: number } = {},
  ): Call | undefined {
    const refused = this.refusal(req);
    if (refused) {
      tx.respond(refused);
      return undefined;
    }
    const bindings = this.bindingsOf(callee).filter((b) => !callingDevice(b, req, flow));
    if (bindings.length === 0) {
      tx.respond(createResponse(req, 480, 'Temporarily Unavailable'));
      return undefined;
    }
    const call = this.accept(req, tx, flow, caller, policy);
    const timeout = (options.ringTimeoutS ?? this.ringTimeoutS) * 1000;
    this.setTimer(call, timeout, () => {
      if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return;
      this.cancelLegs(call, () => true);
      this.fail(call, 408, 'Request Timeout');
    });
    this.ring(
      call,
      bindings.map((binding) => ({ binding, user: callee })),
    );
    return call;
  }

  // ── mechanism for policies ────────────────────────────────────────────────

  /** Takes responsibility for a new inbound INVITE (no answer yet). */
  accept(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    caller: Party,
    policy: CallPolicy,
  ): Call {
    const inbound: InboundLeg = {
      kind: 'in',
      flow,
      invite: req,
      tx,
      localTag: newTag(),
      dialog: undefined,
    };
    const call = new Call(inbound, caller, requestUser(req) ?? '', policy);
    this.#calls.set(call.id, call);
    this.#byInviteTx.set(tx, call);
    this.#early.set(dialogKey(req.callId, inbound.localTag, req.from.tag ?? ''), call);
    if (req.body) this.#sdpFrom.set(inbound, req.body);
    if (listedTokens(req, 'Allow').has('update')) this.#allowsUpdate.add(inbound);
    this.#log.info('call', { call: call.id, from: caller.number, to: call.dialled });
    return call;
  }

  /**
   * Sends a provisional response to the caller: `182 Queued` while waiting, `180 Ringing`
   * while a device rings. Carries the call's To tag and a Contact (SIP.js drops a tagged 1xx
   * without one).
   */
  provisional(call: Call, status: 180 | 182 | 183, reason?: string): void {
    if (call.state === CallState.Ended || call.inbound.dialog) return;
    const prov = createResponse(call.inbound.invite, status, reason, {
      toTag: call.inbound.localTag,
    });
    prov.set('Contact', this.deps.contact(call.inbound.flow));
    call.inbound.tx.respond(prov);
  }

  /**
   * Answers a caller nobody has answered yet with a media server's session description
   * (rtpengine playing the queue's prompts, src/server/media/queue-media.ts): 200 OK with
   * `sdp` and no party behind it. Once the caller ACKs, the call is held like a parked one
   * (Transferring, no winner), so {@link transfer} connects it to whoever picks it (ADR 0005).
   * False when the caller can no longer be answered (a device answered first, or it left).
   */
  answerWith(call: Call, sdp: string): boolean {
    if (call.inbound.dialog || call.winner) return false;
    if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return false;
    call.moveTo(CallState.Connecting);
    this.cancelLegs(call, () => true);
    this.#answerCaller(call, 'application/sdp', sdp);
    this.setTimer(call, 32_000, () => {
      if (call.state !== CallState.Connecting) return;
      this.#sendInDialog(call.inbound, 'BYE');
      this.#end(call, 'no ACK from caller', 'core');
    });
    return true;
  }

  /**
   * The caller's 200: Contact, Allow, Supported, the caller's own session timer (RFC 4028 §9;
   * refusal() already turned away a 422 case), the body; then the caller's dialog is confirmed
   * and registered. Shared by an answering device and by the core answering for rtpengine.
   */
  #answerCaller(call: Call, contentType: string | undefined, body: string): void {
    const ok = createResponse(call.inbound.invite, 200, 'OK', { toTag: call.inbound.localTag });
    ok.set('Contact', this.deps.contact(call.inbound.flow));
    ok.set('Allow', ALLOW);
    ok.set('Supported', OUT_SUPPORTED);
    const decision = decideAsUas(call.inbound.invite, undefined, this.#minSE);
    const session = decision.kind === 'timer' ? decision.session : undefined;
    if (session) for (const [k, v] of Object.entries(uasHeaders(session))) ok.set(k, v);
    if (contentType) ok.set('Content-Type', contentType);
    ok.body = body;
    call.lastSdpToCaller = body || call.lastSdpToCaller;
    if (body) this.#lastSent.set(call.inbound, body);
    call.inbound.tx.respond(ok);
    const inDialog = Dialog.uas(call.inbound.invite, ok);
    call.inbound.dialog = inDialog;
    this.#early.delete(dialogKey(inDialog.id.callId, inDialog.id.localTag, inDialog.id.remoteTag));
    this.#dialogs.set(dialogKey(inDialog.id.callId, inDialog.id.localTag, inDialog.id.remoteTag), {
      call,
      leg: call.inbound,
    });
    if (session) this.#timerOf(call, call.inbound).refreshed(session);
    call.answeredAt = Date.now();
  }

  /** Rings devices for a call that has not been answered yet. */
  ring(call: Call, targets: readonly RingTarget[], options: RingOptions = {}): OutboundLeg[] {
    if (call.state === CallState.Ended || call.winner) return [];
    const legs: OutboundLeg[] = [];
    for (const target of targets) {
      const out = this.#buildOutboundInvite(call, target, options);
      const leg = newLeg(target, out, undefined);
      call.outbound.push(leg);
      legs.push(leg);
      this.#legChanged(leg);
      leg.tx = this.deps.transactions.sendRequest(out, leg.flow, {
        onResponse: (res) => this.#outboundResponse(call, leg, res),
        onTimeout: () => this.#outboundFailed(call, leg, 408),
        onTransportError: () => this.#outboundFailed(call, leg, 503),
      });
    }
    return legs;
  }

  /** CANCELs ringing legs chosen by `which`; the policy hears of each via `legFailed`. */
  cancelLegs(call: Call, which: (leg: OutboundLeg) => boolean): void {
    for (const leg of call.outbound) {
      if (leg.final !== undefined || leg.cancelled || !which(leg)) continue;
      leg.cancelled = true;
      this.#legChanged(leg);
      // Before any provisional the CANCEL must wait (§9.1); #outboundResponse sends it then.
      if (leg.provisional) this.#sendCancel(leg);
    }
  }

  /** Rejects the caller with a final response and ends the call (before answer only). */
  fail(call: Call, status: number, reason?: string): void {
    if (call.state === CallState.Ended || call.inbound.dialog) return;
    this.cancelLegs(call, () => true);
    this.#respondInbound(call, status, reason);
    call.failStatus = status;
    this.#end(call, `failed ${status}`);
  }

  /** Hangs up a call from the core's side, whatever its state. */
  hangup(call: Call, reason: string): void {
    if (call.state === CallState.Ended) return;
    if (call.inbound.dialog) this.#sendInDialog(call.inbound, 'BYE');
    else this.#respondInbound(call, 480, 'Temporarily Unavailable');
    if (call.winner?.dialog) this.#sendInDialog(call.winner, 'BYE');
    this.cancelLegs(call, () => true);
    this.#end(call, reason, 'core');
  }

  /**
   * Parks an answered call: its current party is released (BYE) and the caller is re-offered
   * its own session description with every stream inactive, so its transport stays up and
   * nothing plays until someone picks it up with {@link B2bua.transfer}.
   */
  park(call: Call): boolean {
    const sdp = call.lastSdpToCaller;
    const inbound = call.inbound.dialog;
    if (call.state !== CallState.Active || !inbound || !sdp) return false;
    const released = call.winner;
    if (released) {
      released.releasedAt = Date.now();
      this.#legChanged(released);
    }
    if (released?.dialog) {
      this.#sendInDialog(released, 'BYE');
      this.#forgetDialog(released);
    }
    call.winner = undefined;
    call.moveTo(CallState.Transferring);
    const body = inactiveSdp(sdp, this.#sdpVersions.get(call.inbound));
    this.#versionSent(call.inbound, body);
    const hold = inbound.createRequest('INVITE', {
      body,
      headers: { 'Content-Type': 'application/sdp' },
    });
    hold.prepend('Via', `${this.deps.via(call.inbound.flow)};branch=${newBranch()}`);
    hold.set('Contact', this.deps.contact(call.inbound.flow));
    this.#withSession(call.inbound, hold);
    this.deps.transactions.sendRequest(hold, call.inbound.flow, {
      onResponse: (res) => {
        if (res.status < 200 || res.status >= 300) return;
        this.#sessionAnswered(call.inbound, res);
        const ack = inbound.createAck(hold.cseq.seq);
        ack.prepend('Via', `${this.deps.via(call.inbound.flow)};branch=${newBranch()}`);
        if (!call.inbound.flow.closed) call.inbound.flow.send(ack.toString());
      },
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
    return true;
  }

  /**
   * Blind transfer of an answered call's caller to new devices (ADR 0005): the current party
   * is released (BYE), the targets are rung without SDP, and the first to answer offers; the
   * caller is re-INVITEd with that offer and its answer goes to the new party in the ACK.
   * Returns false when the call cannot be transferred now.
   */
  transfer(call: Call, targets: readonly RingTarget[], options: TransferOptions): boolean {
    const idleTransfer = call.state === CallState.Transferring && !call.winner;
    if ((call.state !== CallState.Active && !idleTransfer) || !call.inbound.dialog) return false;
    if (targets.length === 0) return false;
    const released = call.winner;
    if (released) {
      released.releasedAt = Date.now();
      this.#legChanged(released);
    }
    if (released?.dialog) {
      this.#sendInDialog(released, 'BYE');
      this.#forgetDialog(released);
    }
    call.winner = undefined;
    if (call.state === CallState.Active) call.moveTo(CallState.Transferring);
    const attempt = ++call.transferAttempts;
    call.transfers.set(attempt, options);
    const leg = { callId: newCallId(), fromTag: newTag(), delayedOffer: true };
    for (const target of targets) {
      const out = this.#buildOutboundInvite(call, target, { headers: options.headers ?? {} }, leg);
      const tleg = newLeg(target, out, attempt);
      call.outbound.push(tleg);
      this.#legChanged(tleg);
      tleg.tx = this.deps.transactions.sendRequest(out, tleg.flow, {
        onResponse: (res) => this.#transferResponse(call, tleg, res),
        onTimeout: () => this.#transferLegFailed(call, tleg, 408),
        onTransportError: () => this.#transferLegFailed(call, tleg, 503),
      });
    }
    return true;
  }

  // ── consultation and attended transfer ──────────────────────────────────────

  /**
   * Starts a consultation on an answered call (ADR 0006). The caller is held (re-offered its
   * session inactive); the operator's own device gets a second line first (auto-answer,
   * without SDP) and its offer rings the colleague, so the colleague *answers* — and so is the
   * DTLS client that can later offer to the caller without a role change. When the colleague
   * answers, the operator's line gets the answer in its ACK and the two talk. From there
   * {@link completeConsult}, {@link cancelConsult} and {@link swapConsult} apply.
   * Returns false when the call cannot consult now.
   */
  consult(call: Call, targets: readonly RingTarget[], options: ConsultOptions): boolean {
    const operator = call.winner;
    const first = targets[0];
    if (
      call.state !== CallState.Active ||
      call.consultation ||
      call.pendingInvite ||
      !operator?.dialog ||
      !call.inbound.dialog ||
      !call.lastSdpToCaller ||
      !first
    ) {
      return false;
    }
    const c = new Consultation(++call.transferAttempts, options, targets);
    call.consultation = c;
    this.#offerCaller(call, true);
    const device: RingTarget = { binding: operator.binding, user: operator.user };
    const out = this.#buildOutboundInvite(
      call,
      device,
      { autoAnswer: true },
      { callId: newCallId(), fromTag: newTag(), delayedOffer: true, from: first.user },
    );
    const line = newLeg(device, out, c.attempt, 'operator');
    c.operator = line;
    call.outbound.push(line);
    this.#legChanged(line);
    line.tx = this.deps.transactions.sendRequest(out, line.flow, {
      onResponse: (res) => this.#consultLineResponse(call, c, line, res),
      onTimeout: () => this.#consultLineFailed(call, c, line, 408),
      onTransportError: () => this.#consultLineFailed(call, c, line, 503),
    });
    // The operator's phone waits for the ACK of its 200 (64*T1 = 32 s); ring less than that.
    c.timer = this.setTimer(call, CONSULT_RING_MS, () => {
      if (call.consultation === c && c.state === ConsultState.Ringing) {
        this.#endConsultation(call, 'failed', 408);
      }
    });
    return true;
  }

  /**
   * Completes the consultation as a transfer. Talking: attended — the operator's two lines
   * are released and the colleague, re-INVITEd without SDP, offers to the caller (ADR 0005).
   * Still ringing: semi-attended — the operator is released and the ringing legs become an
   * ordinary transfer attempt (`options` decides what a failure means: recall).
   */
  completeConsult(call: Call, options: TransferOptions): boolean {
    const c = call.consultation;
    if (!c || call.state !== CallState.Active) return false;
    const target = c.state === ConsultState.Talking ? c.target : undefined;
    call.consultation = undefined;
    c.moveTo(ConsultState.Ended);
    this.#release(call.winner);
    call.winner = undefined;
    call.moveTo(CallState.Transferring);
    call.transfers.set(c.attempt, options);
    this.#dropLine(call, c, true);
    if (target) {
      this.#takeOver(call, target);
      return true;
    }
    // Semi-attended: the colleague's legs keep ringing and #transferResponse takes the answer
    // over. If the operator's line had not even answered yet, nothing rings: ring afresh.
    const ringing = call.outbound.some(
      (l) => l.transfer === c.attempt && l.consult === 'target' && l.final === undefined,
    );
    if (!ringing) {
      call.transfers.delete(c.attempt);
      return this.transfer(call, c.targets, options);
    }
    return true;
  }

  /** Ends the consultation; the caller is taken off hold and is with the operator again. */
  cancelConsult(call: Call): boolean {
    if (!call.consultation) return false;
    this.#endConsultation(call, 'cancelled');
    return true;
  }

  /**
   * Swaps the operator between the caller and the colleague: the one left is held (inactive),
   * the other resumed. Both stay on the operator's phone. Returns whom the operator now hears.
   */
  swapConsult(call: Call): 'target' | 'caller' | undefined {
    const c = call.consultation;
    if (!c || c.state !== ConsultState.Talking || !c.target) return undefined;
    const toCaller = c.talkingTo === 'target';
    c.talkingTo = toCaller ? 'caller' : 'target';
    const callerPair = [call.inbound, call.winner];
    const targetPair = [c.target, c.operator];
    this.#holdPair(call, toCaller ? targetPair : callerPair, true);
    this.#holdPair(call, toCaller ? callerPair : targetPair, false);
    return c.talkingTo;
  }

  /**
   * Attended transfer by a phone (REFER with Replaces, RFC 3891 / RFC 5589 §7): the operator,
   * on `call` with the caller, called a colleague in `consult`; the colleague's leg moves to
   * `call` and takes the caller over, both of the operator's dialogs are released and
   * `consult` ends. Returns false unless both calls are connected.
   */
  join(call: Call, consult: Call, options: TransferOptions): boolean {
    const target = consult.winner;
    if (
      call.state !== CallState.Active ||
      consult.state !== CallState.Active ||
      call.consultation ||
      !call.inbound.dialog ||
      !target?.dialog ||
      !consult.inbound.dialog
    ) {
      return false;
    }
    const dialog = target.dialog;
    const session = this.#sessionTimers.get(target)?.session;
    // The consultation call ends for its own records: the operator left, the colleague moved.
    target.releasedAt = Date.now();
    this.#legChanged(target);
    this.#sendInDialog(consult.inbound, 'BYE');
    this.#end(consult, 'transferred (attended)', 'core');
    this.#release(call.winner);
    call.winner = undefined;
    call.moveTo(CallState.Transferring);
    const moved: OutboundLeg = {
      ...newLeg(
        { binding: target.binding, user: target.user },
        target.invite,
        ++call.transferAttempts,
      ),
      dialog,
      provisional: true,
      final: 200,
      finalResponse: target.finalResponse,
    };
    call.outbound.push(moved);
    call.transfers.set(call.transferAttempts, options);
    const { callId, localTag, remoteTag } = dialog.id;
    this.#dialogs.set(dialogKey(callId, localTag, remoteTag), { call, leg: moved });
    if (this.#allowsUpdate.has(target)) this.#allowsUpdate.add(moved);
    const from = this.#sdpFrom.get(target);
    if (from) this.#sdpFrom.set(moved, from);
    if (session) this.#timerOf(call, moved).refreshed(session);
    this.#takeOver(call, moved);
    return true;
  }

  /** The call and leg of a dialog the core holds, by Call-ID and tags in either order. */
  findDialog(callId: string, tag1: string, tag2: string): { call: Call; leg: Leg } | undefined {
    return (
      this.#dialogs.get(dialogKey(callId, tag1, tag2)) ??
      this.#dialogs.get(dialogKey(callId, tag2, tag1))
    );
  }

  /** The operator's phone answered (or refused) the second line; its offer rings the colleague. */
  #consultLineResponse(call: Call, c: Consultation, line: OutboundLeg, res: SipResponse): void {
    if (
      !this.#settle(call, line, res, (status) => this.#consultLineFailed(call, c, line, status))
    ) {
      return;
    }
    if (call.consultation !== c || c.state !== ConsultState.Ringing || !res.body) {
      this.#sendAck(line, line.invite.cseq.seq);
      c.lineAcked = true;
      this.#release(line);
      if (call.consultation === c) this.#endConsultation(call, 'failed', 488);
      return;
    }
    line.answeredAt = Date.now();
    this.#legChanged(line);
    const ids = {
      callId: newCallId(),
      fromTag: newTag(),
      delayedOffer: true,
      from: c.options.consulter,
    };
    for (const target of c.targets) {
      const out = this.#buildOutboundInvite(call, target, {}, ids);
      out.set('Content-Type', res.get('Content-Type') ?? 'application/sdp');
      out.body = res.body;
      const leg = newLeg(target, out, c.attempt, 'target');
      this.#sentTo(leg, res.body);
      call.outbound.push(leg);
      this.#legChanged(leg);
      leg.tx = this.deps.transactions.sendRequest(out, leg.flow, {
        onResponse: (r) => this.#consultResponse(call, leg, r),
        onTimeout: () => this.#consultLegFailed(call, leg, 408),
        onTransportError: () => this.#consultLegFailed(call, leg, 503),
      });
    }
  }

  #consultLineFailed(call: Call, c: Consultation, line: OutboundLeg, status: number): void {
    if (line.failureReported) return;
    line.failureReported = true;
    line.final ??= status;
    line.finishedAt = Date.now();
    this.#legChanged(line);
    if (call.consultation === c) this.#endConsultation(call, 'failed', status);
  }

  /** The colleague's device answered the operator's offer (or failed). */
  #consultResponse(call: Call, leg: OutboundLeg, res: SipResponse): void {
    const c = call.consultation;
    // Completed while ringing (semi-attended): from now on an ordinary transfer attempt.
    if (!c || c.attempt !== leg.transfer) {
      this.#transferResponse(call, leg, res);
      return;
    }
    if (!this.#settle(call, leg, res, (status) => this.#consultLegFailed(call, leg, status))) {
      return;
    }
    this.#sendAck(leg, leg.invite.cseq.seq);
    const line = c.operator;
    if (c.state !== ConsultState.Ringing || leg.cancelled || !res.body || !line?.dialog) {
      leg.finishedAt = Date.now();
      this.#sendInDialog(leg, 'BYE');
      this.#forgetDialog(leg);
      this.#legChanged(leg);
      return;
    }
    // The operator's line gets the colleague's answer in the ACK it has been waiting for.
    this.#sendAck(line, line.invite.cseq.seq, res);
    c.lineAcked = true;
    c.target = leg;
    leg.answeredAt = Date.now();
    this.#legChanged(leg);
    this.cancelLegs(call, (l) => l.transfer === c.attempt && l.consult === 'target' && l !== leg);
    c.moveTo(ConsultState.Talking);
    if (c.timer) clearTimeout(c.timer);
    c.options.onTalking?.(leg);
  }

  #consultLegFailed(call: Call, leg: OutboundLeg, status: number): void {
    const c = call.consultation;
    if (!c || c.attempt !== leg.transfer) {
      this.#transferLegFailed(call, leg, status);
      return;
    }
    if (leg.failureReported) return;
    leg.failureReported = true;
    leg.finishedAt = Date.now();
    leg.final ??= status;
    this.#legChanged(leg);
    if (c.state !== ConsultState.Ringing) return;
    const tried = call.outbound.filter((l) => l.transfer === c.attempt && l.consult === 'target');
    if (tried.some((l) => l.final === undefined && !l.failureReported)) return;
    this.#endConsultation(call, 'failed', bestFailure(tried).status);
  }

  /** Ends the consultation without a transfer: its legs go, the caller comes off hold. */
  #endConsultation(call: Call, why: 'failed' | 'cancelled' | 'hung_up', status?: number): void {
    const c = call.consultation;
    if (!c) return;
    call.consultation = undefined;
    c.moveTo(ConsultState.Ended);
    this.#dropLine(call, c);
    this.#release(c.target);
    if (c.talkingTo === 'target' && call.state === CallState.Active) this.#offerCaller(call, false);
    c.options.onEnded(why, status);
  }

  /**
   * Lets the operator's second line and any still-ringing colleague device go. A line whose
   * 200 is still waiting for the colleague's answer is ACKed first (without one), then BYEd.
   */
  #dropLine(call: Call, c: Consultation, keepTargets = false): void {
    if (c.timer) clearTimeout(c.timer);
    this.cancelLegs(call, (l) => l.transfer === c.attempt && (l === c.operator || !keepTargets));
    const line = c.operator;
    if (line?.dialog && !c.lineAcked) {
      this.#sendAck(line, line.invite.cseq.seq);
      c.lineAcked = true;
    }
    this.#release(line);
  }

  /** Lets a connected outbound leg go: BYE, forgotten, marked released. */
  #release(leg: OutboundLeg | undefined): void {
    if (!leg?.dialog || leg.releasedAt !== undefined) return;
    leg.releasedAt = Date.now();
    this.#legChanged(leg);
    this.#sendInDialog(leg, 'BYE');
    this.#forgetDialog(leg);
  }

  /**
   * Makes an already connected party the caller's new party: re-INVITE it without SDP so it
   * offers, then re-point the caller with that offer (ADR 0005).
   */
  #takeOver(call: Call, leg: OutboundLeg): void {
    const dialog = leg.dialog;
    if (!dialog) return;
    const reinvite = dialog.createRequest('INVITE');
    reinvite.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    reinvite.set('Contact', this.deps.contact(leg.flow));
    this.#withSession(leg, reinvite);
    // Tell the new party whom it talks to now (RFC 3325 identity of the caller).
    const { caller } = call;
    const name = caller.displayName ? `${quoteDisplayName(caller.displayName)} ` : '';
    reinvite.set(
      'P-Asserted-Identity',
      `${name}<sip:${sipUserPart(caller.number)}@${caller.domain}>`,
    );
    const giveUp = (why: string) => {
      this.#sendInDialog(leg, 'BYE');
      this.#sendInDialog(call.inbound, 'BYE');
      this.#end(call, why, 'core');
    };
    this.deps.transactions.sendRequest(reinvite, leg.flow, {
      onResponse: (res) => {
        if (res.status < 200) return;
        if (res.status >= 300 || !res.body || call.state !== CallState.Transferring) {
          if (res.status < 300) this.#sendAck(leg, reinvite.cseq.seq);
          giveUp(`new party refused the transfer re-INVITE (${res.status})`);
          return;
        }
        call.winner = leg;
        this.#sessionAnswered(leg, res);
        this.#repoint(call, leg, res, reinvite.cseq.seq);
      },
      onTimeout: () => giveUp('new party did not answer the transfer re-INVITE'),
      onTransportError: () => giveUp('new party gone during transfer'),
    });
  }

  /**
   * Holds (inactive) or resumes the caller and the operator's first line together, each
   * re-offered what it last had from the core: neither sends, so the caller hears nothing of
   * the consultation and the operator's phone shows the line on hold.
   */
  #offerCaller(call: Call, hold: boolean): void {
    this.#holdPair(call, [call.inbound, call.winner], hold);
  }

  #holdPair(call: Call, legs: ReadonlyArray<Leg | undefined>, hold: boolean): void {
    for (const leg of legs) {
      const sdp = leg === call.inbound ? call.lastSdpToCaller : leg && this.#sdpTo.get(leg);
      if (!leg?.dialog || !sdp) continue;
      const last = this.#sdpVersions.get(leg);
      this.#offer(leg, hold ? inactiveSdp(sdp, last) : resumedSdp(sdp, last));
    }
  }

  /**
   * A re-INVITE from the core with `sdp`, answered by ACK; its answer stays here (the far
   * side's description does not change on hold). One at a time per leg, in order.
   */
  #offer(leg: Leg, sdp: string): void {
    this.#versionSent(leg, sdp);
    const previous = this.#reinvites.get(leg) ?? Promise.resolve();
    const next = previous.then(
      () =>
        new Promise<void>((resolve) => {
          const dialog = leg.dialog;
          if (!dialog || leg.flow.closed) {
            resolve();
            return;
          }
          const req = dialog.createRequest('INVITE', {
            body: sdp,
            headers: { 'Content-Type': 'application/sdp' },
          });
          req.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
          req.set('Contact', this.deps.contact(leg.flow));
          this.#withSession(leg, req);
          this.deps.transactions.sendRequest(req, leg.flow, {
            onResponse: (res) => {
              if (res.status < 200) return;
              if (res.status < 300) this.#sessionAnswered(leg, res);
              if (res.status < 300) this.#sendAck(leg, req.cseq.seq);
              resolve();
            },
            onTimeout: () => resolve(),
            onTransportError: () => resolve(),
          });
        }),
    );
    this.#reinvites.set(leg, next);
  }

  /** `sdp` went to `leg` as its new description from the core (kept for resuming later). */
  #sentTo(leg: Leg, sdp: string): void {
    this.#sdpTo.set(leg, sdp);
    this.#lastSent.set(leg, sdp);
  }

  #versionSent(leg: Leg, sdp: string): void {
    this.#lastSent.set(leg, sdp);
    const version = sdpVersion(sdp);
    const last = this.#sdpVersions.get(leg);
    if (version !== undefined && (last === undefined || version > last))
      this.#sdpVersions.set(leg, version);
  }

  /**
   * A response on an outbound leg the core drives itself (transfer, consultation): a
   * provisional marks it (and lets a waiting CANCEL go), a failure goes to `failed`, a 2xx gets
   * its dialog. Returns true for a 2xx.
   */
  #settle(
    call: Call,
    leg: OutboundLeg,
    res: SipResponse,
    failed: (status: number) => void,
  ): boolean {
    if (this.#retransmitted2xx(leg, res)) return false;
    if (res.status < 200) {
      if (res.status > 100) leg.provisional = true;
      if (leg.cancelled && leg.provisional) this.#sendCancel(leg);
      return false;
    }
    leg.final = res.status;
    leg.finalResponse = res;
    if (res.status >= 300) {
      failed(res.status);
      return false;
    }
    const dialog = Dialog.uac(leg.invite, res);
    leg.dialog = dialog;
    this.#dialogs.set(dialogKey(dialog.id.callId, dialog.id.localTag, dialog.id.remoteTag), {
      call,
      leg,
    });
    this.#legConnected(call, leg, res);
    return true;
  }

  #transferResponse(call: Call, leg: OutboundLeg, res: SipResponse): void {
    if (!this.#settle(call, leg, res, (status) => this.#transferLegFailed(call, leg, status))) {
      return;
    }
    const inbound = call.inbound.dialog;
    const options = leg.transfer !== undefined ? call.transfers.get(leg.transfer) : undefined;
    if (
      call.state !== CallState.Transferring ||
      call.winner ||
      leg.cancelled ||
      !inbound ||
      !res.body ||
      options?.accept?.(leg) === false
    ) {
      // Too late, withdrawn, or refused (a lost race): confirm and hang up at once.
      leg.cancelled = true;
      leg.finishedAt = Date.now();
      this.#legChanged(leg);
      this.#sendAck(leg, leg.invite.cseq.seq);
      this.#sendInDialog(leg, 'BYE');
      this.#forgetDialog(leg);
      return;
    }
    call.winner = leg;
    this.cancelLegs(call, (l) => l.transfer === leg.transfer && l !== leg);
    if (leg.invite.body) {
      // It answered the operator's offer (a consultation completed while it rang): confirm,
      // then let it offer to the caller.
      this.#sendAck(leg, leg.invite.cseq.seq);
      this.#takeOver(call, leg);
      return;
    }
    this.#repoint(call, leg, res, leg.invite.cseq.seq);
  }

  /**
   * Re-points the caller to `leg` (ADR 0005): re-INVITE with the new party's offer (from its
   * 200 to the INVITE with CSeq `ackCseq`), unchanged; the caller's answer goes to the new
   * party in the ACK. Ends the transfer (Active again) or, if the caller refuses, the call.
   */
  #repoint(call: Call, leg: OutboundLeg, offer: SipResponse, ackCseq: number): void {
    const inbound = call.inbound.dialog;
    const options = leg.transfer !== undefined ? call.transfers.get(leg.transfer) : undefined;
    if (!inbound) return;
    call.lastSdpToCaller = offer.body;
    this.#lastSent.set(call.inbound, offer.body);
    const reinvite = inbound.createRequest('INVITE', {
      body: offer.body,
      headers: { 'Content-Type': offer.get('Content-Type') ?? 'application/sdp' },
    });
    this.#versionSent(call.inbound, offer.body);
    reinvite.prepend('Via', `${this.deps.via(call.inbound.flow)};branch=${newBranch()}`);
    reinvite.set('Contact', this.deps.contact(call.inbound.flow));
    this.#withSession(call.inbound, reinvite);
    const giveUp = (why: string) => {
      this.#sendAck(leg, ackCseq);
      this.#sendInDialog(leg, 'BYE');
      this.#sendInDialog(call.inbound, 'BYE');
      this.#end(call, why, 'core');
    };
    this.deps.transactions.sendRequest(reinvite, call.inbound.flow, {
      onResponse: (answer) => {
        if (answer.status < 200) return;
        if (answer.status >= 300 || !answer.body) {
          giveUp(`caller refused the transfer (${answer.status})`);
          return;
        }
        this.#sessionAnswered(call.inbound, answer);
        const ack = inbound.createAck(reinvite.cseq.seq);
        ack.prepend('Via', `${this.deps.via(call.inbound.flow)};branch=${newBranch()}`);
        if (!call.inbound.flow.closed) call.inbound.flow.send(ack.toString());
        this.#sendAck(leg, ackCseq, answer);
        if (call.state !== CallState.Transferring) return;
        call.moveTo(CallState.Active);
        if (leg.transfer !== undefined) call.transfers.delete(leg.transfer);
        call.answeredAt ??= Date.now();
        leg.answeredAt ??= Date.now();
        this.#legChanged(leg);
        this.#log.info('transferred', { call: call.id, to: leg.user.username });
        options?.onConnected?.(leg);
      },
      onTimeout: () => giveUp('caller did not answer the transfer re-INVITE'),
      onTransportError: () => giveUp('caller gone during transfer'),
    });
  }

  #transferLegFailed(call: Call, leg: OutboundLeg, status: number): void {
    if (leg.failureReported) return;
    leg.failureReported = true;
    leg.finishedAt = Date.now();
    this.#legChanged(leg);
    leg.final ??= status;
    if (leg.transfer !== undefined) call.transfers.get(leg.transfer)?.legFailed?.(leg, status);
    if (call.state !== CallState.Transferring || call.winner) return;
    const tried = call.outbound.filter((l) => l.transfer === leg.transfer);
    if (tried.some((l) => l.final === undefined && !l.failureReported)) return;
    const options = leg.transfer !== undefined ? call.transfers.get(leg.transfer) : undefined;
    if (leg.transfer !== undefined) call.transfers.delete(leg.transfer);
    options?.onFailed(bestFailure(tried).status);
  }

  /**
   * Stops every timer of a call not yet answered (its ring timeout): a direct call handed over to
   * a queue or answer group waits as long as they say.
   */
  clearTimers(call: Call): void {
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
  }

  setTimer(call: Call, ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      call.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    call.timers.add(timer);
    return timer;
  }

  // ── requests from the network ──────────────────────────────────────────────

  /** CANCEL matched to an INVITE server transaction by the transaction layer. */
  cancel(
    cancel: SipRequest,
    cancelTx: ServerTransaction,
    inviteTx: ServerTransaction | undefined,
  ): void {
    const call = inviteTx ? this.#byInviteTx.get(inviteTx) : undefined;
    if (!call || !inviteTx) {
      cancelTx.respond(createResponse(cancel, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    cancelTx.respond(createResponse(cancel, 200));
    if (call.state === CallState.Routing || call.state === CallState.Ringing) {
      this.#respondInbound(call, 487, 'Request Terminated');
      this.cancelLegs(call, () => true);
      call.policy.abandoned?.(call);
      this.#end(call, 'cancelled', 'caller');
    }
  }

  /** An in-dialog request (To tag present). */
  inDialog(req: SipRequest, tx: ServerTransaction | undefined, flow: Flow): void {
    const key = dialogKey(req.callId, req.to.tag ?? '', req.from.tag ?? '');
    const entry = this.#dialogs.get(key);
    if (!entry) {
      const early = this.#early.get(key);
      if (tx && ((early && early.inbound.flow === flow) || this.#ringingLeg(req, flow))) {
        this.#inEarlyDialog(req, tx);
        return;
      }
      if (req.method !== 'ACK' && tx) {
        tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      }
      return;
    }
    const { call, leg } = entry;
    if (leg.flow !== flow && !this.#reattach(call, leg, flow)) {
      // Requests for a leg must come down the flow it lives on (the browser's WebSocket), or
      // from the same phone registered again on a new one (#reattach).
      if (tx) tx.respond(createResponse(req, 403, 'Forbidden'));
      return;
    }
    const dialog = leg.dialog;
    if (!dialog) return;
    if (req.method === 'ACK') {
      this.#ack(call, leg, req);
      return;
    }
    if (!tx) return;
    if (!dialog.receiveRequest(req)) {
      tx.respond(createResponse(req, 500, 'Out of Order CSeq'));
      return;
    }
    if (req.method === 'BYE') {
      tx.respond(createResponse(req, 200));
      const c = call.consultation;
      if (c && (leg === c.target || leg === c.operator)) {
        // One side of the consultation hung up: the other goes too, the caller comes back.
        leg.releasedAt = Date.now();
        this.#legChanged(leg);
        this.#forgetDialog(leg);
        this.#endConsultation(call, 'hung_up');
        return;
      }
      const other = this.#otherLeg(call, leg);
      if (other?.dialog) this.#sendInDialog(other, 'BYE');
      this.#end(
        call,
        leg.kind === 'in' ? 'caller hung up' : 'callee hung up',
        leg.kind === 'in' ? 'caller' : 'callee',
      );
      return;
    }
    if (req.method === 'REFER') {
      if (this.deps.onRefer) this.deps.onRefer(call, leg, req, tx);
      else tx.respond(createResponse(req, 501, 'Not Implemented'));
      return;
    }
    if (req.method === 'PRACK') {
      // The core never sends a reliable provisional (RFC 3262 §3): nothing to acknowledge.
      tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    if ((req.method === 'INVITE' || req.method === 'UPDATE') && this.#isRefresh(leg, req)) {
      this.#answerRefresh(call, leg, req, tx);
      return;
    }
    this.#forward(call, leg, req, tx);
  }

  /**
   * RFC 4028 §7.4: the callee refused the core's session interval as too small (422). The
   * INVITE goes again with the callee's Min-SE as interval (new branch, next CSeq), once per
   * larger value; the caller and the policy never hear of the first try.
   */
  #retryWithMinSE(call: Call, leg: OutboundLeg, res: SipResponse): boolean {
    const minSE = parseMinSE(res.get('Min-SE'));
    const asked = parseSessionExpires(leg.invite.get('Session-Expires'))?.delta ?? 0;
    if (leg.cancelled || call.winner || call.state === CallState.Ended) return false;
    if (minSE === undefined || minSE <= asked || minSE > 86_400 || leg.flow.closed) return false;
    const retry = parseMessage(leg.invite.toString());
    if (retry.type !== 'request') return false;
    retry.removeFirst('Via');
    retry.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    retry.set('CSeq', `${leg.invite.cseq.seq + 1} INVITE`);
    retry.set('Session-Expires', String(minSE));
    retry.set('Min-SE', String(minSE));
    leg.invite = retry;
    leg.provisional = false;
    leg.tx = this.deps.transactions.sendRequest(retry, leg.flow, {
      onResponse: (r) => this.#outboundResponse(call, leg, r),
      onTimeout: () => this.#outboundFailed(call, leg, 408),
      onTransportError: () => this.#outboundFailed(call, leg, 503),
    });
    return true;
  }

  /** The outbound leg still ringing whose early dialog `req` (from the callee) belongs to. */
  #ringingLeg(req: SipRequest, flow: Flow): OutboundLeg | undefined {
    for (const call of this.#calls.values()) {
      for (const leg of call.outbound) {
        if (
          leg.flow === flow &&
          leg.final === undefined &&
          leg.invite.callId === req.callId &&
          leg.invite.from.tag === req.to.tag
        ) {
          return leg;
        }
      }
    }
    return undefined;
  }

  /**
   * A request in an early dialog (the caller's before its 200, or a ringing callee's). PRACK:
   * 481, no reliable provisional was sent. UPDATE with an offer: the INVITE's offer is unanswered
   * (unreliable provisionals carry no answer), so RFC 3311 §5.2 says 500 with Retry-After; an
   * UPDATE without one is answered. Anything else waits for the dialog to be confirmed.
   */
  #inEarlyDialog(req: SipRequest, tx: ServerTransaction): void {
    if (req.method === 'UPDATE' && !req.body) {
      tx.respond(createResponse(req, 200, 'OK'));
      return;
    }
    if (req.method === 'UPDATE') {
      const res = createResponse(req, 500, 'Server Internal Error');
      res.set('Retry-After', String(1 + Math.floor(Math.random() * 10)));
      tx.respond(res);
      return;
    }
    tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
  }

  // ── session timers (RFC 4028), one per leg ────────────────────────────────────

  /** The session timer of a leg, made on first use (its expiry ends the call). */
  #timerOf(call: Call, leg: Leg): SessionTimer {
    let timer = this.#sessionTimers.get(leg);
    if (!timer) {
      timer = new SessionTimer(this.#scheduler, {
        refresh: () => this.#sendRefresh(call, leg),
        expired: () => this.#sessionEnded(call, leg, 'session timer expired'),
      });
      this.#sessionTimers.set(leg, timer);
    }
    return timer;
  }

  /** An outbound leg got its 2xx: its session timer as the callee answered (§7.2). */
  #legConnected(call: Call, leg: OutboundLeg, res: SipResponse): void {
    if (res.body) this.#sdpFrom.set(leg, res.body);
    if (listedTokens(res, 'Allow').has('update')) this.#allowsUpdate.add(leg);
    const session = decideAsUac(res, undefined);
    if (session) this.#timerOf(call, leg).refreshed(session);
  }

  /** A re-INVITE the core sends on a leg with a session timer refreshes that session too. */
  #withSession(leg: Leg, req: SipRequest): void {
    const session = this.#sessionTimers.get(leg)?.session;
    if (!session) return;
    for (const [k, v] of Object.entries(uacHeaders(session))) req.set(k, v);
    req.set('Supported', 'timer');
  }

  /** The 2xx to such a re-INVITE: the leg's session runs anew as the peer answered (§7.2). */
  #sessionAnswered(leg: Leg, res: SipResponse): void {
    if (res.body) this.#sdpFrom.set(leg, res.body);
    const timer = this.#sessionTimers.get(leg);
    if (timer?.session) timer.refreshed(decideAsUac(res, timer.session));
  }

  /** The last session description the core sent a leg (what it currently has from the core). */
  #sdpToLeg(call: Call, leg: Leg): string | undefined {
    return this.#lastSent.get(leg) ?? (leg.kind === 'in' ? call.lastSdpToCaller : undefined);
  }

  /**
   * A re-INVITE or UPDATE that changes nothing: no body (a re-INVITE then asks for the core's
   * offer) or the very description the leg sent last time (RFC 3264 §8).
   * Such a request only refreshes its own leg's session (RFC 4028): the other leg never hears.
   */
  #isRefresh(leg: Leg, req: SipRequest): boolean {
    if (!req.body) return true;
    const last = this.#sdpFrom.get(leg);
    if (last === undefined) return false;
    // Same text only: a changed description that forgot to raise its version still goes through.
    return normalizeSdp(last) === normalizeSdp(req.body);
  }

  /** Answers a session refresh locally with the leg's current description (or none). */
  #answerRefresh(call: Call, leg: Leg, req: SipRequest, tx: ServerTransaction): void {
    const sdp = this.#sdpToLeg(call, leg);
    const pending = call.pendingInvite ?? call.pendingUpdate;
    const offers = req.method === 'INVITE' || req.body !== '';
    if (offers && pending && (pending.to === leg || pending.from === leg)) {
      tx.respond(createResponse(req, 491, 'Request Pending'));
      return;
    }
    if ((req.method === 'INVITE' || req.body) && !sdp) {
      // Nothing to offer or answer with: let the other side answer it.
      this.#forward(call, leg, req, tx);
      return;
    }
    const timer = this.#timerOf(call, leg);
    const decision = decideAsUas(req, timer.session, this.#minSE);
    if (decision.kind === 'reject') {
      const res = createResponse(req, 422, 'Session Interval Too Small');
      res.set('Min-SE', String(decision.minSE));
      tx.respond(res);
      return;
    }
    const ok = createResponse(req, 200, 'OK');
    ok.set('Contact', this.deps.contact(leg.flow));
    ok.set('Allow', ALLOW);
    ok.set('Supported', OUT_SUPPORTED);
    const session = decision.kind === 'timer' ? decision.session : undefined;
    if (session) for (const [k, v] of Object.entries(uasHeaders(session))) ok.set(k, v);
    if (sdp && (req.method === 'INVITE' || req.body)) {
      ok.set('Content-Type', 'application/sdp');
      ok.body = sdp;
    }
    tx.respond(ok);
    timer.refreshed(session);
  }

  /** Half the interval passed and the core refreshes this leg: UPDATE, or re-INVITE (§7.4). */
  #sendRefresh(call: Call, leg: Leg): void {
    const timer = this.#sessionTimers.get(leg);
    const dialog = leg.dialog;
    if (!timer || !dialog || leg.flow.closed || call.state === CallState.Ended) return;
    const session = timer.session;
    const sdp = this.#sdpToLeg(call, leg);
    const useUpdate = this.#allowsUpdate.has(leg) || !sdp;
    if (!useUpdate && (call.pendingInvite || this.#refreshing.has(leg))) {
      timer.retryIn(2000); // a re-INVITE is in flight on this call: glare avoided (RFC 3261 §14.1)
      return;
    }
    const headers: Record<string, string> = { ...uacHeaders(session), Supported: 'timer' };
    if (!useUpdate && sdp) headers['Content-Type'] = 'application/sdp';
    const req = dialog.createRequest(
      useUpdate ? 'UPDATE' : 'INVITE',
      useUpdate || !sdp ? { headers } : { headers, body: sdp },
    );
    req.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    req.set('Contact', this.deps.contact(leg.flow));
    this.#refreshing.add(leg);
    this.deps.transactions.sendRequest(req, leg.flow, {
      onResponse: (res) => {
        if (res.status < 200) return;
        this.#refreshing.delete(leg);
        if (res.status < 300) {
          if (req.method === 'INVITE') this.#sendAck(leg, req.cseq.seq);
          if (res.body) this.#sdpFrom.set(leg, res.body);
          timer.refreshed(decideAsUac(res, session));
        } else if (res.status === 408 || res.status === 481) {
          this.#sessionEnded(call, leg, `session refresh failed (${res.status})`); // §10
        } else if (res.status === 491) {
          timer.retryIn(2000);
        } else {
          // Refused for another reason: try again later; the expiry still bounds the session.
          timer.retryIn(((session?.interval ?? 90) * 1000) / 8);
        }
      },
      onTimeout: () => {
        this.#refreshing.delete(leg);
        this.#sessionEnded(call, leg, 'session refresh timed out');
      },
      onTransportError: () => {
        this.#refreshing.delete(leg);
        this.#sessionEnded(call, leg, 'session refresh failed (transport)');
      },
    });
  }

  /**
   * A leg's session is over without a BYE (§10: it expired, or its refresh got 408/481 or no
   * answer). The call's two parties get BYE and the call ends with `reason`; a consultation leg
   * ends only the consultation.
   */
  #sessionEnded(call: Call, leg: Leg, reason: string): void {
    if (call.state === CallState.Ended) return;
    this.#log.info('session ended without BYE', { call: call.id, reason });
    const c = call.consultation;
    if (leg.kind === 'out' && c && (leg === c.target || leg === c.operator)) {
      this.#release(leg);
      this.#endConsultation(call, 'hung_up');
      return;
    }
    if (leg.kind === 'out' && leg !== call.winner) {
      this.#release(leg);
      return;
    }
    const why = `SIP;cause=408;text="${reason}"`;
    if (call.inbound.dialog) this.#sendInDialog(call.inbound, 'BYE', { Reason: why });
    if (call.winner?.dialog) this.#sendInDialog(call.winner, 'BYE', { Reason: why });
    this.#end(call, reason, 'core');
  }

  /**
   * Sends a text message (SIP MESSAGE, RFC 3428, `text/plain`) from the core to one device of
   * `to`, shown as from `from`. Resolves with the device's final status (408 on no answer).
   */
  sendMessage(binding: Binding, from: Callee, to: Callee, text: string): Promise<number> {
    const req = new SipRequest('MESSAGE', binding.contactUri);
    req.set('Via', `${this.deps.via(binding.flow)};branch=${newBranch()}`);
    req.set('Max-Forwards', '70');
    req.set(
      'From',
      `${quoteDisplayName(from.displayName)} <sip:${sipUserPart(from.extension)}@${from.domain}>;tag=${newTag()}`,
    );
    req.set('To', `${quoteDisplayName(to.displayName)} <sip:${to.username}@${to.domain}>`);
    req.set('Call-ID', newCallId());
    req.set('CSeq', '1 MESSAGE');
    req.set('Content-Type', 'text/plain;charset=UTF-8');
    req.body = text;
    return new Promise((resolve) => {
      this.deps.transactions.sendRequest(req, binding.flow, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res.status);
        },
        onTimeout: () => resolve(408),
        onTransportError: () => resolve(503),
      });
    });
  }

  /**
   * Reports the progress of a REFER to the leg that sent it (RFC 3515 §2.4.4): a NOTIFY with
   * a `message/sipfrag` status line; `terminated` ends the implicit subscription.
   */
  notifyRefer(leg: Leg, statusLine: string, terminated: boolean): void {
    if (!leg.dialog || leg.flow.closed) return;
    const notify = leg.dialog.createRequest('NOTIFY', {
      body: `${statusLine}\r\n`,
      headers: {
        Event: 'refer',
        'Subscription-State': terminated ? 'terminated;reason=noresource' : 'active;expires=60',
        'Content-Type': 'message/sipfrag;version=2.0',
      },
    });
    notify.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    notify.set('Contact', this.deps.contact(leg.flow));
    this.deps.transactions.sendRequest(notify, leg.flow, {
      onResponse: () => undefined,
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
  }

  /** The transport flow closed (browser tab gone, network lost). */
  flowClosed(flow: Flow): void {
    for (const call of [...this.#calls.values()]) {
      if (call.inbound.flow === flow) {
        if (this.#awaitReconnect(call, call.inbound)) continue;
        if (call.winner) {
          if (call.winner.dialog) this.#sendInDialog(call.winner, 'BYE');
          this.#end(call, 'caller disconnected', 'caller');
        } else {
          this.cancelLegs(call, () => true);
          call.policy.abandoned?.(call);
          this.#end(call, 'caller disconnected', 'caller');
        }
        continue;
      }
      for (const leg of call.outbound) {
        if (leg.flow !== flow) continue;
        const c = call.consultation;
        if (c && (leg === c.target || leg === c.operator)) {
          if (leg.dialog) {
            leg.releasedAt = Date.now();
            this.#forgetDialog(leg);
          }
          this.#endConsultation(call, 'hung_up');
          continue;
        }
        if (leg === call.winner) {
          if (this.#awaitReconnect(call, leg)) continue;
          if (call.inbound.dialog) this.#sendInDialog(call.inbound, 'BYE');
          else this.#respondInbound(call, 480, 'Temporarily Unavailable');
          this.#end(call, 'callee disconnected', 'callee');
        } else if (leg.final === undefined) {
          if (leg.transfer !== undefined) this.#consultLegFailed(call, leg, 503);
          else this.#outboundFailed(call, leg, 503);
        }
      }
    }
  }

  // ── reconnect grace (ADR 0010) ───────────────────────────────────────────────
  //
  // A browser's WebSocket may drop mid-call (Wi-Fi change, laptop lid, proxy restart). Its
  // media is peer to peer and may well survive, so a connected call is not ended at once: the
  // leg is "detached" and the call waits `reconnectGraceS`. The same phone is recognised on its
  // new WebSocket by a live binding of the leg's user, REGISTERed (digest-authenticated) on that
  // flow, with the leg's Contact (or +sip.instance): SIP.js keeps its Contact across reconnects.
  // The leg is re-attached when such a binding is seen — on an in-dialog request arriving on the
  // new flow (the ICE-restart re-INVITE, relayed as any re-INVITE) or when the core has something
  // to send to the leg. Meanwhile requests for the leg fail softly (503) and the other party
  // stays connected. A request from any other flow (another user, another device) still gets 403.

  /** Keeps a connected call whose `leg` lost its WebSocket; false when it must end now. */
  #awaitReconnect(call: Call, leg: Leg): boolean {
    if (this.#reconnectGraceMs <= 0 || this.#detached.has(leg)) return this.#detached.has(leg);
    // Only a plain connected call: ringing, transfers and consultations end as before.
    if (call.state !== CallState.Active || call.consultation) return false;
    if (!call.winner?.dialog || !call.inbound.dialog) return false;
    if (!this.#phoneOf(call, leg)) return false;
    const timer = this.#scheduler.setTimeout(() => {
      if (this.#detached.get(leg)?.timer !== timer) return;
      this.#detached.delete(leg);
      this.#log.info('phone did not come back; ending the call', { call: call.id, leg: leg.kind });
      const other = this.#otherLeg(call, leg);
      if (other?.dialog) this.#sendInDialog(other, 'BYE');
      if (leg.kind === 'in') this.#end(call, 'caller disconnected', 'caller');
      else this.#end(call, 'callee disconnected', 'callee');
    }, this.#reconnectGraceMs);
    this.#detached.set(leg, { call, timer });
    this.#log.info('phone connection lost mid-call; waiting for it', {
      call: call.id,
      leg: leg.kind,
      graceMs: this.#reconnectGraceMs,
    });
    return true;
  }

  /**
   * Moves `leg` to the flow its phone is registered on now (`flow` when given: the one a
   * request came down). True when the leg lives there afterwards.
   */
  #reattach(call: Call, leg: Leg, flow?: Flow): boolean {
    const phone = this.#phoneOf(call, leg);
    if (!phone) return false;
    const binding = this.deps
      .lookup(phone.aor)
      .filter(
        (b) =>
          !b.flow.closed &&
          (flow === undefined || b.flow === flow) &&
          (phone.instanceId !== undefined
            ? b.instanceId === phone.instanceId
            : sameContact(b.contactUri, phone.contactUri)),
      )
      .at(-1);
    if (!binding) return false;
    if (binding.flow === leg.flow) return true;
    this.#forgetDetached(leg);
    leg.flow = binding.flow;
    this.#log.info('phone came back; call re-attached to its new connection', {
      call: call.id,
      leg: leg.kind,
      flow: binding.flow.id,
    });
    return true;
  }

  /** The registered phone behind a leg (AOR and Contact), for users only. */
  #phoneOf(
    call: Call,
    leg: Leg,
  ): { aor: string; contactUri: string; instanceId: string | undefined } | undefined {
    if (leg.kind === 'out') {
      const { aor, contactUri, instanceId } = leg.binding;
      return { aor, contactUri, instanceId };
    }
    const { caller } = call;
    const contact = leg.invite.get('Contact');
    if (caller.kind !== 'user' || !caller.username || !contact) return undefined;
    try {
      const parsed = parseNameAddr(contact);
      const instance = parsed.params.get('+sip.instance') ?? undefined;
      return {
        aor: `${caller.username}@${caller.domain}`.toLowerCase(),
        contactUri: parsed.uri.toString(),
        instanceId: instance?.replace(/^"|"$/g, ''),
      };
    } catch {
      return undefined;
    }
  }

  #forgetDetached(leg: Leg): void {
    const detached = this.#detached.get(leg);
    if (!detached) return;
    this.#scheduler.clearTimeout(detached.timer);
    this.#detached.delete(leg);
  }

  /** Ends every call (shutdown). */
  close(): void {
    for (const call of [...this.#calls.values()]) this.hangup(call, 'shutdown');
  }

  // ── outbound leg ────────────────────────────────────────────────────────────

  #buildOutboundInvite(
    call: Call,
    target: RingTarget,
    options: RingOptions,
    leg: { callId: string; fromTag: string; delayedOffer: boolean; from?: Callee } = {
      callId: call.outCallId,
      fromTag: call.outFromTag,
      delayedOffer: false,
    },
  ): SipRequest {
    const { caller } = call;
    const original = call.inbound.invite;
    const req = new SipRequest('INVITE', target.binding.contactUri);
    req.set('Via', `${this.deps.via(target.binding.flow)};branch=${newBranch()}`);
    req.set('Max-Forwards', String(Math.max(0, (original.maxForwards ?? 70) - 1)));
    // Caller ID: the authenticated user, or the outside caller's number (its name untrusted).
    // (A consultation shows the operator who consults, or the colleague on the second line.)
    const callerUri = leg.from
      ? `sip:${sipUserPart(leg.from.extension)}@${leg.from.domain}`
      : `sip:${sipUserPart(caller.number)}@${caller.domain}`;
    const shownName = leg.from ? leg.from.displayName : caller.displayName;
    const name = shownName ? `${quoteDisplayName(shownName)} ` : '';
    req.set('From', `${name}<${callerUri}>;tag=${leg.fromTag}`);
    req.set(
      'To',
      `${quoteDisplayName(target.user.displayName)} <sip:${target.user.username}@${target.user.domain}>`,
    );
    req.set('Call-ID', leg.callId);
    req.set('CSeq', '1 INVITE');
    req.set('Contact', this.deps.contact(target.binding.flow));
    req.set('P-Asserted-Identity', `${name}<${callerUri}>`);
    req.set('Allow', ALLOW);
    req.set('Supported', OUT_SUPPORTED);
    // Each leg is a session of its own (RFC 4028 §7.1): the callee may pick the refresher.
    for (const [k, v] of Object.entries(uacHeaders(undefined))) req.set(k, v);
    if (options.autoAnswer) {
      req.set('Call-Info', `<sip:${caller.domain}>;answer-after=0`);
      req.set('Answer-Mode', 'Auto');
    }
    for (const [k, v] of Object.entries(options.headers ?? {})) req.set(k, v);
    if (leg.delayedOffer) return req; // the callee offers in its 200 (ADR 0005)
    const contentType = original.get('Content-Type');
    if (contentType) req.set('Content-Type', contentType);
    req.body = original.body;
    return req;
  }

  #outboundResponse(call: Call, leg: OutboundLeg, res: SipResponse): void {
    if (this.#retransmitted2xx(leg, res)) return;
    if (res.status < 200) {
      if (res.status === 100) return;
      leg.provisional = true;
      if (leg.cancelled) {
        // A CANCEL was waiting for the first provisional (RFC 3261 §9.1).
        this.#sendCancel(leg);
        return;
      }
      if (call.state === CallState.Routing) call.moveTo(CallState.Ringing);
      if (call.state !== CallState.Ringing) return;
      const prov = createResponse(call.inbound.invite, res.status === 183 ? 183 : 180, undefined, {
        toTag: call.inbound.localTag,
      });
      prov.set('Contact', this.deps.contact(call.inbound.flow));
      if (res.body && res.get('Content-Type') && call.attributes.get('earlyMedia') !== false) {
        prov.set('Content-Type', res.get('Content-Type') ?? 'application/sdp');
        prov.body = res.body;
      }
      call.inbound.tx.respond(prov);
      return;
    }

    if (res.status === 422 && this.#retryWithMinSE(call, leg, res)) return;
    leg.final = res.status;
    leg.finalResponse = res;
    if (res.status === 422) {
      // The callee's interval quarrel is not the caller's (its own interval was accepted).
      this.#outboundFailed(call, leg, 500);
      return;
    }
    if (res.status >= 300) {
      this.#outboundFailed(call, leg, res.status, res);
      return;
    }
    const dialog = Dialog.uac(leg.invite, res);
    leg.dialog = dialog;
    this.#dialogs.set(dialogKey(dialog.id.callId, dialog.id.localTag, dialog.id.remoteTag), {
      call,
      leg,
    });
    if (
      call.winner ||
      call.state === CallState.Ended ||
      leg.cancelled ||
      !call.policy.answered(call, leg)
    ) {
      // Another device won, the caller left, or the policy refused (a lost race): confirm and
      // hang up this device at once.
      leg.finishedAt = Date.now();
      this.#legChanged(leg);
      this.#legChanged(leg);
      leg.cancelled = true; // answered too late: withdrawn like a cancelled ring
      this.#sendAck(leg, leg.invite.cseq.seq);
      this.#sendInDialog(leg, 'BYE');
      this.#forgetDialog(leg);
      return;
    }
    call.winner = leg;
    leg.answeredAt = Date.now();
    if (leg.invite.body) this.#sentTo(leg, leg.invite.body);
    this.#legChanged(leg);
    if (call.state === CallState.Routing) call.moveTo(CallState.Ringing);
    call.moveTo(CallState.Connecting);
    this.cancelLegs(call, (l) => l !== leg);
    this.#legConnected(call, leg, res);

    this.#answerCaller(call, res.get('Content-Type'), res.body);
    // If the caller never ACKs, give up on the call (RFC 3261 §13.3.1.4: 64*T1).
    this.setTimer(call, 32_000, () => {
      if (call.state !== CallState.Connecting) return;
      this.#sendInDialog(leg, 'BYE');
      this.#sendInDialog(call.inbound, 'BYE');
      this.#end(call, 'no ACK from caller', 'core');
    });
  }

  #outboundFailed(call: Call, leg: OutboundLeg, status: number, res?: SipResponse): void {
    if (leg.failureReported) return;
    leg.failureReported = true;
    leg.finishedAt = Date.now();
    this.#legChanged(leg);
    leg.final = status;
    if (res) leg.finalResponse = res;
    if (call.winner || call.state === CallState.Ended) return;
    call.policy.legFailed?.(call, leg, status);
    // The policy may have ended or re-routed the call.
    if ((call.state as CallState) === CallState.Ended || call.winner) return;
    if (status >= 600 && !leg.cancelled) {
      // A global failure stops the search (RFC 3261 §16.7).
      this.cancelLegs(call, () => true);
      call.policy.exhausted(call, status, res?.reason);
      return;
    }
    if (call.ringingLegs.length > 0 || call.outbound.some((l) => l.final === undefined)) return;
    const best = bestFailure(call.outbound);
    call.policy.exhausted(call, best.status, best.reason);
  }

  #sendCancel(leg: OutboundLeg): void {
    const cancel = createCancel(leg.invite);
    cancel.set('Reason', 'SIP;cause=200;text="Call completed elsewhere"');
    this.deps.transactions.sendRequest(cancel, leg.flow, {
      onResponse: () => undefined,
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
  }

  // ── inbound leg ─────────────────────────────────────────────────────────────

  #respondInbound(call: Call, status: number, reason?: string): void {
    const res = createResponse(call.inbound.invite, status, reason, {
      toTag: call.inbound.localTag,
    });
    call.inbound.tx.respond(res);
  }

  #ack(call: Call, leg: Leg, ack: SipRequest): void {
    if (ack.body) this.#sdpFrom.set(leg, ack.body);
    if (
      leg.kind === 'in' &&
      call.state === CallState.Connecting &&
      ack.cseq.seq === call.inbound.invite.cseq.seq
    ) {
      call.moveTo(CallState.Active);
      if (call.winner) this.#sendAck(call.winner, call.winner.invite.cseq.seq, ack);
      else call.moveTo(CallState.Transferring); // answered by answerWith(): held until picked
      return;
    }
    const pending = call.pendingInvite;
    if (
      pending &&
      pending.from === leg &&
      pending.answered &&
      ack.cseq.seq === pending.receivedCseq
    ) {
      call.pendingInvite = undefined;
      this.#sendAck(pending.to, pending.forwardedCseq, ack);
    }
  }

  // ── in-dialog forwarding (re-INVITE, UPDATE, INFO, MESSAGE, …) ────────────────

  #forward(call: Call, from: Leg, req: SipRequest, tx: ServerTransaction): void {
    const to = this.#otherLeg(call, from);
    // A leg waiting for its phone: it may have registered on a new WebSocket meanwhile. If not,
    // the request fails softly below (503 from the closed flow) and the call stays up.
    if (to && this.#detached.has(to)) this.#reattach(call, to);
    const offerOrRefresh = req.method === 'INVITE' || req.method === 'UPDATE';
    if (call.state === CallState.Transferring && !to) {
      // Nobody on the other side yet: hold off offers, accept the rest (e.g. DTMF).
      tx.respond(
        createResponse(req, offerOrRefresh ? 491 : 200, offerOrRefresh ? 'Request Pending' : 'OK'),
      );
      return;
    }
    if (!to?.dialog || call.state === CallState.Ended) {
      tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    // One offer at a time (RFC 3261 §14.1, RFC 3311 §5.2): glare gets 491.
    if (
      (req.method === 'INVITE' && (call.pendingInvite || call.pendingUpdate)) ||
      (req.method === 'UPDATE' && req.body && (call.pendingUpdate || call.pendingInvite))
    ) {
      tx.respond(createResponse(req, 491, 'Request Pending'));
      return;
    }
    // Session timers stay on their own leg: `from`'s interval is negotiated here (§9), `to`'s
    // by the core as UAC of the forwarded request (§7).
    const fromTimer = offerOrRefresh ? this.#timerOf(call, from) : undefined;
    const decision = fromTimer ? decideAsUas(req, fromTimer.session, this.#minSE) : undefined;
    if (decision?.kind === 'reject') {
      const res = createResponse(req, 422, 'Session Interval Too Small');
      res.set('Min-SE', String(decision.minSE));
      tx.respond(res);
      return;
    }
    const toTimer = offerOrRefresh ? this.#timerOf(call, to) : undefined;
    const headers: Record<string, string> = {};
    for (const name of ['Content-Type', 'Info-Package', 'Event']) {
      const value = req.get(name);
      if (value !== undefined) headers[name] = value;
    }
    if (toTimer) Object.assign(headers, uacHeaders(toTimer.session), { Supported: 'timer' });
    const out = to.dialog.createRequest(req.method, { body: req.body, headers });
    out.prepend('Via', `${this.deps.via(to.flow)};branch=${newBranch()}`);
    if (offerOrRefresh) out.set('Contact', this.deps.contact(to.flow));
    const pending: PendingForward = {
      from,
      to,
      forwardedCseq: out.cseq.seq,
      receivedCseq: req.cseq.seq,
      answered: false,
    };
    if (req.method === 'INVITE') call.pendingInvite = pending;
    if (req.method === 'UPDATE' && req.body) call.pendingUpdate = pending;
    const previousFrom = this.#sdpFrom.get(from);
    if (req.body && offerOrRefresh) {
      this.#sdpFrom.set(from, req.body);
      if (to.kind === 'in') call.lastSdpToCaller = req.body;
      this.#sentTo(to, req.body);
    }
    const settled = () => {
      if (call.pendingUpdate === pending) call.pendingUpdate = undefined;
    };
    this.deps.transactions.sendRequest(out, to.flow, {
      onResponse: (res) => {
        if (res.status === 100) return;
        const reply = createResponse(req, res.status, res.reason);
        const ok = res.status >= 200 && res.status < 300;
        if (ok && offerOrRefresh) {
          reply.set('Contact', this.deps.contact(from.flow));
          reply.set('Allow', ALLOW);
          const session = decision?.kind === 'timer' ? decision.session : undefined;
          if (session) for (const [k, v] of Object.entries(uasHeaders(session))) reply.set(k, v);
          fromTimer?.refreshed(session);
          toTimer?.refreshed(decideAsUac(res, toTimer.session));
        }
        const ct = res.get('Content-Type');
        if (ct && res.body) {
          reply.set('Content-Type', ct);
          reply.body = res.body;
          if (ok && offerOrRefresh) this.#sdpFrom.set(to, res.body);
          if (res.status < 300 && from.kind === 'in') call.lastSdpToCaller = res.body;
          if (res.status < 300) this.#sentTo(from, res.body);
        }
        if (res.status >= 300 && req.body && previousFrom) this.#sdpFrom.set(from, previousFrom);
        if (res.status >= 200) {
          pending.answered = true;
          settled();
          if (req.method === 'INVITE' && res.status >= 300) call.pendingInvite = undefined;
        }
        tx.respond(reply);
      },
      onTimeout: () => {
        if (req.method === 'INVITE') call.pendingInvite = undefined;
        settled();
        tx.respond(createResponse(req, 408, 'Request Timeout'));
      },
      onTransportError: () => {
        if (req.method === 'INVITE') call.pendingInvite = undefined;
        settled();
        tx.respond(createResponse(req, 503, 'Service Unavailable'));
      },
    });
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  #otherLeg(call: Call, leg: Leg): Leg | undefined {
    if (leg.kind === 'in') return call.winner;
    if (leg === call.winner) return call.inbound;
    // The two legs of a consultation talk to each other.
    const c = call.consultation;
    if (c && leg === c.target) return c.operator;
    if (c && leg === c.operator) return c.target;
    return undefined;
  }

  #sendAck(
    leg: Leg,
    cseq: number,
    original?: { body: string; get(name: string): string | undefined },
  ): void {
    if (!leg.dialog || leg.flow.closed) return;
    const ack = leg.dialog.createAck(cseq);
    ack.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    if (original?.body) {
      const ct = original.get('Content-Type');
      if (ct) ack.set('Content-Type', ct);
      ack.body = original.body;
      this.#sentTo(leg, original.body);
    }
    const text = ack.toString();
    this.#acksSent.set(leg, { cseq, text });
    leg.flow.send(text);
  }

  /**
   * A 2xx to the INVITE a leg already answered, retransmitted by the callee until its ACK came
   * (UDP, RFC 3261 §13.3.1.4): never a second answer. The ACK goes again if it went already;
   * otherwise it is still waiting for the caller's own ACK.
   */
  #retransmitted2xx(leg: OutboundLeg, res: SipResponse): boolean {
    if (res.status < 200 || res.status >= 300 || leg.final === undefined || !leg.dialog) {
      return false;
    }
    const sent = this.#acksSent.get(leg);
    if (sent && sent.cseq === res.cseq.seq && !leg.flow.closed) leg.flow.send(sent.text);
    return true;
  }

  #sendInDialog(leg: Leg, method: 'BYE', headers?: Record<string, string>): void {
    const detached = this.#detached.get(leg);
    if (detached) this.#reattach(detached.call, leg);
    if (!leg.dialog || leg.flow.closed) return;
    const req = leg.dialog.createRequest(method, headers ? { headers } : {});
    req.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    this.deps.transactions.sendRequest(req, leg.flow, {
      onResponse: () => undefined,
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
  }

  /** Tells the observer after the current step settled (several fields change together). */
  #legChanged(leg: OutboundLeg): void {
    const call = this.#callOf(leg);
    if (this.deps.onLegChange && call) queueMicrotask(() => this.deps.onLegChange?.(leg, call));
  }

  #callOf(leg: OutboundLeg): Call | undefined {
    for (const call of this.#calls.values()) if (call.outbound.includes(leg)) return call;
    return undefined;
  }

  #forgetDialog(leg: Leg): void {
    this.#sessionTimers.get(leg)?.stop();
    if (!leg.dialog) return;
    const { callId, localTag, remoteTag } = leg.dialog.id;
    this.#dialogs.delete(dialogKey(callId, localTag, remoteTag));
  }

  #end(call: Call, reason: string, by?: 'caller' | 'callee' | 'core'): void {
    if (call.state === CallState.Ended) return;
    const wasConnected = call.winner !== undefined || call.state === CallState.Transferring;
    this.cancelLegs(call, () => true);
    const c = call.consultation;
    if (c) {
      // The caller or the operator's first line went: the consultation goes with the call.
      call.consultation = undefined;
      c.moveTo(ConsultState.Ended);
      this.#dropLine(call, c);
      this.#release(c.target);
    }
    call.moveTo(CallState.Ended);
    call.endedAt = Date.now();
    call.endReason = reason;
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    for (const leg of [call.inbound, ...call.outbound]) this.#forgetDetached(leg);
    this.#sessionTimers.get(call.inbound)?.stop();
    for (const leg of call.outbound) this.#sessionTimers.get(leg)?.stop();
    const { invite, localTag } = call.inbound;
    this.#early.delete(dialogKey(invite.callId, localTag, invite.from.tag ?? ''));
    this.#calls.delete(call.id);
    this.#byInviteTx.delete(call.inbound.tx);
    this.#forgetDialog(call.inbound);
    if (call.winner) this.#forgetDialog(call.winner);
    this.#log.info('call ended', { call: call.id, reason });
    if (wasConnected && by) call.policy.ended?.(call, reason, by);
    call.policy.finished?.(call);
    queueMicrotask(() => this.deps.onCallEnded?.(call));
  }
}

/**
 * Two Contact URIs of the same phone (RFC 3261 §19.1.4 comparison): SIP.js adds `;ob` to the
 * Contact of its INVITEs but not of its REGISTERs.
 */
function sameContact(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return false;
  }
}

/** A fresh outbound leg for `target` carrying `invite` (not sent yet). */
function newLeg(
  target: RingTarget,
  invite: SipRequest,
  transfer: number | undefined,
  consult?: 'target' | 'operator',
): OutboundLeg {
  return {
    kind: 'out',
    flow: target.binding.flow,
    invite,
    binding: target.binding,
    user: target.user,
    tag: target.tag,
    tx: undefined,
    dialog: undefined,
    provisional: false,
    final: undefined,
    finalResponse: undefined,
    cancelled: false,
    failureReported: false,
    transfer,
    consult,
    createdAt: Date.now(),
    answeredAt: undefined,
    releasedAt: undefined,
    finishedAt: undefined,
  };
}

/** A description compared by its lines (line ends and trailing blanks aside). */
function normalizeSdp(sdp: string): string {
  return sdp.replace(/\r\n/g, '\n').trim();
}

function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The user part of the Request-URI: what the caller dialled. */
export function requestUser(req: SipRequest): string | undefined {
  try {
    return req.parsedUri.user || undefined;
  } catch {
    return undefined;
  }
}

/** RFC 3261 §16.7-style choice among failed branches: busy beats unavailable beats the rest. */
export function bestFailure(legs: readonly OutboundLeg[]): {
  status: number;
  reason: string | undefined;
} {
  const finals = legs.map((l) => ({ status: l.final ?? 500, reason: l.finalResponse?.reason }));
  const pick =
    finals.find((f) => f.status >= 600) ??
    finals.find((f) => f.status === 486) ??
    finals.find((f) => f.status >= 400 && f.status < 500 && f.status !== 408 && f.status !== 487) ??
    finals.find((f) => f.status === 408) ??
    finals.find((f) => f.status >= 500);
  if (!pick || pick.status === 487 || (pick.status >= 500 && pick.status < 600)) {
    return { status: 480, reason: 'Temporarily Unavailable' };
  }
  return pick;
}

function quoteDisplayName(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A number or extension as a SIP user part (digits, +, and a few safe characters). */
function sipUserPart(number: string): string {
  return number.replace(/[^0-9A-Za-z+*#._-]/g, '') || 'anonymous';
}

/**
 * The device that sent `req`: the binding on its connection — or, behind an edge proxy that
 * carries every device on one UDP flow (Kamailio), the binding with its Contact.
 */
function callingDevice(binding: Binding, req: SipRequest, flow: Flow): boolean {
  if (binding.flow !== flow) return false;
  if (flow.transport !== 'UDP') return true;
  const contact = req.get('Contact');
  try {
    return contact !== undefined && parseNameAddr(contact).uri.toString() === binding.contactUri;
  } catch {
    return false;
  }
}
