/**
 * The lines slice: up to two calls ({@link LinesSnapshot}) behind a private subject, changed
 * only by the pure reducers of `lines-state.ts` and `call-state.ts`.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { EndReason, Party, RecallReason } from '../sip/phone.js';
import {
  callDtmfReceived,
  callDtmfSent,
  callEstablished,
  callHeld,
  callMuted,
  callRemoteHold,
  callRinging,
  initialCall,
} from './call-state.js';
import type { CallDirection, CallSnapshot } from './call-state.js';
import {
  activeLine,
  initialLines,
  isBusy,
  lineEnded,
  lineOf,
  lineStarted,
  lineUpdated,
  linesDismissed,
} from './lines-state.js';
import type { CallReducer, LinesSnapshot } from './lines-state.js';
import { Model } from './model.js';

export class LinesModel extends Model<LinesSnapshot> {
  /** The lines, line 1 first. */
  readonly lines$: Observable<readonly CallSnapshot[]> = this.select((s) => s.lines);
  /** Line 1, or an idle call when there is none (what a one-line view shows). */
  readonly first$: Observable<CallSnapshot> = this.select((s) => s.lines[0] ?? initialCall);
  /** The line in front (see {@link activeLine}). */
  readonly active$: Observable<CallSnapshot | null> = this.select(activeLine);
  /** Any call up. */
  readonly busy$: Observable<boolean> = this.select(isBusy);

  constructor(private readonly now: () => number = Date.now) {
    super(initialLines);
  }

  line(callId: string): CallSnapshot | undefined {
    return lineOf(this.state, callId);
  }

  started(
    direction: CallDirection,
    callId: string,
    remote: Party,
    autoAnswer = false,
    recall: RecallReason | null = null,
    absentFor: string | null = null,
  ): void {
    this.setState(
      lineStarted(this.state, direction, callId, remote, autoAnswer, recall, absentFor),
    );
  }

  ringing(callId: string): void {
    this.update(callId, callRinging);
  }

  established(callId: string): void {
    this.update(callId, (call) => callEstablished(call, this.now()));
  }

  held(callId: string, held: boolean): void {
    this.update(callId, (call) => callHeld(call, held));
  }

  remoteHold(callId: string, held: boolean): void {
    this.update(callId, (call) => callRemoteHold(call, held));
  }

  muted(callId: string, muted: boolean): void {
    this.update(callId, (call) => callMuted(call, muted));
  }

  dtmfReceived(callId: string, digit: string): void {
    this.update(callId, (call) => callDtmfReceived(call, digit));
  }

  dtmfSent(callId: string, digit: string): void {
    this.update(callId, (call) => callDtmfSent(call, digit));
  }

  ended(callId: string, reason: EndReason, statusCode: number | null = null): void {
    this.setState(lineEnded(this.state, callId, reason, this.now(), statusCode));
  }

  /** Clears ended lines (the "call ended" view). */
  dismiss(): void {
    this.setState(linesDismissed(this.state));
  }

  /** Forget everything (logout). Not a transition: the machines are discarded. */
  reset(): void {
    this.setState(initialLines);
  }

  private update(callId: string, reduce: CallReducer): void {
    this.setState(lineUpdated(this.state, callId, reduce));
  }
}
