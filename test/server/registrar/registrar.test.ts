import { describe, expect, it } from 'vitest';
import { Registrar } from '../../../src/server/registrar/registrar';
import { parseMessage, type Flow, type SipRequest } from '../../../src/server/sip';

function flow(id: string): Flow & { closed: boolean } {
  return {
    id,
    transport: 'WS',
    reliable: true,
    remote: { address: '127.0.0.1', port: 1 },
    closed: false,
    send: () => undefined,
    close() {
      this.closed = true;
    },
  };
}

function register(opts: {
  contact: string;
  cseq: number;
  callId?: string;
  expires?: number;
}): SipRequest {
  const text = [
    'REGISTER sip:nordlys.sentral.invalid SIP/2.0',
    'Via: SIP/2.0/WSS a.invalid;branch=z9hG4bKreg' + opts.cseq,
    'Max-Forwards: 70',
    'To: <sip:kari.nordmann@nordlys.sentral.invalid>',
    'From: <sip:kari.nordmann@nordlys.sentral.invalid>;tag=f1',
    `Call-ID: ${opts.callId ?? 'reg-call-1'}`,
    `CSeq: ${opts.cseq} REGISTER`,
    `Contact: ${opts.contact}`,
    ...(opts.expires === undefined ? [] : [`Expires: ${opts.expires}`]),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(text) as SipRequest;
}

const AOR = 'kari.nordmann@nordlys.sentral.invalid';

describe('registrar', () => {
  it('keeps a binding until its expiry and forgets it afterwards', () => {
    let now = 1_000_000;
    const reg = new Registrar({ now: () => now });
    const res = reg.register(
      register({ contact: '<sip:k1@a.invalid;transport=ws>', cseq: 1, expires: 120 }),
      AOR,
      flow('f1'),
    );
    expect(res.status).toBe(200);
    expect(res.get('Contact')).toBe('<sip:k1@a.invalid;transport=ws>;expires=120');
    now += 119_000;
    expect(reg.lookup(AOR)).toHaveLength(1);
    now += 2_000;
    expect(reg.lookup(AOR)).toHaveLength(0);
    reg.sweep();
    expect(reg.size).toBe(0);
  });

  it('caps the expiry at the maximum and refuses one below the minimum with 423', () => {
    const reg = new Registrar({ minExpires: 60, maxExpires: 3600 });
    const long = reg.register(
      register({ contact: '<sip:k1@a.invalid>', cseq: 1, expires: 99999 }),
      AOR,
      flow('f'),
    );
    expect(long.get('Contact')).toMatch(/;expires=3600$/);
    const short = reg.register(
      register({ contact: '<sip:k2@a.invalid>', cseq: 2, expires: 10 }),
      AOR,
      flow('f'),
    );
    expect(short.status).toBe(423);
    expect(short.get('Min-Expires')).toBe('60');
  });

  it('refreshes a binding with the same +sip.instance even from a new flow (reconnect)', () => {
    const reg = new Registrar();
    const inst = ';+sip.instance="<urn:uuid:0001>";reg-id=1';
    const first = flow('old');
    const second = flow('new');
    reg.register(register({ contact: `<sip:aa@a.invalid>${inst}`, cseq: 1 }), AOR, first);
    reg.register(register({ contact: `<sip:bb@b.invalid>${inst}`, cseq: 2 }), AOR, second);
    const bindings = reg.lookup(AOR);
    expect(bindings).toHaveLength(1);
    expect(bindings[0]?.flow).toBe(second);
    expect(bindings[0]?.contactUri).toBe('sip:bb@b.invalid');
  });

  it('drops the bindings of a flow when it closes', () => {
    const changes: number[] = [];
    const reg = new Registrar({ onChange: (_aor, b) => changes.push(b.length) });
    const f1 = flow('f1');
    reg.register(register({ contact: '<sip:k1@a.invalid>', cseq: 1 }), AOR, f1);
    reg.register(
      register({ contact: '<sip:k2@b.invalid>', cseq: 1, callId: 'other' }),
      AOR,
      flow('f2'),
    );
    expect(reg.lookup(AOR)).toHaveLength(2);
    reg.flowClosed(f1);
    expect(reg.lookup(AOR).map((b) => b.contactUri)).toEqual(['sip:k2@b.invalid']);
    expect(changes).toEqual([1, 2, 1]);
  });

  it('answers an out-of-order REGISTER (same Call-ID, lower CSeq) with 500', () => {
    const reg = new Registrar();
    reg.register(register({ contact: '<sip:k1@a.invalid>', cseq: 5 }), AOR, flow('f'));
    const res = reg.register(register({ contact: '<sip:k1@a.invalid>', cseq: 4 }), AOR, flow('f'));
    expect(res.status).toBe(500);
  });

  it('removes every binding with "Contact: *" and Expires: 0, and rejects * without Expires: 0', () => {
    const reg = new Registrar();
    reg.register(register({ contact: '<sip:k1@a.invalid>', cseq: 1 }), AOR, flow('f'));
    const bad = reg.register(register({ contact: '*', cseq: 2 }), AOR, flow('f'));
    expect(bad.status).toBe(400);
    const ok = reg.register(register({ contact: '*', cseq: 3, expires: 0 }), AOR, flow('f'));
    expect(ok.status).toBe(200);
    expect(reg.lookup(AOR)).toHaveLength(0);
  });
});
