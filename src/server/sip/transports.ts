/**
 * The core's SIP transports behind one façade: WebSocket (RFC 7118), UDP
 * and TCP (RFC 3261 §18), one message size limit and one per-source rate
 * limit for all of them, and {@link SipTransports.flowTo} for requests the
 * core originates towards a trunk or an edge proxy.
 *
 * ```ts
 * const flow = transports.flowTo({ transport: 'UDP', host: '127.0.0.1', port: 5070 });
 * const req = new SipRequest('OPTIONS', 'sip:trunk.example.com');
 * req.set('Via', `${transports.via(flow)};branch=${newBranch()}`);
 * req.set('Contact', transports.contact(flow));
 * transactions.sendRequest(req, flow, handlers); // responses come back on `flow`
 * ```
 *
 * @packageDocumentation
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SipParseError } from './errors';
import { createResponse } from './helpers';
import type { SipRequest, SipResponse } from './message';
import { RateVerdict, SourceRateLimiter } from './rate-limit';
import { TcpTransport } from './tcp-transport';
import { WsTransport, hostPort, type Flow, type TransportName } from './transport';
import { UdpTransport } from './udp-transport';

/** Where {@link SipTransports.flowTo} should send. */
export interface FlowTarget {
  transport: 'UDP' | 'TCP';
  /** An IP literal (use {@link SipTransports.resolveFlowTo} for a host name). */
  host: string;
  port: number;
}

/** Options of {@link SipTransports}. */
export interface SipTransportsOptions {
  /** Every well-formed message that passed the rate limit. */
  onMessage(msg: SipRequest | SipResponse, flow: Flow): void;
  /** A connection ended (WebSocket, TCP); UDP flows never close. */
  onFlowClosed(flow: Flow): void;
  onParseError?(error: SipParseError, flow: Flow): void;
  /** A socket failed or a handler threw. */
  onError?(error: unknown, flow: Flow | undefined): void;
  /** A transport could not start (port taken…); the others run on. */
  onListenError?(transport: 'UDP' | 'TCP', error: unknown): void;
  /** UDP/TCP listen address. Default `127.0.0.1`. */
  listenAddress?: string;
  /** UDP port (0: any free one); undefined: no UDP. */
  udpPort?: number | undefined;
  /** TCP port (0: any free one); undefined: no TCP. */
  tcpPort?: number | undefined;
  /** Largest message on any transport, in bytes. Default 64 KiB. */
  maxMessageSize?: number;
  /** Requests per second per source address; 0 turns the limit off. Default 0. */
  rateLimit?: number;
  /** Sources the rate limit leaves alone (e.g. the edge proxy). */
  rateLimitExempt?: readonly string[];
  /** TCP connections silent this long are closed. */
  tcpIdleMs?: number;
  /** UDP flows unused this long are no longer held by the transport. */
  udpIdleMs?: number;
}

/** Owns every SIP transport of the core; see the module comment. */
export class SipTransports {
  readonly ws: WsTransport;
  readonly udp: UdpTransport | undefined;
  readonly tcp: TcpTransport | undefined;
  readonly limiter: SourceRateLimiter;
  readonly maxMessageSize: number;
  private readonly options: SipTransportsOptions;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private udpUp = false;
  private tcpUp = false;

  constructor(options: SipTransportsOptions) {
    this.options = options;
    this.maxMessageSize = options.maxMessageSize ?? 64 * 1024;
    this.limiter = new SourceRateLimiter({
      perSecond: options.rateLimit ?? 0,
      exempt: options.rateLimitExempt ?? [],
    });
    this.sweeper = setInterval(() => this.limiter.sweep(), 10_000);
    this.sweeper.unref();
    const onMessage = (msg: SipRequest | SipResponse, flow: Flow): void => this.admit(msg, flow);
    const common = {
      onMessage,
      maxMessageSize: this.maxMessageSize,
      ...(options.onParseError ? { onParseError: options.onParseError } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    };
    this.ws = new WsTransport({ ...common, onFlowClosed: (flow) => options.onFlowClosed(flow) });
    const address = options.listenAddress ?? '127.0.0.1';
    this.udp =
      options.udpPort === undefined
        ? undefined
        : new UdpTransport({
            ...common,
            address,
            port: options.udpPort,
            ...(options.udpIdleMs ? { idleMs: options.udpIdleMs } : {}),
          });
    this.tcp =
      options.tcpPort === undefined
        ? undefined
        : new TcpTransport({
            ...common,
            address,
            port: options.tcpPort,
            onFlowClosed: (flow) => options.onFlowClosed(flow),
            ...(options.tcpIdleMs ? { idleMs: options.tcpIdleMs } : {}),
          });
  }

  /**
   * Binds UDP and TCP. A transport that cannot bind (port taken) is reported through
   * `onListenError` and left off; this never rejects.
   */
  async listen(): Promise<{ udp: number | undefined; tcp: number | undefined }> {
    const [udp, tcp] = await Promise.all([
      this.udp?.listen().then(
        (port) => {
          this.udpUp = true;
          return port;
        },
        (error: unknown) => {
          this.options.onListenError?.('UDP', error);
          return undefined;
        },
      ),
      this.tcp?.listen().then(
        (port) => {
          this.tcpUp = true;
          return port;
        },
        (error: unknown) => {
          this.options.onListenError?.('TCP', error);
          return undefined;
        },
      ),
    ]);
    return { udp, tcp };
  }

  /** Bound UDP and TCP ports (undefined: that transport is off or failed to bind). */
  get ports(): { udp: number | undefined; tcp: number | undefined } {
    return {
      udp: this.udpUp ? this.udp?.address?.port : undefined,
      tcp: this.tcpUp ? this.tcp?.address?.port : undefined,
    };
  }

  /**
   * A flow to a SIP peer (trunk, edge proxy) for requests the core sends: UDP goes out of the
   * listening socket (so the peer's answers and its own requests arrive on the same flow),
   * TCP reuses an open connection to that address or opens one. Throws
   * `SipTransportError` when that transport is not running or `host` is not an IP literal.
   */
  flowTo(target: FlowTarget): Flow {
    if (target.transport === 'UDP') {
      if (!this.udp || !this.udpUp) throw new Error('the UDP transport is not running');
      return this.udp.flowTo(target.host, target.port);
    }
    if (!this.tcp || !this.tcpUp) throw new Error('the TCP transport is not running');
    return this.tcp.flowTo(target.host, target.port);
  }

  /** {@link flowTo} after resolving a host name (first address of the system resolver). */
  async resolveFlowTo(target: FlowTarget): Promise<Flow> {
    if (isIP(target.host) !== 0) return this.flowTo(target);
    const { address } = await lookup(target.host);
    return this.flowTo({ ...target, host: address });
  }

  /**
   * Via value (without branch) for a request sent on `flow`; UDP/TCP flows carry the listen
   * address and port, WebSocket flows `fallbackSentBy` (the HTTP listener).
   */
  via(flow: Flow, fallbackSentBy: string): string {
    const sentBy = flow.local ? hostPort(flow.local.address, flow.local.port) : fallbackSentBy;
    return `SIP/2.0/${flow.transport} ${sentBy}${flow.transport === 'UDP' ? ';rport' : ''}`;
  }

  /** Contact value for a request or response sent on `flow` (`;transport=` always written). */
  contact(flow: Flow, fallbackSentBy: string, user = 'sentral'): string {
    const sentBy = flow.local ? hostPort(flow.local.address, flow.local.port) : fallbackSentBy;
    return `<sip:${user}@${sentBy};transport=${transportParam(flow.transport)}>`;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.ws.closeAll();
    await Promise.all([this.udp?.close(), this.tcp?.close()]);
  }

  /** The per-source rate limit, then on to the core. Responses are never limited. */
  private admit(msg: SipRequest | SipResponse, flow: Flow): void {
    if (msg.type === 'request' && this.limiter.enabled) {
      const verdict = this.limiter.take(flow.remote.address);
      if (verdict !== RateVerdict.Pass) {
        if (verdict === RateVerdict.Reject && msg.method !== 'ACK') {
          const res = createResponse(msg, 503, 'Service Unavailable');
          res.set('Retry-After', String(this.limiter.retryAfter(flow.remote.address)));
          flow.send(res.toString());
        }
        return;
      }
    }
    this.options.onMessage(msg, flow);
  }
}

function transportParam(name: TransportName): string {
  return name.toLowerCase();
}
