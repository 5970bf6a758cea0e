/**
 * The connection slice: what the connection banner shows — the SIP WebSocket lost,
 * reconnecting (attempt n), recovered or failed, and the calls whose audio stopped arriving.
 * {@link PhoneService} feeds it from the phone's `connection` and `audio-degraded` events.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import { Model } from './model.js';
import {
  ConnectionState,
  initialConnection,
  reduceConnection,
  withDegradedCall,
} from './connection-state.js';
import type { ConnectionSnapshot } from './connection-state.js';

export class ConnectionModel extends Model<ConnectionSnapshot> {
  readonly connectionState$: Observable<ConnectionState> = this.select((s) => s.state);

  constructor() {
    super(initialConnection);
  }

  /** The WebSocket dropped (`attempt` 0) or try number `attempt` is under way. */
  reconnecting(attempt: number): void {
    this.setState(reduceConnection(this.state, ConnectionState.Reconnecting, { attempt }));
  }

  /** Back and re-registered. Ignored when nothing was lost. */
  recovered(): void {
    if (this.state.state === ConnectionState.Connected) return;
    if (this.state.state === ConnectionState.Recovered) return;
    this.setState(reduceConnection(this.state, ConnectionState.Recovered));
  }

  /** Refused on return; a later refusal only updates the reason (still failed). */
  failed(reason: string | null): void {
    if (this.state.state === ConnectionState.Failed) {
      if (this.state.reason !== reason) this.setState({ ...this.state, reason });
      return;
    }
    this.setState(reduceConnection(this.state, ConnectionState.Failed, { reason }));
  }

  /** The "recovered" notice has been shown long enough. */
  settle(): void {
    if (this.state.state !== ConnectionState.Recovered) return;
    this.setState(reduceConnection(this.state, ConnectionState.Connected));
  }

  audioDegraded(callId: string, degraded: boolean): void {
    this.setState(withDegradedCall(this.state, callId, degraded));
  }

  /** Forget everything (logout). Not a transition: the machine is discarded. */
  reset(): void {
    this.setState(initialConnection);
  }
}
