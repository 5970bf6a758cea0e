/**
 * Event frames to one API connection, batched only when they come fast. A connection that has
 * been quiet for {@link EVENT_BATCH_GAP_MS} gets each event at once, as its own frame; events
 * that come quicker than that wait for the rest of the gap and leave together as one
 * `{ type: 'events', frames: [...] }` frame (declared in src/shared/protocol.ts). At a
 * thousand presence changes a second to five hundred clients, a frame per event per client was
 * the core's limit (docs/benchmarks.md); batches bound the frames to one per gap per client
 * and add at most one gap of latency, only under load.
 */

/** The least time between two frames of events to one connection. */
export const EVENT_BATCH_GAP_MS = 20;

export class EventOutbox {
  #pending: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly gapMs = EVENT_BATCH_GAP_MS,
  ) {}

  /** One serialised event frame. */
  event(text: string): void {
    const since = this.now() - this.#lastSent;
    if (this.#pending.length === 0 && since >= this.gapMs) {
      this.#lastSent = this.now();
      this.write(text);
      return;
    }
    this.#pending.push(text);
    this.#timer ??= setTimeout(() => this.flush(), Math.max(0, this.gapMs - since));
  }

  /** Sends what waits now; called before any other frame so the order on the wire holds. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const texts = this.#pending;
    if (texts.length === 0) return;
    this.#pending = [];
    this.#lastSent = this.now();
    this.write(
      texts.length === 1 ? (texts[0] ?? '') : `{"type":"events","frames":[${texts.join(',')}]}`,
    );
  }

  /** The connection is gone: nothing more is sent. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }
}
