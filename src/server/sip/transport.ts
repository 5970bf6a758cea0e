/**
 * Transports. A {@link Flow} is one connection (or, for UDP later, one
 * remote address) that messages arrive on and responses go back on; the
 * transaction and dialog layers only ever see flows.
 *
 * {@link WsTransport} carries SIP over WebSocket (RFC 7118): one message
 * per frame, no stream framing, the `sip` subprotocol.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { SipParseError, SipTransportError } from './errors';
import { createResponse } from './helpers';
import type { SipRequest, SipResponse } from './message';
import { parseMessage } from './parser';
import { normalizeAddress } from './rate-limit';
import { parseVia } from './via';

/** Transport names as they appear in Via. */
export type TransportName = 'WS' | 'WSS' | 'TCP' | 'UDP';

/** One connection (or remote address) to a peer. */
export interface Flow {
  /** Unique in this process; a registrar stores it to reach a WebSocket client later. */
  readonly id: string;
  readonly transport: TransportName;
  /** Reliable transports need no retransmissions and zero wait timers (I, J, D, K). */
  readonly reliable: boolean;
  readonly remote: { readonly address: string; readonly port: number };
  /**
   * The core's own listening address for UDP/TCP flows (what Via sent-by and Contact carry);
   * undefined for WebSocket flows, whose address is the HTTP listener's.
   */
  readonly local?: { readonly address: string; readonly port: number } | undefined;
  /** Sends one message; throws {@link SipTransportError} when the flow is closed. */
  send(data: string): void;
  close(): void;
  readonly closed: boolean;
}

/** Raw frame payload as `ws` delivers it. */
export type WsFrameData = string | Buffer | ArrayBuffer | Buffer[];

/** The part of a `ws` WebSocket the transport uses (a fake one will do in tests). */
export interface SipWebSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: WsFrameData, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of the HTTP upgrade request the transport reads. */
export interface UpgradeRequestInfo {
  socket: {
    remoteAddress?: string | undefined;
    remotePort?: number | undefined;
    encrypted?: boolean;
  };
}

/** What a `ws` WebSocketServer offers for `connection` events. */
export interface WsServerLike {
  on(
    event: 'connection',
    listener: (socket: SipWebSocket, request: UpgradeRequestInfo) => void,
  ): unknown;
}

/**
 * `handleProtocols` for the `ws` server: RFC 7118 requires the `sip`
 * subprotocol; refusing anything else keeps non-SIP clients out.
 */
export function sipWebSocketProtocols(protocols: Set<string>): string | false {
  return protocols.has('sip') ? 'sip' : false;
}

/** Options of {@link WsTransport}. */
export interface WsTransportOptions {
  /** Every well-formed message, requests and responses. */
  onMessage(msg: SipRequest | SipResponse, flow: Flow): void;
  onFlowClosed?(flow: Flow): void;
  /** Every malformed frame (already answered or dropped), for logs and counters. */
  onParseError?(error: SipParseError, flow: Flow): void;
  /** A handler threw or a socket failed. Default: `process.emitWarning`. */
  onError?(error: unknown, flow: Flow): void;
  /** Frames above this size are refused (413 for requests). Default 64 KiB. */
  maxMessageSize?: number;
  /** Frames without a SIP start line tolerated before the flow is closed. Default 3. */
  garbageLimit?: number;
  /** When given, its `connection` events are handled without further wiring. */
  server?: WsServerLike;
}

const OPEN = 1;
const KEEPALIVE_PING = '\r\n\r\n';
const KEEPALIVE_PONG = '\r\n';

class WsFlow implements Flow {
  readonly reliable = true;
  garbage = 0;
  private ended = false;

  constructor(
    readonly id: string,
    readonly transport: TransportName,
    readonly remote: { readonly address: string; readonly port: number },
    private readonly socket: SipWebSocket,
    private readonly onEnd: (flow: WsFlow) => void,
  ) {}

  get closed(): boolean {
    return this.ended || this.socket.readyState !== OPEN;
  }

  send(data: string): void {
    if (this.closed) throw new SipTransportError(`flow ${this.id} is closed`);
    this.socket.send(data);
  }

  close(code = 1000): void {
    if (this.ended) return;
    this.socket.close(code);
    this.end();
  }

  /** Idempotent: the socket's close event and an explicit close both land here. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
  }
}

function decode(data: WsFrameData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function frameSize(data: WsFrameData): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function isOnlyLineEnds(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 13 && c !== 10) return false;
  }
  return true;
}

/**
 * SIP over WebSocket. Each connection becomes a {@link Flow}; each text or
 * binary frame is one message. Malformed requests are answered from the
 * parser's `partial` when it has a Via (and
 * the request is not an ACK), malformed responses are dropped, frames
 * without a start line count as garbage and close the flow at the limit.
 * Nothing a peer sends makes this class throw.
 *
 * The server should be created with `noServer: true`, `handleProtocols:
 * sipWebSocketProtocols` and a `maxPayload` near `maxMessageSize`.
 */
export class WsTransport {
  private readonly options: WsTransportOptions;
  private readonly maxMessageSize: number;
  private readonly garbageLimit: number;
  private readonly prefix = randomBytes(3).toString('hex');
  private counter = 0;
  private readonly open = new Map<string, WsFlow>();

  constructor(options: WsTransportOptions) {
    this.options = options;
    this.maxMessageSize = options.maxMessageSize ?? 64 * 1024;
    this.garbageLimit = options.garbageLimit ?? 3;
    options.server?.on('connection', (socket, request) => this.handleConnection(socket, request));
  }

  /** Open flows by id. */
  get flows(): ReadonlyMap<string, Flow> {
    return this.open;
  }

  /** Adopts an accepted WebSocket; returns its flow. */
  handleConnection(socket: SipWebSocket, request: UpgradeRequestInfo): Flow {
    const info = request.socket;
    const flow = new WsFlow(
      `ws-${this.prefix}-${++this.counter}`,
      info.encrypted ? 'WSS' : 'WS',
      { address: info.remoteAddress ?? '', port: info.remotePort ?? 0 },
      socket,
      (ended) => {
        this.open.delete(ended.id);
        this.guard(ended, () => this.options.onFlowClosed?.(ended));
      },
    );
    this.open.set(flow.id, flow);
    socket.on('message', (data) => this.receive(flow, data));
    socket.on('close', () => flow.end());
    socket.on('error', (error) => this.report(error, flow));
    return flow;
  }

  /** Closes every flow. */
  closeAll(): void {
    for (const flow of [...this.open.values()]) flow.close(1001);
  }

  private receive(flow: WsFlow, data: WsFrameData): void {
    if (flow.closed) return;
    const text = decode(data);
    if (isOnlyLineEnds(text)) {
      if (text === KEEPALIVE_PING) this.guard(flow, () => flow.send(KEEPALIVE_PONG));
      return;
    }
    const size = frameSize(data);
    let msg: SipRequest | SipResponse;
    try {
      msg = parseMessage(text, {
        maxSize:
          size > this.maxMessageSize ? Math.min(text.length - 1, this.maxMessageSize) : undefined,
      });
    } catch (error) {
      if (error instanceof SipParseError) this.rejected(flow, error);
      else this.report(error, flow);
      return;
    }
    this.guard(flow, () => this.options.onMessage(msg, flow));
  }

  private rejected(flow: WsFlow, error: SipParseError): void {
    this.guard(flow, () => this.options.onParseError?.(error, flow));
    if (error.kind === 'garbage') {
      if (++flow.garbage >= this.garbageLimit) flow.close(1002);
      return;
    }
    const partial = error.partial;
    if (error.kind !== 'request' || partial === undefined || partial.method === 'ACK') return;
    // On a connection the response needs no routing beyond this flow, so a top Via is enough:
    // RFC 4475 §3.1.2.3 (insuf) expects a 400 even when From/To/Call-ID are missing; we copy
    // whichever of them exist.
    if (!partial.has('Via')) return;
    this.guard(flow, () =>
      flow.send(createResponse(partial, error.status, error.reason).toString()),
    );
  }

  private guard(flow: Flow, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error, flow);
    }
  }

  private report(error: unknown, flow: Flow): void {
    if (this.options.onError) {
      try {
        this.options.onError(error, flow);
      } catch {
        // The error handler itself failed; nothing sensible is left to tell.
      }
      return;
    }
    process.emitWarning(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `host:port` with IPv6 addresses in brackets, as Via sent-by and SIP URIs write it. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4 on a request that arrived from `remote`:
 * `received` is added when the top Via's sent-by host is not the source
 * address (always when the client asked for `rport`), and an empty `rport`
 * is filled with the source port. Responses copy this Via, so the client
 * sees where it was seen from. A Via that does not parse is left alone
 * (the parser has already refused such a request).
 */
export function stampVia(req: SipRequest, remote: { address: string; port: number }): void {
  const raw = req.get('Via');
  if (raw === undefined) return;
  let via;
  try {
    via = parseVia(raw);
  } catch {
    return;
  }
  const source = normalizeAddress(remote.address);
  const sentByHost = normalizeAddress(via.host.replace(/^\[|\]$/g, ''));
  const askedRport = via.params.has('rport') && via.params.get('rport') === null;
  if (!askedRport && sentByHost === source) return;
  via.params.set('received', source);
  if (askedRport) via.params.set('rport', String(remote.port));
  req.removeFirst('Via');
  req.prepend('Via', via.toString());
}

/**
 * Answers a malformed message the way every transport does: a request with
 * a Via (not an ACK) gets `status` (its own, or `tooLarge` for 413 when the
 * transport says 513), responses and garbage are dropped. With `remote`,
 * the Via is stamped first (received/rport). Returns the response text to
 * send, or undefined.
 */
export function parseErrorAnswer(
  error: SipParseError,
  tooLarge = 413,
  remote?: { address: string; port: number },
): string | undefined {
  const partial = error.partial;
  if (error.kind !== 'request' || partial === undefined || partial.method === 'ACK') return;
  if (!partial.has('Via')) return;
  if (remote) stampVia(partial, remote);
  const status = error.status === 413 ? tooLarge : error.status;
  const reason = status === 513 ? 'Message Too Large' : error.reason;
  return createResponse(partial, status, reason).toString();
}
