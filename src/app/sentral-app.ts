import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import type { ConnectionState } from '../store/api-client.js';
import { logger } from '../store/logger.js';
import {
  apiClientContext,
  authServiceContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
  registrationModelContext,
  sessionModelContext,
} from './contexts.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import type { Services } from './services.js';
import { controls, tokens } from './theme.js';
import { ToneController } from './tone-controller.js';
import { ToneGenerator } from './tones.js';
import './sentral-directory.js';
import './sentral-login.js';
import './sentral-softphone.js';
import './sentral-switchboard.js';
import './sentral-queue-board.js';

/**
 * The shell: provides every service by context, shows the login view or the softphone and
 * directory, rings (a soft call-waiting tone when a call waits on the second line) and plays
 * ringback.
 */
@customElement('sentral-app')
export class SentralApp extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--sentral-bg);
        line-height: 1.45;
      }
      header {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
        padding: 0.75rem 1.25rem;
        background: var(--sentral-surface);
        border-bottom: 1px solid var(--sentral-border);
      }
      .brand {
        font-weight: 700;
        font-size: 1.1rem;
        letter-spacing: 0.01em;
      }
      .who {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        color: var(--sentral-text-muted);
      }
      .who strong {
        color: var(--sentral-text);
        font-weight: 600;
      }
      main {
        padding: 1.25rem;
      }
      .card {
        background: var(--sentral-surface);
        border: 1px solid var(--sentral-border);
        border-radius: var(--sentral-radius);
        box-shadow: var(--sentral-shadow);
        padding: 1.25rem;
      }
      .login {
        max-width: 24rem;
        margin: 8vh auto 0;
      }
      .workspace {
        display: grid;
        grid-template-columns: minmax(18rem, 24rem) minmax(0, 1fr);
        gap: 1.25rem;
        align-items: start;
        max-width: 72rem;
        margin: 0 auto;
      }
      .workspace:not(.operator) {
        grid-template-columns: minmax(18rem, 24rem) minmax(0, 1fr);
      }
      .workspace.operator {
        max-width: 110rem;
      }
      .column {
        display: flex;
        flex-direction: column;
        gap: 1.25rem;
      }
      .workspace:not(.operator) .column {
        display: contents;
      }
      @media (max-width: 760px) {
        .workspace {
          grid-template-columns: 1fr;
        }
      }
      .banner {
        margin: 0;
        padding: 0.5rem 1.25rem;
        background: #fff4e0;
        color: #6b4700;
        border-bottom: 1px solid #f1d6a6;
      }
    `,
  ];

  /** The services to provide (built by `main.ts`; element tests pass fakes). */
  @property({ attribute: false }) services?: Services;

  private readonly apiProvider = new ContextProvider(this, { context: apiClientContext });
  private readonly authProvider = new ContextProvider(this, { context: authServiceContext });
  private readonly sessionProvider = new ContextProvider(this, { context: sessionModelContext });
  private readonly registrationProvider = new ContextProvider(this, {
    context: registrationModelContext,
  });
  private readonly linesProvider = new ContextProvider(this, { context: linesModelContext });
  private readonly phoneProvider = new ContextProvider(this, { context: phoneServiceContext });
  private readonly directoryProvider = new ContextProvider(this, {
    context: directoryModelContext,
  });
  private readonly switchboardProvider = new ContextProvider(this, {
    context: switchboardModelContext,
  });
  private readonly people = select(this, () => this.services?.directory.people$, []);

  private readonly user = select(this, () => this.services?.session.user$, null);
  private readonly connection = select(
    this,
    () => this.services?.api.connectionState$,
    'idle' as ConnectionState,
  );
  private readonly tones = new ToneGenerator();

  constructor() {
    super();
    new ToneController(this, this.tones, () => this.services?.lines.lines$);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Browsers only let audio start after a user gesture: unlock WebAudio on the first one so
    // that a later incoming call can ring.
    this.addEventListener('pointerdown', this.unlockAudio, { capture: true });
    this.addEventListener('keydown', this.unlockAudio, { capture: true });
  }

  override disconnectedCallback(): void {
    this.removeEventListener('pointerdown', this.unlockAudio, { capture: true });
    this.removeEventListener('keydown', this.unlockAudio, { capture: true });
    super.disconnectedCallback();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('services') && this.services) {
      const s = this.services;
      this.apiProvider.setValue(s.api);
      this.authProvider.setValue(s.auth);
      this.sessionProvider.setValue(s.session);
      this.registrationProvider.setValue(s.registration);
      this.linesProvider.setValue(s.lines);
      this.phoneProvider.setValue(s.phone);
      this.directoryProvider.setValue(s.directory);
      this.switchboardProvider.setValue(s.switchboard);
    }
  }

  override render() {
    if (!this.services) return nothing;
    const user = this.user.value;
    const lost = this.connection.value === 'reconnecting';
    return html`<header>
        <span class="brand">Sentral</span>
        ${
          user
            ? html`<div class="who">
                <span><strong>${user.displayName}</strong> · ${user.extension}</span>
                <button type="button" data-testid="logout" @click=${this.logout}>Sign out</button>
              </div>`
            : nothing
        }
      </header>
      ${
        lost
          ? html`<p class="banner" role="status">Connection to the server lost. Reconnecting…</p>`
          : nothing
      }
      <main>
        ${user ? this.renderWorkspace(user.role) : html`<sentral-login class="card login"></sentral-login>`}
      </main>`;
  }

  /**
   * What a signed-in user works with: the queue board for the wall-screen login (or anyone on
   * `#board`); the switchboard beside the softphone for operators, supervisors and admins; the
   * softphone and the directory for everyone else.
   */
  private renderWorkspace(role: string) {
    if (role === 'board' || location.hash === '#board') {
      return html`<sentral-queue-board
        data-testid="queue-board"
        .people=${this.people.value}
      ></sentral-queue-board>`;
    }
    const operator = role === 'operator' || role === 'supervisor' || role === 'admin';
    return html`<div class="workspace ${operator ? 'operator' : ''}">
      <div class="column">
        <sentral-softphone class="card"></sentral-softphone>
        <sentral-directory class="card"></sentral-directory>
      </div>
      ${operator ? html`<sentral-switchboard class="card"></sentral-switchboard>` : nothing}
    </div>`;
  }

  private readonly unlockAudio = (): void => {
    this.tones.unlock();
    this.removeEventListener('pointerdown', this.unlockAudio, { capture: true });
    this.removeEventListener('keydown', this.unlockAudio, { capture: true });
  };

  private async logout(): Promise<void> {
    try {
      await this.services?.auth.logout();
    } catch (error) {
      logger.error('app: logout failed', error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-app': SentralApp;
  }
}
