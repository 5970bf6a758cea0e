import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import './sentral-call-actions.js';
import './sentral-parked-calls.js';
import './sentral-queue-panel.js';

/**
 * The operators' switchboard: the merged queue of waiting callers and the operator's queue
 * states on one side; what to do with the current call and the shared parked list on the
 * other. Each part reads the switchboard slice by context.
 */
@customElement('sentral-switchboard')
export class SentralSwitchboard extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: minmax(18rem, 3fr) minmax(16rem, 2fr);
      gap: 1.25rem;
      align-items: start;
    }
    @media (max-width: 900px) {
      :host {
        grid-template-columns: 1fr;
      }
    }
    .side {
      display: flex;
      flex-direction: column;
      gap: 1.25rem;
    }
  `;

  override render() {
    return html`
      <sentral-queue-panel></sentral-queue-panel>
      <div class="side">
        <sentral-call-actions></sentral-call-actions>
        <sentral-parked-calls></sentral-parked-calls>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-switchboard': SentralSwitchboard;
  }
}
