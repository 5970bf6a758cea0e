/**
 * A lean JSON-API client for benchmarks: commands with id-correlated replies (pipelining allowed)
 * and an event hook that sees each event frame once, with the time it arrived.
 */
import WebSocket from 'ws';

export interface EventFrame {
  type: 'event';
  event: string;
  seq: number;
  data: Record<string, unknown>;
}

/** Events that came fast to one connection, in one frame (src/shared/protocol.ts). */
interface EventBatchFrame {
  type: 'events';
  frames: EventFrame[];
}

export interface Reply {
  id: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

export class BenchApi {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (r: Reply) => void>();
  #nextId = 1;
  /** Called for every event frame, with Date.now() at arrival. */
  onEvent: ((frame: EventFrame, at: number) => void) | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const at = Date.now();
      const frame = JSON.parse(data.toString()) as EventFrame | EventBatchFrame | Reply;
      if ('type' in frame && frame.type === 'event') {
        this.onEvent?.(frame, at);
        return;
      }
      if ('type' in frame && frame.type === 'events') {
        for (const event of frame.frames) this.onEvent?.(event, at);
        return;
      }
      const reply = frame as Reply;
      const resolve = this.#pending.get(reply.id);
      if (resolve) {
        this.#pending.delete(reply.id);
        resolve(reply);
      }
    });
    ws.on('close', () => {
      for (const [id, resolve] of this.#pending) {
        resolve({ id, ok: false, error: { code: 'closed', message: 'socket closed' } });
      }
      this.#pending.clear();
    });
  }

  static async connect(wsUrl: string, timeoutMs = 10_000): Promise<BenchApi> {
    const ws = new WebSocket(`${wsUrl}/api`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error('API WebSocket did not open in time'));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return new BenchApi(ws);
  }

  /** Sends a command and resolves with its reply (rejects after `timeoutMs`). */
  command(type: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no reply to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#ws.send(JSON.stringify({ id, type, ...params }));
    });
  }

  /** Like `command`, but throws unless the reply is ok; returns the result. */
  async ok(type: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const r = await this.command(type, params);
    if (!r.ok) throw new Error(`${type} failed: ${JSON.stringify(r.error)}`);
    return r.result ?? {};
  }

  close(): void {
    this.#ws.close();
  }
}

/** Logs in with the demo password; returns the client, the session token and SIP credentials. */
export async function benchLogin(wsUrl: string, username: string, password = 'demo1234') {
  const api = await BenchApi.connect(wsUrl);
  const result = (await api.ok('auth.login', { username, password })) as {
    user: { id: string; tenantId: string; extension: string };
    sessionToken: string;
    sip: { aor: string; authorizationUsername: string; password: string; wsServer: string };
  };
  return { api, ...result };
}
