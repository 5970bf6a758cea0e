import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ApiClient } from '../store/api-client.js';
import type { SessionModel } from '../store/session-model.js';
import type { ForwardingSettings } from '../shared/protocol.js';
import { apiClientContext, sessionModelContext } from './contexts.js';
import { withViewMessages } from './i18n.js';
import { LazyViewController, type ViewLoader } from './lazy-view-controller.js';
import { select } from './observable-controller.js';
import { controls, statusLine } from './theme.js';

/**
 * The form (`sentral-forwarding-editor.ts`) is fetched when first opened: it is not needed to
 * take calls, and the switchboard route has a size budget (docs/benchmarks.md).
 */
export const FORWARDING_LOADERS: Readonly<Record<'editor', ViewLoader>> = {
  editor: withViewMessages(() => import('./sentral-forwarding-editor.js')),
};

/** One line saying where calls go when you are busy or do not answer. */
export function forwardingSummary(f: ForwardingSettings): string {
  // Whole sentences per case: the pieces would not join the same way in every language.
  const busy = f.busyEnabled && f.busyNumber ? f.busyNumber : null;
  const noAnswer = f.noAnswerEnabled && f.noAnswerNumber ? f.noAnswerNumber : null;
  const seconds = f.ringTimeS;
  if (busy && noAnswer)
    return msg(
      str`Calls forwarded when busy to ${busy}; after ${seconds} s without answer to ${noAnswer}`,
    );
  if (busy) return msg(str`Calls forwarded when busy to ${busy}`);
  if (noAnswer) return msg(str`Calls forwarded after ${seconds} s without answer to ${noAnswer}`);
  return msg('No call forwarding');
}

/**
 * The signed-in person's own busy / no-answer forwarding in the phone view: a line saying what
 * is set, and a button that opens a small form (`<sentral-forwarding-editor>`, loaded then).
 * With `userId` (the admin's people view) it shows and sets that colleague's forwarding instead.
 */
@localized()
@customElement('sentral-forwarding-settings')
export class SentralForwardingSettings extends LitElement {
  static override styles = [
    controls,
    statusLine,
    css`
      sentral-forwarding-editor {
        margin-top: 0.75rem;
      }
      .view-loading,
      .view-failed {
        margin: 0.5rem 0;
        font-size: 0.85rem;
        color: var(--sentral-text-muted);
      }
      .view-failed {
        color: var(--sentral-danger, #b3261e);
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  private readonly user = select(this, () => this.sessionModel?.user$, null);

  /** Whose forwarding: a colleague's (admins), or the signed-in person's when unset. */
  @property() userId: string | undefined;

  /** What the server has (null until loaded). */
  @state() private saved: ForwardingSettings | null = null;
  /** The form is open (its module loaded the first time). */
  @state() private open = false;
  #loadedFor: string | null = null;

  /** Where the form comes from (element tests pass failing ones). */
  @property({ attribute: false }) loaders: Readonly<Record<'editor', ViewLoader>> =
    FORWARDING_LOADERS;

  private readonly editor = new LazyViewController<'editor'>(this, () => this.loaders);

  protected override updated(): void {
    const user = this.user.value;
    const whose = this.userId ?? user?.id;
    if (!this.api || !user || user.role === 'board' || this.#loadedFor === whose) return;
    this.#loadedFor = whose ?? null;
    this.saved = null;
    this.open = false;
    // Not offered when it cannot be read (an older core): nothing shown, nothing retried.
    this.api.call('forwarding.get', this.userId ? { userId: this.userId } : {}).then(
      ({ forwarding }) => {
        if (this.#loadedFor === (whose ?? null)) this.saved = forwarding;
      },
      () => undefined,
    );
  }

  override render() {
    const user = this.user.value;
    if (!user || !this.api || user.role === 'board' || !this.saved) return nothing;
    return html`<div class="line">
        <p data-testid="forwarding-summary">${forwardingSummary(this.saved)}</p>
        <button
          type="button"
          data-testid="forwarding-button"
          aria-expanded=${this.open ? 'true' : 'false'}
          aria-controls="forwarding-form"
          @click=${this.toggle}
        >
          ${msg('Call forwarding…')}
        </button>
      </div>
      ${
        this.open
          ? this.editor.render(
              'editor',
              msg('the forwarding form'),
              () =>
                html`<sentral-forwarding-editor
                  id="forwarding-form"
                  .userId=${this.userId}
                  .settings=${this.saved}
                  @forwarding-saved=${this.onSaved}
                  @forwarding-cancel=${this.close}
                ></sentral-forwarding-editor>`,
            )
          : nothing
      }`;
  }

  private readonly toggle = (): void => {
    if (this.open) void this.close();
    else this.open = true;
  };

  private readonly onSaved = (event: CustomEvent<ForwardingSettings>): void => {
    this.saved = event.detail;
    void this.close();
  };

  private readonly close = async (): Promise<void> => {
    this.open = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-testid=forwarding-button]')?.focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-forwarding-settings': SentralForwardingSettings;
  }
}
