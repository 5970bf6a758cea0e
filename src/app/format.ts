/** Wording and formatting shared by the views (pure functions, unit-tested). */
import { msg, str } from '@lit/localize';
import type { EndReason } from '../sip/phone.js';
import type { ErrorCode } from '../shared/protocol.js';
import type { ClientErrorCode } from '../store/api-error.js';
import { CallState } from '../store/call-state.js';
import { RegistrationState } from '../store/registration-state.js';

/** `mm:ss` of a duration in ms (minutes keep counting past 59; negatives show 00:00). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** Why a call ended, in the user's words (a function: msg() must run at render time). */
export function endReasonText(reason: EndReason): string {
  switch (reason) {
    case 'busy':
      return msg('Busy');
    case 'not_found':
      return msg('Not found');
    case 'rejected':
      return msg('Rejected');
    case 'unavailable':
      return msg('Unavailable');
    case 'cancelled':
      return msg('Cancelled');
    case 'no_answer':
      return msg('No answer');
    case 'failed':
      return msg('Call failed');
    case 'local_hangup':
    case 'remote_hangup':
      return msg('Call ended');
  }
}

export function callStateText(state: CallState): string {
  switch (state) {
    case CallState.Idle:
      return msg('Ready');
    case CallState.Outgoing:
      return msg('Calling…');
    case CallState.Ringing:
      return msg('Ringing…');
    case CallState.Incoming:
      return msg('Incoming call');
    case CallState.Established:
      return msg('In call');
    case CallState.Held:
      return msg('On hold');
    case CallState.Ended:
      return msg('Call ended');
  }
}

/**
 * Badge text. It always contains the lowercase state word the e2e tests look for
 * (`connecting`, `registered`, `failed`); `unregistered` and `idle` read "signed out" / "offline"
 * so their text never contains "registered". (That holds in English, the tests' language;
 * bokmål reads naturally.)
 */
export function registrationText(state: RegistrationState, reason: string | null): string {
  switch (state) {
    case RegistrationState.Idle:
      return msg('offline');
    case RegistrationState.Connecting:
      return msg('connecting…');
    case RegistrationState.Registered:
      return msg('registered');
    case RegistrationState.Reconnecting:
      return msg('reconnecting…');
    case RegistrationState.Unregistered:
      return msg('signed out');
    case RegistrationState.Failed:
      return reason ? msg(str`failed: ${reason}`) : msg('failed');
  }
}

/** What the login form says for a failed `auth.login`. */
export function loginErrorText(code: ErrorCode | ClientErrorCode): string {
  switch (code) {
    case 'invalid_credentials':
      return msg('Wrong username or password');
    case 'rate_limited':
      return msg('Too many attempts. Wait a minute and try again.');
    case 'second_factor_required':
      return msg('Enter the 6-digit code from your authenticator app (or a recovery code).');
    case 'bad_request':
      return msg('Enter your username and password');
    case 'disconnected':
    case 'timeout':
      return msg('Cannot reach the server. Check your connection and try again.');
    default:
      return msg('Sign-in failed. Try again.');
  }
}

/** `dtmf-star` / `dial-hash` style test id of a keypad key. */
export function keyTestId(prefix: string, digit: string): string {
  if (digit === '*') return `${prefix}-star`;
  if (digit === '#') return `${prefix}-hash`;
  return `${prefix}-${digit}`;
}

/** Which of the user's numbers an outgoing call shows, in words ("Main number · 22 12 34 56"). */
export function presentedNumberText(kind: 'main' | 'mobile' | 'department'): string {
  switch (kind) {
    case 'main':
      return msg('Main number');
    case 'mobile':
      return msg('My mobile');
    case 'department':
      return msg('Department');
  }
}
