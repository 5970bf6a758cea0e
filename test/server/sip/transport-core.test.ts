/**
 * UDP and TCP through a real core: RFC 3581 Via stamping, responses routed to the source,
 * retransmissions (non-INVITE answered again, INVITE 2xx until ACK, Timer A towards a UDP
 * callee), a call between a UDP phone and a WebSocket phone, the rate and size limits.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipRequest, newBranch } from '../../../src/server/sip';
import {
  DOMAIN,
  SDP,
  loginAndRegister,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { digestAuthorization, rand, type ReceivedMessage } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';
import { TcpPeer, UdpPeer, registerOverUdp, sipCredentials } from '../support/udp-peer';

let core: TestCore;
let udpPort: number;
let tcpPort: number;
const closers: Array<() => void> = [];

beforeAll(async () => {
  core = await startTestCore();
  udpPort = core.core.sipPorts.udp ?? 0;
  tcpPort = core.core.sipPorts.tcp ?? 0;
});
afterAll(async () => {
  for (const close of closers) close();
  await core?.close();
});

async function udpPeer(): Promise<UdpPeer> {
  const peer = await UdpPeer.open();
  closers.push(() => peer.close());
  return peer;
}

function options(opts: { hostPort: string; transport?: string; branch?: string; body?: string }) {
  const body = opts.body ?? '';
  return [
    `OPTIONS sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/${opts.transport ?? 'UDP'} ${opts.hostPort};rport;branch=${opts.branch ?? `z9hG4bK${rand()}`}`,
    'Max-Forwards: 70',
    `To: <sip:${DOMAIN}>`,
    `From: <sip:probe@${DOMAIN}>;tag=${rand()}`,
    `Call-ID: ${rand()}`,
    'CSeq: 1 OPTIONS',
    ...(body ? ['Content-Type: text/plain'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function udpInvite(o: {
  peer: UdpPeer;
  user: string;
  target: string;
  callId: string;
  fromTag: string;
  cseq: number;
  branch: string;
  authorization?: string;
}): string {
  return [
    `INVITE sip:${o.target}@${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/UDP ${o.peer.hostPort};rport;branch=${o.branch}`,
    'Max-Forwards: 70',
    `To: <sip:${o.target}@${DOMAIN}>`,
    `From: <sip:${o.user}@${DOMAIN}>;tag=${o.fromTag}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} INVITE`,
    `Contact: <sip:${o.user}@${o.peer.hostPort}>`,
    ...(o.authorization ? [`Proxy-Authorization: ${o.authorization}`] : []),
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n');
}

function udpInDialog(o: {
  method: string;
  peer: UdpPeer;
  uri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
}): string {
  return [
    `${o.method} ${o.uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${o.peer.hostPort};rport;branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: ${o.to}`,
    `From: ${o.from}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const countOf = (peer: UdpPeer, pred: (m: ReceivedMessage) => boolean) =>
  peer.all.filter(pred).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIP over UDP through the core', () => {
  it('listens on loopback UDP and TCP ports of its own', () => {
    expect(udpPort).toBeGreaterThan(0);
    expect(tcpPort).toBeGreaterThan(0);
    expect(core.core.sipTransports.udp?.address?.address).toBe('127.0.0.1');
  });

  it('fills rport and received on the top Via and answers at the source address', async () => {
    const peer = await udpPeer();
    // sent-by names another host and port: the answer still comes back to the source.
    const text = options({ hostPort: '192.0.2.7:5099' });
    peer.send(text, udpPort);
    const ok = await peer.expectResponse(200, 'OPTIONS');
    const via = ok.header('Via') ?? '';
    expect(via).toMatch(/^SIP\/2\.0\/UDP 192\.0\.2\.7:5099;/);
    expect(via).toContain(`rport=${peer.port}`);
    expect(via).toContain('received=127.0.0.1');
  });

  it('adds received without rport only when the sent-by host is not the source', async () => {
    const peer = await udpPeer();
    const noRport = options({ hostPort: peer.hostPort }).replace(';rport', '');
    peer.send(noRport, udpPort);
    const same = await peer.expectResponse(200, 'OPTIONS');
    expect(same.header('Via')).not.toContain('received');
    expect(same.header('Via')).not.toContain('rport');
    peer.send(options({ hostPort: '192.0.2.8' }).replace(';rport', ''), udpPort);
    const other = await peer.expectResponse(200, 'OPTIONS');
    expect(other.header('Via')).toBe(
      `SIP/2.0/UDP 192.0.2.8;branch=${/branch=([^;\s]+)/.exec(other.header('Via') ?? '')?.[1]};received=127.0.0.1`,
    );
  });

  it('answers a retransmitted OPTIONS with the same response (non-INVITE server transaction)', async () => {
    const peer = await udpPeer();
    const text = options({ hostPort: peer.hostPort });
    peer.send(text, udpPort);
    const first = await peer.expectResponse(200, 'OPTIONS');
    await sleep(550); // the client's Timer E (T1) fires
    peer.send(text, udpPort);
    const again = await peer.expectResponse(200, 'OPTIONS');
    expect(again.text).toBe(first.text);
    expect(core.core.transactions.serverCount).toBeGreaterThanOrEqual(1); // Timer J holds it
  });

  it('answers a CRLF keepalive with CRLF and drops garbage without an answer', async () => {
    const peer = await udpPeer();
    peer.send('\r\n\r\n', udpPort);
    peer.send('hello there, not SIP\r\n\r\n', udpPort);
    await peer.waitRaw(1);
    await sleep(200);
    expect(peer.raw).toEqual(['\r\n']);
  });

  it('answers a malformed request with a Via 400 and drops a malformed response', async () => {
    const peer = await udpPeer();
    const broken = options({ hostPort: peer.hostPort }).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: x OPTIONS',
    );
    peer.send(broken, udpPort);
    const bad = await peer.expectResponse(400);
    expect(bad.header('Via')).toContain(`rport=${peer.port}`);
    peer.send('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', udpPort);
    await sleep(150);
    expect(peer.all).toHaveLength(1);
  });

  it('registers a UDP phone and reaches it on the flow it registered from', async () => {
    const phone = await registerOverUdp(core.wsUrl, udpPort, 'camilla.kristiansen');
    closers.push(() => {
      phone.peer.close();
      phone.api.close();
    });
    const bindings = core.core.registrar.lookup(`camilla.kristiansen@${DOMAIN}`);
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.flow.transport).toBe('UDP');
    expect(bindings[0]?.flow.remote).toEqual({ address: '127.0.0.1', port: phone.peer.port });
  });

  it('calls from a UDP phone to a WebSocket phone; the 200 is retransmitted until the ACK', async () => {
    const caller = await registerOverUdp(core.wsUrl, udpPort, 'lars.johansen'); // 1009
    closers.push(() => {
      caller.peer.close();
      caller.api.close();
    });
    const callee: Registered = await loginAndRegister(core.wsUrl, 'martin.andersen'); // 1011
    closers.push(() => {
      callee.peer.close();
      callee.api.close();
    });
    const peer = caller.peer;
    const callId = rand();
    const fromTag = rand();
    const base = { peer, user: 'lars.johansen', target: '1011', callId, fromTag };
    peer.send(udpInvite({ ...base, cseq: 1, branch: `z9hG4bK${rand()}` }), udpPort);
    const challenge = await peer.expectResponse(407, 'INVITE');
    peer.send(
      [
        `ACK sip:1011@${DOMAIN} SIP/2.0`,
        `Via: ${challenge.header('Via')}`,
        'Max-Forwards: 70',
        `To: ${challenge.header('To')}`,
        `From: <sip:lars.johansen@${DOMAIN}>;tag=${fromTag}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 ACK',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      udpPort,
    );
    const authorization = digestAuthorization({
      challenge: challenge.header('Proxy-Authenticate') ?? '',
      username: caller.authorizationUsername,
      password: caller.password,
      method: 'INVITE',
      uri: `sip:1011@${DOMAIN}`,
    });
    peer.send(udpInvite({ ...base, cseq: 2, branch: `z9hG4bK${rand()}`, authorization }), udpPort);
    await peer.expectResponse(100, 'INVITE');

    const inv = await callee.peer.expectRequest('INVITE');
    const bTag = rand();
    const bContact = `<sip:${callee.contactUser}@${callee.peer.host};transport=ws>`;
    callee.peer.send(respond(inv, 180, 'Ringing', { toTag: bTag, contact: bContact }));
    await peer.expectResponse(180, 'INVITE');
    const answer = SDP.replace('40000', '40002');
    callee.peer.send(respond(inv, 200, 'OK', { toTag: bTag, contact: bContact, body: answer }));
    const ok = await peer.expectResponse(200, 'INVITE');
    expect(ok.body).toBe(answer);
    expect(ok.header('Contact')).toBe(`<sip:sentral@127.0.0.1:${udpPort};transport=udp>`);

    // No ACK yet: the 200 comes again after T1, then after 2*T1 (0.5 s, 1.5 s).
    const t0 = Date.now();
    await peer.expectResponse(200, 'INVITE', 3000);
    const t1 = Date.now();
    await peer.expectResponse(200, 'INVITE', 4000);
    const t2 = Date.now();
    expect(t1 - t0).toBeGreaterThanOrEqual(400);
    expect(t2 - t1).toBeGreaterThanOrEqual(900);
    const twoHundreds = (m: ReceivedMessage) => m.status === 200 && m.header('CSeq') === '2 INVITE';
    expect(countOf(peer, twoHundreds)).toBe(3);
    peer.drain();

    const to = ok.header('To') ?? '';
    const from = `<sip:lars.johansen@${DOMAIN}>;tag=${fromTag}`;
    const coreUri = uriOf(ok.header('Contact'));
    peer.send(
      udpInDialog({ method: 'ACK', peer, uri: coreUri, from, to, callId, cseq: 2 }),
      udpPort,
    );
    const bAck = await callee.peer.expectRequest('ACK');
    expect(bAck.header('CSeq')).toBe('1 ACK');
    await sleep(1200); // the next retransmission would have been due at 3.5 s
    expect(countOf(peer, twoHundreds)).toBe(3);

    peer.send(
      udpInDialog({ method: 'BYE', peer, uri: coreUri, from, to, callId, cseq: 3 }),
      udpPort,
    );
    await peer.expectResponse(200, 'BYE');
    const bye = await callee.peer.expectRequest('BYE');
    callee.peer.send(respond(bye, 200, 'OK'));
    expect(core.core.b2bua.activeCalls).toBe(0);
  });

  it('calls a UDP phone from a WebSocket phone: Via/Contact name the UDP listener, the INVITE is retransmitted until answered', async () => {
    const phone = await registerOverUdp(core.wsUrl, udpPort, 'sofie.berg');
    closers.push(() => {
      phone.peer.close();
      phone.api.close();
    });
    const caller = await loginAndRegister(core.wsUrl, 'ida.pedersen');
    closers.push(() => {
      caller.peer.close();
      caller.api.close();
    });
    const extension = (await core.core.people.findByUsername('sofie.berg'))?.extension ?? '';
    const { authenticatedInvite } = await import('../support/scenarios');
    await authenticatedInvite(caller, extension);
    const inv = await phone.peer.expectRequest('INVITE');
    expect(inv.header('Via')).toMatch(
      new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udpPort};rport;branch=z9hG4bK`),
    );
    expect(inv.header('Contact')).toBe(`<sip:sentral@127.0.0.1:${udpPort};transport=udp>`);
    // Timer A: unanswered, the INVITE comes again after T1.
    const again = await phone.peer.expectRequest('INVITE', 1500);
    expect(again.header('Via')).toBe(inv.header('Via'));
    const tag = rand();
    const contact = `<sip:sofie.berg@${phone.peer.hostPort}>`;
    phone.peer.send(respond(inv, 180, 'Ringing', { toTag: tag, contact }), udpPort);
    await caller.peer.expectResponse(180, 'INVITE');
    phone.peer.send(respond(inv, 486, 'Busy Here', { toTag: tag, contact }), udpPort);
    const ack = await phone.peer.expectRequest('ACK');
    expect(ack.header('CSeq')).toBe('1 ACK');
    await caller.peer.expectResponse(486, 'INVITE');
  });
  it("keeps the call when a UDP callee retransmits its 200 before the caller's ACK", async () => {
    const phone = await registerOverUdp(core.wsUrl, udpPort, 'nina.jensen'); // 1015
    closers.push(() => {
      phone.peer.close();
      phone.api.close();
    });
    const caller = await loginAndRegister(core.wsUrl, 'silje.larsen');
    closers.push(() => {
      caller.peer.close();
      caller.api.close();
    });
    const { authenticatedInvite } = await import('../support/scenarios');
    await authenticatedInvite(caller, '1015');
    const inv = await phone.peer.expectRequest('INVITE');
    const tag = rand();
    const contact = `<sip:nina.jensen@${phone.peer.hostPort}>`;
    const ok = respond(inv, 200, 'OK', { toTag: tag, contact, body: SDP });
    phone.peer.send(ok, udpPort);
    await caller.peer.expectResponse(200, 'INVITE');
    phone.peer.send(ok, udpPort); // Timer-G-like 2xx retransmission of the UAS core
    await sleep(300);
    expect(phone.peer.all.filter((m) => m.method === 'BYE')).toHaveLength(0);
    expect(core.core.b2bua.activeCalls).toBe(1);
  });
});

describe('SIP over TCP through the core', () => {
  it('frames an OPTIONS split across writes and two requests in one write', async () => {
    const peer = await TcpPeer.connect(tcpPort);
    closers.push(() => peer.close());
    const host = `127.0.0.1:${peer.localPort}`;
    const a = options({ hostPort: host, transport: 'TCP' });
    peer.write(a.slice(0, 40));
    await sleep(30);
    peer.write(a.slice(40));
    const first = await peer.expectResponse(200, 'OPTIONS');
    expect(first.header('Via')).toContain(`rport=${peer.localPort}`);
    const b = options({ hostPort: host, transport: 'TCP', body: 'x'.repeat(10) });
    const c = options({ hostPort: host, transport: 'TCP' });
    peer.write(b + c);
    await peer.expectResponse(200, 'OPTIONS');
    await peer.expectResponse(200, 'OPTIONS');
    expect(peer.closed).toBe(false);
  });

  it('registers a TCP phone and calls it on its own connection; Via and Contact carry the TCP listener', async () => {
    const { authorizationUsername, password, api } = await sipCredentials(core.wsUrl, 'even.dahl');
    const phone = await TcpPeer.connect(tcpPort);
    closers.push(() => {
      phone.close();
      api.close();
    });
    const host = `127.0.0.1:${phone.localPort}`;
    const callId = rand();
    const fromTag = rand();
    const register = (cseq: number, authorization?: string) =>
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/TCP ${host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:even.dahl@${DOMAIN}>`,
        `From: <sip:even.dahl@${DOMAIN}>;tag=${fromTag}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:even.dahl@${host};transport=tcp>;expires=600`,
        ...(authorization ? [`Authorization: ${authorization}`] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    phone.write(register(1));
    const challenge = await phone.expectResponse(401, 'REGISTER');
    phone.write(
      register(
        2,
        digestAuthorization({
          challenge: challenge.header('WWW-Authenticate') ?? '',
          username: authorizationUsername,
          password,
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
        }),
      ),
    );
    await phone.expectResponse(200, 'REGISTER');

    const caller = await loginAndRegister(core.wsUrl, 'thea.halvorsen');
    closers.push(() => {
      caller.peer.close();
      caller.api.close();
    });
    const extension = (await core.core.people.findByUsername('even.dahl'))?.extension ?? '';
    const { authenticatedInvite } = await import('../support/scenarios');
    await authenticatedInvite(caller, extension);
    const inv = await phone.expectRequest('INVITE');
    expect(inv.header('Via')).toMatch(
      new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${tcpPort};branch=z9hG4bK`),
    );
    expect(inv.header('Contact')).toBe(`<sip:sentral@127.0.0.1:${tcpPort};transport=tcp>`);
    phone.write(respond(inv, 486, 'Busy Here', { toTag: rand() }));
    await phone.expectRequest('ACK');
    await caller.peer.expectResponse(486, 'INVITE');

    // The connection goes: the registration goes with it.
    phone.close();
    for (let i = 0; i < 100 && core.core.registrar.lookup(`even.dahl@${DOMAIN}`).length > 0; i++) {
      await sleep(20);
    }
    expect(core.core.registrar.lookup(`even.dahl@${DOMAIN}`)).toHaveLength(0);
  });

  it('answers a request without Content-Length 400 and closes the connection (§18.3)', async () => {
    const peer = await TcpPeer.connect(tcpPort);
    closers.push(() => peer.close());
    const text = options({ hostPort: `127.0.0.1:${peer.localPort}`, transport: 'TCP' }).replace(
      'Content-Length: 0\r\n',
      '',
    );
    peer.write(text);
    const bad = await peer.expectResponse(400, 'OPTIONS');
    expect(bad.text.split('\r\n')[0]).toBe('SIP/2.0 400 Missing Content-Length');
    expect(await peer.waitClosed()).toBe(true);
  });

  it('answers a keepalive with CRLF', async () => {
    const peer = await TcpPeer.connect(tcpPort);
    closers.push(() => peer.close());
    peer.write('\r\n\r\n');
    for (let i = 0; i < 100 && peer.rawText === ''; i++) await sleep(20);
    await sleep(50);
    expect(peer.rawText).toBe('\r\n');
  });
});

describe('limits', () => {
  let limited: TestCore;
  beforeAll(async () => {
    limited = await startTestCore({
      SIP_RATE_LIMIT: '2',
      SIP_RATE_LIMIT_EXEMPT: '',
      SIP_MAX_MESSAGE_SIZE: '2000',
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers the first request over the per-source rate 503 with Retry-After, then drops', async () => {
    const port = limited.core.sipPorts.udp ?? 0;
    const peer = await udpPeer();
    // 2 per second, a burst of 2: two pass, the third gets 503, the rest are dropped.
    for (let i = 0; i < 6; i++) peer.send(options({ hostPort: peer.hostPort }), port);
    await peer.expectResponse(503, 'OPTIONS');
    await sleep(200);
    const statuses = peer.all.map((m) => m.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    expect(statuses).toHaveLength(3);
    const busy = peer.all.find((m) => m.status === 503);
    expect(busy?.header('Retry-After')).toBe('1');
    // A second later the bucket has refilled.
    await sleep(1000);
    peer.send(options({ hostPort: peer.hostPort }), port);
    await peer.expect((m) => m.status === 200 && peer.all.length === 4);
  });

  it('answers an oversized datagram 513 Message Too Large', async () => {
    const port = limited.core.sipPorts.udp ?? 0;
    const peer = await udpPeer();
    peer.send(options({ hostPort: peer.hostPort, body: 'x'.repeat(3000) }), port);
    const res = await peer.expectResponse(513, 'OPTIONS');
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 513 Message Too Large');
  });

  it('answers an oversized TCP message 513 and closes the connection', async () => {
    const peer = await TcpPeer.connect(limited.core.sipPorts.tcp ?? 0);
    closers.push(() => peer.close());
    const host = `127.0.0.1:${peer.localPort}`;
    peer.write(options({ hostPort: host, transport: 'TCP', body: 'x'.repeat(3000) }));
    await peer.expectResponse(513, 'OPTIONS');
    expect(await peer.waitClosed()).toBe(true);
  });

  it('gives the WebSocket transport the same size limit (413)', async () => {
    const { SipPeer } = await import('../support/sip-peer');
    const peer = await SipPeer.connect(limited.wsUrl);
    closers.push(() => peer.close());
    peer.send(options({ hostPort: peer.host, transport: 'WSS', body: 'x'.repeat(3000) }));
    await peer.expectResponse(413, 'OPTIONS');
  });
});

describe('listening', () => {
  it(
    'carries on without UDP when its port is taken, and without TCP when told off',
    { timeout: 60_000 },
    async () => {
      const { createSocket } = await import('node:dgram');
      const squatter = createSocket('udp4');
      await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', () => r()));
      const taken = squatter.address().port;
      const other = await startTestCore({ SIP_UDP_PORT: String(taken), SIP_TCP_PORT: 'off' });
      try {
        expect(other.core.sipPorts).toEqual({ udp: undefined, tcp: undefined });
        expect(() =>
          other.core.sipTransports.flowTo({ transport: 'UDP', host: '127.0.0.1', port: 5060 }),
        ).toThrow(/not running/);
        const res = await fetch(`${other.url}/healthz`);
        expect(res.status).toBe(200);
      } finally {
        await other.close();
        squatter.close();
      }
    },
  );
});

describe('flowTo: requests the core originates (trunks, the edge)', () => {
  async function originate(transport: 'UDP' | 'TCP', port: number) {
    const flow = core.core.sipTransports.flowTo({ transport, host: '127.0.0.1', port });
    const req = new SipRequest('OPTIONS', `sip:trunk@127.0.0.1:${port}`);
    req.set('Via', `${core.core.sipTransports.via(flow, 'unused')};branch=${newBranch()}`);
    req.set('Max-Forwards', '70');
    req.set('From', `<sip:sentral@${DOMAIN}>;tag=${rand()}`);
    req.set('To', `<sip:trunk@127.0.0.1:${port}>`);
    req.set('Call-ID', rand());
    req.set('CSeq', '1 OPTIONS');
    req.set('Contact', core.core.sipTransports.contact(flow, 'unused'));
    const answers: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      core.core.transactions.sendRequest(req, flow, {
        onResponse: (res) => {
          answers.push(res.status);
          if (res.status >= 200) resolve();
        },
        onTimeout: () => reject(new Error('timeout')),
        onTransportError: () => reject(new Error('transport error')),
      });
    });
    return { flow, answers, done };
  }

  it('sends over UDP from the listening socket, retransmits (Timer E) and takes the answer on the same flow', async () => {
    const trunk = await udpPeer();
    const { flow, answers, done } = await originate('UDP', trunk.port);
    expect(flow).toMatchObject({ transport: 'UDP', remote: { port: trunk.port } });
    const first = await trunk.expectRequest('OPTIONS');
    expect(first.header('Via')).toMatch(
      new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udpPort};rport;branch=z9hG4bK`),
    );
    expect(first.header('Contact')).toBe(`<sip:sentral@127.0.0.1:${udpPort};transport=udp>`);
    const again = await trunk.expectRequest('OPTIONS', 2000);
    expect(again.text).toBe(first.text);
    trunk.send(respond(first, 200, 'OK', { toTag: rand() }), udpPort);
    await done;
    expect(answers).toEqual([200]);
    // The trunk's own requests from the same address:port arrive on the same flow object.
    expect(
      core.core.sipTransports.flowTo({ transport: 'UDP', host: '127.0.0.1', port: trunk.port }),
    ).toBe(flow);
  });

  it('opens one TCP connection, reuses it, and names the TCP listener with ;transport=tcp', async () => {
    const received: string[] = [];
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received.push(chunk);
        const text = chunk;
        const via = /\r\nVia: ([^\r]+)/.exec(text)?.[1] ?? '';
        const rest = ['From', 'To', 'Call-ID', 'CSeq'].map(
          (h) => `${h}: ${new RegExp(`\\r\\n${h}: ([^\\r]+)`).exec(text)?.[1] ?? ''}`,
        );
        socket.write(
          ['SIP/2.0 200 OK', `Via: ${via}`, ...rest, 'Content-Length: 0', '', ''].join('\r\n'),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const a = await originate('TCP', port);
      await a.done;
      const b = await originate('TCP', port);
      await b.done;
      expect(b.flow).toBe(a.flow);
      expect(sockets).toHaveLength(1);
      expect(received[0]).toMatch(
        new RegExp(`\\r\\nVia: SIP/2\\.0/TCP 127\\.0\\.0\\.1:${tcpPort};branch=z9hG4bK`),
      );
      expect(received[0]).toContain(`Contact: <sip:sentral@127.0.0.1:${tcpPort};transport=tcp>`);
      expect([a.answers, b.answers]).toEqual([[200], [200]]);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
