/** A bare JSON-API client over a real WebSocket, for tests that check the wire protocol. */
import WebSocket from 'ws';

export class RawApiClient {
  readonly #ws: WebSocket;
  readonly #frames: unknown[] = [];
  readonly #waiters: Array<() => void> = [];
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; frames?: unknown[] };
      // A batch of events (they came fast) is read as the frames it holds, in order.
      if (frame.type === 'events' && Array.isArray(frame.frames))
        this.#frames.push(...frame.frames);
      else this.#frames.push(frame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(wsUrl: string): Promise<RawApiClient> {
    const ws = new WebSocket(`${wsUrl}/api`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawApiClient(ws);
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends raw text and returns the next frame. */
  async raw(text: string): Promise<Record<string, unknown>> {
    const count = this.#frames.length;
    this.#ws.send(text);
    return this.#nextFrame(count);
  }

  /** Sends `{ id, type, ...params }` and returns the reply with that id. */
  async command(
    type: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.#ws.send(JSON.stringify({ id, type, ...params }));
    for (;;) {
      const found = this.#frames.find((f) => (f as { id?: unknown }).id === id);
      if (found) return found as Record<string, unknown>;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  async #nextFrame(index: number): Promise<Record<string, unknown>> {
    while (this.#frames.length <= index) await new Promise<void>((r) => this.#waiters.push(r));
    return this.#frames[index] as Record<string, unknown>;
  }

  /** Event frames received so far, in order. */
  events(): Array<{ event: string; seq: number; data: Record<string, unknown> }> {
    return this.#frames.filter((f) => (f as { type?: unknown }).type === 'event') as never;
  }

  /** Waits for an event matching `pred`. */
  async waitForEvent(
    pred: (e: { event: string; seq: number; data: Record<string, unknown> }) => boolean,
    timeoutMs = 5000,
  ): Promise<{ event: string; seq: number; data: Record<string, unknown> }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events().find(pred);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching event; got: ${this.events()
            .map((e) => e.event)
            .join(', ')}`,
        );
      }
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100).unref();
      });
    }
  }

  close(): void {
    this.#ws.close();
  }
}
