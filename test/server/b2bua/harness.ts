/**
 * The B2BUA alone over in-memory flows: a real transaction layer and B2BUA, a caller flow and
 * a callee flow whose messages the test writes as text and reads back parsed. Time is the
 * test's (vi fake timers drive the transaction layer and the session timers alike).
 */
import { randomBytes } from 'node:crypto';
import { B2bua, type Callee, type Party } from '../../../src/server/b2bua/b2bua';
import { createLogger } from '../../../src/server/logger';
import type { Binding } from '../../../src/server/registrar/registrar';
import {
  TransactionLayer,
  parseMessage,
  type Flow,
  type SipRequest,
  type SipResponse,
} from '../../../src/server/sip';

export const rand = (): string => randomBytes(5).toString('hex');

export const CALLER_SDP = [
  'v=0',
  'o=caller 100 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');
export const CALLEE_SDP = CALLER_SDP.replace('o=caller 100 1', 'o=callee 200 1').replace(
  '40000',
  '40002',
);

/** One side's connection: what the core sent on it, and a way to send it messages. */
export class MemoryFlow implements Flow {
  readonly id = rand();
  readonly transport = 'WS' as const;
  readonly reliable = true;
  readonly remote = { address: '127.0.0.1', port: 5060 };
  closed = false;
  readonly host = `${rand()}.invalid`;
  readonly sent: Array<SipRequest | SipResponse> = [];

  constructor(private readonly layer: () => TransactionLayer) {}

  send(data: string): void {
    this.sent.push(parseMessage(data));
  }

  close(): void {
    this.closed = true;
  }

  /** Delivers `text` to the core as if it came over this flow. */
  deliver(text: string): void {
    this.layer().receive(parseMessage(text), this);
  }

  /** Takes (removes) the first message the core sent matching `pred`; throws if none. */
  take(pred: (m: SipRequest | SipResponse) => boolean, what = 'message'): SipRequest | SipResponse {
    const i = this.sent.findIndex(pred);
    if (i < 0) {
      throw new Error(`no ${what}; sent:\n${this.sent.map((m) => startLine(m)).join('\n')}`);
    }
    return this.sent.splice(i, 1)[0] as SipRequest | SipResponse;
  }

  request(method: string): SipRequest {
    return this.take((m) => m.type === 'request' && m.method === method, method) as SipRequest;
  }

  response(status: number, method?: string): SipResponse {
    return this.take(
      (m) => m.type === 'response' && m.status === status && (!method || m.cseq.method === method),
      `${status} ${method ?? ''}`,
    ) as SipResponse;
  }

  /** Methods and statuses still unread. */
  pending(): string[] {
    return this.sent.map(startLine);
  }
}

function startLine(m: SipRequest | SipResponse): string {
  return m.type === 'request' ? `${m.method} (CSeq ${m.cseq.seq})` : `${m.status} ${m.cseq.method}`;
}

export interface Harness {
  b2bua: B2bua;
  layer: TransactionLayer;
  caller: MemoryFlow;
  callee: MemoryFlow;
}

const CALLEE: Callee = {
  userId: 'u2',
  username: 'bob',
  displayName: 'Bob',
  extension: '1002',
  domain: 'example.test',
};
const CALLER: Party = {
  kind: 'user',
  tenantId: 't1',
  userId: 'u1',
  username: 'alice',
  displayName: 'Alice',
  number: '1001',
  domain: 'example.test',
};

export function harness(): Harness {
  const made: { layer?: TransactionLayer } = {};
  const getLayer = (): TransactionLayer => {
    if (!made.layer) throw new Error('no layer');
    return made.layer;
  };
  const caller = new MemoryFlow(getLayer);
  const callee = new MemoryFlow(getLayer);
  const binding: Binding = {
    aor: 'bob@example.test',
    contactUri: `sip:bob@${callee.host};transport=ws`,
    contactParams: new Map(),
    flow: callee,
    expiresAt: Number.MAX_SAFE_INTEGER,
    callId: rand(),
    cseq: 1,
    instanceId: undefined,
    userAgent: undefined,
  };
  const routed: { b2bua?: B2bua } = {};
  const layer = new TransactionLayer({
    onRequest: (req, tx) => {
      const b2bua = routed.b2bua;
      if (!b2bua) return;
      if (req.to.tag) b2bua.inDialog(req, tx, tx.flow);
      else if (req.method === 'INVITE') {
        b2bua.ringUser(req, tx, tx.flow, CALLER, CALLEE, b2bua.direct);
      }
    },
    onAck: (ack, flow) => routed.b2bua?.inDialog(ack, undefined, flow),
  });
  const b2bua = new B2bua({
    transactions: layer,
    lookup: () => [binding],
    resolve: () => Promise.resolve(CALLEE),
    via: (flow) => `SIP/2.0/${flow.transport} core.invalid:5060`,
    contact: () => '<sip:sentral@core.invalid:5060;transport=ws>',
    logger: createLogger('silent'),
  });
  routed.b2bua = b2bua;
  made.layer = layer;
  return { b2bua, layer, caller, callee };
}

/** The caller's side of a dialog, for writing its requests. */
export interface CallerDialog {
  callId: string;
  fromTag: string;
  toTag: string;
  cseq: number;
}

export function callerInvite(
  h: Harness,
  opts: { headers?: string[]; callId?: string; fromTag?: string; body?: string } = {},
): { callId: string; fromTag: string } {
  const callId = opts.callId ?? rand();
  const fromTag = opts.fromTag ?? rand();
  const body = opts.body ?? CALLER_SDP;
  h.caller.deliver(
    [
      'INVITE sip:1002@example.test SIP/2.0',
      `Via: SIP/2.0/WS ${h.caller.host};branch=z9hG4bK${rand()}`,
      'Max-Forwards: 70',
      'To: <sip:1002@example.test>',
      `From: <sip:alice@example.test>;tag=${fromTag}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:alice@${h.caller.host};transport=ws>`,
      ...(opts.headers ?? []),
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  return { callId, fromTag };
}

/** A response from the callee (or the caller) to a request the core sent it. */
export function reply(
  req: SipRequest,
  status: number,
  reason: string,
  opts: { toTag?: string; headers?: string[]; body?: string; contact?: string } = {},
): string {
  const to = req.get('To') ?? '';
  const body = opts.body ?? '';
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...req.getAll('Via').map((v) => `Via: ${v}`),
    `To: ${opts.toTag && !to.includes('tag=') ? `${to};tag=${opts.toTag}` : to}`,
    `From: ${req.get('From') ?? ''}`,
    `Call-ID: ${req.callId}`,
    `CSeq: ${req.get('CSeq') ?? ''}`,
    ...(opts.contact ? [`Contact: ${opts.contact}`] : []),
    ...(opts.headers ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** A request inside the caller's dialog with the core. */
export function callerRequest(
  h: Harness,
  d: CallerDialog,
  method: string,
  opts: { headers?: string[]; body?: string; cseq?: number } = {},
): string {
  const body = opts.body ?? '';
  const cseq = opts.cseq ?? (method === 'ACK' ? d.cseq : ++d.cseq);
  return [
    `${method} sip:sentral@core.invalid:5060;transport=ws SIP/2.0`,
    `Via: SIP/2.0/WS ${h.caller.host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: <sip:1002@example.test>;tag=${d.toTag}`,
    `From: <sip:alice@example.test>;tag=${d.fromTag}`,
    `Call-ID: ${d.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:alice@${h.caller.host};transport=ws>`,
    ...(opts.headers ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/**
 * A whole call set up: the caller's INVITE with `callerHeaders`, the callee's 200 with
 * `calleeHeaders`, the caller's ACK. Returns the caller's dialog, the core's INVITE to the
 * callee, the 200 the caller got and the callee's To tag.
 */
export function connect(
  h: Harness,
  callerHeaders: string[],
  calleeHeaders: string[] = [],
): { dialog: CallerDialog; outInvite: SipRequest; ok: SipResponse; calleeTag: string } {
  const { callId, fromTag } = callerInvite(h, { headers: callerHeaders });
  const outInvite = h.callee.request('INVITE');
  const calleeTag = rand();
  const contact = `<sip:bob@${h.callee.host};transport=ws>`;
  h.callee.deliver(reply(outInvite, 180, 'Ringing', { toTag: calleeTag, contact }));
  h.callee.deliver(
    reply(outInvite, 200, 'OK', {
      toTag: calleeTag,
      contact,
      headers: calleeHeaders,
      body: CALLEE_SDP,
    }),
  );
  const ok = h.caller.response(200, 'INVITE');
  const dialog: CallerDialog = { callId, fromTag, toTag: ok.to.tag ?? '', cseq: 1 };
  h.caller.deliver(callerRequest(h, dialog, 'ACK'));
  h.callee.request('ACK');
  h.caller.sent.length = 0; // 100 Trying, 180
  return { dialog, outInvite, ok, calleeTag };
}

/** A request inside the callee's dialog with the core (the callee is the UAS of the leg). */
export function calleeRequest(
  h: Harness,
  outInvite: SipRequest,
  calleeTag: string,
  method: string,
  cseq: number,
  opts: { headers?: string[]; body?: string } = {},
): string {
  const body = opts.body ?? '';
  return [
    `${method} sip:sentral@core.invalid:5060;transport=ws SIP/2.0`,
    `Via: SIP/2.0/WS ${h.callee.host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: ${outInvite.get('From') ?? ''}`,
    `From: ${outInvite.get('To') ?? ''};tag=${calleeTag}`,
    `Call-ID: ${outInvite.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:bob@${h.callee.host};transport=ws>`,
    ...(opts.headers ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
