/**
 * Per-tenant event stream with a gap-free `seq`. Every event of a tenant gets the next number;
 * a client that sees a gap asks for a snapshot (which carries the seq it matches) and continues
 * from there. Fan-out is synchronous and in order: publish → every subscriber, before the next
 * publish.
 */
import type { EventFrame } from '../../shared/protocol';

/** `text` is the frame as JSON, serialised once per event for every subscriber. */
export type EventListener = (frame: EventFrame, text: string) => void;

export class TenantEventBus {
  readonly #seq = new Map<string, number>();
  readonly #listeners = new Map<string, Set<EventListener>>();

  /** The last seq published for a tenant (0 before any event). */
  seq(tenantId: string): number {
    return this.#seq.get(tenantId) ?? 0;
  }

  publish<D>(tenantId: string, event: string, data: D): EventFrame<D> {
    const seq = this.seq(tenantId) + 1;
    this.#seq.set(tenantId, seq);
    const frame: EventFrame<D> = { type: 'event', event, seq, data };
    const listeners = this.#listeners.get(tenantId);
    if (listeners && listeners.size > 0) {
      const text = JSON.stringify(frame);
      for (const listener of listeners) listener(frame, text);
    }
    return frame;
  }

  subscribe(tenantId: string, listener: EventListener): () => void {
    let set = this.#listeners.get(tenantId);
    if (!set) this.#listeners.set(tenantId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(tenantId);
    };
  }

  subscriberCount(tenantId: string): number {
    return this.#listeners.get(tenantId)?.size ?? 0;
  }
}
