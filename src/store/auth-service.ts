/**
 * Login and logout: `auth.login` over the API, then the SIP phone registers with the credentials
 * the core returned, and the directory loads. Nothing is persisted: a reload logs out.
 * @packageDocumentation
 */
import type { ApiClient } from './api-client.js';
import type { DirectoryModel } from './directory-model.js';
import { logger } from './logger.js';
import type { PhoneService } from './phone-service.js';
import type { SessionModel } from './session-model.js';

export class AuthService {
  constructor(
    private readonly api: ApiClient,
    private readonly session: SessionModel,
    private readonly phone: PhoneService,
    private readonly directory: DirectoryModel,
  ) {}

  /**
   * Resolves once the session is set (registration continues in the background and shows in
   * the registration model). Rejects with an `ApiCallError` on failure, e.g. code
   * `invalid_credentials`.
   */
  async login(username: string, password: string, code?: string): Promise<void> {
    const { user, sip, sessionToken, twoFactor } = await this.api.call(
      'auth.login',
      code === undefined ? { username, password } : { username, password, code },
    );
    const mustEnrol = twoFactor.required && !twoFactor.enabled;
    this.session.loggedIn(user, sip, mustEnrol);
    // After a network blip the API connection comes back without its login: resume it first.
    this.api.setHandshake?.(() => ({
      type: 'auth.resume',
      params: { token: sessionToken },
      onReply: (error) => {
        if (error?.code === 'session_expired') {
          logger.warn('auth: the session ended on the server; logging out');
          void this.logout();
        }
      },
    }));
    // An account that must set up two-factor login first can do nothing else until then.
    if (!mustEnrol) this.startWork();
  }

  /** Two-factor login was set up (`twofactor.confirm` succeeded): start working. */
  enrolled(): void {
    if (!this.session.state.mustEnrol) return;
    this.session.enrolled();
    this.startWork();
  }

  private startWork(): void {
    const { user, sip } = this.session.state;
    if (!user || !sip) return;
    // The queue board on the wall is a kiosk, not a phone.
    if (user.role !== 'board') {
      void this.phone
        .start(sip)
        .catch((error: unknown) => logger.error('auth: phone start failed', error));
    }
    void this.directory.load();
  }

  async logout(): Promise<void> {
    this.api.setHandshake?.(null);
    await this.phone.stop();
    try {
      await this.api.call('auth.logout', {});
    } catch (error) {
      logger.warn('auth: logout command failed (logging out locally anyway)', error);
    }
    this.directory.reset();
    this.session.loggedOut();
  }
}
