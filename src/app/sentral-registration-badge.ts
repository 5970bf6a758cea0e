import { localized } from '@lit/localize';
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { RegistrationState } from '../store/registration-state.js';
import { registrationText } from './format.js';

/** The SIP registration state as a badge: `[data-testid=reg-state][data-state=registered]`. */
@localized()
@customElement('sentral-registration-badge')
export class SentralRegistrationBadge extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    .badge {
      display: inline-flex;
      align-items: center;
      gap: 0.45rem;
      padding: 0.25rem 0.65rem;
      border-radius: 999px;
      font-size: 0.85rem;
      border: 1px solid var(--sentral-border, #d9dde3);
      background: var(--sentral-surface, #fff);
      color: var(--sentral-text, #1c2230);
    }
    .text {
      display: inline-block;
    }
    .text::first-letter {
      text-transform: uppercase;
    }
    .dot {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      background: var(--sentral-text-muted, #556070);
      flex: none;
    }
    [data-state='registered'] .dot {
      background: var(--sentral-ok, #1d7a3e);
    }
    [data-state='connecting'] .dot,
    [data-state='reconnecting'] .dot {
      background: var(--sentral-warn, #9a6700);
    }
    [data-state='failed'] {
      border-color: var(--sentral-danger, #b3261e);
      color: var(--sentral-danger, #b3261e);
    }
    [data-state='failed'] .dot {
      background: var(--sentral-danger, #b3261e);
    }
  `;

  @property() state: RegistrationState = RegistrationState.Idle;
  @property() reason: string | null = null;

  override render() {
    return html`<span class="badge" data-state=${this.state} role="status" aria-live="polite"
      ><span class="dot" aria-hidden="true"></span
      ><span class="text" data-testid="reg-state" data-state=${this.state}
        >${registrationText(this.state, this.reason)}</span
      ></span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-registration-badge': SentralRegistrationBadge;
  }
}
