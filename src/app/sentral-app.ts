import { localized, msg } from '@lit/localize';
import { withViewMessages } from './i18n.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import type { ConnectionState } from '../store/api-client.js';
import { logger } from '../store/logger.js';
import {
  apiClientContext,
  audioOutputContext,
  audioSettingsContext,
  authServiceContext,
  callQualityContext,
  callLogModelContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
  registrationModelContext,
  sessionModelContext,
} from './contexts.js';
import { select } from './observable-controller.js';
import type { SentralShortcutsHelp } from './sentral-shortcuts-help.js';
import { ShortcutController } from './shortcut-controller.js';
import { headsetContext } from './headset-context.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import type { Services } from './services.js';
import { controls, tokens } from './theme.js';
import { AudioOutput } from './audio-output.js';
import { ToneController } from './tone-controller.js';
import './sentral-call-log.js';
import './sentral-directory.js';
import './sentral-language-switch.js';
import './sentral-login.js';
import './sentral-softphone.js';
import './sentral-switchboard.js';
import { LazyViewController, type ViewLoader } from './lazy-view-controller.js';

const OPERATOR_ROLES: ReadonlySet<string> = new Set(['operator', 'supervisor', 'admin']);

/** What the operator side shows. */
type SideView = 'switchboard' | 'statistics' | 'admin';

/** Views outside the switchboard route: each its own chunk, loaded when first shown. */
export type LazyView = 'board' | 'statistics' | 'admin' | 'twoFactor';

/** Where each lazy view's element is defined. */
export const VIEW_LOADERS: Readonly<Record<LazyView, ViewLoader>> = {
  board: withViewMessages(() => import('./sentral-queue-board.js')),
  statistics: withViewMessages(() => import('./sentral-statistics.js')),
  admin: withViewMessages(() => import('./sentral-admin.js')),
  twoFactor: withViewMessages(() => import('./sentral-two-factor-setup.js')),
};

const loadShortcutsHelp = withViewMessages(() => import('./sentral-shortcuts-help.js'));

/**
 * The shell: provides every service by context, shows the login view or the softphone,
 * directory and call log, dispatches the keyboard shortcuts (`keyboard-shortcuts.ts`; `?` shows
 * them), rings (a soft call-waiting tone when a call waits on the second line) and plays
 * ringback.
 */
@localized()
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
      .tools {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        flex-wrap: wrap;
        justify-content: flex-end;
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
      .side .views {
        display: flex;
        gap: 0.4rem;
        margin-bottom: 1rem;
      }
      .side [aria-selected='true'] {
        background: var(--sentral-accent);
        color: var(--sentral-accent-contrast);
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
      .shortcut-note {
        position: fixed;
        inset-block-end: 1rem;
        inset-inline-start: 50%;
        transform: translateX(-50%);
        margin: 0;
        padding: 0.5rem 1rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: var(--sentral-surface);
        border: 1px solid var(--sentral-border);
        box-shadow: var(--sentral-shadow);
      }
      .shortcut-note.alert {
        color: var(--sentral-danger, #b3261e);
        border-color: currentColor;
      }
      .view-loading,
      .view-failed {
        margin: 1rem auto;
        max-width: 30rem;
        color: var(--sentral-text-muted);
      }
      .view-failed {
        color: var(--sentral-danger, #b3261e);
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
  /** Where the lazy views come from (element tests pass failing ones). */
  @property({ attribute: false }) viewLoaders: Readonly<Record<LazyView, ViewLoader>> =
    VIEW_LOADERS;

  private readonly lazyViews = new LazyViewController<LazyView>(this, () => this.viewLoaders);

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
  private readonly callLogProvider = new ContextProvider(this, { context: callLogModelContext });
  private readonly people = select(this, () => this.services?.directory.people$, []);

  private readonly user = select(this, () => this.services?.session.user$, null);
  private readonly mustEnrol = select(this, () => this.services?.session.mustEnrol$, false);
  private readonly connection = select(
    this,
    () => this.services?.api.connectionState$,
    'idle' as ConnectionState,
  );
  /** Tones on the speaker, the ringtone on the ringer device, and the ready step. */
  private readonly output = new AudioOutput();
  private readonly outputProvider = new ContextProvider(this, {
    context: audioOutputContext,
    initialValue: this.output,
  });
  private readonly audioProvider = new ContextProvider(this, { context: audioSettingsContext });
  private readonly qualityProvider = new ContextProvider(this, { context: callQualityContext });
  private readonly headsetProvider = new ContextProvider(this, { context: headsetContext });

  @query('sentral-shortcuts-help') private help?: SentralShortcutsHelp;
  /** What the last switchboard shortcut did (or why it failed). */
  @state() private sideView: SideView = 'switchboard';
  @state() private shortcutNote: { text: string; kind: 'status' | 'alert' } | null = null;

  constructor() {
    super();
    new ToneController(
      this,
      this.output,
      () => this.services?.lines.lines$,
      () => this.services?.audio.effective$,
    );
    new ShortcutController(this, {
      enabled: () => this.hasPhone(),
      operator: () => this.hasPhone() && OPERATOR_ROLES.has(this.user.value?.role ?? ''),
      lines: () => this.services?.lines,
      phone: () => this.services?.phone,
      switchboard: () => this.services?.switchboard,
      transferBox: () => this.transferBox(),
      helpOpen: () => this.help?.open ?? false,
      openHelp: () => void this.showHelp(),
      report: (text, kind) => this.showShortcutNote(text, kind),
    });
  }

  private noteTimer: ReturnType<typeof setTimeout> | null = null;

  /** Shows what a switchboard shortcut did for a few seconds (a failure longer). */
  private showShortcutNote(text: string, kind: 'status' | 'alert'): void {
    this.shortcutNote = { text, kind };
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(
      () => {
        this.noteTimer = null;
        this.shortcutNote = null;
      },
      kind === 'alert' ? 10_000 : 5000,
    );
  }

  /** The shortcut help is fetched when first asked for (it is not needed to take calls). */
  private async showHelp(): Promise<void> {
    try {
      await loadShortcutsHelp();
    } catch (error) {
      logger.error('app: cannot load the shortcut help', error);
      this.showShortcutNote(msg('Could not load the shortcut help. Try again.'), 'alert');
      return;
    }
    await this.updateComplete;
    await this.help?.show();
  }

  /** Someone with a phone is signed in (not the wall-board kiosk). */
  private hasPhone(): boolean {
    const user = this.user.value;
    return !!user && user.role !== 'board' && location.hash !== '#board';
  }

  /** The transfer box of the switchboard's call actions, when the switchboard is shown. */
  private transferBox(): HTMLInputElement | null {
    const board = this.renderRoot.querySelector('sentral-switchboard');
    const actions = board?.shadowRoot?.querySelector('sentral-call-actions');
    return actions?.shadowRoot?.querySelector('input[data-testid=transfer-target]') ?? null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Browsers only let audio start after a user gesture: unlock WebAudio on the first one so
    // that a later incoming call can ring.
    this.addEventListener('pointerdown', this.unlockAudio, { capture: true });
    this.addEventListener('keydown', this.unlockAudio, { capture: true });
  }

  override disconnectedCallback(): void {
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.noteTimer = null;
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
      this.audioProvider.setValue(s.audio);
      this.qualityProvider.setValue(s.quality);
      this.headsetProvider.setValue(s.headset);
      this.phoneProvider.setValue(s.phone);
      this.directoryProvider.setValue(s.directory);
      this.switchboardProvider.setValue(s.switchboard);
      this.callLogProvider.setValue(s.callLog);
    }
  }

  override render() {
    if (!this.services) return nothing;
    const user = this.user.value;
    const lost = this.connection.value === 'reconnecting';
    return html`<header>
        <span class="brand">Sentral</span>
        <div class="tools">
          <sentral-language-switch
            .preferences=${this.services.preferences}
          ></sentral-language-switch>
          ${
            user
              ? html`<div class="who">
                  <span><strong>${user.displayName}</strong> · ${user.extension}</span>
                  ${
                    this.hasPhone()
                      ? html`<button
                          type="button"
                          data-testid="shortcuts-button"
                          aria-label=${msg('Keyboard shortcuts')}
                          aria-keyshortcuts="?"
                          @click=${() => void this.showHelp()}
                        >
                          ${msg('Shortcuts (?)')}
                        </button>`
                      : nothing
                  }
                  <button type="button" data-testid="logout" @click=${this.logout}>
                    ${msg('Sign out')}
                  </button>
                </div>`
              : nothing
          }
        </div>
      </header>
      ${
        lost
          ? html`<p class="banner" role="status">
              ${msg('Connection to the server lost. Reconnecting…')}
            </p>`
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
    // Two-factor login first, when the account must have it (admins, or the company says so).
    if (this.mustEnrol.value) {
      return this.lazyViews.render(
        'twoFactor',
        msg('two-factor setup'),
        () => html`<sentral-two-factor-setup class="card"></sentral-two-factor-setup>`,
      );
    }
    if (role === 'board' || location.hash === '#board') {
      return this.lazyViews.render(
        'board',
        msg('the queue board'),
        () =>
          html`<sentral-queue-board
            data-testid="queue-board"
            .people=${this.people.value}
          ></sentral-queue-board>`,
      );
    }
    const operator = role === 'operator' || role === 'supervisor' || role === 'admin';
    return html`<div class="workspace ${operator ? 'operator' : ''}">
        <div class="column">
          <sentral-softphone class="card"></sentral-softphone>
          <sentral-directory class="card"></sentral-directory>
          <sentral-call-log class="card"></sentral-call-log>
        </div>
        ${operator ? this.renderSide(role) : nothing}
      </div>
      ${this.renderShortcutNote()}
      <sentral-shortcuts-help></sentral-shortcuts-help>`;
  }

  /** The operator side: the switchboard, and statistics / administration for those roles. */
  private renderSide(role: string) {
    const views: Array<[SideView, string]> = [['switchboard', msg('Switchboard')]];
    if (role === 'supervisor' || role === 'admin') views.push(['statistics', msg('Statistics')]);
    if (role === 'admin') views.push(['admin', msg('Administration')]);
    const view = views.some(([v]) => v === this.sideView) ? this.sideView : 'switchboard';
    return html`<div class="card side">
      ${
        views.length > 1
          ? html`<div role="tablist" aria-label=${msg('Views')} class="views">
              ${views.map(
                ([id, text]) =>
                  html`<button
                    role="tab"
                    aria-selected=${view === id ? 'true' : 'false'}
                    data-testid=${`view-${id}`}
                    @click=${() => (this.sideView = id)}
                  >
                    ${text}
                  </button>`,
              )}
            </div>`
          : nothing
      }
      ${
        view === 'statistics'
          ? this.lazyViews.render(
              'statistics',
              msg('statistics'),
              () => html`<sentral-statistics></sentral-statistics>`,
            )
          : view === 'admin'
            ? this.lazyViews.render(
                'admin',
                msg('administration'),
                () => html`<sentral-admin></sentral-admin>`,
              )
            : html`<sentral-switchboard></sentral-switchboard>`
      }
    </div>`;
  }

  private renderShortcutNote() {
    const note = this.shortcutNote;
    if (!note) return nothing;
    return note.kind === 'alert'
      ? html`<p class="shortcut-note alert" role="alert" data-testid="shortcut-note">
          ${note.text}
        </p>`
      : html`<p class="shortcut-note" role="status" data-testid="shortcut-note">${note.text}</p>`;
  }

  private readonly unlockAudio = (): void => {
    this.output.unlock();
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
