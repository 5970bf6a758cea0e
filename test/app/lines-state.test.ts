import { expect } from '@open-wc/testing';
import type { Party } from '../../src/sip/phone.js';
import {
  CallState,
  callEstablished,
  callHeld,
  callRemoteHold,
  callRinging,
  initialCall,
} from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { LinesModel } from '../../src/store/lines-model.js';
import {
  NoFreeLineError,
  activeLine,
  initialLines,
  isBusy,
  isCallWaiting,
  lineEnded,
  lineStarted,
  lineUpdated,
  linesDismissed,
  ringingIn,
  swapPair,
} from '../../src/store/lines-state.js';
import type { LinesSnapshot } from '../../src/store/lines-state.js';
import { IllegalTransitionError } from '../../src/store/registration-state.js';

const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };
const per: Party = { displayName: 'Per', number: '1003', uri: 'sip:1003@sentral.invalid' };
const eva: Party = { displayName: 'Eva', number: '1004', uri: 'sip:1004@sentral.invalid' };

function line(state: CallState, callId: string, extra: Partial<CallSnapshot> = {}): CallSnapshot {
  return { ...initialCall, state, callId, remote: ola, ...extra };
}

function lines(...calls: CallSnapshot[]): LinesSnapshot {
  return { lines: calls };
}

const states = (s: LinesSnapshot) => s.lines.map((l) => `${l.callId}:${l.state}`);

describe('lines reducers', () => {
  it('starts the first call on line 1', () => {
    const s = lineStarted(initialLines, 'inbound', 'c1', ola);
    expect(states(s)).to.deep.equal(['c1:incoming']);
    expect(s.lines[0]?.remote).to.deep.equal(ola);
    expect(s.lines[0]?.autoAnswer).to.equal(false);
  });

  it('starts a second call on line 2 and leaves line 1 as it is', () => {
    const one = lines(line(CallState.Established, 'c1', { establishedAt: 5 }));
    const s = lineStarted(one, 'inbound', 'c2', per);
    expect(states(s)).to.deep.equal(['c1:established', 'c2:incoming']);
    expect(s.lines[0]).to.equal(one.lines[0]);
  });

  it('remembers that a call asked to be answered at once', () => {
    const s = lineStarted(initialLines, 'inbound', 'c1', ola, true);
    expect(s.lines[0]?.autoAnswer).to.equal(true);
  });

  it('remembers that the core brought a call back as a recall, and why', () => {
    const s = lineStarted(initialLines, 'inbound', 'c1', ola, false, 'no_answer');
    expect(s.lines[0]).to.include({ state: CallState.Incoming, recall: 'no_answer' });
    expect(lineStarted(initialLines, 'inbound', 'c1', ola).lines[0]?.recall).to.equal(null);
  });

  it('refuses a third call (the phone answers it 486)', () => {
    const two = lines(line(CallState.Established, 'c1'), line(CallState.Incoming, 'c2'));
    expect(() => lineStarted(two, 'inbound', 'c3', eva)).to.throw(NoFreeLineError);
  });

  it('refuses a call id it already has', () => {
    const one = lines(line(CallState.Incoming, 'c1'));
    expect(() => lineStarted(one, 'inbound', 'c1', ola)).to.throw(NoFreeLineError);
  });

  it('lets a new call replace an ended one', () => {
    const ended = lines(line(CallState.Ended, 'c1', { endReason: 'busy' }));
    expect(states(lineStarted(ended, 'outbound', 'c2', per))).to.deep.equal(['c2:outgoing']);
  });

  it('moves only the line an event is for, through the call machine', () => {
    const two = lines(line(CallState.Established, 'c1'), line(CallState.Incoming, 'c2'));
    const s = lineUpdated(two, 'c2', (c) => callEstablished(c, 9));
    expect(states(s)).to.deep.equal(['c1:established', 'c2:established']);
    expect(s.lines[1]?.establishedAt).to.equal(9);
    expect(s.lines[0]).to.equal(two.lines[0]);
    expect(() => lineUpdated(two, 'c2', (c) => callHeld(c, true))).to.throw(IllegalTransitionError);
  });

  it('ignores an event for a call it does not have', () => {
    const one = lines(line(CallState.Established, 'c1'));
    expect(lineUpdated(one, 'old', (c) => callRinging(c))).to.equal(one);
    expect(lineEnded(one, 'old', 'remote_hangup', 1)).to.equal(one);
  });

  it('keeps a lone ended call to say why it ended', () => {
    const s = lineEnded(lines(line(CallState.Ringing, 'c1')), 'c1', 'busy', 7, 486);
    expect(states(s)).to.deep.equal(['c1:ended']);
    expect(s.lines[0]?.endReason).to.equal('busy');
    expect(s.lines[0]?.endStatusCode).to.equal(486);
    expect(s.lines[0]?.endedAt).to.equal(7);
  });

  it('drops a line that ends while the other is up, leaving the other (held) line as it was', () => {
    const held = line(CallState.Held, 'c1');
    const s = lineEnded(lines(held, line(CallState.Established, 'c2')), 'c2', 'remote_hangup', 1);
    expect(s.lines).to.deep.equal([held]);
    expect(s.lines[0]).to.equal(held);
  });

  it('drops a rejected waiting call and keeps the call that talks', () => {
    const talking = line(CallState.Established, 'c1');
    const s = lineEnded(lines(talking, line(CallState.Incoming, 'c2')), 'c2', 'rejected', 1);
    expect(s.lines).to.deep.equal([talking]);
  });

  it('when line 1 ends first, line 2 is the only line; when it ends too, it shows why', () => {
    const two = lines(line(CallState.Established, 'c1'), line(CallState.Established, 'c2'));
    const one = lineEnded(two, 'c1', 'remote_hangup', 1);
    expect(states(one)).to.deep.equal(['c2:established']);
    const none = lineEnded(one, 'c2', 'remote_hangup', 2);
    expect(states(none)).to.deep.equal(['c2:ended']);
  });

  it('does not end a call twice', () => {
    const ended = lines(line(CallState.Ended, 'c1', { endReason: 'busy' }));
    expect(lineEnded(ended, 'c1', 'failed', 2)).to.equal(ended);
  });

  it('dismisses ended lines only', () => {
    expect(linesDismissed(lines(line(CallState.Ended, 'c1')))).to.deep.equal(initialLines);
    const live = lines(line(CallState.Established, 'c1'));
    expect(linesDismissed(live)).to.equal(live);
  });
});

describe('lines selectors', () => {
  it('is busy while any line is up', () => {
    expect(isBusy(initialLines)).to.equal(false);
    expect(isBusy(lines(line(CallState.Ended, 'c1')))).to.equal(false);
    expect(isBusy(lines(line(CallState.Held, 'c1')))).to.equal(true);
  });

  it('puts the line that talks in front, not the held one or the one held by the other party', () => {
    const held = line(CallState.Held, 'c1');
    const talking = line(CallState.Established, 'c2');
    expect(activeLine(lines(held, talking))).to.equal(talking);
    const remoteHeld = callRemoteHold(line(CallState.Established, 'c1'), true);
    const consult = line(CallState.Established, 'c2');
    expect(activeLine(lines(remoteHeld, consult))).to.equal(consult);
    expect(activeLine(lines(held))).to.equal(held);
    expect(activeLine(initialLines)).to.equal(null);
  });

  it('never puts a call that rings for the user in front; an auto-answering one is', () => {
    const ringing = line(CallState.Incoming, 'c1');
    expect(activeLine(lines(ringing))).to.equal(null);
    const auto = line(CallState.Incoming, 'c1', { autoAnswer: true });
    expect(activeLine(lines(auto))).to.equal(auto);
  });

  it('rings for the user only for a call that was not auto-answered', () => {
    const waiting = line(CallState.Incoming, 'c2');
    expect(ringingIn(lines(line(CallState.Established, 'c1'), waiting))).to.equal(waiting);
    const auto = line(CallState.Incoming, 'c2', { autoAnswer: true });
    expect(ringingIn(lines(line(CallState.Established, 'c1'), auto))).to.equal(null);
  });

  it('calls it call waiting only while another line is up', () => {
    expect(isCallWaiting(lines(line(CallState.Incoming, 'c1')))).to.equal(false);
    expect(
      isCallWaiting(lines(line(CallState.Held, 'c1'), line(CallState.Incoming, 'c2'))),
    ).to.equal(true);
    expect(
      isCallWaiting(lines(line(CallState.Ended, 'c1'), line(CallState.Incoming, 'c2'))),
    ).to.equal(false);
  });

  it('offers a swap only with one line talking and the other held', () => {
    const talking = line(CallState.Established, 'c2');
    expect(swapPair(lines(line(CallState.Held, 'c1'), talking))).to.deep.equal({
      hold: 'c2',
      resume: 'c1',
    });
    expect(swapPair(lines(talking))).to.equal(null);
    expect(swapPair(lines(line(CallState.Established, 'c1'), talking))).to.equal(null);
    expect(swapPair(lines(line(CallState.Held, 'c1'), line(CallState.Incoming, 'c2')))).to.equal(
      null,
    );
  });
});

describe('LinesModel', () => {
  it('follows two calls by id: waiting, answer-and-hold, one ends, the held one stays', () => {
    let now = 100;
    const model = new LinesModel(() => now);
    const seen: (readonly CallSnapshot[])[] = [];
    const sub = model.lines$.subscribe((l) => seen.push(l));
    model.started('inbound', 'c1', ola);
    model.established('c1');
    model.started('inbound', 'c2', per);
    model.held('c1', true);
    now = 200;
    model.established('c2');
    expect(states(model.state)).to.deep.equal(['c1:held', 'c2:established']);
    expect(model.line('c2')?.establishedAt).to.equal(200);
    model.ended('c2', 'remote_hangup');
    expect(states(model.state)).to.deep.equal(['c1:held']);
    model.remoteHold('c1', true);
    model.muted('c1', true);
    model.dtmfReceived('c1', '5');
    expect(model.line('c1')).to.include({ remoteHold: true, muted: true, dtmfReceived: '5' });
    model.reset();
    expect(model.state).to.equal(initialLines);
    expect(seen.length).to.be.greaterThan(5);
    sub.unsubscribe();
  });
});
