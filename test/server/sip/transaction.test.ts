import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCancel, createResponse, newBranch } from '../../../src/server/sip/helpers';
import type { SipRequest, SipResponse } from '../../../src/server/sip/message';
import {
  InviteClientTransaction,
  InviteClientTransactionState as ICT,
  InviteServerTransaction,
  InviteServerTransactionState as IST,
  NonInviteClientTransaction,
  NonInviteClientTransactionState as NICT,
  NonInviteServerTransaction,
  NonInviteServerTransactionState as NIST,
  TransactionLayer,
} from '../../../src/server/sip/transaction';
import type {
  ClientTransactionHandlers,
  ServerTransaction,
} from '../../../src/server/sip/transaction';
import { FakeFlow, INVITE, parseRequest, torture } from './messages';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;

/** A layer whose TU records everything it is told. */
function harness() {
  const requests: { req: SipRequest; tx: ServerTransaction }[] = [];
  const acks: SipRequest[] = [];
  const strays: SipResponse[] = [];
  const errors: unknown[] = [];
  const layer = new TransactionLayer({
    onRequest: (req, tx) => requests.push({ req, tx }),
    onAck: (ack) => acks.push(ack),
    onStrayResponse: (res) => strays.push(res),
    onError: (error) => errors.push(error),
  });
  return { layer, requests, acks, strays, errors };
}

/** Client handlers recording what the transaction reports. */
function recorder() {
  const log = { responses: [] as number[], timeouts: 0, transportErrors: 0 };
  const handlers: ClientTransactionHandlers = {
    onResponse: (res) => log.responses.push(res.status),
    onTimeout: () => log.timeouts++,
    onTransportError: () => log.transportErrors++,
  };
  return { log, handlers };
}

/** Records the states a transaction goes through. */
function states<S extends string>(tx: { onStateChange?: (s: S) => void }): S[] {
  const seen: S[] = [];
  tx.onStateChange = (s) => seen.push(s);
  return seen;
}

function request(method: string, branch = newBranch(), sentBy = 'uac.invalid'): SipRequest {
  const req = parseRequest(INVITE).clone();
  req.method = method;
  req.set('Via', `SIP/2.0/WS ${sentBy};branch=${branch}`);
  req.set('CSeq', `1 ${method}`);
  if (method !== 'INVITE') req.body = '';
  return req;
}

/** The request as the peer retransmits it: a fresh parse of the same bytes. */
function again(req: SipRequest): SipRequest {
  return parseRequest(req.toString());
}

function ackFor(invite: SipRequest, response: SipResponse, branch?: string): SipRequest {
  const ack = invite.clone();
  ack.method = 'ACK';
  ack.body = '';
  ack.set('CSeq', `${invite.cseq.seq} ACK`);
  ack.set('To', response.get('To') ?? '');
  if (branch) ack.set('Via', `SIP/2.0/WS uac.invalid;branch=${branch}`);
  return ack;
}

/** Forces a state change the machine does not allow. */
function forceTransition(tx: object, to: string): void {
  (tx as { transition(state: string): void }).transition(to);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('INVITE server transaction', () => {
  function incoming(flow = new FakeFlow()) {
    const h = harness();
    const invite = request('INVITE');
    h.layer.receive(invite, flow);
    const tx = h.requests[0]?.tx;
    if (!(tx instanceof InviteServerTransaction)) throw new Error('no INVITE server transaction');
    return { ...h, flow, invite, tx, seen: states(tx) };
  }

  it('a new INVITE reaches the TU with a transaction in Proceeding', () => {
    const { tx, requests, layer } = incoming();
    expect(requests).toHaveLength(1);
    expect(tx.state).toBe(IST.Proceeding);
    expect(layer.size).toBe(1);
  });

  it('answers 100 Trying by itself when the TU has not answered within 200 ms', () => {
    const { flow } = incoming();
    vi.advanceTimersByTime(199);
    expect(flow.sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(flow.statuses()).toEqual([100]);
    const trying = flow.messages()[0];
    expect(trying?.to.tag).toBeUndefined();
  });

  it('sends no 100 Trying when the TU answered first', () => {
    const { flow, tx, invite } = incoming();
    tx.respond(createResponse(invite, 180, undefined, { toTag: 'a' }));
    vi.advanceTimersByTime(1000);
    expect(flow.statuses()).toEqual([180]);
  });

  it('Proceeding → Accepted on a 2xx, then Timer L (64*T1) → Terminated', () => {
    const { flow, tx, invite, seen, layer } = incoming();
    expect(tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }))).toBe(true);
    expect(tx.state).toBe(IST.Accepted);
    expect(flow.statuses()).toEqual([200]);
    vi.advanceTimersByTime(64 * T1 - 1);
    expect(tx.state).toBe(IST.Accepted);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([IST.Accepted, IST.Terminated]);
    expect(layer.size).toBe(0);
  });

  it('Proceeding → Completed → Confirmed → Terminated: the ACK for a failure ends it at once on a reliable flow', () => {
    const { tx, invite, seen, layer, acks } = incoming();
    const busy = createResponse(invite, 486, undefined, { toTag: 'b' });
    tx.respond(busy);
    expect(tx.state).toBe(IST.Completed);
    layer.receive(ackFor(invite, busy), tx.flow);
    expect(seen).toEqual([IST.Completed, IST.Confirmed, IST.Terminated]);
    expect(acks).toHaveLength(0);
    expect(layer.size).toBe(0);
  });

  it('Completed → Terminated by Timer H when the ACK never comes, telling the TU', () => {
    const { tx, invite, seen, layer } = incoming();
    const onTimeout = vi.fn();
    tx.onTimeout = onTimeout;
    tx.respond(createResponse(invite, 603, undefined, { toTag: 'd' }));
    vi.advanceTimersByTime(64 * T1);
    expect(seen).toEqual([IST.Completed, IST.Terminated]);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(layer.size).toBe(0);
  });

  it('Proceeding → Terminated when the flow cannot carry the response', () => {
    const { tx, invite, flow, seen, layer } = incoming();
    const onTransportError = vi.fn();
    tx.onTransportError = onTransportError;
    flow.close();
    expect(tx.respond(createResponse(invite, 180, undefined, { toTag: 'a' }))).toBe(false);
    expect(seen).toEqual([IST.Terminated]);
    expect(onTransportError).toHaveBeenCalledOnce();
    expect(layer.size).toBe(0);
  });

  it('Confirmed → Terminated waits Timer I (T4) on an unreliable flow, retransmitting the failure with Timer G meanwhile', () => {
    const { tx, invite, flow, seen, layer } = incoming(new FakeFlow('udp-1', false, 'UDP'));
    const busy = createResponse(invite, 486, undefined, { toTag: 'b' });
    tx.respond(busy);
    vi.advanceTimersByTime(T1); // G: T1
    vi.advanceTimersByTime(2 * T1); // G: 2*T1
    vi.advanceTimersByTime(4 * T1); // G: 4*T1 (capped at T2 later)
    expect(flow.statuses()).toEqual([486, 486, 486, 486]);
    layer.receive(ackFor(invite, busy), flow);
    expect(tx.state).toBe(IST.Confirmed);
    vi.advanceTimersByTime(T4 - 1);
    expect(tx.state).toBe(IST.Confirmed);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([IST.Completed, IST.Confirmed, IST.Terminated]);
    expect(flow.statuses()).toHaveLength(4);
  });

  it('a retransmitted INVITE re-sends the last response and does not reach the TU again', () => {
    const { tx, invite, flow, layer, requests } = incoming();
    tx.respond(createResponse(invite, 180, undefined, { toTag: 'a' }));
    layer.receive(again(invite), flow);
    expect(flow.statuses()).toEqual([180, 180]);
    tx.respond(createResponse(invite, 486, undefined, { toTag: 'a' }));
    layer.receive(again(invite), flow);
    expect(flow.statuses()).toEqual([180, 180, 486, 486]);
    expect(requests).toHaveLength(1);
  });

  it('discards a second final response', () => {
    const { tx, invite, flow } = incoming();
    tx.respond(createResponse(invite, 486, undefined, { toTag: 'a' }));
    expect(tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }))).toBe(false);
    expect(flow.statuses()).toEqual([486]);
  });

  it('an ACK for the 2xx (its own branch) reaches the TU through onAck', () => {
    const { tx, invite, layer, acks } = incoming();
    const ok = createResponse(invite, 200, undefined, { toTag: 'a' });
    tx.respond(ok);
    layer.receive(ackFor(invite, ok, newBranch()), tx.flow);
    expect(acks).toHaveLength(1);
    expect(tx.state).toBe(IST.Accepted);
  });

  it('refuses an illegal move', () => {
    const { tx, invite } = incoming();
    tx.respond(createResponse(invite, 200, undefined, { toTag: 'a' }));
    expect(() => forceTransition(tx, IST.Proceeding)).toThrow(
      'InviteServerTransaction: illegal transition Accepted -> Proceeding',
    );
    expect(tx.state).toBe(IST.Accepted);
  });
});

describe('non-INVITE server transaction', () => {
  function incoming(flow = new FakeFlow()) {
    const h = harness();
    const req = request('OPTIONS');
    h.layer.receive(req, flow);
    const tx = h.requests[0]?.tx;
    if (!(tx instanceof NonInviteServerTransaction)) throw new Error('no server transaction');
    return { ...h, flow, req, tx, seen: states(tx) };
  }

  it('Trying → Proceeding → Completed → Terminated (Timer J is zero on a reliable flow)', () => {
    const { tx, req, seen, layer, flow } = incoming();
    expect(tx.state).toBe(NIST.Trying);
    tx.respond(createResponse(req, 183, undefined, { toTag: 'a' }));
    tx.respond(createResponse(req, 200, undefined, { toTag: 'a' }));
    expect(seen).toEqual([NIST.Proceeding, NIST.Completed, NIST.Terminated]);
    expect(flow.statuses()).toEqual([183, 200]);
    expect(layer.size).toBe(0);
  });

  it('Trying → Completed directly on a final response; Timer J (64*T1) on an unreliable flow', () => {
    const { tx, req, seen, layer, flow } = incoming(new FakeFlow('udp', false, 'UDP'));
    tx.respond(createResponse(req, 200, undefined, { toTag: 'a' }));
    expect(seen).toEqual([NIST.Completed]);
    layer.receive(again(req), flow);
    expect(flow.statuses()).toEqual([200, 200]);
    vi.advanceTimersByTime(64 * T1);
    expect(seen).toEqual([NIST.Completed, NIST.Terminated]);
    expect(layer.size).toBe(0);
  });

  it('absorbs a retransmission while Trying and re-sends the provisional while Proceeding', () => {
    const { tx, req, layer, flow, requests } = incoming();
    layer.receive(again(req), flow);
    expect(flow.sent).toHaveLength(0);
    tx.respond(createResponse(req, 100));
    layer.receive(again(req), flow);
    expect(flow.statuses()).toEqual([100, 100]);
    expect(requests).toHaveLength(1);
  });

  it('Trying → Terminated on a transport error; Proceeding → Terminated when the flow closes', () => {
    const first = incoming();
    first.flow.close();
    first.tx.respond(createResponse(first.req, 200));
    expect(first.seen).toEqual([NIST.Terminated]);

    const second = incoming();
    const onTransportError = vi.fn();
    second.tx.onTransportError = onTransportError;
    second.tx.respond(createResponse(second.req, 100));
    second.layer.flowClosed(second.flow);
    expect(second.seen).toEqual([NIST.Proceeding, NIST.Terminated]);
    expect(onTransportError).toHaveBeenCalledOnce();
    expect(second.layer.size).toBe(0);
  });

  it('refuses an illegal move', () => {
    const { tx } = incoming();
    expect(() => forceTransition(tx, NIST.Trying)).toThrow(/illegal transition Trying -> Trying/);
  });
});

describe('INVITE client transaction', () => {
  function outgoing(flow = new FakeFlow()) {
    const h = harness();
    const { log, handlers } = recorder();
    const invite = request('INVITE');
    const tx = h.layer.sendRequest(invite, flow, handlers);
    if (!(tx instanceof InviteClientTransaction))
      throw new Error('not an INVITE client transaction');
    return { ...h, flow, invite, tx, log, seen: states(tx) };
  }

  it('Calling → Proceeding → Accepted, then Timer M (64*T1) → Terminated', () => {
    const { tx, invite, layer, log, seen, flow } = outgoing();
    expect(flow.methods()).toEqual(['INVITE']);
    expect(tx.state).toBe(ICT.Calling);
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r' }), flow);
    layer.receive(createResponse(invite, 200, undefined, { toTag: 'r' }), flow);
    expect(log.responses).toEqual([180, 200]);
    vi.advanceTimersByTime(64 * T1);
    expect(seen).toEqual([ICT.Proceeding, ICT.Accepted, ICT.Terminated]);
    expect(layer.size).toBe(0);
  });

  it('Calling → Accepted passes 2xx retransmissions and forked 2xx to the TU', () => {
    const { invite, layer, log, seen, flow } = outgoing();
    layer.receive(createResponse(invite, 200, undefined, { toTag: 'r1' }), flow);
    layer.receive(createResponse(invite, 200, undefined, { toTag: 'r2' }), flow);
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r3' }), flow);
    expect(log.responses).toEqual([200, 200]);
    expect(seen).toEqual([ICT.Accepted]);
  });

  it('Calling → Completed on a failure: the layer ACKs it itself and ends at once on a reliable flow', () => {
    const { invite, layer, log, seen, flow, strays } = outgoing();
    const busy = createResponse(invite, 486, undefined, { toTag: 'busy' });
    layer.receive(busy, flow);
    expect(log.responses).toEqual([486]);
    expect(seen).toEqual([ICT.Completed, ICT.Terminated]);
    const ack = flow.messages()[1];
    expect(ack?.type === 'request' && ack.method).toBe('ACK');
    expect(ack?.to.tag).toBe('busy');
    expect(ack?.topVia?.branch).toBe(invite.topVia?.branch);
    expect(ack?.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(layer.size).toBe(0);
    layer.receive(busy, flow);
    expect(strays).toHaveLength(1);
  });

  it('Proceeding → Completed re-ACKs a retransmitted failure during Timer D on an unreliable flow', () => {
    const { invite, layer, log, seen, flow } = outgoing(new FakeFlow('udp', false, 'UDP'));
    layer.receive(createResponse(invite, 183, undefined, { toTag: 'r' }), flow);
    const failure = createResponse(invite, 503, undefined, { toTag: 'r' });
    layer.receive(failure, flow);
    layer.receive(failure, flow);
    expect(log.responses).toEqual([183, 503]);
    expect(flow.methods()).toEqual(['INVITE', 'ACK', 'ACK']);
    vi.advanceTimersByTime(32_000);
    expect(seen).toEqual([ICT.Proceeding, ICT.Completed, ICT.Terminated]);
  });

  it('Calling → Terminated by Timer B (64*T1) with onTimeout, retransmitting with Timer A on an unreliable flow', () => {
    const { layer, log, seen, flow } = outgoing(new FakeFlow('udp', false, 'UDP'));
    vi.advanceTimersByTime(T1 + 2 * T1 + 4 * T1);
    expect(flow.methods()).toEqual(['INVITE', 'INVITE', 'INVITE', 'INVITE']);
    vi.advanceTimersByTime(64 * T1 - 7 * T1);
    expect(seen).toEqual([ICT.Terminated]);
    expect(log.timeouts).toBe(1);
    expect(layer.size).toBe(0);
  });

  it('Timer B does not fire once a provisional response arrived', () => {
    const { invite, layer, log, tx, flow } = outgoing();
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r' }), flow);
    vi.advanceTimersByTime(64 * T1 * 2);
    expect(log.timeouts).toBe(0);
    expect(tx.state).toBe(ICT.Proceeding);
  });

  it('Proceeding → Terminated with onTransportError when the flow closes', () => {
    const { invite, layer, log, seen, flow } = outgoing();
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r' }), flow);
    flow.close();
    layer.flowClosed(flow);
    expect(seen).toEqual([ICT.Proceeding, ICT.Terminated]);
    expect(log.transportErrors).toBe(1);
  });

  it('a request on a closed flow reports a transport error and leaves nothing behind', () => {
    const h = harness();
    const flow = new FakeFlow();
    flow.close();
    const { log, handlers } = recorder();
    const tx = h.layer.sendRequest(request('INVITE'), flow, handlers);
    expect(tx.state).toBe(ICT.Terminated);
    expect(log.transportErrors).toBe(1);
    expect(h.layer.size).toBe(0);
  });

  it('CANCEL is its own transaction; its 200 and the INVITE’s 487 go to the right one', () => {
    const { invite, layer, log, tx, flow } = outgoing();
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r' }), flow);
    const cancelLog = recorder();
    const cancelTx = layer.sendRequest(createCancel(invite), flow, cancelLog.handlers);
    expect(cancelTx).toBeInstanceOf(NonInviteClientTransaction);
    expect(layer.clientCount).toBe(2);
    const cancel = cancelTx.request;
    layer.receive(createResponse(cancel, 200, undefined, { toTag: 'r' }), flow);
    layer.receive(createResponse(invite, 487, undefined, { toTag: 'r' }), flow);
    expect(cancelLog.log.responses).toEqual([200]);
    expect(log.responses).toEqual([180, 487]);
    expect(tx.state).toBe(ICT.Terminated);
    expect(layer.size).toBe(0);
  });

  it('gives up 64*T1 after a CANCEL when no final response comes', () => {
    const { invite, layer, log, tx, flow } = outgoing();
    layer.receive(createResponse(invite, 180, undefined, { toTag: 'r' }), flow);
    const cancelTx = layer.sendRequest(createCancel(invite), flow, recorder().handlers);
    layer.receive(createResponse(cancelTx.request, 200), flow);
    vi.advanceTimersByTime(64 * T1);
    expect(tx.state).toBe(ICT.Terminated);
    expect(log.timeouts).toBe(1);
    expect(layer.size).toBe(0);
  });

  it('refuses an illegal move', () => {
    const { tx } = outgoing();
    forceTransition(tx, ICT.Completed);
    expect(() => forceTransition(tx, ICT.Accepted)).toThrow(
      'InviteClientTransaction: illegal transition Completed -> Accepted',
    );
  });
});

describe('non-INVITE client transaction', () => {
  function outgoing(flow = new FakeFlow()) {
    const h = harness();
    const { log, handlers } = recorder();
    const req = request('OPTIONS');
    const tx = h.layer.sendRequest(req, flow, handlers);
    if (!(tx instanceof NonInviteClientTransaction)) throw new Error('not a non-INVITE client');
    return { ...h, flow, req, tx, log, seen: states(tx) };
  }

  it('Trying → Proceeding → Completed → Terminated (Timer K is zero on a reliable flow)', () => {
    const { req, layer, log, seen, flow } = outgoing();
    layer.receive(createResponse(req, 100), flow);
    layer.receive(createResponse(req, 200, undefined, { toTag: 'a' }), flow);
    expect(log.responses).toEqual([100, 200]);
    expect(seen).toEqual([NICT.Proceeding, NICT.Completed, NICT.Terminated]);
    expect(layer.size).toBe(0);
  });

  it('Trying → Completed directly, absorbing retransmissions until Timer K (T4) on an unreliable flow', () => {
    const { req, layer, log, seen, flow } = outgoing(new FakeFlow('udp', false, 'UDP'));
    const ok = createResponse(req, 200, undefined, { toTag: 'a' });
    layer.receive(ok, flow);
    layer.receive(ok, flow);
    expect(log.responses).toEqual([200]);
    vi.advanceTimersByTime(T4);
    expect(seen).toEqual([NICT.Completed, NICT.Terminated]);
  });

  it('Trying → Terminated by Timer F (64*T1) with onTimeout, retransmitting with Timer E capped at T2', () => {
    const { layer, log, seen, flow } = outgoing(new FakeFlow('udp', false, 'UDP'));
    vi.advanceTimersByTime(T1 + 2 * T1 + 4 * T1 + T2);
    expect(flow.methods()).toHaveLength(5);
    vi.advanceTimersByTime(T2);
    expect(flow.methods()).toHaveLength(6);
    vi.advanceTimersByTime(64 * T1);
    expect(seen).toEqual([NICT.Terminated]);
    expect(log.timeouts).toBe(1);
    expect(layer.size).toBe(0);
  });

  it('Proceeding → Terminated by Timer F too', () => {
    const { req, layer, log, seen, flow } = outgoing();
    layer.receive(createResponse(req, 100), flow);
    vi.advanceTimersByTime(64 * T1);
    expect(seen).toEqual([NICT.Proceeding, NICT.Terminated]);
    expect(log.timeouts).toBe(1);
  });

  it('refuses an illegal move', () => {
    const { tx } = outgoing();
    expect(() => forceTransition(tx, 'Accepted')).toThrow(/illegal transition Trying -> Accepted/);
  });
});

describe('matching (§17.1.3, §17.2.3)', () => {
  it('a CANCEL gets its own server transaction and finds the INVITE it cancels', () => {
    const { layer, requests } = harness();
    const flow = new FakeFlow();
    const invite = request('INVITE', 'z9hG4bKshared');
    layer.receive(invite, flow);
    const cancel = createCancel(invite);
    layer.receive(cancel, flow);
    expect(requests.map((r) => r.req.method)).toEqual(['INVITE', 'CANCEL']);
    const cancelTx = requests[1]?.tx;
    expect(cancelTx).toBeInstanceOf(NonInviteServerTransaction);
    expect(layer.findInviteServerTransaction(cancel)).toBe(requests[0]?.tx);
    const elsewhere = createCancel(request('INVITE', 'z9hG4bKshared', 'other.invalid'));
    expect(layer.findInviteServerTransaction(elsewhere)).toBeUndefined();
    expect(layer.serverCount).toBe(2);
  });

  it('the same branch from another sent-by is another transaction', () => {
    const { layer, requests } = harness();
    const flow = new FakeFlow();
    layer.receive(request('OPTIONS', 'z9hG4bKsame', 'a.invalid'), flow);
    layer.receive(request('OPTIONS', 'z9hG4bKsame', 'b.invalid'), flow);
    expect(requests).toHaveLength(2);
  });

  it('a response goes to the client transaction of its branch and CSeq method, or is stray', () => {
    const { layer, strays } = harness();
    const flow = new FakeFlow();
    const { log, handlers } = recorder();
    const req = request('OPTIONS');
    layer.sendRequest(req, flow, handlers);
    const wrongMethod = createResponse(req, 200);
    wrongMethod.set('CSeq', '1 INFO');
    layer.receive(wrongMethod, flow);
    const wrongBranch = createResponse(req, 200);
    wrongBranch.set('Via', 'SIP/2.0/WS uac.invalid;branch=z9hG4bKother');
    layer.receive(wrongBranch, flow);
    expect(log.responses).toEqual([]);
    expect(strays).toHaveLength(2);
    layer.receive(createResponse(req, 200), flow);
    expect(log.responses).toEqual([200]);
  });

  it('RFC 2543 requests without a magic cookie still match their retransmissions and ACK (badbranch, inv2543)', () => {
    const { layer, requests, acks } = harness();
    const flow = new FakeFlow();
    const options = parseRequest(torture('badbranch'));
    layer.receive(options, flow);
    layer.receive(again(options), flow);
    expect(requests).toHaveLength(1);

    const invite = parseRequest(torture('inv2543'));
    layer.receive(invite, flow);
    expect(requests).toHaveLength(2);
    const tx = requests[1]?.tx;
    if (!(tx instanceof InviteServerTransaction)) throw new Error('expected an INVITE transaction');
    const busy = createResponse(invite, 486, undefined, { toTag: 'x' });
    tx.respond(busy);
    layer.receive(ackFor(invite, busy), flow);
    expect(acks).toHaveLength(0);
    expect(tx.state).toBe(IST.Terminated);
  });

  it('an ACK that matches nothing goes to the TU', () => {
    const { layer, acks, requests } = harness();
    const invite = request('INVITE');
    layer.receive(
      ackFor(invite, createResponse(invite, 200, undefined, { toTag: 't' })),
      new FakeFlow(),
    );
    expect(acks).toHaveLength(1);
    expect(requests).toHaveLength(0);
    expect(layer.size).toBe(0);
  });

  it('sendRequest refuses ACK and requests without our branch', () => {
    const { layer } = harness();
    const flow = new FakeFlow();
    const { handlers } = recorder();
    expect(() => layer.sendRequest(request('ACK'), flow, handlers)).toThrow(/ACK/);
    expect(() => layer.sendRequest(request('OPTIONS', 'nocookie'), flow, handlers)).toThrow(
      /branch/,
    );
  });

  it('a TU callback that throws is reported, not thrown into the layer', () => {
    const errors: unknown[] = [];
    const layer = new TransactionLayer({
      onRequest: () => {
        throw new Error('TU bug');
      },
      onAck: () => undefined,
      onError: (error) => errors.push(error),
    });
    expect(() => layer.receive(request('OPTIONS'), new FakeFlow())).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it('leaves no transaction behind after many complete exchanges', () => {
    const { layer, requests, errors } = harness();
    const flow = new FakeFlow();
    for (let i = 0; i < 100; i++) {
      const invite = request('INVITE');
      layer.receive(invite, flow);
      const ok = createResponse(invite, 200, undefined, { toTag: `t${i}` });
      requests.at(-1)?.tx.respond(ok);
      const options = request('OPTIONS');
      layer.receive(options, flow);
      requests.at(-1)?.tx.respond(createResponse(options, 200));
      const { handlers } = recorder();
      const out = request('BYE');
      layer.sendRequest(out, flow, handlers);
      layer.receive(createResponse(out, 200), flow);
      const failing = request('INVITE');
      layer.sendRequest(failing, flow, handlers);
      layer.receive(createResponse(failing, 404, undefined, { toTag: 'x' }), flow);
    }
    expect(layer.size).toBe(100); // the Accepted INVITE server transactions wait for Timer L
    vi.advanceTimersByTime(64 * T1);
    expect(layer.size).toBe(0);
    expect(errors).toEqual([]);
  });
});
