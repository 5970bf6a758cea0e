import { localized, msg } from '@lit/localize';
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { DTMF_DIGITS } from '../sip/dtmf.js';
import { keyTestId } from './format.js';
import { controls } from './theme.js';

const LETTERS: Readonly<Record<string, string>> = {
  '2': 'ABC',
  '3': 'DEF',
  '4': 'GHI',
  '5': 'JKL',
  '6': 'MNO',
  '7': 'PQRS',
  '8': 'TUV',
  '9': 'WXYZ',
  '0': '+',
};

export interface DigitDetail {
  readonly digit: string;
}

/**
 * A 12-key telephone keypad. Emits `sentral-digit` (bubbling, composed) with the digit pressed.
 * `purpose` sets the test ids of its keys: `dial-1` … or `dtmf-1` …, `dtmf-star`, `dtmf-hash`.
 */
@localized()
@customElement('sentral-dialpad')
export class SentralDialpad extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .keys {
        display: grid;
        grid-template-columns: repeat(3, 1fr);
        gap: 0.5rem;
      }
      button {
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        min-height: 3.1rem;
        padding: 0.3rem;
        border-radius: var(--sentral-radius, 10px);
        background: var(--sentral-surface-2, #f8f9fb);
      }
      .digit {
        font-size: 1.3rem;
        line-height: 1.1;
        font-variant-numeric: tabular-nums;
      }
      .letters {
        font-size: 0.65rem;
        letter-spacing: 0.08em;
        color: var(--sentral-text-muted, #556070);
        min-height: 0.8rem;
      }
    `,
  ];

  /** Prefix of the keys' `data-testid`s. */
  @property() purpose: 'dial' | 'dtmf' = 'dial';

  @property({ type: Boolean, reflect: true }) disabled = false;

  override render() {
    return html`<div
      class="keys"
      role="group"
      aria-label=${this.purpose === 'dtmf' ? msg('DTMF keypad') : msg('Dial pad')}
    >
      ${DTMF_DIGITS.map(
        (digit) =>
          html`<button
            type="button"
            data-testid=${keyTestId(this.purpose, digit)}
            ?disabled=${this.disabled}
            @click=${() => this.press(digit)}
          >
            <span class="digit">${digit}</span>
            <span class="letters" aria-hidden="true">${LETTERS[digit] ?? ''}</span>
          </button>`,
      )}
    </div>`;
  }

  private press(digit: string): void {
    this.dispatchEvent(
      new CustomEvent<DigitDetail>('sentral-digit', {
        detail: { digit },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-dialpad': SentralDialpad;
  }
  interface HTMLElementEventMap {
    'sentral-digit': CustomEvent<DigitDetail>;
  }
}
