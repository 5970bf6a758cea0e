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
}

export const initialSession: SessionSnapshot = { user: null, sip: null };

export function sessionLoggedIn(user: SessionUser, sip: SipCredentials): SessionSnapshot {
  return { user, sip };
}

export class SessionModel extends Model<SessionSnapshot> {
  readonly user$: Observable<SessionUser | null> = this.select((s) => s.user);
  readonly loggedIn$: Observable<boolean> = this.select((s) => s.user !== null);

  constructor() {
    super(initialSession);
  }

  loggedIn(user: SessionUser, sip: SipCredentials): void {
    this.setState(sessionLoggedIn(user, sip));
  }

  loggedOut(): void {
    this.setState(initialSession);
  }
}
