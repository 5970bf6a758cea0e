/**
 * Building blocks for a transaction user: responses, CANCEL, identifiers.
 *
 * @packageDocumentation
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { HeaderInit } from './message';
import { SipRequest, SipResponse } from './message';
import { parseNameAddr } from './uri';
import { MAGIC_COOKIE } from './via';

/** A branch for a new client transaction: magic cookie + 64 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBytes(8).toString('hex');
}

/** A From/To tag (48 random bits). */
export function newTag(): string {
  return randomBytes(6).toString('hex');
}

/** A globally unique Call-ID. */
export function newCallId(): string {
  return randomUUID();
}

/** Options of {@link createResponse}. */
export interface ResponseOptions {
  /** To tag when the request's To has none. Pass the same tag for every response of a dialog. */
  toTag?: string;
  /** Extra headers, added after the copied ones. */
  headers?: HeaderInit;
  body?: string;
  /** Content-Type of `body`. */
  contentType?: string;
}

function hasTag(to: string): boolean {
  try {
    return parseNameAddr(to).tag !== undefined;
  } catch {
    // Malformed To (an error response to a bad request): look for the parameter textually.
    return /;\s*tag\s*=/i.test(to);
  }
}

/**
 * A response to `req` per RFC 3261 §8.2.6: every Via, From, Call-ID and
 * CSeq copied, To copied with a tag added (except for 100 Trying), and the
 * Record-Route copied for a dialog-creating 1xx/2xx (§12.1.1). Works on a
 * malformed request's `partial` too, copying the raw values.
 */
export function createResponse(
  req: SipRequest,
  status: number,
  reason?: string,
  options: ResponseOptions = {},
): SipResponse {
  const res = new SipResponse(status, reason);
  for (const via of req.getAll('Via')) res.add('Via', via);
  const from = req.get('From');
  if (from !== undefined) res.add('From', from);
  const to = req.get('To');
  if (to !== undefined) {
    res.add('To', status > 100 && !hasTag(to) ? `${to};tag=${options.toTag ?? newTag()}` : to);
  }
  const callId = req.get('Call-ID');
  if (callId !== undefined) res.add('Call-ID', callId);
  const cseq = req.get('CSeq');
  if (cseq !== undefined) res.add('CSeq', cseq);
  if (status > 100 && status < 300 && (req.method === 'INVITE' || req.method === 'SUBSCRIBE')) {
    for (const rr of req.getAll('Record-Route')) res.add('Record-Route', rr);
  }
  if (options.headers !== undefined) {
    const extra = new SipResponse(status, '', options.headers);
    for (const [name, value] of extra.entries()) res.add(name, value);
  }
  if (options.body !== undefined) {
    res.body = options.body;
    if (options.contentType !== undefined) res.set('Content-Type', options.contentType);
  }
  return res;
}

/**
 * CANCEL for a pending INVITE (§9.1): same Request-URI, Call-ID, From, To,
 * CSeq number and Route set, and only the top Via, so it shares the
 * INVITE's branch and reaches the same server transaction.
 */
export function createCancel(invite: SipRequest): SipRequest {
  const cancel = new SipRequest('CANCEL', invite.uri);
  const via = invite.get('Via');
  if (via !== undefined) cancel.add('Via', via);
  for (const name of ['From', 'To', 'Call-ID'] as const) {
    const value = invite.get(name);
    if (value !== undefined) cancel.add(name, value);
  }
  cancel.add('CSeq', `${invite.cseq.seq} CANCEL`);
  for (const route of invite.getAll('Route')) cancel.add('Route', route);
  cancel.add('Max-Forwards', '70');
  return cancel;
}

/**
 * ACK for a non-2xx final response (§17.1.1.3), built by the INVITE client
 * transaction: the INVITE's Request-URI, top Via, From, Call-ID, CSeq number
 * and Route, the response's To (with its tag).
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const ack = new SipRequest('ACK', invite.uri);
  const via = invite.get('Via');
  if (via !== undefined) ack.add('Via', via);
  const from = invite.get('From');
  if (from !== undefined) ack.add('From', from);
  const to = response.get('To') ?? invite.get('To');
  if (to !== undefined) ack.add('To', to);
  ack.add('Call-ID', invite.callId);
  ack.add('CSeq', `${invite.cseq.seq} ACK`);
  for (const route of invite.getAll('Route')) ack.add('Route', route);
  ack.add('Max-Forwards', '70');
  return ack;
}
