import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { LinesModel } from '../store/lines-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import type { MyCall } from '../store/switchboard-state.js';
import { linesModelContext } from './contexts.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import './sentral-call-actions.js';
import './sentral-caller-card.js';
import './sentral-message-form.js';
import './sentral-parked-calls.js';
import './sentral-queue-panel.js';

/**
 * The operators' switchboard: the merged queue of waiting callers and the operator's queue
 * states on one side; what to do with the current call and the shared parked list on the
 * other, with the caller card of the call the operator is on, and a message to a colleague
 * (templates filled from that call). Each part reads the switchboard slice by context.
 */
@localized()
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
    h2 {
      font-size: 1rem;
      margin: 0 0 0.5rem;
    }
  `;

  @consume({ context: switchboardModelContext, subscribe: true })
  switchboard?: SwitchboardModel;

  /** The phone's line in front: a call for an absent colleague says whom it was for. */
  @consume({ context: linesModelContext, subscribe: true })
  lines?: LinesModel;

  private readonly myCall = select<MyCall | null>(this, () => this.switchboard?.myCall$, null);
  private readonly active = select(this, () => this.lines?.active$, null);

  override render() {
    const call = this.myCall.value;
    return html`
      <sentral-queue-panel></sentral-queue-panel>
      <div class="side">
        ${
          call && !call.callerUserId
            ? html`<sentral-caller-card
                data-testid="caller-card"
                .number=${call.number}
                .name=${call.name}
                .absentFor=${this.active.value?.direction === 'inbound' ? this.active.value.absentFor : null}
              ></sentral-caller-card>`
            : nothing
        }
        <sentral-call-actions></sentral-call-actions>
        <sentral-parked-calls></sentral-parked-calls>
        <section aria-labelledby="message-heading">
          <h2 id="message-heading">${msg('Message a colleague')}</h2>
          <sentral-message-form
            .callerNumber=${call && !call.callerUserId ? call.number : ''}
            .callerName=${call && !call.callerUserId ? call.name : null}
          ></sentral-message-form>
        </section>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-switchboard': SentralSwitchboard;
  }
}
