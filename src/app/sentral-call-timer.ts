import { localized, msg } from '@lit/localize';
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ClockController } from './clock-controller.js';
import { formatDuration } from './format.js';

/** Time since `since` (epoch ms) as `mm:ss`, ticking every second. */
@localized()
@customElement('sentral-call-timer')
export class SentralCallTimer extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      font-variant-numeric: tabular-nums;
    }
  `;

  @property({ type: Number }) since = Date.now();

  private readonly clock = new ClockController(this);

  override willUpdate(): void {
    this.clock.now = Date.now();
  }

  override render() {
    return html`<span data-testid="call-timer" role="timer" aria-label=${msg('Call duration')}
      >${formatDuration(this.clock.now - this.since)}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-call-timer': SentralCallTimer;
  }
}
