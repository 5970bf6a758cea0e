/**
 * The login session: who is logged in and the SIP credentials the core issued for this session.
 *
 * Kept in memory only (never localStorage / sessionStorage / IndexedDB): a reload logs out.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { SessionUser, SipCredentials } from '../shared/protocol.js';
import { Model } from './model.js';

export interface SessionSnapshot {
  readonly user: SessionUser | null;
  readonly sip: SipCredentials | null;
  /** Logged in, but the account must set up two-factor login before anything else. */
  readonly mustEnrol: boolean;
}

export const initialSession: SessionSnapshot = { user: null, sip: null, mustEnrol: false };

export function sessionLoggedIn(
  user: SessionUser,
  sip: SipCredentials,
  mustEnrol = false,
): SessionSnapshot {
  return { user, sip, mustEnrol };
}

export class SessionModel extends Model<SessionSnapshot> {
  readonly user$: Observable<SessionUser | null> = this.select((s) => s.user);
  readonly loggedIn$: Observable<boolean> = this.select((s) => s.user !== null);
  readonly mustEnrol$: Observable<boolean> = this.select((s) => s.mustEnrol);

  constructor() {
    super(initialSession);
  }

  loggedIn(user: SessionUser, sip: SipCredentials, mustEnrol = false): void {
    this.setState(sessionLoggedIn(user, sip, mustEnrol));
  }

  /** Two-factor login is set up: the session is a full one now. */
  enrolled(): void {
    if (this.state.mustEnrol) this.setState({ ...this.state, mustEnrol: false });
  }

  loggedOut(): void {
    this.setState(initialSession);
  }
}
