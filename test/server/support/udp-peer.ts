/**
 * A scripted SIP peer over a raw UDP socket (and one over a raw TCP connection): sends exact
 * datagrams, waits for exact answers, counts retransmissions. Like sip-peer.ts for WebSocket.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { RawApiClient } from './api-client';
import { DOMAIN } from './scenarios';
import { digestAuthorization, parseLoosely, rand, type ReceivedMessage } from './sip-peer';

abstract class Inbox {
  protected readonly inbox: ReceivedMessage[] = [];
  /** Every message ever received, in order (retransmissions included). */
  readonly all: ReceivedMessage[] = [];
  private readonly waiters: Array<() => void> = [];
  closed = false;

  protected deliver(m: ReceivedMessage): void {
    this.inbox.push(m);
    this.all.push(m);
    this.wake();
  }

  protected wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for the next message matching `pred` (and removes it from the inbox). */
  async expect(pred: (m: ReceivedMessage) => boolean, timeoutMs = 5000): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as ReceivedMessage;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `no matching SIP message; inbox:\n${this.inbox.map((m) => m.text.split('\r\n')[0]).join('\n')}`,
        );
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, left).unref();
      });
    }
  }

  expectResponse(status: number, method?: string, timeoutMs?: number): Promise<ReceivedMessage> {
    return this.expect(
      (m) => m.status === status && (!method || (m.header('CSeq') ?? '').endsWith(method)),
      timeoutMs,
    );
  }

  expectRequest(method: string, timeoutMs?: number): Promise<ReceivedMessage> {
    return this.expect((m) => m.method === method, timeoutMs);
  }

  /** Drops everything queued (e.g. retransmissions already counted). */
  drain(): void {
    this.inbox.length = 0;
  }
}

export class UdpPeer extends Inbox {
  readonly #socket: Socket;
  readonly port: number;
  /** Raw datagrams as received (keepalive pongs included). */
  readonly raw: string[] = [];

  private constructor(socket: Socket, port: number) {
    super();
    this.#socket = socket;
    this.port = port;
    socket.on('message', (data) => {
      const text = data.toString('utf8');
      this.raw.push(text);
      if (text.trim() === '') return;
      this.deliver(parseLoosely(text));
    });
  }

  static async open(): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new UdpPeer(socket, socket.address().port);
  }

  /** Waits until `count` raw datagrams (keepalives included) have arrived. */
  async waitRaw(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.raw.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.raw.length} datagrams arrived`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** `127.0.0.1:port`, the sent-by of this peer. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  send(text: string | Buffer, port: number): void {
    this.#socket.send(text, port, '127.0.0.1');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#socket.close();
    this.wake();
  }
}

export class TcpPeer extends Inbox {
  readonly #socket: TcpSocket;
  #buffer = '';
  /** Raw text as received. */
  rawText = '';

  private constructor(socket: TcpSocket) {
    super();
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.rawText += chunk;
      this.#buffer += chunk;
      this.#frame();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<TcpPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new TcpPeer(socket);
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  /** Resolves true once the core closed the connection. */
  waitClosed(timeoutMs = 3000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #frame(): void {
    for (;;) {
      this.#buffer = this.#buffer.replace(/^(\r\n)+/, '');
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(this.#buffer.slice(0, end))?.[1]);
      const total = end + 4 + (Number.isFinite(length) ? length : 0);
      if (this.#buffer.length < total) return;
      this.deliver(parseLoosely(this.#buffer.slice(0, total)));
      this.#buffer = this.#buffer.slice(total);
    }
  }
}

/** A demo user's SIP credentials, issued by the API's auth.login. */
export async function sipCredentials(
  wsUrl: string,
  username: string,
): Promise<{ api: RawApiClient; authorizationUsername: string; password: string }> {
  const api = await RawApiClient.connect(wsUrl);
  const reply = (await api.command('auth.login', { username, password: 'demo1234' })) as {
    ok: boolean;
    result: { sip: { authorizationUsername: string; password: string } };
  };
  if (!reply.ok) throw new Error(`login failed: ${JSON.stringify(reply)}`);
  return { api, ...reply.result.sip };
}

/** A REGISTER from a UDP peer (Via with rport, Contact at its address). */
export function udpRegister(opts: {
  peer: UdpPeer;
  username: string;
  callId: string;
  fromTag: string;
  cseq: number;
  authorization?: string;
  expires?: number;
}): string {
  const expires = opts.expires ?? 600;
  return [
    `REGISTER sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/UDP ${opts.peer.hostPort};rport;branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: <sip:${opts.username}@${DOMAIN}>`,
    `From: <sip:${opts.username}@${DOMAIN}>;tag=${opts.fromTag}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq} REGISTER`,
    `Contact: <sip:${opts.username}@${opts.peer.hostPort}>;expires=${expires}`,
    ...(opts.authorization ? [`Authorization: ${opts.authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Logs a demo user in and REGISTERs a UDP peer for them at the core's UDP port. */
export async function registerOverUdp(
  wsUrl: string,
  udpPort: number,
  username: string,
): Promise<{ peer: UdpPeer; api: RawApiClient; authorizationUsername: string; password: string }> {
  const creds = await sipCredentials(wsUrl, username);
  const peer = await UdpPeer.open();
  const base = { peer, username, callId: rand(), fromTag: rand() };
  peer.send(udpRegister({ ...base, cseq: 1 }), udpPort);
  const challenge = await peer.expectResponse(401, 'REGISTER');
  const authorization = digestAuthorization({
    challenge: challenge.header('WWW-Authenticate') ?? '',
    username: creds.authorizationUsername,
    password: creds.password,
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
  });
  peer.send(udpRegister({ ...base, cseq: 2, authorization }), udpPort);
  await peer.expectResponse(200, 'REGISTER');
  return { peer, ...creds };
}
