/**
 * A client for rtpengine's ng control protocol: bencoded dictionaries over UDP, each request
 * prefixed with a cookie the reply repeats (`<cookie> <bencode>`). UDP loses datagrams, so a
 * request is retried with the same cookie (rtpengine caches replies by cookie, a retry is not
 * executed twice) until a reply or the deadline.
 *
 * Commands used by the core: `offer`, `answer`, `delete`, `play media`, `stop media` and
 * `ping`. Flags follow rtpengine's documentation (docs/ng_control_protocol.md upstream).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { bdecode, bencode, type BValue } from './bencode';

export interface NgAddress {
  host: string;
  port: number;
}

/** `127.0.0.1:2223` → address. */
export function parseNgAddress(value: string): NgAddress {
  const m = /^([^:]+|\[[^\]]+\]):(\d{1,5})$/.exec(value.trim());
  if (!m?.[1] || !m[2]) throw new Error(`RTPENGINE_NG must be host:port, got "${value}"`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export class RtpengineError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

export interface NgOptions {
  /** Per-attempt wait before a retry (ms). Default 500. */
  retryAfterMs?: number;
  /** Attempts in all. Default 4. */
  attempts?: number;
}

/** Common parameters of offer/answer: rtpengine's flags as its docs spell them. */
export interface SdpCommand {
  'call-id': string;
  'from-tag': string;
  'to-tag'?: string;
  sdp: string;
  flags?: string[];
  replace?: string[];
  'transport-protocol'?: string;
  ICE?: 'remove' | 'force' | 'default' | 'optional' | 'force-relay';
  DTLS?: 'off' | 'passive' | 'active' | 'no';
  'rtcp-mux'?: string[];
  SDES?: string[];
  direction?: [string, string];
  codec?: { [key: string]: string[] };
  label?: string;
}

export interface PlayMedia {
  'call-id': string;
  'from-tag': string;
  /** A file rtpengine can read (wav and friends, decoded by its ffmpeg). */
  file: string;
  'repeat-times'?: number;
}

export type NgReply = { [key: string]: BValue | undefined };

export class RtpengineNg {
  readonly #socket: Socket;
  readonly #pending = new Map<string, (reply: NgReply) => void>();
  readonly #retryAfterMs: number;
  readonly #attempts: number;
  #closed = false;

  constructor(
    readonly address: NgAddress,
    options: NgOptions = {},
  ) {
    this.#retryAfterMs = options.retryAfterMs ?? 500;
    this.#attempts = options.attempts ?? 4;
    this.#socket = createSocket(address.host.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('message', (data) => this.#receive(data));
    // A lost or refused datagram is retried by the request's own timer.
    this.#socket.on('error', () => undefined);
    this.#socket.unref();
  }

  ping(): Promise<NgReply> {
    return this.request({ command: 'ping' });
  }

  /** The caller's offer; the reply's `sdp` is what to offer the other side. */
  offer(params: SdpCommand): Promise<NgReply & { sdp: string }> {
    return this.#sdp('offer', params);
  }

  /** The other side's answer; the reply's `sdp` is the answer for the offerer. */
  answer(params: SdpCommand & { 'to-tag': string }): Promise<NgReply & { sdp: string }> {
    return this.#sdp('answer', params);
  }

  delete(callId: string, fromTag?: string): Promise<NgReply> {
    return this.request({ command: 'delete', 'call-id': callId, 'from-tag': fromTag });
  }

  /** Plays a file to the party `from-tag` names; the reply says how long it lasts (`duration`, ms). */
  playMedia(params: PlayMedia): Promise<NgReply> {
    return this.request({ command: 'play media', ...params });
  }

  stopMedia(callId: string, fromTag: string): Promise<NgReply> {
    return this.request({ command: 'stop media', 'call-id': callId, 'from-tag': fromTag });
  }

  /**
   * Sends one command and resolves with rtpengine's reply dictionary; `result: error` rejects
   * with its `error-reason`, and so does silence after every attempt.
   */
  request(message: { command: string; [key: string]: BValue | undefined }): Promise<NgReply> {
    if (this.#closed) return Promise.reject(new RtpengineError('client closed', message.command));
    const cookie = randomBytes(8).toString('hex');
    const datagram = Buffer.concat([Buffer.from(`${cookie} `), bencode(message)]);
    return new Promise<NgReply>((resolve, reject) => {
      let attempt = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (attempt++ >= this.#attempts) {
          this.#pending.delete(cookie);
          reject(
            new RtpengineError(
              `rtpengine at ${this.address.host}:${this.address.port} did not answer ${message.command}`,
              message.command,
            ),
          );
          return;
        }
        this.#socket.send(datagram, this.address.port, this.address.host);
        timer = setTimeout(send, this.#retryAfterMs);
      };
      this.#pending.set(cookie, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(cookie);
        if (reply.result === 'error') {
          const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : '?';
          reject(new RtpengineError(`rtpengine ${message.command}: ${reason}`, message.command));
        } else resolve(reply);
      });
      send();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const settle of this.#pending.values())
      settle({ result: 'error', 'error-reason': 'closed' });
    this.#socket.close();
  }

  async #sdp(command: 'offer' | 'answer', params: SdpCommand): Promise<NgReply & { sdp: string }> {
    const reply = await this.request({ command, ...(params as unknown as Record<string, BValue>) });
    if (typeof reply.sdp !== 'string')
      throw new RtpengineError(`${command}: reply without sdp`, command);
    return { ...reply, sdp: reply.sdp };
  }

  #receive(data: Buffer): void {
    const space = data.indexOf(0x20);
    if (space <= 0) return;
    const settle = this.#pending.get(data.toString('ascii', 0, space));
    if (!settle) return; // a late duplicate of a reply already taken
    try {
      const reply = bdecode(data.subarray(space + 1));
      if (typeof reply !== 'object' || Array.isArray(reply)) return;
      settle(reply);
    } catch {
      settle({ result: 'error', 'error-reason': 'unparseable reply' });
    }
  }
}
