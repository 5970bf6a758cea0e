/** SIP over TCP: Content-Length stream framing (RFC 3261 §18.3) and the TcpTransport's flows. */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SipStreamFramer,
  TCP_FLOW_TRANSITIONS,
  TcpFlowState,
  TcpTransport,
  transitionTcpFlow,
  type StreamFrame,
} from '../../../src/server/sip/tcp-transport';
import type { Flow } from '../../../src/server/sip/transport';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';

const msg = (body = '', cl: string | null = String(Buffer.byteLength(body))): string =>
  [
    'OPTIONS sip:a@example.com SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKabc',
    'To: <sip:a@example.com>',
    'From: <sip:b@example.com>;tag=1',
    'Call-ID: c1',
    'CSeq: 1 OPTIONS',
    ...(cl === null ? [] : [`Content-Length: ${cl}`]),
    '',
    body,
  ].join('\r\n');

const texts = (frames: StreamFrame[]): string[] =>
  frames.map((f) => (f.kind === 'message' ? f.data.toString('utf8') : f.kind));

describe('TCP flow state machine', () => {
  const allowed = Object.entries(TCP_FLOW_TRANSITIONS).flatMap(([from, tos]) =>
    tos.map((to) => [from as TcpFlowState, to] as const),
  );
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(transitionTcpFlow(from, to)).toBe(to);
  });
  it('throws on a move outside the diagram', () => {
    expect(() => transitionTcpFlow(TcpFlowState.Closed, TcpFlowState.Open)).toThrow(/illegal/);
    expect(() => transitionTcpFlow(TcpFlowState.Closing, TcpFlowState.Open)).toThrow(/illegal/);
    expect(() => transitionTcpFlow(TcpFlowState.Open, TcpFlowState.Connecting)).toThrow(/illegal/);
  });
});

describe('SipStreamFramer', () => {
  it('joins a message split across reads, byte by byte', () => {
    const framer = new SipStreamFramer(65536);
    const text = msg('hello');
    const out: StreamFrame[] = [];
    for (const byte of Buffer.from(text)) out.push(...framer.push(Buffer.from([byte])));
    expect(texts(out)).toEqual([text]);
    expect(framer.pending).toBe(0);
  });

  it('splits several messages from one read and keeps the partial rest', () => {
    const framer = new SipStreamFramer(65536);
    const a = msg('one');
    const b = msg('');
    const c = msg('three');
    const joined = Buffer.from(a + b + c);
    const cut = joined.length - 4;
    expect(texts(framer.push(joined.subarray(0, cut)))).toEqual([a, b]);
    expect(framer.pending).toBe(Buffer.byteLength(c) - 4);
    expect(texts(framer.push(joined.subarray(cut)))).toEqual([c]);
  });

  it('measures Content-Length in bytes (UTF-8 bodies)', () => {
    const framer = new SipStreamFramer(65536);
    const a = msg('blåbærsyltetøy');
    expect(texts(framer.push(Buffer.from(a + a)))).toEqual([a, a]);
  });

  it('reads the compact form l: and skips CRLFs between messages, a CRLFCRLF being a ping', () => {
    const framer = new SipStreamFramer(65536);
    const compact = msg('xy', null).replace('CSeq: 1 OPTIONS', 'CSeq: 1 OPTIONS\r\nl: 2');
    expect(texts(framer.push(Buffer.from(`\r\n\r\n${compact}`)))).toEqual(['ping', compact]);
    // A ping split across reads still counts once.
    expect(framer.push(Buffer.from('\r\n'))).toEqual([]);
    expect(texts(framer.push(Buffer.from('\r\n')))).toEqual(['ping']);
  });

  it('fails on a missing Content-Length with 400 and yields nothing after', () => {
    const framer = new SipStreamFramer(65536);
    const [frame] = framer.push(Buffer.from(msg('', null) + msg('x')));
    expect(frame).toMatchObject({ kind: 'fatal', status: 400, reason: 'Missing Content-Length' });
    expect(framer.push(Buffer.from(msg()))).toEqual([]);
  });

  it.each(['-1', 'abc', '12345678901', '1.5'])('fails on Content-Length "%s" with 400', (cl) => {
    const framer = new SipStreamFramer(65536);
    const [frame] = framer.push(Buffer.from(msg('', cl)));
    expect(frame).toMatchObject({ kind: 'fatal', status: 400, reason: 'Bad Content-Length' });
  });

  it('fails with 513 when Content-Length takes the message over the limit, before the body arrives', () => {
    const framer = new SipStreamFramer(500);
    const [frame] = framer.push(Buffer.from(msg('', '1000')));
    expect(frame).toMatchObject({ kind: 'fatal', status: 513 });
  });

  it('fails with 513 when a head without end outgrows the limit', () => {
    const framer = new SipStreamFramer(500);
    const frames = framer.push(Buffer.from(`OPTIONS sip:a SIP/2.0\r\nX: ${'y'.repeat(600)}`));
    expect(frames).toMatchObject([{ kind: 'fatal', status: 513 }]);
  });

  it('waits for the rest of a body that is not there yet', () => {
    const framer = new SipStreamFramer(65536);
    const text = msg('0123456789');
    expect(framer.push(Buffer.from(text.slice(0, -3)))).toEqual([]);
    expect(texts(framer.push(Buffer.from(text.slice(-3))))).toEqual([text]);
  });
});

describe('TcpTransport', () => {
  let transport: TcpTransport | undefined;
  let other: TcpTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await other?.close();
    transport = undefined;
    other = undefined;
  });

  it('delivers requests with received/rport stamped, answers a broken request 400 and keeps the connection', async () => {
    const got: Array<{ msg: SipRequest | SipResponse; flow: Flow }> = [];
    transport = new TcpTransport({ onMessage: (m, flow) => got.push({ msg: m, flow }) });
    const port = await transport.listen();
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.write(msg('').replace(';branch', ';rport;branch'));
    socket.write(msg('').replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'));
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    const req = got[0]?.msg as SipRequest;
    expect(req.get('Via')).toBe(
      `SIP/2.0/TCP 192.0.2.1:5060;rport=${socket.localPort};branch=z9hG4bKabc;received=127.0.0.1`,
    );
    expect(got[0]?.flow).toMatchObject({ transport: 'TCP', reliable: true, closed: false });
    expect(received.split('\r\n')[0]).toBe('SIP/2.0 400 Bad CSeq');
    expect(received).toContain('received=127.0.0.1');
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });

  it('closes the connection on garbage and reports the flow closed', async () => {
    const closed: Flow[] = [];
    transport = new TcpTransport({
      onMessage: () => undefined,
      onFlowClosed: (f) => closed.push(f),
    });
    const port = await transport.listen();
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    await new Promise((r) => socket.once('close', r));
    expect(closed).toHaveLength(1);
  });

  it('closes a connection idle longer than idleMs', async () => {
    const closed: Flow[] = [];
    transport = new TcpTransport({
      onMessage: () => undefined,
      onFlowClosed: (f) => closed.push(f),
      idleMs: 150,
    });
    const port = await transport.listen();
    const socket = connect({ host: '127.0.0.1', port });
    const t0 = Date.now();
    await new Promise((r) => socket.once('close', r));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(closed).toHaveLength(1);
  });

  it('flowTo opens one outbound connection, reuses it, and receives the answer on it', async () => {
    const atServer: Array<{ msg: SipRequest | SipResponse; flow: Flow }> = [];
    other = new TcpTransport({ onMessage: (m, flow) => atServer.push({ msg: m, flow }) });
    const serverPort = await other.listen();
    const atClient: Array<SipRequest | SipResponse> = [];
    transport = new TcpTransport({ onMessage: (m) => atClient.push(m) });
    await transport.listen();
    const flow = transport.flowTo('127.0.0.1', serverPort);
    expect(flow.state).toBe(TcpFlowState.Connecting);
    expect(transport.flowTo('127.0.0.1', serverPort)).toBe(flow);
    flow.send(msg(''));
    await new Promise((r) => setTimeout(r, 100));
    expect(atServer).toHaveLength(1);
    atServer[0]?.flow.send(
      [
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKabc',
        'To: <sip:a@example.com>;tag=2',
        'From: <sip:b@example.com>;tag=1',
        'Call-ID: c1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(flow.state).toBe(TcpFlowState.Open);
    expect(atClient.map((m) => (m.type === 'response' ? m.status : 0))).toEqual([200]);
  });

  it('ends an outbound flow whose connect is refused', async () => {
    const closed: Flow[] = [];
    transport = new TcpTransport({
      onMessage: () => undefined,
      onFlowClosed: (f) => closed.push(f),
      onError: () => undefined,
    });
    await transport.listen();
    // A port just freed: nobody listens there.
    const probe = new TcpTransport({ onMessage: () => undefined });
    const freePort = await probe.listen();
    await probe.close();
    const flow = transport.flowTo('127.0.0.1', freePort);
    await new Promise((r) => setTimeout(r, 200));
    expect(flow.closed).toBe(true);
    expect(closed).toEqual([flow]);
  });
});
