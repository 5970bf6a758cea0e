/** Wording and formatting shared by the views (pure functions, unit-tested). */
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

const END_REASON_TEXT: Record<EndReason, string> = {
  busy: 'Busy',
  not_found: 'Not found',
  rejected: 'Rejected',
  unavailable: 'Unavailable',
  cancelled: 'Cancelled',
  no_answer: 'No answer',
  failed: 'Call failed',
  local_hangup: 'Call ended',
  remote_hangup: 'Call ended',
};

export function endReasonText(reason: EndReason): string {
  return END_REASON_TEXT[reason];
}

const CALL_STATE_TEXT: Record<CallState, string> = {
  [CallState.Idle]: 'Ready',
  [CallState.Outgoing]: 'Calling…',
  [CallState.Ringing]: 'Ringing…',
  [CallState.Incoming]: 'Incoming call',
  [CallState.Established]: 'In call',
  [CallState.Held]: 'On hold',
  [CallState.Ended]: 'Call ended',
};

export function callStateText(state: CallState): string {
  return CALL_STATE_TEXT[state];
}

/**
 * Badge text. It always contains the lowercase state word the e2e tests look for
 * (`connecting`, `registered`, `failed`); `unregistered` and `idle` read "signed out" / "offline"
 * so their text never contains "registered".
 */
export function registrationText(state: RegistrationState, reason: string | null): string {
  switch (state) {
    case RegistrationState.Idle:
      return 'offline';
    case RegistrationState.Connecting:
      return 'connecting…';
    case RegistrationState.Registered:
      return 'registered';
    case RegistrationState.Reconnecting:
      return 'reconnecting…';
    case RegistrationState.Unregistered:
      return 'signed out';
    case RegistrationState.Failed:
      return reason ? `failed: ${reason}` : 'failed';
  }
}

/** What the login form says for a failed `auth.login`. */
export function loginErrorText(code: ErrorCode | ClientErrorCode): string {
  switch (code) {
    case 'invalid_credentials':
      return 'Wrong username or password';
    case 'rate_limited':
      return 'Too many attempts. Wait a minute and try again.';
    case 'second_factor_required':
      return 'Enter the 6-digit code from your authenticator app (or a recovery code).';
    case 'bad_request':
      return 'Enter your username and password';
    case 'disconnected':
    case 'timeout':
      return 'Cannot reach the server. Check your connection and try again.';
    default:
      return 'Sign-in failed. Try again.';
  }
}

/** `dtmf-star` / `dial-hash` style test id of a keypad key. */
export function keyTestId(prefix: string, digit: string): string {
  if (digit === '*') return `${prefix}-star`;
  if (digit === '#') return `${prefix}-hash`;
  return `${prefix}-${digit}`;
}
