/**
 * SIP over UDP (RFC 3261 §18, RFC 3581): one socket, one {@link Flow} per
 * remote address and port.
 *
 * @packageDocumentation
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { SipParseError, SipTransportError } from './errors';
import type { SipRequest, SipResponse } from './message';
import { parseMessage } from './parser';
import { normalizeAddress } from './rate-limit';
import { parseErrorAnswer, stampVia, type Flow } from './transport';

/** Options of {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** Every well-formed message; requests already carry `received`/`rport` on the top Via. */
  onMessage(msg: SipRequest | SipResponse, flow: Flow): void;
  /** Every malformed datagram (already answered or dropped), for logs and counters. */
  onParseError?(error: SipParseError, flow: Flow): void;
  /** A handler threw or the socket failed. Default: `process.emitWarning`. */
  onError?(error: unknown, flow: Flow | undefined): void;
  /** Listen address. Default `127.0.0.1`. */
  address?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Datagrams above this many bytes are refused with 513 (requests). Default 64 KiB. */
  maxMessageSize?: number;
  /**
   * A flow idle this long is no longer held by the transport (only by whoever still uses it,
   * a registration or a call; a datagram from the same source finds it again). Default 5 min.
   */
  idleMs?: number;
}

const KEEPALIVE_PING = '\r\n\r\n';
const KEEPALIVE_PONG = '\r\n';

class UdpFlow implements Flow {
  readonly transport = 'UDP' as const;
  readonly reliable = false;
  lastUsed = Date.now();

  constructor(
    readonly id: string,
    readonly remote: { readonly address: string; readonly port: number },
    readonly local: { readonly address: string; readonly port: number },
    private readonly owner: UdpTransport,
  ) {}

  /** A UDP flow only closes with its socket: there is no connection to lose. */
  get closed(): boolean {
    return this.owner.closed;
  }

  send(data: string): void {
    if (this.closed) throw new SipTransportError(`flow ${this.id} is closed`);
    this.lastUsed = Date.now();
    this.owner.sendTo(data, this.remote.address, this.remote.port);
  }

  /** Nothing to close on a connectionless flow; the socket stays for everyone else. */
  close(): void {
    // Intentionally empty.
  }
}

function isOnlyLineEnds(buf: Buffer): boolean {
  for (const c of buf) if (c !== 13 && c !== 10) return false;
  return true;
}

/**
 * SIP over UDP. Every datagram is one message; a request's response goes
 * back to the address and port the request came from (RFC 3581 symmetric
 * response routing, also when the client did not ask for `rport` — the
 * source is where a NAT lets the answer through). Malformed requests with a
 * Via are answered 400/416/505, oversized ones 513; malformed responses and
 * garbage are dropped. Nothing a peer sends makes this class throw.
 *
 * Flows are one object per remote address:port for as long as anyone holds
 * them: the transport keeps recently used flows strongly and idle ones
 * weakly, so a registration's flow stays the same object (in-dialog
 * requests are matched by flow identity) while spoofed sources are
 * garbage-collected.
 */
export class UdpTransport {
  private readonly options: UdpTransportOptions;
  private readonly maxMessageSize: number;
  private readonly idleMs: number;
  private readonly prefix = randomBytes(3).toString('hex');
  private readonly socket: Socket;
  private readonly recent = new Map<string, UdpFlow>();
  private readonly known = new Map<string, WeakRef<UdpFlow>>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private bound: { address: string; port: number } | undefined;
  private ended = false;

  constructor(options: UdpTransportOptions) {
    this.options = options;
    this.maxMessageSize = options.maxMessageSize ?? 64 * 1024;
    this.idleMs = options.idleMs ?? 5 * 60_000;
    const address = options.address ?? '127.0.0.1';
    // A larger receive buffer rides out bursts while the event loop is busy (the kernel caps
    // it at net.core.rmem_max); a lost datagram costs a retransmission of 500 ms or more.
    this.socket = createSocket({
      type: isIP(address) === 6 ? 'udp6' : 'udp4',
      recvBufferSize: 4 * 1024 * 1024,
      sendBufferSize: 1024 * 1024,
    });
    this.socket.on('message', (data, rinfo) => this.receive(data, rinfo));
    // Bind errors reject listen(); later ones are reported.
    this.socket.on('error', (error) => {
      if (this.bound) this.report(error, undefined);
    });
  }

  /** Binds the socket; resolves with the bound port. Rejects (EADDRINUSE…) without throwing later. */
  listen(): Promise<number> {
    const address = this.options.address ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.socket.once('error', onError);
      this.socket.bind(this.options.port ?? 0, address, () => {
        this.socket.off('error', onError);
        const info = this.socket.address();
        this.bound = { address: info.address, port: info.port };
        this.sweeper = setInterval(() => this.sweep(), Math.max(1000, this.idleMs / 2));
        this.sweeper.unref();
        resolve(info.port);
      });
    });
  }

  /** The bound address and port, once listening. */
  get address(): { address: string; port: number } | undefined {
    return this.bound;
  }

  get closed(): boolean {
    return this.ended || this.bound === undefined;
  }

  /** Flows currently held by the transport (recently used). */
  get flowCount(): number {
    return this.recent.size;
  }

  /**
   * The flow to `address:port` (an IP literal), the same object the peer's own datagrams
   * arrive on. Throws {@link SipTransportError} before `listen()` or after `close()`.
   */
  flowTo(address: string, port: number): Flow {
    if (this.closed) throw new SipTransportError('UDP transport is not listening');
    if (isIP(address) === 0) throw new SipTransportError(`not an IP address: ${address}`);
    return this.flowFor(normalizeAddress(address), port);
  }

  /** @internal Sends one datagram (the flow checked that the socket is open). */
  sendTo(data: string, address: string, port: number): void {
    this.socket.send(data, port, address, (error) => {
      if (error) this.report(error, undefined);
    });
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    clearInterval(this.sweeper);
    this.recent.clear();
    this.known.clear();
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // never bound (the port was taken): nothing to close
      }
    });
  }

  private flowFor(address: string, port: number): UdpFlow {
    const key = `${address}|${port}`;
    let flow = this.recent.get(key) ?? this.known.get(key)?.deref();
    if (flow === undefined) {
      const local = this.bound ?? { address: '127.0.0.1', port: 0 };
      flow = new UdpFlow(`udp-${this.prefix}-${address}:${port}`, { address, port }, local, this);
      this.known.set(key, new WeakRef(flow));
    }
    flow.lastUsed = Date.now();
    this.recent.set(key, flow);
    return flow;
  }

  private sweep(): void {
    const before = Date.now() - this.idleMs;
    for (const [key, flow] of this.recent) if (flow.lastUsed < before) this.recent.delete(key);
    for (const [key, ref] of this.known) if (ref.deref() === undefined) this.known.delete(key);
  }

  private receive(data: Buffer, rinfo: RemoteInfo): void {
    if (this.ended) return;
    const flow = this.flowFor(normalizeAddress(rinfo.address), rinfo.port);
    if (isOnlyLineEnds(data)) {
      // RFC 5626 §4.4.1 keepalive: a double CRLF gets a single CRLF back.
      if (data.toString('latin1') === KEEPALIVE_PING)
        this.guard(flow, () => flow.send(KEEPALIVE_PONG));
      return;
    }
    let msg: SipRequest | SipResponse;
    try {
      const text = data.toString('utf8');
      msg = parseMessage(text, {
        maxSize:
          data.length > this.maxMessageSize
            ? Math.min(text.length - 1, this.maxMessageSize)
            : undefined,
      });
    } catch (error) {
      if (error instanceof SipParseError) {
        this.guard(flow, () => this.options.onParseError?.(error, flow));
        const answer = parseErrorAnswer(error, 513, flow.remote);
        if (answer !== undefined) this.guard(flow, () => flow.send(answer));
      } else {
        this.report(error, flow);
      }
      return;
    }
    if (msg.type === 'request') stampVia(msg, flow.remote);
    this.guard(flow, () => this.options.onMessage(msg, flow));
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
