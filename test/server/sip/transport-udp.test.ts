/** SIP over UDP (RFC 3261 §18, RFC 3581) on a bare UdpTransport, and the per-source rate limiter. */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RateVerdict, SourceRateLimiter } from '../../../src/server/sip/rate-limit';
import { UdpTransport } from '../../../src/server/sip/udp-transport';
import type { Flow } from '../../../src/server/sip/transport';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';

const request = (via: string, body = '') =>
  [
    'OPTIONS sip:a@example.com SIP/2.0',
    `Via: ${via}`,
    'To: <sip:a@example.com>',
    'From: <sip:b@example.com>;tag=1',
    'Call-ID: c1',
    'CSeq: 1 OPTIONS',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');

async function client(): Promise<{ socket: Socket; port: number; got: string[] }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const got: string[] = [];
  socket.on('message', (d) => got.push(d.toString()));
  return { socket, port: socket.address().port, got };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds (the machine may be busy: no fixed sleeps for what must come). */
async function until(done: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('UdpTransport', () => {
  let transport: UdpTransport | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    await transport?.close();
    for (const s of sockets.splice(0)) s.close();
  });

  async function start(maxMessageSize?: number) {
    const got: Array<{ msg: SipRequest | SipResponse; flow: Flow }> = [];
    transport = new UdpTransport({
      onMessage: (m, flow) => got.push({ msg: m, flow }),
      ...(maxMessageSize ? { maxMessageSize } : {}),
    });
    const port = await transport.listen();
    return { got, port };
  }

  it('gives one flow per source address:port, the same object every time', async () => {
    const { got, port } = await start();
    const a = await client();
    const b = await client();
    sockets.push(a.socket, b.socket);
    a.socket.send(request('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1'), port, '127.0.0.1');
    a.socket.send(request('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK2'), port, '127.0.0.1');
    b.socket.send(request('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK3'), port, '127.0.0.1');
    await until(() => got.length === 3);
    expect(got).toHaveLength(3);
    expect(got[0]?.flow).toBe(got[1]?.flow);
    expect(got[2]?.flow).not.toBe(got[0]?.flow);
    expect(got[0]?.flow).toMatchObject({
      transport: 'UDP',
      reliable: false,
      remote: { address: '127.0.0.1', port: a.port },
      local: { address: '127.0.0.1', port },
    });
    expect(transport?.flowTo('127.0.0.1', a.port)).toBe(got[0]?.flow);
  });

  it('stamps rport and received (RFC 3581 §4), received alone for a foreign sent-by, nothing otherwise', async () => {
    const { got, port } = await start();
    const a = await client();
    sockets.push(a.socket);
    a.socket.send(request('SIP/2.0/UDP 10.0.0.9:5062;rport;branch=z9hG4bK1'), port, '127.0.0.1');
    a.socket.send(request('SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK2'), port, '127.0.0.1');
    a.socket.send(request(`SIP/2.0/UDP 127.0.0.1:${a.port};branch=z9hG4bK3`), port, '127.0.0.1');
    a.socket.send(
      request(`SIP/2.0/UDP 127.0.0.1:${a.port};rport;branch=z9hG4bK4`),
      port,
      '127.0.0.1',
    );
    await until(() => got.length === 4);
    const vias = got.map((g) => g.msg.get('Via'));
    expect(vias).toEqual([
      `SIP/2.0/UDP 10.0.0.9:5062;rport=${a.port};branch=z9hG4bK1;received=127.0.0.1`,
      'SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK2;received=127.0.0.1',
      `SIP/2.0/UDP 127.0.0.1:${a.port};branch=z9hG4bK3`,
      `SIP/2.0/UDP 127.0.0.1:${a.port};rport=${a.port};branch=z9hG4bK4;received=127.0.0.1`,
    ]);
  });

  it('sends on a flow to the source address and port', async () => {
    const { got, port } = await start();
    const a = await client();
    sockets.push(a.socket);
    a.socket.send(request('SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK1'), port, '127.0.0.1');
    await until(() => got.length === 1);
    got[0]?.flow.send('SIP/2.0 200 OK\r\n\r\n');
    await until(() => a.got.length === 1);
    expect(a.got).toEqual(['SIP/2.0 200 OK\r\n\r\n']);
  });

  it('answers 513 for an oversized request, 400 for a broken one, nothing for garbage or broken responses', async () => {
    const { got, port } = await start(1000);
    const a = await client();
    sockets.push(a.socket);
    a.socket.send(
      request('SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK1', 'x'.repeat(2000)),
      port,
      '127.0.0.1',
    );
    a.socket.send(
      request('SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK2').replace('CSeq: 1', 'CSeq: z'),
      port,
      '127.0.0.1',
    );
    a.socket.send('not sip at all\r\n\r\n', port, '127.0.0.1');
    a.socket.send('SIP/2.0 200 OK\r\nVia: ???\r\n\r\n', port, '127.0.0.1');
    await until(() => a.got.length >= 2);
    await sleep(100);
    expect(got).toHaveLength(0);
    expect(a.got.map((t) => t.split('\r\n')[0])).toEqual([
      'SIP/2.0 513 Message Too Large',
      'SIP/2.0 400 Bad CSeq',
    ]);
    expect(a.got[0]).toContain('received=127.0.0.1');
  });

  it('answers a CRLFCRLF keepalive with CRLF', async () => {
    const { port } = await start();
    const a = await client();
    sockets.push(a.socket);
    a.socket.send('\r\n\r\n', port, '127.0.0.1');
    await until(() => a.got.length === 1);
    expect(a.got).toEqual(['\r\n']);
  });

  it('rejects flowTo before listening and for host names', async () => {
    transport = new UdpTransport({ onMessage: () => undefined });
    expect(() => transport?.flowTo('127.0.0.1', 5060)).toThrow(/not listening/);
    await transport.listen();
    expect(() => transport?.flowTo('trunk.example.com', 5060)).toThrow(/not an IP address/);
  });

  it('reports EADDRINUSE from listen() without throwing later', async () => {
    const { port } = await start();
    const second = new UdpTransport({ onMessage: () => undefined, port });
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
    await second.close();
  });
});

describe('SourceRateLimiter', () => {
  it('passes the burst, rejects the next once, then drops until a token is back', () => {
    let now = 0;
    const limiter = new SourceRateLimiter({ perSecond: 3, now: () => now });
    const verdicts = Array.from({ length: 6 }, () => limiter.take('192.0.2.1'));
    expect(verdicts).toEqual([
      RateVerdict.Pass,
      RateVerdict.Pass,
      RateVerdict.Pass,
      RateVerdict.Reject,
      RateVerdict.Drop,
      RateVerdict.Drop,
    ]);
    expect(limiter.retryAfter('192.0.2.1')).toBe(1);
    expect(limiter.take('192.0.2.2')).toBe(RateVerdict.Pass); // sources are apart
    now = 400; // 1.2 tokens back
    expect(limiter.take('192.0.2.1')).toBe(RateVerdict.Pass);
    expect(limiter.take('192.0.2.1')).toBe(RateVerdict.Reject);
  });

  it('forgets full buckets on sweep and never limits exempt or mapped-IPv4 exempt sources', () => {
    let now = 0;
    const limiter = new SourceRateLimiter({ perSecond: 1, exempt: ['127.0.0.1'], now: () => now });
    for (let i = 0; i < 10; i++) expect(limiter.take('::ffff:127.0.0.1')).toBe(RateVerdict.Pass);
    limiter.take('192.0.2.1');
    expect(limiter.size).toBe(1);
    now = 500;
    limiter.sweep();
    expect(limiter.size).toBe(1);
    now = 1000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('is off at 0 requests per second', () => {
    const limiter = new SourceRateLimiter({ perSecond: 0 });
    for (let i = 0; i < 100; i++) expect(limiter.take('192.0.2.1')).toBe(RateVerdict.Pass);
  });
});
