/**
 * The call slice: one {@link CallSnapshot} behind a private subject, changed only by the pure
 * reducers of `call-state.ts`.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { EndReason, Party } from '../sip/phone.js';
import {
  callDismissed,
  callDtmfReceived,
  callDtmfSent,
  callEnded,
  callEstablished,
  callHeld,
  callMuted,
  callRemoteHold,
  callRinging,
  callStarted,
  initialCall,
} from './call-state.js';
import type { CallDirection, CallSnapshot, CallState } from './call-state.js';
import { Model } from './model.js';

export class CallModel extends Model<CallSnapshot> {
  readonly callState$: Observable<CallState> = this.select((s) => s.state);
  readonly remote$: Observable<Party | null> = this.select((s) => s.remote);
  readonly endReason$: Observable<EndReason | null> = this.select((s) => s.endReason);
  readonly establishedAt$: Observable<number | null> = this.select((s) => s.establishedAt);
  readonly muted$: Observable<boolean> = this.select((s) => s.muted);
  readonly remoteHold$: Observable<boolean> = this.select((s) => s.remoteHold);
  readonly dtmfReceived$: Observable<string> = this.select((s) => s.dtmfReceived);

  constructor(private readonly now: () => number = Date.now) {
    super(initialCall);
  }

  started(direction: CallDirection, callId: string, remote: Party): void {
    this.setState(callStarted(this.state, direction, callId, remote));
  }

  ringing(): void {
    this.setState(callRinging(this.state));
  }

  established(): void {
    this.setState(callEstablished(this.state, this.now()));
  }

  held(held: boolean): void {
    this.setState(callHeld(this.state, held));
  }

  remoteHold(held: boolean): void {
    this.setState(callRemoteHold(this.state, held));
  }

  muted(muted: boolean): void {
    this.setState(callMuted(this.state, muted));
  }

  dtmfReceived(digit: string): void {
    this.setState(callDtmfReceived(this.state, digit));
  }

  dtmfSent(digit: string): void {
    this.setState(callDtmfSent(this.state, digit));
  }

  ended(reason: EndReason, statusCode: number | null = null): void {
    this.setState(callEnded(this.state, reason, this.now(), statusCode));
  }

  dismiss(): void {
    this.setState(callDismissed(this.state));
  }

  /** Forget everything (logout). Not a transition: the machine is discarded. */
  reset(): void {
    this.setState(initialCall);
  }
}
