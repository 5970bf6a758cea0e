import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SipTransportError } from '../../../src/server/sip/errors';
import type { SipParseError } from '../../../src/server/sip/errors';
import { createResponse } from '../../../src/server/sip/helpers';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import { WsTransport, sipWebSocketProtocols } from '../../../src/server/sip/transport';
import type { Flow, SipWebSocket, WsTransportOptions } from '../../../src/server/sip/transport';
import { INVITE, RINGING, parseResponse, torture } from './messages';

/** A WebSocket double: frames in with `receive`, frames out in `sent`. */
class FakeSocket extends EventEmitter implements SipWebSocket {
  readyState = 1;
  readonly sent: string[] = [];
  closeCode: number | undefined;

  send(data: string): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closeCode = code;
    this.readyState = 3;
    this.emit('close', code ?? 1005, Buffer.alloc(0));
  }

  receive(frame: string | Buffer, isBinary = false): void {
    this.emit('message', typeof frame === 'string' ? Buffer.from(frame) : frame, isBinary);
  }

  /** The responses sent back, parsed. */
  responses(): SipResponse[] {
    return this.sent.filter((s) => s.startsWith('SIP/')).map(parseResponse);
  }
}

function setup(overrides: Partial<WsTransportOptions> = {}) {
  const messages: { msg: SipRequest | SipResponse; flow: Flow }[] = [];
  const closed: Flow[] = [];
  const parseErrors: SipParseError[] = [];
  const errors: unknown[] = [];
  const transport = new WsTransport({
    onMessage: (msg, flow) => messages.push({ msg, flow }),
    onFlowClosed: (flow) => closed.push(flow),
    onParseError: (error) => parseErrors.push(error),
    onError: (error) => errors.push(error),
    ...overrides,
  });
  const socket = new FakeSocket();
  const flow = transport.handleConnection(socket, {
    socket: { remoteAddress: '192.0.2.7', remotePort: 51000 },
  });
  return { transport, socket, flow, messages, closed, parseErrors, errors };
}

describe('WebSocket transport', () => {
  it('turns a connection into a flow and each text frame into one message', () => {
    const { socket, flow, messages, transport } = setup();
    expect(flow.transport).toBe('WS');
    expect(flow.reliable).toBe(true);
    expect(flow.remote).toEqual({ address: '192.0.2.7', port: 51000 });
    expect(transport.flows.get(flow.id)).toBe(flow);
    socket.receive(INVITE);
    socket.receive(RINGING);
    expect(messages.map((m) => m.msg.type)).toEqual(['request', 'response']);
    expect(messages[0]?.flow).toBe(flow);
  });

  it('reads binary frames as UTF-8 too, and marks TLS connections WSS', () => {
    const { socket, messages, transport } = setup();
    socket.receive(Buffer.from(INVITE.replace('Anna Operator', 'Åsa Øberg'), 'utf8'), true);
    expect(messages[0]?.msg.from.displayName).toBe('Åsa Øberg');
    const secure = transport.handleConnection(new FakeSocket(), {
      socket: { remoteAddress: '::1', remotePort: 1, encrypted: true },
    });
    expect(secure.transport).toBe('WSS');
  });

  it('answers a CRLF keep-alive with CRLF and ignores a lone CRLF', () => {
    const { socket, messages } = setup();
    socket.receive('\r\n\r\n');
    socket.receive('\r\n');
    expect(socket.sent).toEqual(['\r\n']);
    expect(messages).toHaveLength(0);
  });

  it('answers a malformed request with 400, copying Via, From, To, Call-ID and CSeq', () => {
    const { socket, messages, parseErrors, flow } = setup();
    const bad = INVITE.replace('Max-Forwards: 70', 'Max-Forwards: lots');
    socket.receive(bad);
    expect(messages).toHaveLength(0);
    expect(parseErrors.map((e) => e.status)).toEqual([400]);
    const [res] = socket.responses();
    expect(res?.status).toBe(400);
    expect(res?.reason).toBe('Bad Max-Forwards');
    expect(res?.get('Via')).toBe('SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842');
    expect(res?.get('From')).toBe('"Anna Operator" <sip:101@sentral.example>;tag=0k3u6kpf2h');
    expect(res?.to.uri.toString()).toBe('sip:200@sentral.example');
    expect(res?.to.tag).toBeDefined();
    expect(res?.callId).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(res?.get('CSeq')).toBe('1 INVITE');
    expect(flow.closed).toBe(false);
  });

  it('answers a wrong SIP version with 505 and an unknown Request-URI scheme with 416', () => {
    const { socket } = setup();
    socket.receive(torture('badvers'));
    socket.receive(torture('unkscm'));
    expect(socket.responses().map((r) => r.status)).toEqual([505, 416]);
  });

  it('answers a request missing From, To and Call-ID with 400 (RFC 4475 insuf) on its flow', () => {
    const { socket } = setup();
    socket.receive(torture('insuf'));
    expect(socket.sent).toHaveLength(1);
    expect(String(socket.sent[0])).toMatch(/^SIP\/2\.0 400 /);
    expect(String(socket.sent[0])).toContain('Via: SIP/2.0/UDP');
  });

  it('never answers a malformed ACK', () => {
    const { socket, parseErrors } = setup();
    socket.receive(
      INVITE.replace('INVITE sip:', 'ACK sip:')
        .replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
        .replace('Max-Forwards: 70', 'Max-Forwards: x'),
    );
    expect(parseErrors).toHaveLength(1);
    expect(socket.sent).toEqual([]);
  });

  it('drops a malformed response without a word', () => {
    const { socket, messages, parseErrors, flow } = setup();
    socket.receive(torture('scalarlg'));
    expect(parseErrors.map((e) => e.kind)).toEqual(['response']);
    expect(socket.sent).toEqual([]);
    expect(messages).toHaveLength(0);
    expect(flow.closed).toBe(false);
  });

  it('closes the flow after three garbage frames', () => {
    const { socket, flow, closed, transport } = setup();
    socket.receive('hello');
    socket.receive(Buffer.from([0xff, 0x00, 0x13]), true);
    expect(flow.closed).toBe(false);
    socket.receive('GET / HTTP/1.1\r\n\r\n');
    expect(flow.closed).toBe(true);
    expect(socket.closeCode).toBe(1002);
    expect(closed).toEqual([flow]);
    expect(transport.flows.size).toBe(0);
    expect(socket.sent).toEqual([]);
  });

  it('refuses a request above the size limit with 413', () => {
    const { socket, messages } = setup({ maxMessageSize: 512 });
    socket.receive(INVITE);
    expect(messages).toHaveLength(0);
    expect(socket.responses().map((r) => r.status)).toEqual([413]);
  });

  it('keeps a throwing handler inside the transport', () => {
    const { socket, errors } = setup({
      onMessage: () => {
        throw new Error('TU bug');
      },
    });
    expect(() => socket.receive(INVITE)).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it('reports the close once, and a closed flow refuses to send', () => {
    const { socket, flow, closed, transport } = setup();
    socket.emit('close', 1006, Buffer.alloc(0));
    flow.close();
    expect(closed).toEqual([flow]);
    expect(flow.closed).toBe(true);
    expect(() => flow.send('x')).toThrow(SipTransportError);
    expect(transport.flows.size).toBe(0);
    socket.receive(INVITE);
  });

  it('accepts only the sip subprotocol', () => {
    expect(sipWebSocketProtocols(new Set(['chat', 'sip']))).toBe('sip');
    expect(sipWebSocketProtocols(new Set(['chat']))).toBe(false);
  });
});

describe('WebSocket transport over a real ws server', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      if (server) server.close(() => resolve());
      else resolve();
    });
  });

  it('carries a request and its response over loopback, and refuses clients without the sip subprotocol', async () => {
    server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: sipWebSocketProtocols,
    });
    await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const closedFlows: Flow[] = [];
    const transport = new WsTransport({
      server,
      onMessage: (msg, flow) => {
        if (msg.type === 'request') flow.send(createResponse(msg, 486).toString());
      },
      onFlowClosed: (flow) => closedFlows.push(flow),
    });

    const client = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    expect(client.protocol).toBe('sip');
    const reply = new Promise<string>((resolve) =>
      client.once('message', (data) => resolve(String(data))),
    );
    client.send(INVITE);
    const res = parseMessage(await reply);
    expect(res.type === 'response' && res.status).toBe(486);
    expect(transport.flows.size).toBe(1);
    const flow = [...transport.flows.values()][0];
    expect(flow?.remote.address).toBe('127.0.0.1');

    client.close();
    await vi.waitFor(() => expect(closedFlows).toHaveLength(1));
    expect(transport.flows.size).toBe(0);

    const refused = new WebSocket(`ws://127.0.0.1:${port}`, 'chat');
    const outcome = await new Promise<string>((resolve) => {
      refused.once('open', () => resolve('open'));
      refused.once('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });
});
