import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RecallReason } from '../sip/phone.js';
import { controls } from './theme.js';

/** Why a recall came back, in the operator's words. */
function recallText(reason: RecallReason): string {
  switch (reason) {
    case 'no_answer':
      return msg('Not answered');
    case 'busy':
      return msg('The colleague was busy');
    case 'rejected':
      return msg('The colleague rejected it');
    case 'park_timeout':
      return msg('Parked too long');
  }
}

/**
 * The ringing-in card: caller name and number (plain text: they come from the SIP From /
 * P-Asserted-Identity headers and may be hostile), Answer and Reject. Emits `sentral-answer`
 * and `sentral-reject`.
 *
 * As a waiting call (a second call while one is up) it says so, and its answer button reads
 * "Answer and hold" when answering will hold the call that talks now.
 *
 * A recall (a transfer nobody took, coming back from the core) is labelled "Recall" with the
 * reason in words, and a ↩ mark, so it does not pass for a new caller.
 */
@localized()
@customElement('sentral-incoming-call')
export class SentralIncomingCall extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .card {
        border: 2px solid var(--sentral-accent, #1f5fbf);
        border-radius: var(--sentral-radius, 10px);
        padding: 1rem;
        background: var(--sentral-surface, #fff);
      }
      .label {
        margin: 0;
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--sentral-accent, #1f5fbf);
      }
      .name {
        margin: 0.35rem 0 0;
        font-size: 1.35rem;
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .number {
        margin: 0.15rem 0 0;
        color: var(--sentral-text-muted, #556070);
        font-variant-numeric: tabular-nums;
        overflow-wrap: anywhere;
      }
      .recall {
        display: inline-block;
        margin: 0.35rem 0 0;
        padding: 0.1rem 0.5rem;
        border-radius: 999px;
        font-size: 0.85rem;
        font-weight: 600;
        background: var(--sentral-warning-surface, #fff3cd);
        color: var(--sentral-warning-text, #5c4400);
      }
      .actions {
        display: flex;
        gap: 0.6rem;
        margin-top: 1rem;
      }
      .actions button {
        flex: 1;
      }
    `,
  ];

  @property() displayName = '';
  @property() number = '';
  /** A second call, ringing while another line is up. */
  @property({ type: Boolean }) waiting = false;
  /** Answering holds the line that talks now. */
  @property({ type: Boolean }) answerHolds = false;
  /** The core brings this call back to us (a transfer nobody took), and why. */
  @property({ attribute: false }) recall: RecallReason | null = null;

  override render() {
    const name = this.displayName || this.number || msg('Unknown caller');
    const label = this.waiting ? msg('Call waiting') : msg('Incoming call');
    return html`<div
      class="card"
      data-testid=${this.waiting ? 'waiting-call' : 'incoming-call'}
      role="group"
      aria-label=${label}
    >
      <p class="label">${label}</p>
      <p class="name" data-testid="caller-name">${name}</p>
      <p class="number" data-testid="caller-number">${this.number}</p>
      ${
        this.recall
          ? html`<p class="recall" data-testid="recall" data-reason=${this.recall}>
              <span aria-hidden="true">↩</span> ${msg('Recall:')} ${recallText(this.recall)}
            </p>`
          : nothing
      }
      <div class="actions">
        <button type="button" class="ok" data-testid="answer" @click=${this.answer}>
          ${this.answerHolds ? msg('Answer and hold') : msg('Answer')}
        </button>
        <button type="button" class="danger" data-testid="reject" @click=${this.reject}>
          ${msg('Reject')}
        </button>
      </div>
    </div>`;
  }

  /** Puts the keyboard focus on Answer (the call was brought to the front by a notification). */
  focusAnswer(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid=answer]')?.focus();
  }

  private answer(): void {
    this.dispatchEvent(new Event('sentral-answer', { bubbles: true, composed: true }));
  }

  private reject(): void {
    this.dispatchEvent(new Event('sentral-reject', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-incoming-call': SentralIncomingCall;
  }
  interface HTMLElementEventMap {
    'sentral-answer': Event;
    'sentral-reject': Event;
  }
}
