import { expect } from '@open-wc/testing';
import {
  endReasonText,
  formatDuration,
  keyTestId,
  loginErrorText,
  registrationText,
} from '../../src/app/format.js';
import { RegistrationState } from '../../src/store/registration-state.js';

describe('formatDuration', () => {
  it('shows zero as 00:00', () => {
    expect(formatDuration(0)).to.equal('00:00');
  });

  it('rounds down to whole seconds', () => {
    expect(formatDuration(999)).to.equal('00:00');
    expect(formatDuration(1000)).to.equal('00:01');
  });

  it('shows minutes and seconds as mm:ss', () => {
    expect(formatDuration(65_000)).to.equal('01:05');
    expect(formatDuration(59 * 60_000 + 59_000)).to.equal('59:59');
  });

  it('keeps counting minutes past an hour', () => {
    expect(formatDuration(61 * 60_000 + 7_000)).to.equal('61:07');
  });

  it('never shows a negative duration (clock skew)', () => {
    expect(formatDuration(-5000)).to.equal('00:00');
  });
});

describe('wording', () => {
  it('words every end reason for people', () => {
    expect(endReasonText('busy')).to.equal('Busy');
    expect(endReasonText('not_found')).to.equal('Not found');
    expect(endReasonText('rejected')).to.equal('Rejected');
    expect(endReasonText('no_answer')).to.equal('No answer');
    expect(endReasonText('local_hangup')).to.equal('Call ended');
    expect(endReasonText('remote_hangup')).to.equal('Call ended');
  });

  it('says "Wrong username or password" for invalid_credentials', () => {
    expect(loginErrorText('invalid_credentials')).to.equal('Wrong username or password');
  });

  it('puts the lowercase state word in the registration badge text', () => {
    expect(registrationText(RegistrationState.Connecting, null)).to.contain('connecting');
    expect(registrationText(RegistrationState.Registered, null)).to.contain('registered');
    expect(registrationText(RegistrationState.Failed, '403 Forbidden')).to.equal(
      'failed: 403 Forbidden',
    );
  });

  it('never says "registered" when not registered', () => {
    for (const state of [RegistrationState.Idle, RegistrationState.Unregistered]) {
      expect(registrationText(state, null)).not.to.contain('registered');
    }
  });

  it('names keypad test ids for star and hash', () => {
    expect(keyTestId('dtmf', '*')).to.equal('dtmf-star');
    expect(keyTestId('dtmf', '#')).to.equal('dtmf-hash');
    expect(keyTestId('dial', '7')).to.equal('dial-7');
  });
});
