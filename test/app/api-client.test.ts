import { expect, waitUntil } from '@open-wc/testing';
import type { EventFrame } from '../../src/shared/protocol.js';
import { WebSocketApiClient, backoffDelay, defaultApiUrl } from '../../src/store/api-client.js';
import type { ConnectionState, SocketLike } from '../../src/store/api-client.js';
import { ApiCallError } from '../../src/store/api-error.js';

/** A socket the test drives: it records what the client sends and fakes the server's side. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  closedByClient = false;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(frame: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

function setup(options: { commandTimeoutMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const client = new WebSocketApiClient({
    url: 'ws://test/api',
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    initialBackoffMs: 10,
    maxBackoffMs: 40,
    random: () => 0.5,
    ...options,
  });
  const states: ConnectionState[] = [];
  const sub = client.connectionState$.subscribe((s) => states.push(s));
  const socket = (n: number): FakeSocket => {
    const found = sockets[n];
    if (!found) throw new Error(`no socket #${n}`);
    return found;
  };
  return { client, sockets, socket, states, done: () => (sub.unsubscribe(), client.close()) };
}

describe('WebSocketApiClient', () => {
  it('uses ws(s)://<page host>/api', () => {
    expect(defaultApiUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).to.equal(
      'ws://127.0.0.1:8080/api',
    );
    expect(defaultApiUrl({ protocol: 'https:', host: 'sentral.example' })).to.equal(
      'wss://sentral.example/api',
    );
  });

  it('sends {id, type, ...params} once the socket opens and resolves with the reply', async () => {
    const t = setup();
    const reply = t.client.call('system.ping', {});
    expect(t.sockets).to.have.length(1);
    expect(t.socket(0).sent).to.have.length(0);
    t.socket(0).open();
    expect(t.socket(0).sent).to.deep.equal([{ id: 1, type: 'system.ping' }]);
    t.socket(0).receive({ id: 1, ok: true, result: { now: 42 } });
    expect(await reply).to.deep.equal({ now: 42 });
    t.done();
  });

  it('correlates replies by id, whatever their order', async () => {
    const t = setup();
    t.client.connect();
    t.socket(0).open();
    const a = t.client.call('system.ping', {});
    const b = t.client.call('directory.list', {});
    t.socket(0).receive({ id: 2, ok: true, result: { people: [] } });
    t.socket(0).receive({ id: 1, ok: true, result: { now: 1 } });
    expect(await b).to.deep.equal({ people: [] });
    expect(await a).to.deep.equal({ now: 1 });
    t.done();
  });

  it('rejects with an ApiCallError carrying the server error code', async () => {
    const t = setup();
    t.client.connect();
    t.socket(0).open();
    const login = t.client.call('auth.login', { username: 'kari', password: 'x' });
    const sent = t.socket(0).sent[0];
    expect(sent).to.deep.equal({ id: 1, type: 'auth.login', username: 'kari', password: 'x' });
    t.socket(0).receive({
      id: 1,
      ok: false,
      error: { code: 'invalid_credentials', message: 'Invalid username or password.' },
    });
    const error = await login.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ApiCallError);
    expect((error as ApiCallError).code).to.equal('invalid_credentials');
    expect((error as ApiCallError).apiError?.message).to.equal('Invalid username or password.');
    t.done();
  });

  it('pushes events to events$', async () => {
    const t = setup();
    t.client.connect();
    t.socket(0).open();
    const events: EventFrame[] = [];
    const sub = t.client.events$.subscribe((e) => events.push(e));
    t.socket(0).receive({ type: 'event', event: 'presence', seq: 7, data: { x: 1 } });
    expect(events).to.deep.equal([{ type: 'event', event: 'presence', seq: 7, data: { x: 1 } }]);
    sub.unsubscribe();
    t.done();
  });

  it('pushes each event of a batch frame to events$, in order', () => {
    const t = setup();
    t.client.connect();
    t.socket(0).open();
    const events: EventFrame[] = [];
    const sub = t.client.events$.subscribe((e) => events.push(e));
    t.socket(0).receive({
      type: 'events',
      frames: [
        { type: 'event', event: 'presence.changed', seq: 8, data: { a: 1 } },
        { type: 'event', event: 'call.state', seq: 9, data: { b: 2 } },
      ],
    });
    expect(events.map((e) => [e.seq, e.event])).to.deep.equal([
      [8, 'presence.changed'],
      [9, 'call.state'],
    ]);
    sub.unsubscribe();
    t.done();
  });

  it('rejects commands in flight when the socket drops, then reconnects with backoff', async () => {
    const t = setup();
    t.client.connect();
    t.socket(0).open();
    const inFlight = t.client.call('system.ping', {});
    t.socket(0).drop();
    const error = await inFlight.then(
      () => null,
      (e: unknown) => e as ApiCallError,
    );
    expect(error?.code).to.equal('disconnected');
    await waitUntil(() => t.sockets.length === 2, 'no reconnect');
    t.socket(1).open();
    expect(t.states).to.deep.equal(['idle', 'connecting', 'open', 'reconnecting', 'open']);
    const again = t.client.call('system.ping', {});
    t.socket(1).receive({ id: 2, ok: true, result: { now: 2 } });
    expect(await again).to.deep.equal({ now: 2 });
    t.done();
  });

  it('keeps commands issued while down and sends them after reconnecting', async () => {
    const t = setup();
    t.client.connect();
    t.socket(0).drop();
    const waiting = t.client.call('system.ping', {});
    await waitUntil(() => t.sockets.length === 2);
    t.socket(1).open();
    expect(t.socket(1).sent).to.deep.equal([{ id: 1, type: 'system.ping' }]);
    t.socket(1).receive({ id: 1, ok: true, result: { now: 3 } });
    expect(await waiting).to.deep.equal({ now: 3 });
    t.done();
  });

  it('sends the resume handshake first after a reconnect, before queued commands', async () => {
    const t = setup();
    const replies: Array<string | null> = [];
    t.client.setHandshake(() => ({
      type: 'auth.resume',
      params: { token: 'tok' },
      onReply: (error) => replies.push(error ? error.code : null),
    }));
    t.client.connect();
    t.socket(0).open();
    expect(t.socket(0).sent).to.deep.equal([]); // nothing to resume on the first connection
    t.socket(0).drop();
    const waiting = t.client.call('directory.list', {});
    await waitUntil(() => t.sockets.length === 2);
    t.socket(1).open();
    expect(t.socket(1).sent.map((f) => f.type)).to.deep.equal(['auth.resume', 'directory.list']);
    expect(t.socket(1).sent[0]).to.include({ token: 'tok' });
    const resumeId = t.socket(1).sent[0]?.id;
    const listId = t.socket(1).sent[1]?.id;
    t.socket(1).receive({
      id: resumeId,
      ok: false,
      error: { code: 'session_expired', message: 'x' },
    });
    t.socket(1).receive({ id: listId, ok: true, result: { people: [] } });
    expect(await waiting).to.deep.equal({ people: [] });
    expect(replies).to.deep.equal(['session_expired']);
    t.done();
  });

  it('times out a command that gets no reply', async () => {
    const t = setup({ commandTimeoutMs: 20 });
    t.client.connect();
    t.socket(0).open();
    const error = await t.client.call('system.ping', {}).then(
      () => null,
      (e: unknown) => e as ApiCallError,
    );
    expect(error?.code).to.equal('timeout');
    t.done();
  });

  it('refuses commands after close', async () => {
    const t = setup();
    t.client.close();
    const error = await t.client.call('system.ping', {}).then(
      () => null,
      (e: unknown) => e as ApiCallError,
    );
    expect(error?.code).to.equal('disconnected');
  });

  it('doubles the backoff up to the maximum, with jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, 500, 15_000, mid))).to.deep.equal([
      500, 1000, 2000, 4000, 15_000,
    ]);
    expect(backoffDelay(0, 1000, 15_000, () => 0)).to.equal(750);
    expect(backoffDelay(0, 1000, 15_000, () => 1)).to.equal(1250);
  });
});
