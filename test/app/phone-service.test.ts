import { expect } from '@open-wc/testing';
import type { Party } from '../../src/sip/phone.js';
import { CallState } from '../../src/store/call-state.js';
import { LinesModel } from '../../src/store/lines-model.js';
import { PhoneService } from '../../src/store/phone-service.js';
import type { RemoteStreams } from '../../src/store/phone-service.js';
import { RegistrationModel } from '../../src/store/registration-model.js';
import { FakePhone, kariSip } from './fakes.js';

const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };
const per: Party = { displayName: 'Per', number: '1003', uri: 'sip:1003@sentral.invalid' };

describe('PhoneService with two lines', () => {
  let phone: FakePhone;
  let lines: LinesModel;
  let service: PhoneService;
  let streams: RemoteStreams;

  beforeEach(async () => {
    phone = new FakePhone();
    lines = new LinesModel();
    service = new PhoneService(() => phone, new RegistrationModel(), lines);
    service.remoteStreams$.subscribe((s) => (streams = s));
    await service.start(kariSip);
    phone.commands.length = 0;
  });

  /** Line 1 (Ola) held, line 2 (Per) talking. */
  function bothUp() {
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    phone.emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: false });
    phone.emit({ type: 'hold', callId: 'c1', held: true });
    phone.emit({ type: 'established', callId: 'c2' });
  }

  it('puts a recall on its line with the reason the phone read', () => {
    phone.emit({
      type: 'incoming',
      callId: 'c1',
      remote: ola,
      autoAnswer: false,
      recall: 'busy',
    });
    phone.emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: false });
    expect(lines.line('c1')?.recall).to.equal('busy');
    expect(lines.line('c2')?.recall).to.equal(null);
  });

  it('puts whom a call for an absent colleague was for on its line', () => {
    phone.emit({
      type: 'incoming',
      callId: 'c1',
      remote: ola,
      autoAnswer: true,
      absentFor: '1007',
    });
    phone.emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: false });
    expect(lines.line('c1')?.absentFor).to.equal('1007');
    expect(lines.line('c2')?.absentFor).to.equal(null);
  });

  it('routes every event to its own line', () => {
    bothUp();
    phone.emit({ type: 'dtmf', callId: 'c2', digit: '4' });
    phone.emit({ type: 'remote-hold', callId: 'c1', held: true });
    expect(lines.line('c1')).to.include({ state: CallState.Held, remoteHold: true });
    expect(lines.line('c2')).to.include({ state: CallState.Established, dtmfReceived: '4' });
  });

  it('sends commands to the call they name, and only when the line can take them', async () => {
    bothUp();
    await service.answer('c2'); // already answered
    await service.reject('c1'); // not ringing
    await service.sendDtmf('c1', '5'); // held
    await service.sendDtmf('c2', '5');
    await service.hangup('c2');
    await service.hangup('nope');
    expect(phone.commands).to.deep.equal(['dtmf c2 5', 'hangup c2']);
    expect(lines.line('c2')?.dtmfSent).to.equal('5');
  });

  it('swaps by holding the line that talks before resuming the held one', async () => {
    bothUp();
    await service.swap();
    expect(phone.commands).to.deep.equal(['hold c2', 'resume c1']);
  });

  it('does not swap with one line, or with two lines talking (a consultation the core holds)', async () => {
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    await service.swap();
    phone.emit({ type: 'remote-hold', callId: 'c1', held: true });
    phone.emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: true });
    phone.emit({ type: 'established', callId: 'c2' });
    await service.swap();
    expect(phone.commands).to.deep.equal([]);
  });

  it('keeps one remote stream per line and drops a line’s stream when it ends', () => {
    bothUp();
    const one = new MediaStream();
    const two = new MediaStream();
    phone.emit({ type: 'remote-media', callId: 'c1', stream: one });
    phone.emit({ type: 'remote-media', callId: 'c2', stream: two });
    phone.emit({ type: 'remote-media', callId: 'stranger', stream: new MediaStream() });
    expect([...streams.entries()]).to.deep.equal([
      ['c1', one],
      ['c2', two],
    ]);
    phone.emit({ type: 'ended', callId: 'c2', reason: 'remote_hangup' });
    expect([...streams.keys()]).to.deep.equal(['c1']);
    expect(lines.state.lines.map((l) => l.state)).to.deep.equal([CallState.Held]);
  });

  it('refuses to dial while a line is up', async () => {
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    expect(await service.dial('1007')).to.equal(false);
    expect(phone.commands).to.deep.equal([]);
  });

  it('logs, and survives, a third call the phone should have refused', () => {
    bothUp();
    phone.emit({ type: 'incoming', callId: 'c3', remote: per, autoAnswer: false });
    expect(lines.state.lines.map((l) => l.callId)).to.deep.equal(['c1', 'c2']);
  });

  it('passes on each event the lines took (for the call log), but not one they refused', () => {
    const applied: string[] = [];
    const subscription = service.applied$.subscribe((e) =>
      applied.push('callId' in e ? `${e.type} ${e.callId}` : e.type),
    );
    bothUp();
    phone.emit({ type: 'incoming', callId: 'c3', remote: per, autoAnswer: false });
    phone.emit({ type: 'ended', callId: 'c2', reason: 'remote_hangup' });
    subscription.unsubscribe();
    expect(applied).to.deep.equal([
      'incoming c1',
      'established c1',
      'incoming c2',
      'hold c1',
      'established c2',
      'ended c2',
    ]);
  });
});
