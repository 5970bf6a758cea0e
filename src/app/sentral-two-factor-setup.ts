import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import type { AuthService } from '../store/auth-service.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext, authServiceContext } from './contexts.js';
import { controls } from './theme.js';

type Enrolment = CommandResult<'twofactor.begin'>;

/** Four-character groups, as authenticator apps show a secret for typing. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Setting up two-factor login, for an account that must have it (admins, or when the company
 * requires it): scan the QR code (drawn here from the module rows the core sends, never from
 * markup) or type the secret, confirm with a code from the app, then keep the ten recovery
 * codes shown once.
 */
@localized()
@customElement('sentral-two-factor-setup')
export class SentralTwoFactorSetup extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
        max-width: 30rem;
        margin: 4vh auto 0;
      }
      h1 {
        font-size: 1.3rem;
        margin: 0 0 0.5rem;
      }
      svg {
        width: 14rem;
        height: 14rem;
        display: block;
        margin: 0.75rem 0;
        background: #fff;
      }
      code {
        font-size: 1.05rem;
        letter-spacing: 0.05em;
      }
      form {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.75rem;
      }
      input {
        min-height: 2.5rem;
        padding: 0 0.6rem;
        font-size: 1.1rem;
        width: 8rem;
      }
      ol {
        columns: 2;
        font-family: ui-monospace, monospace;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: authServiceContext, subscribe: true })
  auth?: AuthService;

  @state() private enrolment: Enrolment | null = null;
  @state() private recoveryCodes: string[] | null = null;
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.begin();
  }

  private async begin(): Promise<void> {
    try {
      this.enrolment = (await this.api?.call('twofactor.begin', {})) ?? null;
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }

  override render() {
    if (this.recoveryCodes) {
      return html`<h1>${msg('Two-factor login is on')}</h1>
        <p>
          ${msg(
            'Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown only now.',
          )}
        </p>
        <ol data-testid="recovery-codes">
          ${this.recoveryCodes.map((c) => html`<li>${c}</li>`)}
        </ol>
        <button class="primary" data-testid="two-factor-done" @click=${() => this.auth?.enrolled()}>
          ${msg('I have saved them — continue')}
        </button>`;
    }
    const e = this.enrolment;
    return html`<h1>${msg('Set up two-factor login')}</h1>
      <p>${msg('Your account needs a code from an authenticator app as well as the password.')}</p>
      ${
        e
          ? html`<p>${msg('Scan this code with the app, or type the key below.')}</p>
              ${this.qr(e.qr)}
              <p>
                ${msg('Key:')} <code data-testid="two-factor-secret">${grouped(e.secret)}</code>
              </p>
              <form
                @submit=${(ev: Event) => {
                  ev.preventDefault();
                  const input = (ev.currentTarget as HTMLFormElement).elements.namedItem('code');
                  if (input instanceof HTMLInputElement) void this.confirm(input.value.trim());
                }}
              >
                <label class="visually-hidden" for="code">${msg('Code from the app')}</label>
                <input
                  id="code"
                  name="code"
                  data-testid="two-factor-code"
                  inputmode="numeric"
                  autocomplete="one-time-code"
                  placeholder="123456"
                />
                <button type="submit" class="primary" data-testid="two-factor-confirm">
                  ${msg('Confirm')}
                </button>
              </form>`
          : nothing
      }
      ${this.error ? html`<p role="alert" data-testid="two-factor-error">${this.error}</p>` : nothing}`;
  }

  /** The QR code as SVG rectangles, with the standard four-module quiet zone. */
  private qr(rows: readonly string[]) {
    const size = rows.length + 8;
    const cells = rows.flatMap((row, y) =>
      [...row].flatMap((bit, x) =>
        bit === '1' ? [svg`<rect x=${x + 4} y=${y + 4} width="1" height="1" />`] : [],
      ),
    );
    return html`<svg
      data-testid="two-factor-qr"
      viewBox="0 0 ${size} ${size}"
      role="img"
      aria-label=${msg('QR code for the authenticator app')}
      shape-rendering="crispEdges"
    >
      ${cells}
    </svg>`;
  }

  private async confirm(code: string): Promise<void> {
    if (!code || !this.api) return;
    this.error = '';
    try {
      this.recoveryCodes = (await this.api.call('twofactor.confirm', { code })).recoveryCodes;
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-two-factor-setup': SentralTwoFactorSetup;
  }
}
