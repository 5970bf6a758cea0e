/**
 * Two user agents built from the stack's parts, talking over an in-memory
 * network: every message goes through serialize → parse, the transaction
 * layers and the dialogs, as a call between two phones would.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dialog, DialogState, dialogIdOfRequest, dialogKey } from '../../../src/server/sip/dialog';
import { createResponse, newBranch, newCallId, newTag } from '../../../src/server/sip/helpers';
import { SipRequest } from '../../../src/server/sip/message';
import type { SipResponse } from '../../../src/server/sip/message';
import { parseMessage } from '../../../src/server/sip/parser';
import { TransactionLayer } from '../../../src/server/sip/transaction';
import type { ServerTransaction } from '../../../src/server/sip/transaction';
import type { Flow } from '../../../src/server/sip/transport';
import { SDP } from './messages';

/** Queues frames between two endpoints; `flush` delivers until the network is quiet. */
class Network {
  private readonly queue: { data: string; to: Endpoint; flow: Flow }[] = [];

  connect(a: Endpoint, b: Endpoint): void {
    const flowAtA = this.flow(
      'a-side',
      () => b,
      () => flowAtB,
    );
    const flowAtB = this.flow(
      'b-side',
      () => a,
      () => flowAtA,
    );
    a.flow = flowAtA;
    b.flow = flowAtB;
  }

  private flow(id: string, peer: () => Endpoint, peerFlow: () => Flow): Flow {
    return {
      id,
      transport: 'WS',
      reliable: true,
      remote: { address: '127.0.0.1', port: 1 },
      closed: false,
      send: (data) => this.queue.push({ data, to: peer(), flow: peerFlow() }),
      close: () => undefined,
    };
  }

  flush(): void {
    for (let frame = this.queue.shift(); frame; frame = this.queue.shift()) {
      frame.to.layer.receive(parseMessage(frame.data), frame.flow);
    }
  }
}

/** A minimal user agent: answers INVITE with 180 then 200 on demand, BYE with 200. */
class Endpoint {
  flow!: Flow;
  readonly layer: TransactionLayer;
  readonly dialogs = new Map<string, Dialog>();
  readonly acks: SipRequest[] = [];
  readonly responses: SipResponse[] = [];
  pendingInvite: { req: SipRequest; tx: ServerTransaction } | undefined;
  private readonly tag = newTag();

  constructor(readonly user: string) {
    this.layer = new TransactionLayer({
      onRequest: (req, tx) => this.onRequest(req, tx),
      onAck: (ack) => this.acks.push(ack),
      onError: (error) => {
        throw error;
      },
    });
  }

  get contact(): string {
    return `<sip:${this.user}@${this.user}.invalid;transport=ws>`;
  }

  private via(): string {
    return `SIP/2.0/WS ${this.user}.invalid;branch=${newBranch()}`;
  }

  call(target: Endpoint): SipRequest {
    const invite = new SipRequest('INVITE', `sip:${target.user}@sentral.example`, [
      ['Via', this.via()],
      ['Max-Forwards', '70'],
      ['From', `"${this.user}" <sip:${this.user}@sentral.example>;tag=${this.tag}`],
      ['To', `<sip:${target.user}@sentral.example>`],
      ['Call-ID', newCallId()],
      ['CSeq', '1 INVITE'],
      ['Contact', this.contact],
      ['Content-Type', 'application/sdp'],
    ]);
    invite.body = SDP;
    this.layer.sendRequest(invite, this.flow, {
      onResponse: (res) => {
        this.responses.push(res);
        if (res.status > 100 && res.status < 300 && res.to.tag) {
          const key = dialogKey({ callId: res.callId, localTag: this.tag, remoteTag: res.to.tag });
          let dialog = this.dialogs.get(key);
          if (!dialog) {
            dialog = Dialog.uac(invite, res);
            this.dialogs.set(dialog.key, dialog);
          }
          if (res.status >= 200) {
            dialog.confirm(res);
            this.send(dialog.createAck(invite.cseq.seq));
          }
        }
      },
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
    return invite;
  }

  answer(status: number): void {
    const pending = this.pendingInvite;
    if (!pending) throw new Error('nothing to answer');
    const res = createResponse(pending.req, status, undefined, {
      toTag: this.tag,
      headers: [['Contact', this.contact]],
      ...(status === 200 ? { body: SDP, contentType: 'application/sdp' } : {}),
    });
    const key = dialogKey({
      callId: pending.req.callId,
      localTag: this.tag,
      remoteTag: pending.req.from.tag ?? '',
    });
    if (status > 100 && status < 300 && !this.dialogs.has(key)) {
      const dialog = Dialog.uas(pending.req, res);
      this.dialogs.set(dialog.key, dialog);
    }
    if (status >= 200 && status < 300) this.dialogs.forEach((d) => d.confirm());
    pending.tx.respond(res);
  }

  hangUp(): void {
    const [dialog] = this.dialogs.values();
    if (!dialog) throw new Error('no dialog');
    const bye = dialog.createRequest('BYE');
    bye.prepend('Via', this.via());
    this.layer.sendRequest(bye, this.flow, {
      onResponse: (res) => {
        this.responses.push(res);
        if (res.status >= 200) dialog.terminate();
      },
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
  }

  private send(req: SipRequest): void {
    req.prepend('Via', this.via());
    this.flow.send(req.toString());
  }

  private onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (req.method === 'INVITE') {
      this.pendingInvite = { req, tx };
      return;
    }
    const dialog = this.dialogs.get(dialogKey(dialogIdOfRequest(req)));
    if (!dialog) {
      tx.respond(createResponse(req, 481));
      return;
    }
    if (!dialog.receiveRequest(req)) {
      tx.respond(createResponse(req, 500));
      return;
    }
    tx.respond(createResponse(req, 200));
    if (req.method === 'BYE') dialog.terminate();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a call between two user agents', () => {
  it('rings, is answered, acknowledged and hung up, leaving no transaction behind', () => {
    const net = new Network();
    const alice = new Endpoint('alice');
    const bob = new Endpoint('bob');
    net.connect(alice, bob);

    alice.call(bob);
    net.flush();
    expect(bob.pendingInvite?.req.body).toBe(SDP);

    vi.advanceTimersByTime(200);
    net.flush();
    expect(alice.responses.map((r) => r.status)).toEqual([100]);

    bob.answer(180);
    net.flush();
    const [aliceDialog] = alice.dialogs.values();
    const [bobDialog] = bob.dialogs.values();
    expect(aliceDialog?.state).toBe(DialogState.Early);
    expect(bobDialog?.state).toBe(DialogState.Early);
    expect(aliceDialog?.id.remoteTag).toBe(bobDialog?.id.localTag);

    bob.answer(200);
    net.flush();
    expect(alice.responses.map((r) => r.status)).toEqual([100, 180, 200]);
    expect(aliceDialog?.state).toBe(DialogState.Confirmed);
    expect(bobDialog?.state).toBe(DialogState.Confirmed);
    expect(bob.acks).toHaveLength(1);
    expect(bob.acks[0]?.uri).toBe('sip:bob@bob.invalid;transport=ws');
    expect(aliceDialog?.remoteTarget).toBe('sip:bob@bob.invalid;transport=ws');

    bob.hangUp();
    net.flush();
    expect(bob.responses.map((r) => r.status)).toEqual([200]);
    expect(aliceDialog?.state).toBe(DialogState.Terminated);
    expect(bobDialog?.state).toBe(DialogState.Terminated);

    vi.advanceTimersByTime(64 * 500);
    expect(alice.layer.size).toBe(0);
    expect(bob.layer.size).toBe(0);
  });

  it('a declined call is acknowledged by the transaction layer and creates no dialog', () => {
    const net = new Network();
    const alice = new Endpoint('alice');
    const bob = new Endpoint('bob');
    net.connect(alice, bob);
    alice.call(bob);
    net.flush();
    bob.answer(603);
    net.flush();
    expect(alice.responses.map((r) => r.status)).toEqual([603]);
    expect(alice.dialogs.size).toBe(0);
    expect(alice.layer.size).toBe(0);
    expect(bob.layer.size).toBe(0);
    expect(bob.acks).toHaveLength(0);
  });
});
