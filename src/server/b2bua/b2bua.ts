/**
 * The back-to-back user agent: every call is an inbound leg (caller ↔ core) and an outbound leg
 * (core ↔ callee), each a dialog of its own. The core answers, forwards and tears down each leg
 * itself, so later features (queues, transfers, recall, caller ID) are local decisions rather
 * than hopes about what the far end supports. SDP passes through unchanged (browser-to-browser
 * media in the embedded profile).
 *
 * Forking: a callee with several registrations rings on all of them; the first 2xx wins and
 * the others are cancelled.
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

/** Who is calling, as established by digest authentication. */
export interface Caller {
  userId: string;
  tenantId: string;
  username: string;
  displayName: string;
  extension: string;
  domain: string;
}

/** A resolved callee inside the tenant. */
export interface Callee {
  userId: string;
  username: string;
  displayName: string;
  extension: string;
  domain: string;
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
  /** Seconds a call may ring before the caller gets 408. */
  ringTimeoutS?: number;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER';

interface InboundLeg {
  readonly kind: 'in';
  readonly flow: Flow;
  readonly invite: SipRequest;
  readonly tx: ServerTransaction;
  readonly localTag: string;
  dialog: Dialog | undefined;
}

interface OutboundLeg {
  readonly kind: 'out';
  readonly flow: Flow;
  readonly invite: SipRequest;
  readonly binding: Binding;
  tx: ClientTransaction | undefined;
  dialog: Dialog | undefined;
  /** Got a provisional (so CANCEL is allowed) / a final response. */
  provisional: boolean;
  final: number | undefined;
  finalResponse: SipResponse | undefined;
  cancelled: boolean;
}

type Leg = InboundLeg | OutboundLeg;

/** An in-dialog request forwarded from one leg to the other, waiting for its answer / ACK. */
interface PendingForward {
  readonly method: string;
  readonly from: Leg;
  readonly to: Leg;
  readonly serverTx: ServerTransaction;
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
  readonly outbound: OutboundLeg[] = [];
  winner: OutboundLeg | undefined;
  pendingInvite: PendingForward | undefined;
  ringTimer: NodeJS.Timeout | undefined;
  ackTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly inbound: InboundLeg,
    readonly caller: Caller,
    readonly callee: Callee,
  ) {}

  moveTo(next: CallState): void {
    this.state = transitionCall(this.state, next);
  }
}

export class B2bua {
  readonly #calls = new Set<Call>();
  /** Dialog id (`callId|localTag|remoteTag`) → the call and leg it belongs to. */
  readonly #dialogs = new Map<string, { call: Call; leg: Leg }>();
  /** INVITE server transaction → call, for CANCEL. */
  readonly #byInviteTx = new Map<ServerTransaction, Call>();
  readonly #log: Logger;

  constructor(private readonly deps: B2buaDeps) {
    this.#log = deps.logger;
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Snapshot for tests and diagnostics. */
  calls(): readonly Call[] {
    return [...this.#calls];
  }

  /** A new (out-of-dialog) INVITE from an authenticated caller. */
  async invite(req: SipRequest, tx: ServerTransaction, flow: Flow, caller: Caller): Promise<void> {
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
    const bindings = this.deps
      .lookup(`${callee.username}@${callee.domain}`)
      .filter((b) => b.flow !== flow && !b.flow.closed);
    if (bindings.length === 0) {
      tx.respond(createResponse(req, 480, 'Temporarily Unavailable'));
      return;
    }

    const inbound: InboundLeg = {
      kind: 'in',
      flow,
      invite: req,
      tx,
      localTag: newTag(),
      dialog: undefined,
    };
    const call = new Call(inbound, caller, callee);
    this.#calls.add(call);
    this.#byInviteTx.set(tx, call);
    this.#log.info('call', {
      call: call.id,
      from: caller.username,
      to: callee.username,
      legs: bindings.length,
    });

    const ringTimeout = (this.deps.ringTimeoutS ?? 60) * 1000;
    call.ringTimer = setTimeout(() => this.#ringTimeout(call), ringTimeout);
    call.ringTimer.unref();

    const callId = newCallId();
    const fromTag = newTag();
    for (const binding of bindings) {
      const out = this.#buildOutboundInvite(call, binding, callId, fromTag);
      const leg: OutboundLeg = {
        kind: 'out',
        flow: binding.flow,
        invite: out,
        binding,
        tx: undefined,
        dialog: undefined,
        provisional: false,
        final: undefined,
        finalResponse: undefined,
        cancelled: false,
      };
      call.outbound.push(leg);
      leg.tx = this.deps.transactions.sendRequest(out, leg.flow, {
        onResponse: (res) => this.#outboundResponse(call, leg, res),
        onTimeout: () => this.#outboundFailed(call, leg, 408),
        onTransportError: () => this.#outboundFailed(call, leg, 503),
      });
    }
  }

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
      this.#cancelOutbound(call, undefined, 'caller cancelled');
      this.#end(call, 'cancelled');
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
      const other = this.#otherLeg(call, leg);
      if (other?.dialog) this.#sendInDialog(other, 'BYE');
      this.#end(call, leg.kind === 'in' ? 'caller hung up' : 'callee hung up');
      return;
    }
    this.#forward(call, leg, req, tx);
  }

  /** The transport flow closed (browser tab gone, network lost). */
  flowClosed(flow: Flow): void {
    for (const call of [...this.#calls]) {
      if (call.inbound.flow === flow) {
        if (call.state === CallState.Active || call.state === CallState.Connecting) {
          if (call.winner?.dialog) this.#sendInDialog(call.winner, 'BYE');
        } else {
          this.#cancelOutbound(call, undefined, 'caller disconnected');
        }
        this.#end(call, 'caller disconnected');
        continue;
      }
      for (const leg of call.outbound) {
        if (leg.flow !== flow) continue;
        if (leg === call.winner) {
          if (call.inbound.dialog) this.#sendInDialog(call.inbound, 'BYE');
          else this.#respondInbound(call, 480, 'Temporarily Unavailable');
          this.#end(call, 'callee disconnected');
        } else if (leg.final === undefined) {
          this.#outboundFailed(call, leg, 503);
        }
      }
    }
  }

  /** Ends every call (shutdown). */
  close(): void {
    for (const call of [...this.#calls]) {
      if (call.inbound.dialog) this.#sendInDialog(call.inbound, 'BYE');
      else if (call.state !== CallState.Ended)
        this.#respondInbound(call, 503, 'Service Unavailable');
      if (call.winner?.dialog) this.#sendInDialog(call.winner, 'BYE');
      else this.#cancelOutbound(call, undefined, 'shutdown');
      this.#end(call, 'shutdown');
    }
  }

  // ── outbound leg ────────────────────────────────────────────────────────────

  #buildOutboundInvite(call: Call, binding: Binding, callId: string, fromTag: string): SipRequest {
    const { caller, callee } = call;
    const original = call.inbound.invite;
    const req = new SipRequest('INVITE', binding.contactUri);
    req.set('Via', `${this.deps.via(binding.flow)};branch=${newBranch()}`);
    req.set('Max-Forwards', String(Math.max(0, (original.maxForwards ?? 70) - 1)));
    // Caller ID comes from the authenticated user, not from what the caller's From claims.
    const callerUri = `sip:${caller.extension}@${caller.domain}`;
    req.set('From', `${quoteDisplayName(caller.displayName)} <${callerUri}>;tag=${fromTag}`);
    req.set(
      'To',
      `${quoteDisplayName(callee.displayName)} <sip:${callee.username}@${callee.domain}>`,
    );
    req.set('Call-ID', callId);
    req.set('CSeq', '1 INVITE');
    req.set('Contact', this.deps.contact(binding.flow));
    req.set('P-Asserted-Identity', `${quoteDisplayName(caller.displayName)} <${callerUri}>`);
    req.set('Allow', ALLOW);
    req.set('Supported', 'replaces, norefersub');
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
      if (res.body && res.get('Content-Type')) {
        prov.set('Content-Type', res.get('Content-Type') ?? 'application/sdp');
        prov.body = res.body;
      }
      call.inbound.tx.respond(prov);
      return;
    }

    leg.final = res.status;
    leg.finalResponse = res;
    if (res.status < 300) {
      const dialog = Dialog.uac(leg.invite, res);
      leg.dialog = dialog;
      this.#dialogs.set(dialogKey(dialog.id.callId, dialog.id.localTag, dialog.id.remoteTag), {
        call,
        leg,
      });
      if (call.winner || call.state === CallState.Ended) {
        // A second branch answered, or the caller went away: confirm and hang it up at once.
        this.#sendAck(leg, leg.invite.cseq.seq);
        this.#sendInDialog(leg, 'BYE');
        this.#forgetDialog(leg);
        return;
      }
      call.winner = leg;
      call.moveTo(CallState.Connecting);
      clearTimeout(call.ringTimer);
      this.#cancelOutbound(call, leg, 'answered elsewhere');

      const ok = createResponse(call.inbound.invite, 200, 'OK', { toTag: call.inbound.localTag });
      ok.set('Contact', this.deps.contact(call.inbound.flow));
      ok.set('Allow', ALLOW);
      const ct = res.get('Content-Type');
      if (ct) ok.set('Content-Type', ct);
      ok.body = res.body;
      call.inbound.tx.respond(ok);
      const inDialog = Dialog.uas(call.inbound.invite, ok);
      call.inbound.dialog = inDialog;
      this.#dialogs.set(
        dialogKey(inDialog.id.callId, inDialog.id.localTag, inDialog.id.remoteTag),
        { call, leg: call.inbound },
      );
      call.answeredAt = Date.now();
      // If the caller never ACKs, give up on the call (RFC 3261 §13.3.1.4: 64*T1).
      call.ackTimer = setTimeout(() => {
        if (call.state === CallState.Connecting) {
          this.#sendInDialog(leg, 'BYE');
          this.#sendInDialog(call.inbound, 'BYE');
          this.#end(call, 'no ACK from caller');
        }
      }, 32_000);
      call.ackTimer.unref();
      return;
    }
    this.#outboundFailed(call, leg, res.status, res);
  }

  #outboundFailed(call: Call, leg: OutboundLeg, status: number, res?: SipResponse): void {
    if (leg.final === undefined || leg.finalResponse !== res) {
      leg.final = status;
      leg.finalResponse = res;
    }
    if (call.winner || call.state === CallState.Ended) return;
    if (status >= 600) {
      // A global failure stops the search (RFC 3261 §16.7).
      this.#cancelOutbound(call, leg, 'global failure');
      this.#respondInbound(call, status, res?.reason);
      this.#end(call, `rejected ${status}`);
      return;
    }
    if (call.outbound.some((l) => l.final === undefined)) return;
    const { status: best, reason } = bestFailure(call.outbound);
    this.#respondInbound(call, best, reason);
    this.#end(call, `failed ${best}`);
  }

  #ringTimeout(call: Call): void {
    if (call.state !== CallState.Routing && call.state !== CallState.Ringing) return;
    this.#cancelOutbound(call, undefined, 'no answer');
    this.#respondInbound(call, 408, 'Request Timeout');
    this.#end(call, 'no answer');
  }

  /** CANCELs every outbound branch still ringing, except `keep`. */
  #cancelOutbound(call: Call, keep: OutboundLeg | undefined, reason: string): void {
    for (const leg of call.outbound) {
      if (leg === keep || leg.final !== undefined || leg.cancelled) continue;
      leg.cancelled = true;
      this.#log.debug('cancel branch', { call: call.id, reason });
      // Before any provisional the CANCEL must wait (§9.1); #outboundResponse sends it then.
      if (leg.provisional) this.#sendCancel(leg);
    }
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
      clearTimeout(call.ackTimer);
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
      method: req.method,
      from,
      to,
      serverTx: tx,
      forwardedCseq: out.cseq.seq,
      receivedCseq: req.cseq.seq,
      answered: false,
    };
    if (req.method === 'INVITE') call.pendingInvite = pending;
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
    return leg.kind === 'in' ? call.winner : call.inbound;
  }

  #sendAck(leg: Leg, cseq: number, original?: SipRequest): void {
    if (!leg.dialog || leg.flow.closed) return;
    const ack = leg.dialog.createAck(cseq);
    ack.prepend('Via', `${this.deps.via(leg.flow)};branch=${newBranch()}`);
    if (original?.body) {
      const ct = original.get('Content-Type');
      if (ct) ack.set('Content-Type', ct);
      ack.body = original.body;
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

  #forgetDialog(leg: Leg): void {
    if (!leg.dialog) return;
    const { callId, localTag, remoteTag } = leg.dialog.id;
    this.#dialogs.delete(dialogKey(callId, localTag, remoteTag));
  }

  #end(call: Call, reason: string): void {
    if (call.state === CallState.Ended) return;
    call.moveTo(CallState.Ended);
    call.endedAt = Date.now();
    call.endReason = reason;
    clearTimeout(call.ringTimer);
    clearTimeout(call.ackTimer);
    this.#calls.delete(call);
    this.#byInviteTx.delete(call.inbound.tx);
    this.#forgetDialog(call.inbound);
    for (const leg of call.outbound) {
      if (leg !== call.winner) continue;
      this.#forgetDialog(leg);
    }
    this.#log.info('call ended', { call: call.id, reason });
  }
}

function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The user part of the Request-URI: what the caller dialled. */
function requestUser(req: SipRequest): string | undefined {
  try {
    return req.parsedUri.user || undefined;
  } catch {
    return undefined;
  }
}

/** RFC 3261 §16.7-style choice among failed branches: busy beats unavailable beats the rest. */
function bestFailure(legs: readonly OutboundLeg[]): { status: number; reason: string | undefined } {
  const finals = legs.map((l) => ({ status: l.final ?? 500, reason: l.finalResponse?.reason }));
  const pick =
    finals.find((f) => f.status === 486) ??
    finals.find((f) => f.status >= 400 && f.status < 500 && f.status !== 408 && f.status !== 487) ??
    finals.find((f) => f.status === 408) ??
    finals.find((f) => f.status >= 500);
  if (!pick || pick.status === 487 || pick.status >= 500)
    return { status: 480, reason: 'Temporarily Unavailable' };
  return pick;
}

function quoteDisplayName(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
