/**
 * A scripted SIP peer over a real WebSocket (like a sipp scenario): sends exact messages and
 * waits for exact answers. Digest responses are computed here with node:crypto, independently
 * of the core's digest code.
 */
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export interface ReceivedMessage {
  text: string;
  /** Status code of a response, or undefined for a request. */
  status: number | undefined;
  method: string | undefined;
  header(name: string): string | undefined;
  headers(name: string): string[];
  body: string;
}

export function parseLoosely(text: string): ReceivedMessage {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const start = lines[0] ?? '';
  const statusMatch = /^SIP\/2\.0 (\d{3})/.exec(start);
  const fields = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
  });
  return {
    text,
    status: statusMatch ? Number(statusMatch[1]) : undefined,
    method: statusMatch ? undefined : start.split(' ')[0],
    header: (name) => fields.find(([n]) => n === name.toLowerCase())?.[1],
    headers: (name) => fields.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v),
    body,
  };
}

export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
export const rand = (): string => randomBytes(6).toString('hex');

export class SipPeer {
  readonly #ws: WebSocket;
  readonly #inbox: ReceivedMessage[] = [];
  readonly #waiters: Array<() => void> = [];
  closed = false;
  readonly host = `${rand()}.invalid`;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      this.#inbox.push(parseLoosely(data.toString()));
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(wsUrl: string): Promise<SipPeer> {
    const ws = new WebSocket(`${wsUrl}/sip`, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new SipPeer(ws);
  }

  send(text: string): void {
    this.#ws.send(text);
  }

  /** Waits for the next message matching `pred` (and removes it from the inbox). */
  async expect(pred: (m: ReceivedMessage) => boolean, timeoutMs = 5000): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#inbox.findIndex(pred);
      if (i >= 0) return this.#inbox.splice(i, 1)[0] as ReceivedMessage;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `no matching SIP message; inbox:\n${this.#inbox.map((m) => m.text.split('\r\n')[0]).join('\n')}`,
        );
      }
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, left).unref();
      });
    }
  }

  expectResponse(status: number, method?: string): Promise<ReceivedMessage> {
    return this.expect(
      (m) => m.status === status && (!method || (m.header('CSeq') ?? '').endsWith(method)),
    );
  }

  expectRequest(method: string): Promise<ReceivedMessage> {
    return this.expect((m) => m.method === method);
  }

  /** Nothing arrives for `ms`. */
  async expectSilence(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.#inbox.length > 0)
      throw new Error(`unexpected: ${this.#inbox[0]?.text.split('\r\n')[0]}`);
  }

  waitClosed(timeoutMs = 5000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#ws.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/** Builds a digest Authorization value (qop=auth) from a challenge header value. */
export function digestAuthorization(opts: {
  challenge: string;
  username: string;
  password: string;
  method: string;
  uri: string;
}): string {
  const realm = /realm="([^"]+)"/.exec(opts.challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]+)"/.exec(opts.challenge)?.[1] ?? '';
  const cnonce = rand();
  const nc = '00000001';
  const ha1 = md5(`${opts.username}:${realm}:${opts.password}`);
  const ha2 = md5(`${opts.method}:${opts.uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${opts.username}", realm="${realm}", nonce="${nonce}", uri="${opts.uri}", ` +
    `response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`
  );
}
