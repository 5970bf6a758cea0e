import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { errorCodeOf } from '../store/api-error.js';
import type { AuthService } from '../store/auth-service.js';
import { authServiceContext } from './contexts.js';
import { loginErrorText } from './format.js';
import { controls } from './theme.js';

/** Username + password form; calls `auth.login` through the {@link AuthService}. */
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

  override render() {
    return html`<form @submit=${this.onSubmit} novalidate>
      <div>
        <h1>Sign in to Sentral</h1>
        <p class="lead">Use your company username and password.</p>
      </div>
      <label
        >Username
        <input
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          ?disabled=${this.busy}
      /></label>
      <label
        >Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          required
          ?disabled=${this.busy}
      /></label>
      ${
        this.error
          ? html`<p class="error" role="alert" data-testid="login-error">${this.error}</p>`
          : nothing
      }
      <button type="submit" class="primary" ?disabled=${this.busy}>
        ${this.busy ? 'Signing in…' : 'Sign in'}
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
    if (!this.auth) return;
    this.busy = true;
    this.error = null;
    try {
      await this.auth.login(username, password);
    } catch (error) {
      this.error = loginErrorText(errorCodeOf(error));
    } finally {
      this.busy = false;
    }
    if (this.error) {
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
