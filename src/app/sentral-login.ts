import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { errorCodeOf } from '../store/api-error.js';
import type { AuthService } from '../store/auth-service.js';
import { authServiceContext } from './contexts.js';
import { loginErrorText } from './format.js';
import { controls } from './theme.js';

/** Username + password form; calls `auth.login` through the {@link AuthService}. */
@localized()
@customElement('sentral-login')
export class SentralLogin extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.9rem;
      }
      h1 {
        margin: 0 0 0.25rem;
        font-size: 1.35rem;
      }
      p.lead {
        margin: 0 0 0.5rem;
        color: var(--sentral-text-muted, #556070);
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 0.3rem;
        font-size: 0.9rem;
        font-weight: 500;
      }
      .error {
        margin: 0;
        padding: 0.55rem 0.75rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: #fdecea;
        color: var(--sentral-danger, #b3261e);
        border: 1px solid #f3c1bd;
      }
    `,
  ];

  @consume({ context: authServiceContext, subscribe: true })
  auth?: AuthService;

  @state() private error: string | null = null;
  @state() private busy = false;
  /** The password was right and the account has two-factor login: ask for the code too. */
  @state() private needCode = false;

  override render() {
    return html`<form @submit=${this.onSubmit} novalidate>
      <div>
        <h1>${msg('Sign in to Sentral')}</h1>
        <p class="lead">${msg('Use your company username and password.')}</p>
      </div>
      <label
        >${msg('Username')}
        <input
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          ?disabled=${this.busy}
      /></label>
      <label
        >${msg('Password')}
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          ?disabled=${this.busy}
      /></label>
      ${
        this.needCode
          ? html`<label
              >${msg('Code from your authenticator app')}
              <input
                name="code"
                data-testid="login-code"
                inputmode="numeric"
                autocomplete="one-time-code"
                spellcheck="false"
                ?disabled=${this.busy}
            /></label>`
          : nothing
      }
      ${
        this.error
          ? html`<p class="error" role="alert" data-testid="login-error">${this.error}</p>`
          : nothing
      }
      <button type="submit" class="primary" ?disabled=${this.busy}>
        ${this.busy ? msg('Signing in…') : msg('Sign in')}
      </button>
    </form>`;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!username || !password) {
      this.error = loginErrorText('bad_request');
      return;
    }
    const code = this.needCode ? String(data.get('code') ?? '').trim() : undefined;
    if (code === '') {
      this.error = loginErrorText('second_factor_required');
      return;
    }
    if (!this.auth) return;
    this.busy = true;
    this.error = null;
    let errorCode: string | null = null;
    try {
      await this.auth.login(username, password, code);
    } catch (error) {
      const failed = errorCodeOf(error);
      errorCode = failed;
      this.error =
        this.needCode && failed === 'invalid_credentials'
          ? msg('Wrong password or code')
          : loginErrorText(failed);
    } finally {
      this.busy = false;
    }
    if (errorCode === 'second_factor_required') {
      this.needCode = true;
      await this.updateComplete;
      const codeInput = this.renderRoot.querySelector<HTMLInputElement>('input[name=code]');
      codeInput?.focus();
      return;
    }
    if (this.error) {
      const codeInput = form.elements.namedItem('code');
      if (codeInput instanceof HTMLInputElement) codeInput.value = '';
      const passwordInput = form.elements.namedItem('password');
      if (passwordInput instanceof HTMLInputElement) {
        passwordInput.value = '';
        await this.updateComplete;
        passwordInput.focus();
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-login': SentralLogin;
  }
}
