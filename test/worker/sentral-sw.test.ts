/**
 * The service worker's notification clicks (`public/sentral-sw.js`), in Node: the script's
 * source runs with a fake `self` (its `clients`, its registration) in place of the worker's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const source = readFileSync(
  fileURLToPath(new URL('../../public/sentral-sw.js', import.meta.url)),
  'utf8',
);

type Listener = (event: unknown) => void;

class FakeWindow {
  readonly messages: unknown[] = [];
  focusCalls = 0;
  constructor(
    readonly id: string,
    readonly focused = false,
    private readonly focusFails = false,
  ) {}
  focus(): Promise<FakeWindow> {
    this.focusCalls++;
    return this.focusFails ? Promise.reject(new Error('not allowed')) : Promise.resolve(this);
  }
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
}

/** Runs the worker script against a fake global; returns what a test needs to drive it. */
function loadWorker(windows: FakeWindow[]) {
  const listeners = new Map<string, Listener>();
  const opened: string[] = [];
  const queries: unknown[] = [];
  let skippedWaiting = false;
  const self = {
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: () => {
      skippedWaiting = true;
      return Promise.resolve();
    },
    registration: { scope: 'https://sentral.example/' },
    clients: {
      matchAll: (query: unknown) => {
        queries.push(query);
        return Promise.resolve(windows);
      },
      openWindow: (url: string) => {
        opened.push(url);
        return Promise.resolve(null);
      },
    },
  };
  new Function('self', source)(self);

  /** Clicks the notification (`action` '' = its body); resolves when the worker is done. */
  async function click(action: string, data: unknown = { callId: 'c1' }) {
    let closed = false;
    let work: Promise<unknown> = Promise.resolve();
    const listener = listeners.get('notificationclick');
    if (!listener) throw new Error('no notificationclick listener');
    listener({
      action,
      notification: { data, close: () => void (closed = true) },
      waitUntil: (promise: Promise<unknown>) => void (work = promise),
    });
    await work;
    return { closed };
  }

  return {
    listeners,
    click,
    opened,
    queries,
    skippedWaiting: () => skippedWaiting,
  };
}

describe('sentral-sw.js', () => {
  it('listens to install and notificationclick only: no fetch handler, no cache', () => {
    const worker = loadWorker([]);
    expect([...worker.listeners.keys()].sort()).toEqual(['install', 'notificationclick']);
    expect(source).not.toMatch(/caches\b/);
    worker.listeners.get('install')?.({});
    expect(worker.skippedWaiting()).toBe(true);
  });

  it('Answer closes the notification, focuses the app window and tells it to answer the call', async () => {
    const app = new FakeWindow('app');
    const worker = loadWorker([app]);
    const { closed } = await worker.click('answer');
    expect(closed).toBe(true);
    expect(worker.queries).toEqual([{ type: 'window', includeUncontrolled: true }]);
    expect(app.focusCalls).toBe(1);
    expect(app.messages).toEqual([
      { type: 'sentral-notification', action: 'answer', callId: 'c1' },
    ]);
  });

  it('a click on the notification itself focuses the window and asks it to show the call', async () => {
    const app = new FakeWindow('app');
    const worker = loadWorker([app]);
    await worker.click('');
    expect(app.focusCalls).toBe(1);
    expect(app.messages).toEqual([{ type: 'sentral-notification', action: 'show', callId: 'c1' }]);
  });

  it('Decline tells the window to decline without focusing it', async () => {
    const app = new FakeWindow('app');
    const worker = loadWorker([app]);
    await worker.click('decline');
    expect(app.focusCalls).toBe(0);
    expect(app.messages).toEqual([
      { type: 'sentral-notification', action: 'decline', callId: 'c1' },
    ]);
  });

  it('only one window hears of the click: the focused one, else the most recently focused', async () => {
    const recent = new FakeWindow('recent');
    const older = new FakeWindow('older');
    const focused = new FakeWindow('focused', true);
    await loadWorker([recent, older, focused]).click('answer');
    expect(focused.messages).toHaveLength(1);
    expect(recent.messages).toHaveLength(0);
    expect(older.messages).toHaveLength(0);

    const first = new FakeWindow('first');
    const second = new FakeWindow('second');
    await loadWorker([first, second]).click('decline');
    expect(first.messages).toHaveLength(1);
    expect(second.messages).toHaveLength(0);
  });

  it('still answers when the browser refuses to focus the window', async () => {
    const app = new FakeWindow('app', false, true);
    await loadWorker([app]).click('answer');
    expect(app.messages).toEqual([
      { type: 'sentral-notification', action: 'answer', callId: 'c1' },
    ]);
  });

  it('opens the app when no window is left, except for Decline', async () => {
    const worker = loadWorker([]);
    await worker.click('answer');
    await worker.click('');
    await worker.click('decline');
    expect(worker.opened).toEqual(['https://sentral.example/', 'https://sentral.example/']);
  });

  it('ignores a notification without a call id', async () => {
    const app = new FakeWindow('app');
    const worker = loadWorker([app]);
    const { closed } = await worker.click('answer', null);
    await worker.click('answer', { callId: 42 });
    expect(closed).toBe(true);
    expect(app.focusCalls).toBe(0);
    expect(app.messages).toEqual([]);
  });
});
