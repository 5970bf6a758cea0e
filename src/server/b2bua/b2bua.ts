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
  type ClientTransaction,
  type Flow,
  type ServerTransaction,
  type SipResponse,
  type TransactionLayer,
} from '../sip';
import type { Binding } from '../registrar/registrar';
import type { Logger } from '../logger';
import { CallState, transitionCall } from './call-state';
import { ConsultState, transitionConsult } from './consult-state';
import { inactiveSdp, resumedSdp, sdpVersion } from './sdp';

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
  transactions: TransactionLayer;
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
}

/** How long a consulted colleague may ring (below the operator phone's 32 s wait for ACK). */
const CONSULT_RING_MS = 25_000;

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER';

export interface InboundLeg {
  readonly kind: 'in';
  readonly flow: Flow;
  readonly invite: SipRequest;
  readonly tx: ServerTransaction;
  readonly localTag: string;
  dialog: Dialog | undefined;
}

export interface OutboundLeg {
  readonly kind: 'out';
  readonly flow: Flow;
  readonly invite: SipRequest;
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
  /** Policy of a direct call: connect the first answer; fail the caller when every device failed. */
  readonly direct: CallPolicy = {
    answered: () => true,
    exhausted: (call, status, reason) => this.fail(call, status, reason),
  };

  /** A direct-call policy with extra hooks (busy tracking, records) around the default. */
  directWith(hooks: Partial<CallPolicy>): CallPolicy {
    return { ...this.direct, ...hooks };
  }

  constructor(private readonly deps: B2buaDeps) {
    this.#log = deps.logger;
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

  /** Rings every device of `callee` for a new inbound call; 480 when none is registered. */
  ringUser(
    req: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    caller: Party,
    callee: Callee,
    policy: CallPolicy,
  ): Call | undefined {
    const bindings = this.bindingsOf(callee).filter((b) => b.flow !== flow);
    if (bindings.length === 0) {
      tx.respond(createResponse(req, 480, 'Temporarily Unavailable'));
      return undefined;
    }
    const call = this.accept(req, tx, flow, caller, policy);
    const timeout = (this.deps.ringTimeoutS ?? 60) * 1000;
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
    this.deps.transactions.sendRequest(hold, call.inbound.flow, {
      onResponse: (res) => {
        if (res.status < 200 || res.status >= 300) return;
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
      this.#sdpTo.set(leg, res.body);
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
          this.deps.transactions.sendRequest(req, leg.flow, {
            onResponse: (res) => {
              if (res.status < 200) return;
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

  #versionSent(leg: Leg, sdp: string): void {
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
    const reinvite = inbound.createRequest('INVITE', {
      body: offer.body,
      headers: { 'Content-Type': offer.get('Content-Type') ?? 'application/sdp' },
    });
    this.#versionSent(call.inbound, offer.body);
    reinvite.prepend('Via', `${this.deps.via(call.inbound.flow)};branch=${newBranch()}`);
    reinvite.set('Contact', this.deps.contact(call.inbound.flow));
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
    const entry = this.#dialogs.get(dialogKey(req.callId, req.to.tag ?? '', req.from.tag ?? ''));
    if (!entry) {
      if (req.method !== 'ACK' && tx) {
        tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      }
      return;
    }
    const { call, leg } = entry;
    if (leg.flow !== flow) {
      // Requests for a leg must come down the flow it lives on (the browser's WebSocket).
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
    this.#forward(call, leg, req, tx);
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
    req.set('Supported', 'replaces, norefersub');
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

    leg.final = res.status;
    leg.finalResponse = res;
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
    if (leg.invite.body) this.#sdpTo.set(leg, leg.invite.body);
    this.#legChanged(leg);
    if (call.state === CallState.Routing) call.moveTo(CallState.Ringing);
    call.moveTo(CallState.Connecting);
    this.cancelLegs(call, (l) => l !== leg);

    const ok = createResponse(call.inbound.invite, 200, 'OK', { toTag: call.inbound.localTag });
    ok.set('Contact', this.deps.contact(call.inbound.flow));
    ok.set('Allow', ALLOW);
    const ct = res.get('Content-Type');
    if (ct) ok.set('Content-Type', ct);
    ok.body = res.body;
    call.lastSdpToCaller = res.body || call.lastSdpToCaller;
    call.inbound.tx.respond(ok);
    const inDialog = Dialog.uas(call.inbound.invite, ok);
    call.inbound.dialog = inDialog;
    this.#dialogs.set(dialogKey(inDialog.id.callId, inDialog.id.localTag, inDialog.id.remoteTag), {
      call,
      leg: call.inbound,
    });
    call.answeredAt = Date.now();
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
    if (
      leg.kind === 'in' &&
      call.state === CallState.Connecting &&
      ack.cseq.seq === call.inbound.invite.cseq.seq
    ) {
      call.moveTo(CallState.Active);
      if (call.winner) this.#sendAck(call.winner, call.winner.invite.cseq.seq, ack);
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
    if (call.state === CallState.Transferring && !to) {
      // Nobody on the other side yet: hold off offers, accept the rest (e.g. DTMF).
      const pending = req.method === 'INVITE' || req.method === 'UPDATE';
      tx.respond(createResponse(req, pending ? 491 : 200, pending ? 'Request Pending' : 'OK'));
      return;
    }
    if (!to?.dialog || call.state === CallState.Ended) {
      tx.respond(createResponse(req, 481, 'Call/Transaction Does Not Exist'));
      return;
    }
    if (req.method === 'INVITE' && call.pendingInvite) {
      tx.respond(createResponse(req, 491, 'Request Pending'));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['Content-Type', 'Info-Package', 'Event', 'Session-Expires', 'Min-SE']) {
      const value = req.get(name);
      if (value !== undefined) headers[name] = value;
    }
    const out = to.dialog.createRequest(req.method, { body: req.body, headers });
    out.prepend('Via', `${this.deps.via(to.flow)};branch=${newBranch()}`);
    if (req.method === 'INVITE' || req.method === 'UPDATE')
      out.set('Contact', this.deps.contact(to.flow));
    const pending: PendingForward = {
      from,
      to,
      forwardedCseq: out.cseq.seq,
      receivedCseq: req.cseq.seq,
      answered: false,
    };
    if (req.method === 'INVITE') call.pendingInvite = pending;
    if (req.body && (req.method === 'INVITE' || req.method === 'UPDATE')) {
      if (to.kind === 'in') call.lastSdpToCaller = req.body;
      else this.#sdpTo.set(to, req.body);
    }
    this.deps.transactions.sendRequest(out, to.flow, {
      onResponse: (res) => {
        if (res.status === 100) return;
        const reply = createResponse(req, res.status, res.reason);
        if (
          res.status >= 200 &&
          res.status < 300 &&
          (req.method === 'INVITE' || req.method === 'UPDATE')
        ) {
          reply.set('Contact', this.deps.contact(from.flow));
        }
        const ct = res.get('Content-Type');
        if (ct && res.body) {
          reply.set('Content-Type', ct);
          reply.body = res.body;
          if (res.status < 300 && from.kind === 'in') call.lastSdpToCaller = res.body;
          else if (res.status < 300) this.#sdpTo.set(from, res.body);
        }
        if (res.status >= 200) {
          pending.answered = true;
          if (req.method === 'INVITE' && res.status >= 300) call.pendingInvite = undefined;
        }
        tx.respond(reply);
      },
      onTimeout: () => {
        if (req.method === 'INVITE') call.pendingInvite = undefined;
        tx.respond(createResponse(req, 408, 'Request Timeout'));
      },
      onTransportError: () => {
        if (req.method === 'INVITE') call.pendingInvite = undefined;
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
      this.#sdpTo.set(leg, original.body);
    }
    leg.flow.send(ack.toString());
  }

  #sendInDialog(leg: Leg, method: 'BYE'): void {
    if (!leg.dialog || leg.flow.closed) return;
    const req = leg.dialog.createRequest(method);
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
