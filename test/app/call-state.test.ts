import { expect } from '@open-wc/testing';
import type { Party } from '../../src/sip/phone.js';
import {
  CallState,
  callDismissed,
  callDtmfReceived,
  callEnded,
  callEstablished,
  callHeld,
  callMuted,
  callRemoteHold,
  callRinging,
  callStarted,
  callTransition,
  callTransitions,
  canTransitionCall,
  initialCall,
} from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { IllegalTransitionError } from '../../src/store/registration-state.js';

const bob: Party = { displayName: 'Bob', number: '1002', uri: 'sip:1002@sentral.invalid' };

function inState(state: CallState): CallSnapshot {
  return { ...initialCall, state, callId: 'c1', remote: bob };
}

describe('call state machine', () => {
  const expected: [CallState, CallState][] = [
    [CallState.Idle, CallState.Outgoing],
    [CallState.Idle, CallState.Incoming],
    [CallState.Outgoing, CallState.Ringing],
    [CallState.Outgoing, CallState.Established],
    [CallState.Outgoing, CallState.Ended],
    [CallState.Ringing, CallState.Established],
    [CallState.Ringing, CallState.Ended],
    [CallState.Incoming, CallState.Established],
    [CallState.Incoming, CallState.Ended],
    [CallState.Established, CallState.Held],
    [CallState.Established, CallState.Ended],
    [CallState.Held, CallState.Established],
    [CallState.Held, CallState.Ended],
    [CallState.Ended, CallState.Idle],
    [CallState.Ended, CallState.Outgoing],
    [CallState.Ended, CallState.Incoming],
  ];

  it('allows exactly the moves in the diagram', () => {
    expect(callTransitions()).to.have.deep.members(expected);
  });

  for (const [from, to] of expected) {
    it(`moves from ${from} to ${to}`, () => {
      expect(callTransition(from, to)).to.equal(to);
    });
  }

  it('throws on an illegal move (idle → established)', () => {
    expect(() => callTransition(CallState.Idle, CallState.Established)).to.throw(
      IllegalTransitionError,
      'idle → established',
    );
  });

  it('refuses every move not in the diagram', () => {
    const all = Object.values(CallState);
    for (const from of all) {
      for (const to of all) {
        const allowed = expected.some(([f, t]) => f === from && t === to);
        expect(canTransitionCall(from, to), `${from} → ${to}`).to.equal(allowed);
      }
    }
  });
});

describe('call reducers', () => {
  it('starts an outgoing call from idle with a clean slate', () => {
    const s = callStarted(initialCall, 'outbound', 'c1', bob);
    expect(s.state).to.equal(CallState.Outgoing);
    expect(s.remote).to.deep.equal(bob);
    expect(s.direction).to.equal('outbound');
  });

  it('remembers an auto-answer request, and forgets it with the next call', () => {
    const auto = callStarted(initialCall, 'inbound', 'c1', bob, true);
    expect(auto.autoAnswer).to.equal(true);
    const next = callStarted(callEnded(auto, 'remote_hangup', 1), 'inbound', 'c2', bob);
    expect(next.autoAnswer).to.equal(false);
  });

  it('starts a new call after an ended one, forgetting the old call', () => {
    const ended = { ...callEnded(inState(CallState.Established), 'busy', 5), dtmfReceived: '12' };
    const s = callStarted(ended, 'inbound', 'c2', bob);
    expect(s.state).to.equal(CallState.Incoming);
    expect(s.endReason).to.equal(null);
    expect(s.dtmfReceived).to.equal('');
  });

  it('treats repeated ringing (180 then 183) as one ringing phase', () => {
    const ringing = callRinging(inState(CallState.Outgoing));
    expect(callRinging(ringing)).to.equal(ringing);
  });

  it('records when the call was established (the timer zero)', () => {
    const s = callEstablished(inState(CallState.Ringing), 1234);
    expect(s.state).to.equal(CallState.Established);
    expect(s.establishedAt).to.equal(1234);
  });

  it('holds and resumes', () => {
    const held = callHeld(inState(CallState.Established), true);
    expect(held.state).to.equal(CallState.Held);
    expect(callHeld(held, false).state).to.equal(CallState.Established);
  });

  it('keeps being held by the other party as a flag, not a state', () => {
    const s = callRemoteHold(inState(CallState.Established), true);
    expect(s.state).to.equal(CallState.Established);
    expect(s.remoteHold).to.equal(true);
  });

  it('appends received DTMF digits in order', () => {
    let s = inState(CallState.Established);
    for (const d of ['1', '2', '#']) s = callDtmfReceived(s, d);
    expect(s.dtmfReceived).to.equal('12#');
  });

  it('ends with a reason and clears mute and remote hold', () => {
    const live = callRemoteHold(callMuted(inState(CallState.Established), true), true);
    const s = callEnded(live, 'remote_hangup', 99, null);
    expect(s.state).to.equal(CallState.Ended);
    expect(s.endReason).to.equal('remote_hangup');
    expect(s.endedAt).to.equal(99);
    expect(s.muted).to.equal(false);
    expect(s.remoteHold).to.equal(false);
  });

  it('dismisses an ended call back to idle', () => {
    const s = callDismissed(callEnded(inState(CallState.Ringing), 'no_answer', 1));
    expect(s).to.deep.equal(initialCall);
  });

  it('cannot end a call that never started', () => {
    expect(() => callEnded(initialCall, 'failed', 1)).to.throw(IllegalTransitionError);
  });
});
