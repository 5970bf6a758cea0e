/**
 * JSON-over-WebSocket client of the core's `/api` (see `src/shared/protocol.ts`).
 *
 * - Commands are `{ id, type, ...params }`; the reply with the same `id` settles the promise
 *   returned by {@link ApiClient.call}: resolved with `result`, or rejected with an
 *   {@link ApiCallError} carrying the server's `{ code, message }`.
 * - Events (`{ type: 'event', ... }`) are pushed to {@link ApiClient.events$}.
 * - The socket opens lazily on the first command and reconnects with exponential backoff
 *   (with jitter) whenever it drops. Commands in flight when it drops reject with
 *   `disconnected`; commands issued while it is down wait for the next open until their
 *   timeout. There is no session resume: the server forgets the login with the socket.
 * @packageDocumentation
 */
import { BehaviorSubject, Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type {
  CommandParams,
  CommandResult,
  CommandType,
  EventFrame,
  ServerFrame,
} from '../shared/protocol.js';
import { ApiCallError } from './api-error.js';
import { logger } from './logger.js';

export type ConnectionState =
  /** Not connected yet (nothing asked for the socket). */
  | 'idle'
  | 'connecting'
  | 'open'
  /** Dropped (or never opened); a retry is scheduled. */
  | 'reconnecting'
  /** Closed on purpose by {@link WebSocketApiClient.close}. */
  | 'closed';

/** What the views and services need from the API. Fakes implement this in element tests. */
/**
 * A command sent first on every (re)opened connection, before anything queued: used to resume
 * the login session after a network blip. `onReply` gets its outcome.
 */
export interface Handshake {
  readonly type: CommandType;
  readonly params: Record<string, unknown>;
  onReply(error: ApiCallError | null): void;
}

export interface ApiClient {
  call<T extends CommandType>(type: T, params: CommandParams<T>): Promise<CommandResult<T>>;
  /** Sets (or clears with null) the handshake sent first after each reconnect. */
  setHandshake?(handshake: (() => Handshake | null) | null): void;
  readonly events$: Observable<EventFrame>;
  readonly connectionState$: Observable<ConnectionState>;
}

/** The subset of the browser `WebSocket` the client uses (so tests can pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketApiClientOptions {
  /** Defaults to {@link defaultApiUrl} of the page. */
  url?: string;
  createSocket?: (url: string) => SocketLike;
  /** Reject a command that got no reply in this time. Default 15 s. */
  commandTimeoutMs?: number;
  /** First retry delay; doubles per failed attempt up to `maxBackoffMs`. Default 500 ms. */
  initialBackoffMs?: number;
  /** Default 15 s. */
  maxBackoffMs?: number;
  /** Jitter source (tests pin it). */
  random?: () => number;
}

/** `ws(s)://<page host>/api`: the API always lives on the page's own origin. */
export function defaultApiUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api`;
}

/** Delay before reconnect attempt `attempt` (0-based): exponential with ±25 % jitter. */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

interface Pending {
  readonly id: number;
  readonly frame: string;
  sent: boolean;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: ApiCallError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

export class WebSocketApiClient implements ApiClient {
  private readonly url: string;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly commandTimeoutMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;

  private readonly eventsSubject = new Subject<EventFrame>();
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('idle');
  private readonly pending = new Map<number, Pending>();
  private socket: SocketLike | null = null;
  private nextId = 1;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private handshake: (() => Handshake | null) | null = null;
  private opened = false;

  readonly events$: Observable<EventFrame> = this.eventsSubject.asObservable();
  readonly connectionState$: Observable<ConnectionState> = this.stateSubject.asObservable();

  constructor(options: WebSocketApiClientOptions = {}) {
    this.url = options.url ?? defaultApiUrl();
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.commandTimeoutMs = options.commandTimeoutMs ?? 15_000;
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 15_000;
    this.random = options.random ?? Math.random;
  }

  setHandshake(handshake: (() => Handshake | null) | null): void {
    this.handshake = handshake;
  }

  get connectionState(): ConnectionState {
    return this.stateSubject.getValue();
  }

  /** Opens the socket if it is not open or opening. Idempotent. */
  connect(): void {
    if (this.socket || this.retryTimer !== null) return;
    this.open();
  }

  call<T extends CommandType>(type: T, params: CommandParams<T>): Promise<CommandResult<T>> {
    if (this.connectionState === 'closed') {
      return Promise.reject(new ApiCallError('disconnected', 'The API client is closed.'));
    }
    this.connect();
    const id = this.nextId++;
    const frame = JSON.stringify({ ...params, id, type });
    return new Promise<CommandResult<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiCallError('timeout', `No reply to ${type} in ${this.commandTimeoutMs} ms.`));
      }, this.commandTimeoutMs);
      const entry: Pending = {
        id,
        frame,
        sent: false,
        resolve: (result) => resolve(result as CommandResult<T>),
        reject,
        timer,
      };
      this.pending.set(id, entry);
      this.flush();
    });
  }

  /** Closes the socket for good and rejects everything pending. */
  close(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      this.detach(socket);
      socket.close(1000, 'client closed');
    }
    this.rejectPending(() => true, 'The API client was closed.');
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    if (this.stateSubject.getValue() !== state) this.stateSubject.next(state);
  }

  private open(): void {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch (error) {
      logger.warn('api: cannot create WebSocket', error);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      // Only on a *re*connect: the first connection has no session to resume yet.
      if (this.opened) this.sendHandshake(socket);
      this.opened = true;
      this.setState('open');
      this.flush();
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onerror = () => {
      // A close event always follows; reconnect is handled there.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.detach(socket);
      this.socket = null;
      logger.warn(`api: socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
      this.rejectPending((p) => p.sent, 'The connection to the server was lost.');
      this.scheduleReconnect();
    };
  }

  private detach(socket: SocketLike): void {
    socket.onopen = null;
    socket.onclose = null;
    socket.onerror = null;
    socket.onmessage = null;
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt, this.initialBackoffMs, this.maxBackoffMs, this.random);
    this.attempt++;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private sendHandshake(socket: SocketLike): void {
    const hs = this.handshake?.();
    if (!hs) return;
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      hs.onReply(new ApiCallError('timeout', `No reply to ${hs.type}.`));
    }, this.commandTimeoutMs);
    this.pending.set(id, {
      id,
      frame: '',
      sent: true,
      resolve: () => hs.onReply(null),
      reject: (error) => hs.onReply(error),
      timer,
    });
    socket.send(JSON.stringify({ ...hs.params, id, type: hs.type }));
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    for (const entry of this.pending.values()) {
      if (entry.sent) continue;
      socket.send(entry.frame);
      entry.sent = true;
    }
  }

  private rejectPending(which: (p: Pending) => boolean, message: string): void {
    for (const entry of [...this.pending.values()]) {
      if (!which(entry)) continue;
      clearTimeout(entry.timer);
      this.pending.delete(entry.id);
      entry.reject(new ApiCallError('disconnected', message));
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      logger.warn('api: dropped a frame that is not JSON');
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    if ('type' in frame && frame.type === 'event') {
      this.eventsSubject.next(frame);
      return;
    }
    if ('type' in frame && frame.type === 'events') {
      // A batch (events came fast): each as if it came alone, in order.
      for (const event of Array.isArray(frame.frames) ? frame.frames : []) {
        this.eventsSubject.next(event);
      }
      return;
    }
    if (!('ok' in frame)) return;
    if (frame.id === null) {
      logger.warn('api: server could not read a frame', frame.ok ? undefined : frame.error);
      return;
    }
    const entry = this.pending.get(frame.id);
    if (!entry) return; // timed out already
    clearTimeout(entry.timer);
    this.pending.delete(frame.id);
    if (frame.ok) entry.resolve(frame.result);
    else entry.reject(ApiCallError.fromApiError(frame.error));
  }
}
