import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_BATCH_GAP_MS, EventOutbox } from '../../../src/server/api/event-outbox';

const ev = (seq: number) => JSON.stringify({ type: 'event', event: 'presence.changed', seq });

describe('events to one API connection', () => {
  let now = 1_000;
  let written: string[];
  let outbox: EventOutbox;

  beforeEach(() => {
    vi.useFakeTimers();
    written = [];
    outbox = new EventOutbox(
      (t) => written.push(t),
      () => now,
    );
  });
  afterEach(() => {
    outbox.close();
    vi.useRealTimers();
  });

  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };

  it('sends an event at once, alone, when the connection has been quiet', () => {
    outbox.event(ev(1));
    expect(written).toEqual([ev(1)]);
    advance(EVENT_BATCH_GAP_MS);
    outbox.event(ev(2));
    expect(written).toEqual([ev(1), ev(2)]);
  });

  it('joins events that come faster than the gap into one frame, in order, after the gap', () => {
    outbox.event(ev(1));
    advance(5);
    outbox.event(ev(2));
    outbox.event(ev(3));
    expect(written).toEqual([ev(1)]);
    advance(EVENT_BATCH_GAP_MS - 6);
    expect(written).toHaveLength(1);
    advance(1);
    expect(written).toHaveLength(2);
    expect(JSON.parse(written[1] ?? '')).toEqual({
      type: 'events',
      frames: [JSON.parse(ev(2)), JSON.parse(ev(3))],
    });
  });

  it('sends what waits before anything else, so a reply never overtakes an event', () => {
    outbox.event(ev(1));
    outbox.event(ev(2));
    outbox.flush();
    written.push('reply');
    expect(written).toEqual([ev(1), ev(2), 'reply']);
    advance(EVENT_BATCH_GAP_MS);
    expect(written).toHaveLength(3);
  });

  it('sends nothing more once the connection has closed', () => {
    outbox.event(ev(1));
    outbox.event(ev(2));
    outbox.close();
    advance(EVENT_BATCH_GAP_MS * 2);
    expect(written).toEqual([ev(1)]);
  });
});
