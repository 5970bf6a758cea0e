/**
 * RFC 4028 session timers, RFC 3311 UPDATE and RFC 3262 100rel/PRACK in the B2BUA, each leg a
 * session of its own. Fake timers drive the transaction layer and the session timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallState } from '../../../src/server/b2bua/call-state';
import {
  SESSION_TIMER_TRANSITIONS,
  SessionTimerState,
  decideAsUas,
  expiryMs,
  parseSessionExpires,
  transitionSessionTimer,
} from '../../../src/server/b2bua/session-timer';
import { SipRequest } from '../../../src/server/sip';
import {
  CALLEE_SDP,
  CALLER_SDP,
  callerInvite,
  callerRequest,
  calleeRequest,
  connect,
  harness,
  rand,
  reply,
  type Harness,
} from './harness';

let h: Harness;
beforeEach(() => {
  vi.useFakeTimers();
  h = harness();
});
afterEach(() => {
  h.b2bua.close();
  vi.useRealTimers();
});

const TIMER_CALLER = [
  'Supported: timer, replaces',
  'Session-Expires: 90',
  'Allow: INVITE, ACK, CANCEL, BYE, UPDATE',
];

describe('session timer state machine', () => {
  it.each(SESSION_TIMER_TRANSITIONS)('allows %s → %s', (from, to) => {
    expect(transitionSessionTimer(from, to)).toBe(to);
  });
  it('throws on a move outside the diagram', () => {
    expect(() =>
      transitionSessionTimer(SessionTimerState.Expired, SessionTimerState.Running),
    ).toThrow(/Illegal/);
    expect(() => transitionSessionTimer(SessionTimerState.Idle, SessionTimerState.Expired)).toThrow(
      /Illegal/,
    );
  });
});

describe('session timer arithmetic', () => {
  it('parses Session-Expires with and without refresher', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ delta: 1800, refresher: 'uac' });
    expect(parseSessionExpires(' 90 ')).toEqual({ delta: 90, refresher: undefined });
    expect(parseSessionExpires('soon')).toBeUndefined();
  });
  it('expires at the interval minus the lesser of 32 s and a third (§10)', () => {
    expect(expiryMs(90)).toBe(60_000);
    expect(expiryMs(1800)).toBe(1_768_000);
  });
  it('keeps the refresher a peer asked for, and never names a peer without timer support', () => {
    const req = (headers: Record<string, string>) =>
      new SipRequest('INVITE', 'sip:x@y', { 'Call-ID': 'c', CSeq: '1 INVITE', ...headers });
    expect(
      decideAsUas(req({ 'Session-Expires': '120;refresher=uas', Supported: 'timer' }), undefined),
    ).toMatchObject({ kind: 'timer', session: { interval: 120, refresher: 'core' } });
    expect(decideAsUas(req({ 'Session-Expires': '120;refresher=uac' }), undefined)).toMatchObject({
      kind: 'timer',
      session: { interval: 120, refresher: 'core', peerSupports: false },
    });
    expect(decideAsUas(req({ Supported: 'timer' }), undefined)).toMatchObject({
      kind: 'timer',
      session: { interval: 1800, refresher: 'peer' },
    });
    expect(decideAsUas(req({}), undefined)).toEqual({ kind: 'none' });
    expect(decideAsUas(req({ 'Session-Expires': '89' }), undefined)).toEqual({
      kind: 'reject',
      minSE: 90,
    });
  });
});

describe('RFC 4028 on the caller leg', () => {
  it('answers Session-Expires with the caller as refresher and Require: timer; the callee leg is offered 1800', () => {
    const { ok, outInvite } = connect(h, TIMER_CALLER);
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    expect(ok.get('Require')).toBe('timer');
    expect(ok.getAll('Supported')).toContain('timer');
    expect(ok.getAll('Allow')).toContain('UPDATE');
    // The callee leg is a session of its own: never the caller's interval.
    expect(outInvite.get('Session-Expires')).toBe('1800');
    expect(outInvite.get('Min-SE')).toBe('90');
    expect(outInvite.getAll('Supported')).toEqual(['replaces', 'norefersub', 'timer']);
    expect(outInvite.has('Require')).toBe(false);
  });

  it('refuses an interval below Min-SE with 422 and Min-SE: 90, ringing nobody', () => {
    callerInvite(h, { headers: ['Supported: timer', 'Session-Expires: 60'] });
    const res = h.caller.response(422, 'INVITE');
    expect(res.reason).toBe('Session Interval Too Small');
    expect(res.get('Min-SE')).toBe('90');
    expect(h.callee.sent).toHaveLength(0);
    expect(h.b2bua.activeCalls).toBe(0);
  });

  it('makes the core the refresher for a caller without timer support, without Require: timer', () => {
    const { ok } = connect(h, ['Session-Expires: 120', 'Allow: INVITE, ACK, BYE, UPDATE']);
    expect(ok.get('Session-Expires')).toBe('120;refresher=uas');
    expect(ok.has('Require')).toBe(false);
  });

  it('uses no timer when the caller neither asks nor supports one', () => {
    const { ok } = connect(h, []);
    expect(ok.has('Session-Expires')).toBe(false);
    vi.advanceTimersByTime(3_600_000);
    expect(h.b2bua.activeCalls).toBe(1);
    expect(h.caller.pending()).toEqual([]);
  });

  it('answers a refresh UPDATE without SDP locally; the callee never hears of it', () => {
    const { dialog } = connect(h, TIMER_CALLER);
    vi.advanceTimersByTime(45_000);
    h.caller.deliver(
      callerRequest(h, dialog, 'UPDATE', {
        headers: ['Session-Expires: 90;refresher=uac', 'Supported: timer'],
      }),
    );
    const ok = h.caller.response(200, 'UPDATE');
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    expect(ok.get('Require')).toBe('timer');
    expect(ok.body).toBe('');
    expect(ok.has('Contact')).toBe(true);
    expect(h.callee.pending()).toEqual([]);
    // The refresh restarted the interval: no BYE at the old expiry (60 s after the answer).
    vi.advanceTimersByTime(50_000);
    expect(h.b2bua.activeCalls).toBe(1);
    expect(h.caller.pending()).toEqual([]);
  });

  it('answers a re-INVITE refresh with unchanged SDP locally with the callee description', () => {
    const { dialog } = connect(h, TIMER_CALLER);
    h.caller.deliver(
      callerRequest(h, dialog, 'INVITE', {
        headers: ['Session-Expires: 90;refresher=uac', 'Supported: timer'],
        body: CALLER_SDP,
      }),
    );
    const ok = h.caller.response(200, 'INVITE');
    expect(ok.body).toBe(CALLEE_SDP);
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    h.caller.deliver(callerRequest(h, dialog, 'ACK'));
    expect(h.callee.pending()).toEqual([]);
  });

  it('offers the current description in the 200 to a re-INVITE without SDP', () => {
    const { dialog } = connect(h, TIMER_CALLER);
    h.caller.deliver(callerRequest(h, dialog, 'INVITE', { headers: ['Supported: timer'] }));
    const ok = h.caller.response(200, 'INVITE');
    expect(ok.body).toBe(CALLEE_SDP);
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    h.caller.deliver(callerRequest(h, dialog, 'ACK', { body: CALLER_SDP }));
    expect(h.callee.pending()).toEqual([]);
  });

  it('sends BYE on both legs when the caller stops refreshing, and records why', () => {
    connect(h, TIMER_CALLER);
    const [call] = h.b2bua.calls();
    vi.advanceTimersByTime(59_999);
    expect(h.caller.pending()).toEqual([]);
    vi.advanceTimersByTime(1);
    const bye = h.caller.request('BYE');
    expect(bye.get('Reason')).toBe('SIP;cause=408;text="session timer expired"');
    expect(h.callee.request('BYE').get('Reason')).toBe(
      'SIP;cause=408;text="session timer expired"',
    );
    expect(call?.state).toBe(CallState.Ended);
    expect(call?.endReason).toBe('session timer expired');
    expect(h.b2bua.activeCalls).toBe(0);
  });

  it('refreshes with UPDATE at half the interval when the core is the refresher', () => {
    const { dialog } = connect(h, ['Session-Expires: 120', 'Allow: INVITE, ACK, BYE, UPDATE']);
    vi.advanceTimersByTime(59_999);
    expect(h.caller.pending()).toEqual([]);
    vi.advanceTimersByTime(1);
    const update = h.caller.request('UPDATE');
    expect(update.get('Session-Expires')).toBe('120;refresher=uac');
    expect(update.get('Min-SE')).toBe('90');
    expect(update.body).toBe('');
    expect(update.to.tag).toBe(dialog.fromTag);
    expect(h.callee.pending()).toEqual([]);
    // A peer without timer support answers without Session-Expires: the core keeps refreshing.
    h.caller.deliver(reply(update, 200, 'OK'));
    vi.advanceTimersByTime(60_000);
    h.caller.request('UPDATE');
    expect(h.b2bua.activeCalls).toBe(1);
  });

  it('refreshes with a re-INVITE carrying the current description when the peer does not allow UPDATE', () => {
    connect(h, ['Session-Expires: 120', 'Allow: INVITE, ACK, BYE']);
    vi.advanceTimersByTime(60_000);
    const reinvite = h.caller.request('INVITE');
    expect(reinvite.body).toBe(CALLEE_SDP);
    expect(reinvite.get('Session-Expires')).toBe('120;refresher=uac');
    h.caller.deliver(
      reply(reinvite, 200, 'OK', {
        body: CALLER_SDP,
        headers: ['Session-Expires: 120;refresher=uac'],
      }),
    );
    expect(h.caller.request('ACK').cseq.seq).toBe(reinvite.cseq.seq);
    expect(h.callee.pending()).toEqual([]);
  });

  it('ends the call when the core refresh gets 481 (§10)', () => {
    connect(h, ['Session-Expires: 120', 'Allow: INVITE, ACK, BYE, UPDATE']);
    vi.advanceTimersByTime(60_000);
    const update = h.caller.request('UPDATE');
    h.caller.deliver(reply(update, 481, 'Call/Transaction Does Not Exist'));
    h.callee.request('BYE');
    expect(h.b2bua.activeCalls).toBe(0);
    expect(h.b2bua.calls()).toEqual([]);
  });

  it('refuses a refresh below Min-SE with 422', () => {
    const { dialog } = connect(h, TIMER_CALLER);
    h.caller.deliver(
      callerRequest(h, dialog, 'UPDATE', { headers: ['Session-Expires: 30', 'Supported: timer'] }),
    );
    expect(h.caller.response(422, 'UPDATE').get('Min-SE')).toBe('90');
  });
});

describe('RFC 4028 on the callee leg', () => {
  it('honours the callee naming the core refresher: re-INVITE at half its interval, the caller untouched', () => {
    connect(
      h,
      [],
      ['Session-Expires: 1800;refresher=uac', 'Require: timer', 'Allow: INVITE, ACK, BYE'],
    );
    vi.advanceTimersByTime(899_999);
    expect(h.callee.pending()).toEqual([]);
    vi.advanceTimersByTime(1);
    const reinvite = h.callee.request('INVITE');
    expect(reinvite.body).toBe(CALLER_SDP);
    expect(reinvite.get('Session-Expires')).toBe('1800;refresher=uac');
    h.callee.deliver(
      reply(reinvite, 200, 'OK', {
        body: CALLEE_SDP,
        headers: ['Session-Expires: 1800;refresher=uac', 'Require: timer'],
      }),
    );
    expect(h.callee.request('ACK').cseq.seq).toBe(reinvite.cseq.seq);
    expect(h.caller.pending()).toEqual([]);
    vi.advanceTimersByTime(900_000);
    h.callee.request('INVITE'); // and again at the next half interval
    expect(h.b2bua.activeCalls).toBe(1);
  });

  it('refreshes the callee leg with UPDATE when it allows UPDATE and keeps the call through a refreshing caller', () => {
    const { dialog } = connect(h, TIMER_CALLER, [
      'Session-Expires: 240;refresher=uac',
      'Require: timer',
      'Allow: INVITE, ACK, BYE, UPDATE',
    ]);
    for (let t = 0; t < 120_000; t += 40_000) {
      vi.advanceTimersByTime(40_000);
      h.caller.deliver(
        callerRequest(h, dialog, 'UPDATE', { headers: ['Session-Expires: 90;refresher=uac'] }),
      );
      h.caller.response(200, 'UPDATE');
    }
    const update = h.callee.request('UPDATE');
    expect(update.get('Session-Expires')).toBe('240;refresher=uac');
    expect(update.body).toBe('');
    h.callee.deliver(reply(update, 200, 'OK', { headers: ['Session-Expires: 240;refresher=uac'] }));
    expect(h.caller.pending()).toEqual([]);
    expect(h.b2bua.activeCalls).toBe(1);
  });

  it('expires the callee leg when the callee, as refresher, goes quiet', () => {
    const { dialog } = connect(h, TIMER_CALLER, [
      'Session-Expires: 90;refresher=uas',
      'Require: timer',
    ]);
    vi.advanceTimersByTime(40_000);
    h.caller.deliver(callerRequest(h, dialog, 'UPDATE', { headers: ['Session-Expires: 90'] }));
    h.caller.response(200, 'UPDATE');
    vi.advanceTimersByTime(20_000); // 60 s: the callee leg's expiry
    expect(h.callee.request('BYE').get('Reason')).toContain('session timer expired');
    h.caller.request('BYE');
    expect(h.b2bua.activeCalls).toBe(0);
  });

  it('answers the callee refresh locally with the caller description', () => {
    const { outInvite, calleeTag } = connect(h, TIMER_CALLER, [
      'Session-Expires: 1800;refresher=uas',
      'Require: timer',
    ]);
    h.callee.deliver(
      calleeRequest(h, outInvite, calleeTag, 'INVITE', 1, {
        body: CALLEE_SDP,
        headers: ['Session-Expires: 1800;refresher=uac', 'Supported: timer'],
      }),
    );
    const ok = h.callee.response(200, 'INVITE');
    expect(ok.body).toBe(CALLER_SDP);
    expect(ok.get('Session-Expires')).toBe('1800;refresher=uac');
    expect(h.caller.pending()).toEqual([]);
  });
});

describe("a callee refusing the core's interval (422, RFC 4028 §7.4)", () => {
  it('gets the INVITE again with its Min-SE as interval, and the call connects', () => {
    callerInvite(h, { headers: TIMER_CALLER });
    const first = h.callee.request('INVITE');
    h.callee.deliver(
      reply(first, 422, 'Session Interval Too Small', { toTag: rand(), headers: ['Min-SE: 3600'] }),
    );
    expect(h.callee.request('ACK').cseq.seq).toBe(1);
    const retry = h.callee.request('INVITE');
    expect(retry.cseq.seq).toBe(2);
    expect(retry.callId).toBe(first.callId);
    expect(retry.from.tag).toBe(first.from.tag);
    expect(retry.topVia?.branch).not.toBe(first.topVia?.branch);
    expect(retry.get('Session-Expires')).toBe('3600');
    expect(retry.get('Min-SE')).toBe('3600');
    expect(retry.body).toBe(CALLER_SDP);
    h.callee.deliver(
      reply(retry, 200, 'OK', {
        toTag: rand(),
        contact: `<sip:bob@${h.callee.host}>`,
        headers: ['Session-Expires: 3600;refresher=uas', 'Require: timer'],
        body: CALLEE_SDP,
      }),
    );
    const ok = h.caller.response(200, 'INVITE');
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    expect(h.caller.pending().filter((m) => m.startsWith('4'))).toEqual([]);
  });

  it('gives up on a second 422 that asks for no more (no loop): the caller gets 480', () => {
    callerInvite(h, { headers: TIMER_CALLER });
    const first = h.callee.request('INVITE');
    h.callee.deliver(
      reply(first, 422, 'Session Interval Too Small', { toTag: rand(), headers: ['Min-SE: 3600'] }),
    );
    const retry = h.callee.request('INVITE');
    h.callee.deliver(
      reply(retry, 422, 'Session Interval Too Small', { toTag: rand(), headers: ['Min-SE: 3600'] }),
    );
    // Not the callee's 422: the caller's own interval was fine.
    expect(h.caller.response(480, 'INVITE').has('Min-SE')).toBe(false);
    expect(h.callee.sent.filter((m) => m.type === 'request' && m.method === 'INVITE')).toEqual([]);
    expect(h.b2bua.activeCalls).toBe(0);
  });
});

describe('session timers while the core holds the caller', () => {
  it('refreshes the session with its hold re-INVITE and answers a later refresh with the held description', () => {
    const { dialog } = connect(h, TIMER_CALLER);
    const [call] = h.b2bua.calls();
    if (!call) throw new Error('no call');
    expect(h.b2bua.park(call)).toBe(true);
    h.callee.request('BYE');
    const hold = h.caller.request('INVITE');
    expect(hold.body).toContain('a=inactive');
    expect(hold.get('Session-Expires')).toBe('90;refresher=uas');
    h.caller.deliver(
      reply(hold, 200, 'OK', {
        body: CALLER_SDP.replace(' 1 IN', ' 2 IN'),
        headers: ['Session-Expires: 90;refresher=uas', 'Require: timer'],
      }),
    );
    h.caller.request('ACK');
    // The caller refreshes without SDP: it gets what it has now, the inactive description.
    h.caller.deliver(callerRequest(h, dialog, 'INVITE', { headers: ['Supported: timer'] }));
    const ok = h.caller.response(200, 'INVITE');
    expect(ok.body).toBe(hold.body);
    expect(call.state).toBe(CallState.Transferring);
  });
});

describe('UPDATE (RFC 3311)', () => {
  it('passes an UPDATE with a new offer to the other leg and returns its answer', () => {
    const { dialog } = connect(h, TIMER_CALLER, ['Allow: INVITE, ACK, BYE, UPDATE']);
    const offer = CALLER_SDP.replace('o=caller 100 1', 'o=caller 100 2').replace(
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:0 PCMU/8000\r\na=sendonly',
    );
    h.caller.deliver(
      callerRequest(h, dialog, 'UPDATE', {
        body: offer,
        headers: ['Session-Expires: 90;refresher=uac', 'Supported: timer'],
      }),
    );
    const update = h.callee.request('UPDATE');
    expect(update.body).toBe(offer);
    expect(update.get('Content-Type')).toBe('application/sdp');
    // The callee leg's own session, not the caller's 90 s.
    expect(update.get('Session-Expires')).toBe('1800');
    // A second offer while the first is open: glare.
    h.caller.deliver(callerRequest(h, dialog, 'UPDATE', { body: offer.replace(' 2 IN', ' 9 IN') }));
    expect(h.caller.response(491, 'UPDATE').reason).toBe('Request Pending');
    // Even a bare refresh re-INVITE waits while an offer is open on the leg.
    h.caller.deliver(callerRequest(h, dialog, 'INVITE'));
    expect(h.caller.response(491, 'INVITE').reason).toBe('Request Pending');
    const answer = CALLEE_SDP.replace('o=callee 200 1', 'o=callee 200 2').replace(
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:0 PCMU/8000\r\na=recvonly',
    );
    h.callee.deliver(reply(update, 200, 'OK', { body: answer }));
    const ok = h.caller.response(200, 'UPDATE');
    expect(ok.body).toBe(answer);
    expect(ok.get('Session-Expires')).toBe('90;refresher=uac');
    expect(ok.has('Contact')).toBe(true);
    // Once answered, a new offer goes through again.
    h.caller.deliver(callerRequest(h, dialog, 'UPDATE', { body: offer.replace(' 2 IN', ' 3 IN') }));
    expect(h.callee.request('UPDATE').body).toContain('o=caller 100 3');
  });

  it('refuses an UPDATE offer in the early dialog with 500 and Retry-After (§5.2)', () => {
    const { callId, fromTag } = callerInvite(h, { headers: TIMER_CALLER });
    const outInvite = h.callee.request('INVITE');
    h.callee.deliver(
      reply(outInvite, 180, 'Ringing', { toTag: rand(), contact: `<sip:bob@${h.callee.host}>` }),
    );
    const ringing = h.caller.response(180, 'INVITE');
    const d = { callId, fromTag, toTag: ringing.to.tag ?? '', cseq: 1 };
    h.caller.deliver(callerRequest(h, d, 'UPDATE', { body: CALLER_SDP }));
    const res = h.caller.response(500, 'UPDATE');
    expect(Number(res.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.get('Retry-After'))).toBeLessThanOrEqual(10);
    expect(h.callee.pending()).toEqual([]);
  });
});

describe("requests in a ringing callee's early dialog", () => {
  it('refuses an UPDATE offer with 500 and Retry-After and a PRACK with 481', () => {
    callerInvite(h, { headers: TIMER_CALLER });
    const outInvite = h.callee.request('INVITE');
    const calleeTag = rand();
    h.callee.deliver(
      reply(outInvite, 180, 'Ringing', { toTag: calleeTag, contact: `<sip:bob@${h.callee.host}>` }),
    );
    h.callee.deliver(calleeRequest(h, outInvite, calleeTag, 'UPDATE', 1, { body: CALLEE_SDP }));
    expect(Number(h.callee.response(500, 'UPDATE').get('Retry-After'))).toBeGreaterThan(0);
    h.callee.deliver(
      calleeRequest(h, outInvite, calleeTag, 'PRACK', 2, { headers: ['RAck: 1 1 INVITE'] }),
    );
    h.callee.response(481, 'PRACK');
    expect(h.caller.pending()).toEqual(['180 INVITE']); // nothing of it reaches the caller
  });
});

describe('100rel and PRACK (RFC 3262)', () => {
  it('refuses an INVITE requiring 100rel with 420 and Unsupported: 100rel', () => {
    callerInvite(h, { headers: ['Require: 100rel', 'Supported: timer'] });
    const res = h.caller.response(420, 'INVITE');
    expect(res.get('Unsupported')).toBe('100rel');
    expect(h.callee.sent).toHaveLength(0);
  });

  it('gives an INVITE that merely supports 100rel ordinary provisionals', () => {
    callerInvite(h, { headers: ['Supported: 100rel, timer'] });
    const outInvite = h.callee.request('INVITE');
    expect(outInvite.getAll('Supported')).not.toContain('100rel');
    expect(outInvite.has('Require')).toBe(false);
    h.callee.deliver(
      reply(outInvite, 180, 'Ringing', {
        toTag: rand(),
        contact: `<sip:bob@${h.callee.host}>`,
      }),
    );
    const ringing = h.caller.response(180, 'INVITE');
    expect(ringing.has('RSeq')).toBe(false);
    expect(ringing.has('Require')).toBe(false);
  });

  it('answers a stray PRACK with 481, in the early and the confirmed dialog', () => {
    const { callId, fromTag } = callerInvite(h, { headers: ['Supported: 100rel'] });
    const outInvite = h.callee.request('INVITE');
    const calleeTag = rand();
    const contact = `<sip:bob@${h.callee.host}>`;
    h.callee.deliver(reply(outInvite, 180, 'Ringing', { toTag: calleeTag, contact }));
    const ringing = h.caller.response(180, 'INVITE');
    const d = { callId, fromTag, toTag: ringing.to.tag ?? '', cseq: 1 };
    h.caller.deliver(callerRequest(h, d, 'PRACK', { headers: ['RAck: 1 1 INVITE'] }));
    h.caller.response(481, 'PRACK');
    h.callee.deliver(reply(outInvite, 200, 'OK', { toTag: calleeTag, contact, body: CALLEE_SDP }));
    h.caller.response(200, 'INVITE');
    h.caller.deliver(callerRequest(h, d, 'ACK', { cseq: 1 }));
    h.caller.deliver(callerRequest(h, d, 'PRACK', { headers: ['RAck: 1 1 INVITE'] }));
    h.caller.response(481, 'PRACK');
    expect(h.callee.pending()).toEqual(['ACK (CSeq 1)']);
  });
});

describe('a callee retransmitting its 2xx (UDP, RFC 3261 §13.3.1.4)', () => {
  it('gets the same ACK again, never a BYE, once the call is up', () => {
    const { outInvite, calleeTag } = connect(h, []);
    const contact = `<sip:bob@${h.callee.host};transport=ws>`;
    h.callee.deliver(reply(outInvite, 200, 'OK', { toTag: calleeTag, contact, body: CALLEE_SDP }));
    expect(h.callee.request('ACK').cseq.seq).toBe(1);
    expect(h.callee.pending()).toEqual([]);
    expect(h.b2bua.calls()[0]?.state).toBe(CallState.Active);
  });

  it('waits for the caller before the first ACK: a second 200 is no second answer', () => {
    callerInvite(h);
    const outInvite = h.callee.request('INVITE');
    const tag = rand();
    const ok = reply(outInvite, 200, 'OK', {
      toTag: tag,
      contact: `<sip:bob@${h.callee.host}>`,
      body: CALLEE_SDP,
    });
    h.callee.deliver(ok);
    h.callee.deliver(ok);
    h.caller.response(200, 'INVITE');
    expect(h.callee.pending()).toEqual([]);
    expect(h.b2bua.calls()[0]?.state).toBe(CallState.Connecting);
  });
});
