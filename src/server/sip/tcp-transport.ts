/**
 * SIP over TCP (RFC 3261 §18.3): stream framing by Content-Length, one
 * {@link Flow} per connection, inbound (a listening server) and outbound
 * (connections the core opens to a trunk or an edge proxy).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { SipParseError, SipTransportError } from './errors';
import { createResponse } from './helpers';
import type { SipRequest, SipResponse } from './message';
import { parseMessage } from './parser';
import { normalizeAddress } from './rate-limit';
import { parseErrorAnswer, stampVia, type Flow } from './transport';

/** One unit cut out of a SIP byte stream by {@link SipStreamFramer}. */
export type StreamFrame =
  /** One complete message: its head plus exactly Content-Length body bytes. */
  | { kind: 'message'; data: Buffer }
  /** An RFC 5626 double-CRLF keepalive between messages. */
  | { kind: 'ping' }
  /**
   * The stream cannot be framed any further (no or bad Content-Length, too large): answer
   * `status` to the request in `head` if it is one, then close the connection (§18.3).
   */
  | { kind: 'fatal'; status: number; reason: string; head: string };

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
// No lazy group before `[ \t]*$`: that backtracks quadratically on a long run of blanks
// followed by anything else (40 KB of tabs blocked the event loop for 3 s); trailing blanks are
// cut by hand instead.
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)$/im;

/**
 * Cuts a TCP byte stream into SIP messages: header up to the empty line,
 * then Content-Length bytes of body (§18.3). Messages may be split across
 * reads or several may come in one; CRLFs between messages are skipped and
 * a double CRLF is a keepalive. After a `fatal` frame the framer yields
 * nothing more (the connection must close).
 */
export class SipStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private lineEnds = 0;
  private failed = false;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): StreamFrame[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: StreamFrame[] = [];
    for (;;) {
      // Line ends between messages: skipped; every CRLFCRLF among them is a ping.
      let i = 0;
      while (i < this.buffer.length) {
        const c = this.buffer[i];
        if (c !== CR && c !== LF) break;
        if (++this.lineEnds === 4) {
          out.push({ kind: 'ping' });
          this.lineEnds = 0;
        }
        i++;
      }
      if (i > 0) this.buffer = this.buffer.subarray(i);
      if (this.buffer.length === 0) return out;
      this.lineEnds = 0;

      const headEnd = this.buffer.indexOf(HEAD_END);
      if (headEnd === -1) {
        if (this.buffer.length > this.maxMessageSize) {
          out.push(this.fail(513, 'Message Too Large', this.buffer));
        }
        return out;
      }
      const head = this.buffer.subarray(0, headEnd).toString('latin1');
      const match = CONTENT_LENGTH.exec(head);
      if (match === null) {
        out.push(this.fail(400, 'Missing Content-Length', `${head}\r\n\r\n`));
        return out;
      }
      let value = match[1] ?? '';
      let end = value.length;
      while (end > 0 && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9))
        end--;
      value = value.slice(0, end);
      if (!/^[0-9]{1,10}$/.test(value)) {
        out.push(this.fail(400, 'Bad Content-Length', `${head}\r\n\r\n`));
        return out;
      }
      const total = headEnd + 4 + Number(value);
      if (total > this.maxMessageSize) {
        out.push(this.fail(513, 'Message Too Large', `${head}\r\n\r\n`));
        return out;
      }
      if (this.buffer.length < total) return out;
      out.push({ kind: 'message', data: this.buffer.subarray(0, total) });
      this.buffer = this.buffer.subarray(total);
    }
  }

  private fail(status: number, reason: string, head: Buffer | string): StreamFrame {
    this.failed = true;
    this.buffer = Buffer.alloc(0);
    const text = typeof head === 'string' ? head : head.toString('latin1');
    return { kind: 'fatal', status, reason, head: text };
  }
}

/** Options of {@link TcpTransport}. */
export interface TcpTransportOptions {
  /** Every well-formed message; requests already carry `received`/`rport` on the top Via. */
  onMessage(msg: SipRequest | SipResponse, flow: Flow): void;
  onFlowClosed?(flow: Flow): void;
  /** Every malformed message (already answered or dropped), for logs and counters. */
  onParseError?(error: SipParseError, flow: Flow): void;
  /** A handler threw or a socket failed. Default: `process.emitWarning`. */
  onError?(error: unknown, flow: Flow | undefined): void;
  /** Listen address. Default `127.0.0.1`. */
  address?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Messages above this many bytes get 513 and the connection closes. Default 64 KiB. */
  maxMessageSize?: number;
  /** A connection silent this long is closed. Default 1 h 5 min (above a 3600 s registration). */
  idleMs?: number;
}

/**
 * State of one TCP connection.
 *
 * ```
 *   Connecting ──► Open ──► Closing ──► Closed
 *       │            │                    ▲
 *       └────────────┴────────────────────┘  (socket error or close)
 * ```
 * - Connecting: an outbound connection not yet up; writes are queued by the socket.
 * - Open: messages flow both ways (inbound connections start here).
 * - Closing: we ended it (a final 400/513 is flushed); nothing more is sent or read.
 * - Closed: the socket is gone; the flow reported itself closed once.
 */
export enum TcpFlowState {
  Connecting = 'connecting',
  Open = 'open',
  Closing = 'closing',
  Closed = 'closed',
}

/** Allowed moves of {@link TcpFlowState}. */
export const TCP_FLOW_TRANSITIONS: Readonly<Record<TcpFlowState, readonly TcpFlowState[]>> = {
  [TcpFlowState.Connecting]: [TcpFlowState.Open, TcpFlowState.Closing, TcpFlowState.Closed],
  [TcpFlowState.Open]: [TcpFlowState.Closing, TcpFlowState.Closed],
  [TcpFlowState.Closing]: [TcpFlowState.Closed],
  [TcpFlowState.Closed]: [],
};

/** The guarded transition: returns `to`, throws on a move the table does not allow. */
export function transitionTcpFlow(from: TcpFlowState, to: TcpFlowState): TcpFlowState {
  if (!TCP_FLOW_TRANSITIONS[from].includes(to)) {
    throw new Error(`TcpFlow: illegal transition ${from} -> ${to}`);
  }
  return to;
}

/** A TCP {@link Flow} with its connection state. */
export interface TcpFlowInfo extends Flow {
  readonly state: TcpFlowState;
}

class TcpFlow implements TcpFlowInfo {
  readonly transport = 'TCP' as const;
  readonly reliable = true;
  readonly framer: SipStreamFramer;
  private current: TcpFlowState;

  constructor(
    readonly id: string,
    readonly remote: { readonly address: string; readonly port: number },
    readonly local: { readonly address: string; readonly port: number },
    readonly socket: Socket,
    maxMessageSize: number,
    outbound: boolean,
    private readonly onEnd: (flow: TcpFlow) => void,
  ) {
    this.framer = new SipStreamFramer(maxMessageSize);
    this.current = outbound ? TcpFlowState.Connecting : TcpFlowState.Open;
  }

  get state(): TcpFlowState {
    return this.current;
  }

  get closed(): boolean {
    return (
      this.current === TcpFlowState.Closing ||
      this.current === TcpFlowState.Closed ||
      this.socket.destroyed
    );
  }

  send(data: string): void {
    if (this.closed) throw new SipTransportError(`flow ${this.id} is closed`);
    this.socket.write(data);
  }

  /** The outbound connection is up. */
  connected(): void {
    if (this.current === TcpFlowState.Connecting) this.move(TcpFlowState.Open);
  }

  close(): void {
    if (this.closed) {
      this.end();
      return;
    }
    this.move(TcpFlowState.Closing);
    // Flush what was written (a final 400/513), then make sure the socket goes.
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    timer.unref();
    this.end();
  }

  /** Idempotent: the socket's close event and an explicit close both land here. */
  end(): void {
    if (this.current === TcpFlowState.Closed) return;
    this.move(TcpFlowState.Closed);
    this.onEnd(this);
  }

  private move(to: TcpFlowState): void {
    this.current = transitionTcpFlow(this.current, to);
  }
}

/**
 * SIP over TCP. Each connection is a {@link Flow}; a stream is framed by
 * {@link SipStreamFramer}. A framed message that does not parse is answered
 * like on every transport (400/416/505 for requests with a Via, responses
 * dropped) and the connection stays; a stream that cannot be framed (no or
 * bad Content-Length, over the size limit) is answered 400/513 and closed.
 * Garbage (no SIP start line) closes the connection: the stream is lost.
 */
export class TcpTransport {
  private readonly options: TcpTransportOptions;
  private readonly maxMessageSize: number;
  private readonly idleMs: number;
  private readonly prefix = randomBytes(3).toString('hex');
  private counter = 0;
  private readonly server: Server;
  private readonly open = new Map<string, TcpFlow>();
  /** Open flows by remote `address|port`, for reuse by {@link flowTo}. */
  private readonly byRemote = new Map<string, TcpFlow>();
  private bound: { address: string; port: number } | undefined;
  private ended = false;

  constructor(options: TcpTransportOptions) {
    this.options = options;
    this.maxMessageSize = options.maxMessageSize ?? 64 * 1024;
    this.idleMs = options.idleMs ?? 3900_000;
    this.server = createServer((socket) => this.adopt(socket));
    this.server.on('error', (error) => {
      if (this.bound) this.report(error, undefined);
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const address = this.options.address ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 0, address, () => {
        this.server.off('error', onError);
        const info = this.server.address();
        if (info === null || typeof info === 'string') {
          reject(new Error('TCP listener has no address'));
          return;
        }
        this.bound = { address: info.address, port: info.port };
        resolve(info.port);
      });
    });
  }

  get address(): { address: string; port: number } | undefined {
    return this.bound;
  }

  /** Open flows by id. */
  get flows(): ReadonlyMap<string, Flow> {
    return this.open;
  }

  /**
   * An open connection to `address:port` (an IP literal), or a new one. Returns at once; a
   * failed connect ends the flow (`onFlowClosed`), so transactions on it report a transport
   * error. Messages sent before the connection is up are queued by the socket.
   */
  flowTo(address: string, port: number): TcpFlowInfo {
    if (this.ended) throw new SipTransportError('TCP transport is closed');
    if (isIP(address) === 0) throw new SipTransportError(`not an IP address: ${address}`);
    const remote = normalizeAddress(address);
    const existing = this.byRemote.get(`${remote}|${port}`);
    if (existing && !existing.closed) return existing;
    const socket = connect({ host: remote, port });
    return this.adopt(socket, { address: remote, port });
  }

  /** Closes every connection and the listener. */
  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    for (const flow of [...this.open.values()]) {
      flow.socket.destroy();
      flow.end();
    }
    if (this.bound === undefined) return Promise.resolve();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private adopt(socket: Socket, remoteOverride?: { address: string; port: number }): TcpFlow {
    const remote = remoteOverride ?? {
      address: normalizeAddress(socket.remoteAddress ?? ''),
      port: socket.remotePort ?? 0,
    };
    const local = this.bound ?? { address: '127.0.0.1', port: 0 };
    const flow = new TcpFlow(
      `tcp-${this.prefix}-${++this.counter}`,
      remote,
      local,
      socket,
      this.maxMessageSize,
      remoteOverride !== undefined,
      (ended) => {
        this.open.delete(ended.id);
        const key = `${ended.remote.address}|${ended.remote.port}`;
        if (this.byRemote.get(key) === ended) this.byRemote.delete(key);
        this.guard(ended, () => this.options.onFlowClosed?.(ended));
      },
    );
    this.open.set(flow.id, flow);
    this.byRemote.set(`${remote.address}|${remote.port}`, flow);
    socket.setNoDelay(true);
    if (remoteOverride !== undefined) socket.once('connect', () => flow.connected());
    socket.setTimeout(this.idleMs, () => flow.close());
    socket.on('data', (chunk: Buffer) => this.receive(flow, chunk));
    socket.on('close', () => flow.end());
    socket.on('error', (error) => {
      this.report(error, flow);
      flow.end();
    });
    if (this.ended) flow.close();
    return flow;
  }

  private receive(flow: TcpFlow, chunk: Buffer): void {
    if (flow.closed) return;
    for (const frame of flow.framer.push(chunk)) {
      if (flow.closed) return;
      switch (frame.kind) {
        case 'ping':
          this.guard(flow, () => flow.send('\r\n'));
          break;
        case 'fatal':
          this.fatal(flow, frame.status, frame.reason, frame.head);
          return;
        case 'message':
          this.deliver(flow, frame.data);
          break;
      }
    }
  }

  private deliver(flow: TcpFlow, data: Buffer): void {
    let msg: SipRequest | SipResponse;
    try {
      msg = parseMessage(data.toString('utf8'));
    } catch (error) {
      if (!(error instanceof SipParseError)) {
        this.report(error, flow);
        return;
      }
      this.guard(flow, () => this.options.onParseError?.(error, flow));
      if (error.kind === 'garbage') {
        flow.close();
        return;
      }
      const answer = parseErrorAnswer(error, 513, flow.remote);
      if (answer !== undefined) this.guard(flow, () => flow.send(answer));
      return;
    }
    if (msg.type === 'request') stampVia(msg, flow.remote);
    this.guard(flow, () => this.options.onMessage(msg, flow));
  }

  /** A stream that cannot be framed: answer the request in `head` if possible, then close. */
  private fatal(flow: TcpFlow, status: number, reason: string, head: string): void {
    let answer: string | undefined;
    try {
      // Complete header lines only (a too-large head may end mid-line).
      const lines = head.includes('\r\n\r\n')
        ? (head.split('\r\n\r\n')[0] ?? '')
        : head.slice(0, Math.max(0, head.lastIndexOf('\r\n')));
      const req = parseMessage(`${lines}\r\n\r\n`, { encoding: 'latin1' });
      if (req.type === 'request' && req.method !== 'ACK') {
        stampVia(req, flow.remote);
        answer = createResponse(req, status, reason).toString();
      }
    } catch (error) {
      if (error instanceof SipParseError && error.partial) {
        const partial = error.partial;
        if (partial.method !== 'ACK' && partial.has('Via')) {
          stampVia(partial, flow.remote);
          answer = createResponse(partial, status, reason).toString();
        }
      }
    }
    const reported = new SipParseError(answer ? 'request' : 'garbage', status, reason);
    this.guard(flow, () => this.options.onParseError?.(reported, flow));
    if (answer !== undefined) {
      const text = answer;
      this.guard(flow, () => flow.send(text));
    }
    flow.close();
  }

  private guard(flow: Flow, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.report(error, flow);
    }
  }

  private report(error: unknown, flow: Flow | undefined): void {
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
