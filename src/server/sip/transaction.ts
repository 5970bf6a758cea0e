/**
 * Transaction layer (RFC 3261 §17 with the RFC 6026 Accepted states).
 *
 * Four state machines, each a string enum with one guarded `transition()`
 * that throws on a move its table does not allow. Retransmission timers
 * (A, E, G) run only on unreliable flows, and the wait timers (D, I, J, K)
 * are zero on reliable ones, so over WebSocket/TCP a transaction ends as
 * soon as its final exchange is done. Timer values and the scheduler are
 * pluggable for UDP and for tests.
 *
 * A terminated transaction is removed from the layer's maps at once;
 * `TransactionLayer.size` counts what is left.
 *
 * @packageDocumentation
 */
import { createNon2xxAck, createResponse } from './helpers';
import type { SipRequest, SipResponse } from './message';
import type { Flow } from './transport';
import { MAGIC_COOKIE } from './via';

/** Timer base values in ms (§17.1.1.1) and the delay of the automatic 100 Trying. */
export interface TimerValues {
  /** RTT estimate, 500 ms. */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s. */
  T2: number;
  /** Maximum time a message stays in the network, 5 s. */
  T4: number;
  /** An INVITE the TU has not answered within this gets `100 Trying` (§17.2.1), 200 ms. */
  trying: number;
}

/** RFC 3261 defaults; UDP over long paths may want a larger T1. */
export const DEFAULT_TIMERS: Readonly<TimerValues> = { T1: 500, T2: 4000, T4: 5000, trying: 200 };

/** Where timers come from; the default uses the global `setTimeout` (fake timers apply). */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What a transaction needs from its layer. */
interface LayerContext {
  readonly timers: TimerValues;
  readonly scheduler: Scheduler;
  now(): number;
  remove(tx: AnyTransaction): void;
  /** Runs a TU callback; an exception is reported, never thrown into the layer. */
  call(fn: () => void): void;
  onAck(ack: SipRequest, flow: Flow): void;
  /** An unreliable 2xx is being retransmitted until its ACK (matched by dialog) arrives. */
  awaitAck(tx: InviteServerTransaction): void;
}

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

/** Shared mechanics: state, guarded transition, timers, removal on Terminated. */
abstract class Transaction<S extends string> {
  /** The key this transaction is stored under (branch, sent-by, method). */
  readonly id: string;
  readonly request: SipRequest;
  readonly flow: Flow;
  /** `now()` at creation, for metrics. */
  readonly createdAt: number;
  /** Called after every state change. */
  onStateChange?: (state: S) => void;
  protected current: S;
  protected readonly ctx: LayerContext;
  private readonly timerHandles = new Map<string, unknown>();

  protected abstract readonly machine: string;
  protected abstract readonly table: Table<S>;

  constructor(ctx: LayerContext, id: string, request: SipRequest, flow: Flow, initial: S) {
    this.ctx = ctx;
    this.id = id;
    this.request = request;
    this.flow = flow;
    this.current = initial;
    this.createdAt = ctx.now();
  }

  get state(): S {
    return this.current;
  }

  get terminated(): boolean {
    return this.current === 'Terminated';
  }

  /** The only way the state changes; throws on a move the table does not allow. */
  protected transition(to: S): void {
    const allowed = this.table[this.current];
    if (!allowed.includes(to)) {
      throw new Error(`${this.machine}: illegal transition ${this.current} -> ${to}`);
    }
    this.current = to;
    if (to === 'Terminated') {
      for (const handle of this.timerHandles.values()) this.ctx.scheduler.clearTimeout(handle);
      this.timerHandles.clear();
      this.ctx.remove(this as unknown as AnyTransaction);
    }
    const listener = this.onStateChange;
    if (listener) this.ctx.call(() => listener(to));
  }

  protected terminate(): void {
    if (this.current !== 'Terminated') this.transition('Terminated' as S);
  }

  /** Runs `fn` after `ms`; a zero delay runs it now, which is what reliable flows get. */
  protected after(name: string, ms: number, fn: () => void): void {
    this.stop(name);
    if (ms <= 0) {
      fn();
      return;
    }
    const handle = this.ctx.scheduler.setTimeout(() => {
      this.timerHandles.delete(name);
      fn();
    }, ms);
    this.timerHandles.set(name, handle);
  }

  /** Calls `fn` at `first`, then doubling intervals capped at `cap` (Timers A, E, G). */
  protected retransmit(name: string, first: number, cap: number, fn: () => void): void {
    const tick = (interval: number): void => {
      this.after(name, interval, () => {
        fn();
        if (!this.terminated) tick(Math.min(interval * 2, cap));
      });
    };
    tick(first);
  }

  protected stop(name: string): void {
    const handle = this.timerHandles.get(name);
    if (handle !== undefined) {
      this.ctx.scheduler.clearTimeout(handle);
      this.timerHandles.delete(name);
    }
  }

  /**
   * Sends on the flow; a failure (the flow throws `SipTransportError`
   * when closed) terminates the transaction and returns false.
   */
  protected send(data: string): boolean {
    try {
      this.flow.send(data);
      return true;
    } catch {
      // Whatever the flow threw (SipTransportError, a socket error), the message is not out.
      this.terminate();
      this.transportFailed();
      return false;
    }
  }

  protected abstract transportFailed(): void;
  /** @internal The flow went away. */
  abstract flowClosed(): void;
}

// ---------------------------------------------------------------------------
// Server transactions

/**
 * INVITE server transaction (§17.2.1, RFC 6026 §7.1).
 *
 * ```
 *               |INVITE: pass to TU (100 Trying after 200 ms)
 *               V
 *         +-----------+ 1xx from TU: send
 *         |Proceeding |------------+
 *         +-----------+<-----------+
 *     2xx  |        | 300-699 from TU: send
 *     send |        V
 *          |  +-----------+ INVITE: resend final; Timer G: resend (unreliable)
 *          |  | Completed |---------------+
 *          |  +-----------+<--------------+
 *          |     |      | Timer H (64*T1): TU onTimeout
 *          |     | ACK  +------------------------+
 *          |     V                               |
 *          |  +-----------+ ACK: absorb          |
 *          |  | Confirmed | Timer I (T4; 0 reliable)
 *          |  +-----------+--------------------+ |
 *          V                                   V V
 *     +----------+ 2xx from TU: send      +------------+
 *     | Accepted | ACK: to TU (onAck) --->| Terminated |
 *     +----------+ Timer L (64*T1)        +------------+
 * ```
 * On an unreliable flow the 2xx is retransmitted from Accepted at T1,
 * doubling to T2, until the layer sees its ACK (RFC 3261 §13.3.1.4: the
 * UAS core's duty, done here once for every TU).
 * Any state → Terminated on a transport error. A retransmitted INVITE gets
 * the last response again (in Accepted too: harmless, and it spares the TU
 * a 2xx retransmission loop on reliable flows).
 */
export enum InviteServerTransactionState {
  Proceeding = 'Proceeding',
  Accepted = 'Accepted',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

const IST = InviteServerTransactionState;
const INVITE_SERVER_TABLE: Table<InviteServerTransactionState> = {
  [IST.Proceeding]: [IST.Accepted, IST.Completed, IST.Terminated],
  [IST.Accepted]: [IST.Terminated],
  [IST.Completed]: [IST.Confirmed, IST.Terminated],
  [IST.Confirmed]: [IST.Terminated],
  [IST.Terminated]: [],
};

/** Callbacks a TU may set on a server transaction. */
interface ServerCallbacks {
  /** A response could not be sent (flow closed): the request is lost. */
  onTransportError?: () => void;
}

/** Answers one INVITE; the TU calls {@link InviteServerTransaction.respond}. */
export class InviteServerTransaction
  extends Transaction<InviteServerTransactionState>
  implements ServerCallbacks
{
  protected readonly machine = 'InviteServerTransaction';
  protected readonly table = INVITE_SERVER_TABLE;
  /** The response a retransmitted INVITE gets again. */
  lastResponse: SipResponse | undefined;
  onTransportError?: () => void;
  /** Timer H fired: the ACK for a non-2xx final response never came. */
  onTimeout?: () => void;

  constructor(ctx: LayerContext, id: string, request: SipRequest, flow: Flow) {
    super(ctx, id, request, flow, IST.Proceeding);
    this.after('trying', ctx.timers.trying, () => {
      if (this.current === IST.Proceeding && this.lastResponse === undefined) {
        this.respond(createResponse(this.request, 100));
      }
    });
  }

  /**
   * Sends a response from the TU. Returns false when it is discarded (a
   * final response was already sent, or the transaction ended) or the
   * flow failed.
   */
  respond(res: SipResponse): boolean {
    const T1 = this.ctx.timers.T1;
    switch (this.current) {
      case IST.Proceeding: {
        this.stop('trying');
        if (!this.send(res.toString())) return false;
        this.lastResponse = res;
        if (res.status < 200) return true;
        if (res.status < 300) {
          this.transition(IST.Accepted);
          this.after('L', 64 * T1, () => this.terminate());
          if (!this.flow.reliable) {
            this.retransmit('2xx', T1, this.ctx.timers.T2, () => {
              if (this.lastResponse) this.send(this.lastResponse.toString());
            });
            this.ctx.awaitAck(this);
          }
          return true;
        }
        this.transition(IST.Completed);
        if (!this.flow.reliable) {
          this.retransmit('G', T1, this.ctx.timers.T2, () => {
            if (this.lastResponse) this.send(this.lastResponse.toString());
          });
        }
        this.after('H', 64 * T1, () => {
          this.terminate();
          const onTimeout = this.onTimeout;
          if (onTimeout) this.ctx.call(onTimeout);
        });
        return true;
      }
      case IST.Accepted:
        // RFC 6026: further 2xx (retransmissions by the TU) go out; nothing else does.
        if (res.status < 200 || res.status >= 300) return false;
        if (!this.send(res.toString())) return false;
        this.lastResponse = res;
        return true;
      default:
        return false;
    }
  }

  /** @internal A request matched this transaction: a retransmitted INVITE or an ACK. */
  receive(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.current === IST.Completed) {
        this.stop('G');
        this.stop('H');
        this.transition(IST.Confirmed);
        this.after('I', this.flow.reliable ? 0 : this.ctx.timers.T4, () => this.terminate());
      } else if (this.current === IST.Accepted) {
        this.acked();
        this.ctx.call(() => this.ctx.onAck(req, this.flow));
      }
      return;
    }
    if (this.lastResponse && this.current !== IST.Confirmed)
      this.send(this.lastResponse.toString());
  }

  /** @internal The ACK for the 2xx arrived: stop retransmitting it (stay for Timer L). */
  acked(): void {
    this.stop('2xx');
  }

  protected transportFailed(): void {
    const cb = this.onTransportError;
    if (cb) this.ctx.call(cb);
  }

  flowClosed(): void {
    const pending = this.current === IST.Proceeding;
    this.terminate();
    if (pending) this.transportFailed();
  }
}

/**
 * Non-INVITE server transaction (§17.2.2).
 *
 * ```
 *                  |Request: pass to TU
 *                  V
 *            +-----------+ request: absorb
 *            |  Trying   |-------------+
 *            +-----------+   1xx from TU: send
 *      final  |          |             V
 *      send   |          |      +------------+ request: resend 1xx
 *             |          |      | Proceeding | 1xx from TU: send
 *             |          |      +------------+
 *             V          V             | final from TU: send
 *            +-----------+<------------+
 *            | Completed | request: resend final
 *            +-----------+
 *                  | Timer J (64*T1; 0 reliable)
 *                  V
 *            +------------+
 *            | Terminated |   (also from Trying/Proceeding on transport error)
 *            +------------+
 * ```
 */
export enum NonInviteServerTransactionState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

const NIST = NonInviteServerTransactionState;
const NON_INVITE_SERVER_TABLE: Table<NonInviteServerTransactionState> = {
  [NIST.Trying]: [NIST.Proceeding, NIST.Completed, NIST.Terminated],
  [NIST.Proceeding]: [NIST.Completed, NIST.Terminated],
  [NIST.Completed]: [NIST.Terminated],
  [NIST.Terminated]: [],
};

/** Answers one non-INVITE request; the TU calls {@link NonInviteServerTransaction.respond}. */
export class NonInviteServerTransaction
  extends Transaction<NonInviteServerTransactionState>
  implements ServerCallbacks
{
  protected readonly machine = 'NonInviteServerTransaction';
  protected readonly table = NON_INVITE_SERVER_TABLE;
  lastResponse: SipResponse | undefined;
  onTransportError?: () => void;

  constructor(ctx: LayerContext, id: string, request: SipRequest, flow: Flow) {
    super(ctx, id, request, flow, NIST.Trying);
  }

  /** Sends a response from the TU; false when discarded (already final) or the flow failed. */
  respond(res: SipResponse): boolean {
    if (this.current !== NIST.Trying && this.current !== NIST.Proceeding) return false;
    if (!this.send(res.toString())) return false;
    this.lastResponse = res;
    if (res.status < 200) {
      if (this.current === NIST.Trying) this.transition(NIST.Proceeding);
      return true;
    }
    this.transition(NIST.Completed);
    const T1 = this.ctx.timers.T1;
    this.after('J', this.flow.reliable ? 0 : 64 * T1, () => this.terminate());
    return true;
  }

  /** @internal A retransmission of the request. */
  receive(_req: SipRequest): void {
    if (this.lastResponse && this.current !== NIST.Trying) this.send(this.lastResponse.toString());
  }

  protected transportFailed(): void {
    const cb = this.onTransportError;
    if (cb) this.ctx.call(cb);
  }

  flowClosed(): void {
    const pending = this.current !== NIST.Completed && this.current !== NIST.Terminated;
    this.terminate();
    if (pending) this.transportFailed();
  }
}

/** Either server transaction; tell them apart with `instanceof`. */
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

// ---------------------------------------------------------------------------
// Client transactions

/** What the TU hears from a client transaction. */
export interface ClientTransactionHandlers {
  /** Every response the TU must see (1xx, the final, 2xx retransmissions/forks in Accepted). */
  onResponse(res: SipResponse): void;
  /** Timer B / F: no final response (INVITE: no response at all) in 64*T1. */
  onTimeout(): void;
  /** The request (or the ACK) could not be sent, or the flow closed before a final response. */
  onTransportError(): void;
}

/**
 * INVITE client transaction (§17.1.1, RFC 6026 §7.2).
 *
 * ```
 *                 |INVITE from TU: send
 *                 V            Timer A: resend (unreliable)
 *           +-----------+      Timer B (64*T1): TU onTimeout
 *           |  Calling  |-------------------------------------+
 *           +-----------+                                     |
 *       1xx  |   |   | 2xx                                    |
 *     to TU  |   |   +------------------------+               |
 *            V   | 300-699: ACK, to TU        |               |
 *  +------------+|                            |               |
 *  | Proceeding ||  1xx: to TU                |               |
 *  +------------+|                            |               |
 *   |  300-699   |                            V               |
 *   |  ACK, to TU|                      +----------+ 2xx: to TU
 *   |            V             2xx ---->| Accepted |           |
 *   |      +-----------+ 300-699: ACK   +----------+           |
 *   +----->| Completed | again                | Timer M        |
 *          +-----------+                      | (64*T1)        |
 *                 | Timer D (32 s; 0 reliable)|                |
 *                 V                           V                V
 *           +--------------------------------------------------+
 *           |                    Terminated                    |
 *           +--------------------------------------------------+
 * ```
 * Calling/Proceeding → Terminated on a transport error; after a CANCEL is
 * sent, 64*T1 without a final response also ends it (§9.1).
 */
export enum InviteClientTransactionState {
  Calling = 'Calling',
  Proceeding = 'Proceeding',
  Accepted = 'Accepted',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

const ICT = InviteClientTransactionState;
const INVITE_CLIENT_TABLE: Table<InviteClientTransactionState> = {
  [ICT.Calling]: [ICT.Proceeding, ICT.Accepted, ICT.Completed, ICT.Terminated],
  [ICT.Proceeding]: [ICT.Accepted, ICT.Completed, ICT.Terminated],
  [ICT.Accepted]: [ICT.Terminated],
  [ICT.Completed]: [ICT.Terminated],
  [ICT.Terminated]: [],
};

/** One INVITE we sent; created by {@link TransactionLayer.sendRequest}. */
export class InviteClientTransaction extends Transaction<InviteClientTransactionState> {
  protected readonly machine = 'InviteClientTransaction';
  protected readonly table = INVITE_CLIENT_TABLE;
  private readonly handlers: ClientTransactionHandlers;
  private ack: string | undefined;

  constructor(
    ctx: LayerContext,
    id: string,
    request: SipRequest,
    flow: Flow,
    handlers: ClientTransactionHandlers,
  ) {
    super(ctx, id, request, flow, ICT.Calling);
    this.handlers = handlers;
  }

  /** @internal */
  start(): void {
    const data = this.request.toString();
    if (!this.send(data)) return;
    const T1 = this.ctx.timers.T1;
    if (!this.flow.reliable)
      this.retransmit('A', T1, Number.POSITIVE_INFINITY, () => this.send(data));
    this.after('B', 64 * T1, () => {
      if (this.current !== ICT.Calling) return;
      this.terminate();
      this.ctx.call(() => this.handlers.onTimeout());
    });
  }

  /** @internal A CANCEL for this INVITE went out: give up 64*T1 later without a final response. */
  cancelled(): void {
    if (this.current !== ICT.Calling && this.current !== ICT.Proceeding) return;
    this.after('cancel', 64 * this.ctx.timers.T1, () => {
      if (this.current !== ICT.Calling && this.current !== ICT.Proceeding) return;
      this.terminate();
      this.ctx.call(() => this.handlers.onTimeout());
    });
  }

  /** @internal */
  receive(res: SipResponse): void {
    const status = res.status;
    switch (this.current) {
      case ICT.Calling:
      case ICT.Proceeding:
        if (status < 200) {
          if (this.current === ICT.Calling) {
            this.stop('A');
            this.stop('B');
            this.transition(ICT.Proceeding);
          }
          this.ctx.call(() => this.handlers.onResponse(res));
        } else if (status < 300) {
          this.stopAll();
          this.transition(ICT.Accepted);
          this.after('M', 64 * this.ctx.timers.T1, () => this.terminate());
          this.ctx.call(() => this.handlers.onResponse(res));
        } else {
          this.stopAll();
          this.ack = createNon2xxAck(this.request, res).toString();
          if (!this.send(this.ack)) return;
          this.transition(ICT.Completed);
          this.ctx.call(() => this.handlers.onResponse(res));
          this.after('D', this.flow.reliable ? 0 : 32_000, () => this.terminate());
        }
        return;
      case ICT.Accepted:
        if (status >= 200 && status < 300) this.ctx.call(() => this.handlers.onResponse(res));
        return;
      case ICT.Completed:
        if (status >= 300 && this.ack !== undefined) this.send(this.ack);
        return;
      default:
        return;
    }
  }

  private stopAll(): void {
    this.stop('A');
    this.stop('B');
    this.stop('cancel');
  }

  protected transportFailed(): void {
    this.ctx.call(() => this.handlers.onTransportError());
  }

  flowClosed(): void {
    const pending = this.current === ICT.Calling || this.current === ICT.Proceeding;
    this.terminate();
    if (pending) this.transportFailed();
  }
}

/**
 * Non-INVITE client transaction (§17.1.2).
 *
 * ```
 *                 |Request from TU: send
 *                 V       Timer E: resend (unreliable)
 *           +-----------+ Timer F (64*T1): TU onTimeout
 *           |  Trying   |-------------------------------+
 *           +-----------+                               |
 *      1xx   |         | 200-699: to TU                 |
 *      to TU V         |                                |
 *  +------------+      |  Timer F: TU onTimeout         |
 *  | Proceeding |------------------------------------+  |
 *  +------------+      |                             |  |
 *   | 200-699: to TU   |                             |  |
 *   V                  V                             |  |
 *  +-----------------------+ Timer K (T4; 0 reliable)V  V
 *  |       Completed       |------------------->+------------+
 *  +-----------------------+                    | Terminated |
 *                                               +------------+
 * ```
 */
export enum NonInviteClientTransactionState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

const NICT = NonInviteClientTransactionState;
const NON_INVITE_CLIENT_TABLE: Table<NonInviteClientTransactionState> = {
  [NICT.Trying]: [NICT.Proceeding, NICT.Completed, NICT.Terminated],
  [NICT.Proceeding]: [NICT.Completed, NICT.Terminated],
  [NICT.Completed]: [NICT.Terminated],
  [NICT.Terminated]: [],
};

/** One non-INVITE request we sent; created by {@link TransactionLayer.sendRequest}. */
export class NonInviteClientTransaction extends Transaction<NonInviteClientTransactionState> {
  protected readonly machine = 'NonInviteClientTransaction';
  protected readonly table = NON_INVITE_CLIENT_TABLE;
  private readonly handlers: ClientTransactionHandlers;

  constructor(
    ctx: LayerContext,
    id: string,
    request: SipRequest,
    flow: Flow,
    handlers: ClientTransactionHandlers,
  ) {
    super(ctx, id, request, flow, NICT.Trying);
    this.handlers = handlers;
  }

  /** @internal */
  start(): void {
    const data = this.request.toString();
    if (!this.send(data)) return;
    const { T1, T2 } = this.ctx.timers;
    if (!this.flow.reliable) this.retransmit('E', T1, T2, () => this.send(data));
    this.after('F', 64 * T1, () => {
      this.terminate();
      this.ctx.call(() => this.handlers.onTimeout());
    });
  }

  /** @internal */
  receive(res: SipResponse): void {
    if (this.current !== NICT.Trying && this.current !== NICT.Proceeding) return;
    if (res.status < 200) {
      if (this.current === NICT.Trying) {
        this.transition(NICT.Proceeding);
        if (!this.flow.reliable) {
          const T2 = this.ctx.timers.T2;
          const data = this.request.toString();
          this.retransmit('E', T2, T2, () => this.send(data));
        }
      }
      this.ctx.call(() => this.handlers.onResponse(res));
      return;
    }
    this.stop('E');
    this.stop('F');
    this.transition(NICT.Completed);
    this.ctx.call(() => this.handlers.onResponse(res));
    this.after('K', this.flow.reliable ? 0 : this.ctx.timers.T4, () => this.terminate());
  }

  protected transportFailed(): void {
    this.ctx.call(() => this.handlers.onTransportError());
  }

  flowClosed(): void {
    const pending = this.current === NICT.Trying || this.current === NICT.Proceeding;
    this.terminate();
    if (pending) this.transportFailed();
  }
}

/** Either client transaction; tell them apart with `instanceof`. */
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

type AnyTransaction = ServerTransaction | ClientTransaction;

// ---------------------------------------------------------------------------
// The layer

/** Options of {@link TransactionLayer}. */
export interface TransactionLayerOptions {
  /** A new request (not a retransmission, not an ACK) with its fresh server transaction. */
  onRequest(req: SipRequest, tx: ServerTransaction): void;
  /** An ACK for a 2xx (its own branch) or any ACK that matches no transaction. */
  onAck(ack: SipRequest, flow: Flow): void;
  /** A response that matches no client transaction (e.g. a retransmitted 2xx after Timer M). */
  onStrayResponse?(res: SipResponse, flow: Flow): void;
  /** A TU callback threw. Default: `process.emitWarning`. */
  onError?(error: unknown): void;
  timers?: Partial<TimerValues>;
  /** Clock for `createdAt`. Default `Date.now`. */
  now?: () => number;
  scheduler?: Scheduler;
}

/**
 * Matches incoming messages to transactions and creates server
 * transactions for new requests. Feed it every message a transport
 * delivers with {@link receive}, and {@link flowClosed} when a flow ends.
 */
export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  /** Accepted INVITE server transactions retransmitting a 2xx, by {@link ackKey}. */
  private readonly awaitingAck = new Map<string, InviteServerTransaction>();
  private readonly options: TransactionLayerOptions;
  private readonly ctx: LayerContext;

  constructor(options: TransactionLayerOptions) {
    this.options = options;
    const report = (error: unknown): void => {
      if (options.onError) options.onError(error);
      else process.emitWarning(error instanceof Error ? error : new Error(String(error)));
    };
    this.ctx = {
      timers: { ...DEFAULT_TIMERS, ...options.timers },
      scheduler: options.scheduler ?? globalScheduler,
      now: options.now ?? Date.now,
      remove: (tx) => {
        if (tx instanceof InviteClientTransaction || tx instanceof NonInviteClientTransaction) {
          if (this.clients.get(tx.id) === tx) this.clients.delete(tx.id);
        } else if (this.servers.get(tx.id) === tx) {
          this.servers.delete(tx.id);
          if (tx instanceof InviteServerTransaction) {
            const key = ackKey(tx.request);
            if (key !== undefined && this.awaitingAck.get(key) === tx) this.awaitingAck.delete(key);
          }
        }
      },
      awaitAck: (tx) => {
        const key = ackKey(tx.request);
        if (key !== undefined) this.awaitingAck.set(key, tx);
      },
      call: (fn) => {
        try {
          fn();
        } catch (error) {
          report(error);
        }
      },
      onAck: (ack, flow) => options.onAck(ack, flow),
    };
  }

  /** Live transactions, server and client. */
  get size(): number {
    return this.servers.size + this.clients.size;
  }

  /** Live server transactions. */
  get serverCount(): number {
    return this.servers.size;
  }

  /** Live client transactions. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Routes one message from a transport. Never throws for anything a peer sent. */
  receive(msg: SipRequest | SipResponse, flow: Flow): void {
    if (msg.type === 'response') {
      let key: string;
      try {
        key = clientKey(msg.topVia?.branch, msg.cseq.method);
      } catch {
        return; // unparseable Via/CSeq: nothing can match it
      }
      const tx = this.clients.get(key);
      if (tx) tx.receive(msg);
      else {
        const stray = this.options.onStrayResponse;
        if (stray) this.ctx.call(() => stray(msg, flow));
      }
      return;
    }
    let key: string;
    try {
      key = serverKey(msg, msg.method === 'ACK' ? 'INVITE' : msg.method);
    } catch {
      return;
    }
    const existing = this.servers.get(key);
    if (existing) {
      existing.receive(msg);
      return;
    }
    if (msg.method === 'ACK') {
      const key = ackKey(msg);
      const accepted = key === undefined ? undefined : this.awaitingAck.get(key);
      if (accepted && key !== undefined) {
        this.awaitingAck.delete(key);
        accepted.acked();
      }
      this.ctx.call(() => this.options.onAck(msg, flow));
      return;
    }
    const tx =
      msg.method === 'INVITE'
        ? new InviteServerTransaction(this.ctx, key, msg, flow)
        : new NonInviteServerTransaction(this.ctx, key, msg, flow);
    this.servers.set(key, tx);
    this.ctx.call(() => this.options.onRequest(msg, tx));
  }

  /**
   * Starts a client transaction. The request must carry the caller's own
   * top Via with a fresh branch (`newBranch()`); ACK is not a transaction
   * (send it on the flow). A CANCEL also arms the 64*T1 give-up timer of
   * the INVITE it cancels. `onTransportError` may be called before this
   * returns.
   */
  sendRequest(req: SipRequest, flow: Flow, handlers: ClientTransactionHandlers): ClientTransaction {
    if (req.method === 'ACK') throw new Error('ACK is not sent through a client transaction');
    const branch = req.topVia?.branch;
    if (branch === undefined || !branch.startsWith(MAGIC_COOKIE)) {
      throw new Error('sendRequest needs a top Via with a z9hG4bK branch');
    }
    const key = clientKey(branch, req.method);
    if (this.clients.has(key)) throw new Error(`a client transaction ${key} already exists`);
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(this.ctx, key, req, flow, handlers)
        : new NonInviteClientTransaction(this.ctx, key, req, flow, handlers);
    this.clients.set(key, tx);
    tx.start();
    if (req.method === 'CANCEL') {
      const invite = this.clients.get(clientKey(branch, 'INVITE'));
      if (invite instanceof InviteClientTransaction) invite.cancelled();
    }
    return tx;
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2), if it is still alive. */
  findInviteServerTransaction(cancel: SipRequest): InviteServerTransaction | undefined {
    let key: string;
    try {
      key = serverKey(cancel, 'INVITE');
    } catch {
      return undefined;
    }
    const tx = this.servers.get(key);
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /**
   * A flow ended: its transactions end too, and those still waiting for a
   * final response report `onTransportError`.
   */
  flowClosed(flow: Flow): void {
    for (const tx of [...this.servers.values(), ...this.clients.values()]) {
      if (tx.flow === flow) tx.flowClosed();
    }
  }
}

/** An INVITE and the ACK of its 2xx share Call-ID, CSeq number and From tag (§17.1.1.3). */
function ackKey(req: SipRequest): string | undefined {
  try {
    return `${req.callId}|${req.cseq.seq}|${req.from.tag ?? ''}`;
  } catch {
    return undefined;
  }
}

function clientKey(branch: string | undefined, method: string): string {
  if (branch === undefined) throw new Error('no branch');
  return `${branch}|${method}`;
}

/**
 * §17.2.3: branch + sent-by + method for RFC 3261 peers; for RFC 2543
 * peers (no magic cookie) the Request-URI, From tag, Call-ID, CSeq number
 * and top Via stand in (the To tag is left out so the ACK, which has one,
 * still matches its INVITE).
 */
function serverKey(req: SipRequest, method: string): string {
  const via = req.topVia;
  if (via === undefined) throw new Error('no Via');
  const branch = via.branch;
  if (
    branch !== undefined &&
    branch.length > MAGIC_COOKIE.length &&
    branch.startsWith(MAGIC_COOKIE)
  ) {
    return `${branch}|${via.sentBy}|${method}`;
  }
  return `2543|${req.uri}|${req.from.tag ?? ''}|${req.callId}|${req.cseq.seq}|${via.toString()}|${method}`;
}
