/**
 * An in-memory SIP "network" for pairing two {@link SipPhone}s in one page (SIP.js's own test
 * style): a registrar that answers REGISTER, and direct user-agent-to-user-agent routing by
 * Request-URI user (AOR or contact) for requests and by Via branch for responses. No proxy
 * headers are added; media is real WebRTC on loopback.
 */
import { EmitterImpl, TransportState } from 'sip.js';
import type { Transport, UserAgentOptions } from 'sip.js';

const CRLF = '\r\n';

interface Parsed {
  readonly firstLine: string;
  readonly headers: readonly string[];
  readonly body: string;
}

function parse(message: string): Parsed {
  const split = message.indexOf(CRLF + CRLF);
  const head = split >= 0 ? message.slice(0, split) : message;
  const body = split >= 0 ? message.slice(split + 4) : '';
  const [firstLine = '', ...headers] = head.split(CRLF);
  return { firstLine, headers, body };
}

function headerValues(parsed: Parsed, name: string): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return parsed.headers
    .filter((h) => h.toLowerCase().startsWith(prefix))
    .map((h) => h.slice(prefix.length).trim());
}

function userOf(uri: string): string {
  const match = /sips?:([^@;>]+)@/.exec(uri);
  return match?.[1] ?? '';
}

function branchOf(parsed: Parsed): string {
  const via = headerValues(parsed, 'via')[0] ?? '';
  return /branch=([^;\s]+)/.exec(via)?.[1] ?? '';
}

/** A response to `request` with the mandatory headers copied (RFC 3261 §8.2.6). */
export function responseTo(
  request: string,
  status: number,
  reason: string,
  extraHeaders: string[] = [],
): string {
  const parsed = parse(request);
  const pick = (name: string) => headerValues(parsed, name);
  let to = pick('to')[0] ?? '';
  if (!/;\s*tag=/.test(to)) to += ';tag=loopback';
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...pick('via').map((v) => `Via: ${v}`),
    `From: ${pick('from')[0] ?? ''}`,
    `To: ${to}`,
    `Call-ID: ${pick('call-id')[0] ?? ''}`,
    `CSeq: ${pick('cseq')[0] ?? ''}`,
    ...extraHeaders,
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF);
}

export class LoopbackTransport implements Transport {
  readonly protocol = 'WS';
  state: TransportState = TransportState.Disconnected;
  readonly stateChange = new EmitterImpl<TransportState>();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  constructor(private readonly network: LoopbackNetwork) {}

  connect(): Promise<void> {
    if (this.network.down) {
      this.setState(TransportState.Disconnected);
      return Promise.reject(new Error('network down'));
    }
    this.setState(TransportState.Connected);
    this.onConnect?.();
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    if (this.state === TransportState.Disconnected) return Promise.resolve();
    this.setState(TransportState.Disconnected);
    this.onDisconnect?.();
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    this.network.forget(this);
    return this.disconnect();
  }

  isConnected(): boolean {
    return this.state === TransportState.Connected;
  }

  send(message: string): Promise<void> {
    if (!this.isConnected()) return Promise.reject(new Error('not connected'));
    this.network.route(this, message);
    return Promise.resolve();
  }

  /** The network delivers a message to this user agent (asynchronously, like a socket). */
  deliver(message: string): void {
    setTimeout(() => {
      if (this.isConnected()) this.onMessage?.(message);
    }, 0);
  }

  /** The connection dies under the user agent (network blip). */
  lose(): void {
    if (this.state === TransportState.Disconnected) return;
    this.setState(TransportState.Disconnected);
    this.onDisconnect?.(new Error('connection lost'));
  }

  private setState(state: TransportState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateChange.emit(state);
  }
}

export class LoopbackNetwork {
  /** AOR user or contact user → the transport it registered from. */
  private readonly routes = new Map<string, LoopbackTransport>();
  /** Via branch of a forwarded request → the transport that sent it (for the responses). */
  private readonly branches = new Map<string, LoopbackTransport>();
  private readonly transports = new Set<LoopbackTransport>();
  /** Answer REGISTER with this status instead of 200. */
  rejectRegisterWith: [number, string] | null = null;
  /** P-Asserted-Identity the "core" adds to initial INVITEs, per caller AOR user. */
  readonly assertedIdentity = new Map<string, string>();
  /** Every SIP message sent, in order (for assertions). */
  readonly log: string[] = [];
  /** When true, connecting fails. */
  down = false;

  /** The transport class to pass as `transportConstructor`. */
  get transportConstructor(): NonNullable<UserAgentOptions['transportConstructor']> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const network = this;
    return class extends LoopbackTransport {
      constructor() {
        super(network);
        network.transports.add(this);
      }
    };
  }

  /** Drops every connection (the user agents see a transport error). */
  loseAll(): void {
    for (const t of this.transports) t.lose();
  }

  forget(transport: LoopbackTransport): void {
    this.transports.delete(transport);
    for (const [key, value] of this.routes) if (value === transport) this.routes.delete(key);
  }

  /** Messages of one method (requests) in the log. */
  requests(method: string): string[] {
    return this.log.filter((m) => m.startsWith(`${method} `));
  }

  route(from: LoopbackTransport, message: string): void {
    this.log.push(message);
    const parsed = parse(message);
    if (parsed.firstLine.startsWith('SIP/2.0')) {
      this.branches.get(branchOf(parsed))?.deliver(message);
      return;
    }
    const [method = '', requestUri = ''] = parsed.firstLine.split(' ');
    if (method === 'REGISTER') {
      this.register(from, message, parsed);
      return;
    }
    const target = this.routes.get(userOf(requestUri));
    if (!target) {
      if (method !== 'ACK') from.deliver(responseTo(message, 404, 'Not Found'));
      return;
    }
    this.branches.set(branchOf(parsed), from);
    let forwarded = message;
    const toHasTag = /;\s*tag=/.test(headerValues(parsed, 'to')[0] ?? '');
    if (method === 'INVITE' && !toHasTag) {
      const caller = userOf(headerValues(parsed, 'from')[0] ?? '');
      const pai = this.assertedIdentity.get(caller);
      if (pai) {
        const firstBreak = message.indexOf(CRLF);
        forwarded = `${message.slice(0, firstBreak)}${CRLF}P-Asserted-Identity: ${pai}${message.slice(firstBreak)}`;
      }
    }
    target.deliver(forwarded);
  }

  private register(from: LoopbackTransport, message: string, parsed: Parsed): void {
    if (this.rejectRegisterWith) {
      const [code, reason] = this.rejectRegisterWith;
      from.deliver(responseTo(message, code, reason));
      return;
    }
    const aorUser = userOf(headerValues(parsed, 'to')[0] ?? '');
    const contact = headerValues(parsed, 'contact')[0] ?? '';
    this.routes.set(aorUser, from);
    this.routes.set(userOf(contact), from);
    from.deliver(responseTo(message, 200, 'OK', [`Contact: ${contact}`]));
  }
}
