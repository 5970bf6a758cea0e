/**
 * The registration slice: state, failure reason and AOR of the SIP user agent.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import { initialRegistration, reduceRegistration } from './registration-state.js';
import type { RegistrationSnapshot, RegistrationState } from './registration-state.js';
import { Model } from './model.js';

export class RegistrationModel extends Model<RegistrationSnapshot> {
  readonly registrationState$: Observable<RegistrationState> = this.select((s) => s.state);
  readonly reason$: Observable<string | null> = this.select((s) => s.reason);

  constructor() {
    super(initialRegistration);
  }

  /** A user agent for `aor` now exists (still idle until it connects). */
  setAor(aor: string | null): void {
    if (this.state.aor !== aor) this.setState({ ...this.state, aor });
  }

  /** Guarded move; throws on a move the state diagram does not allow. */
  transition(to: RegistrationState, reason: string | null = null): void {
    this.setState(reduceRegistration(this.state, to, reason));
  }

  /** Forget everything (logout). Not a transition: the machine is discarded. */
  reset(): void {
    this.setState(initialRegistration);
  }
}
