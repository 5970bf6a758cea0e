import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { LinesModel } from '../store/lines-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import type { MyCall } from '../store/switchboard-state.js';
import { linesModelContext } from './contexts.js';
import { withViewMessages } from './i18n.js';
import { LazyViewController, type ViewLoader } from './lazy-view-controller.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import './sentral-call-actions.js';
import './sentral-caller-card.js';
import './sentral-parked-calls.js';
import './sentral-queue-panel.js';

type SwitchboardPart = 'messageForm';

/**
 * The message form (and its templates) is fetched when first opened: it is not needed to take
 * calls, and the switchboard route has a size budget (docs/benchmarks.md).
 */
export const SWITCHBOARD_LOADERS: Readonly<Record<SwitchboardPart, ViewLoader>> = {
  messageForm: withViewMessages(() => import('./sentral-message-form.js')),
};

/**
 * The operators' switchboard: the merged queue of waiting callers and the operator's queue
 * states on one side; what to do with the current call and the shared parked list on the
 * other, with the caller card of the call the operator is on, and a message to a colleague
 * (templates filled from that call; opened on demand). Each part reads the switchboard slice
 * by context.
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
    h2 button {
      all: inherit;
      margin: 0;
      cursor: pointer;
    }
    h2 button::before {
      content: '▸ ';
    }
    h2 button[aria-expanded='true']::before {
      content: '▾ ';
    }
    h2 button:focus-visible {
      outline: 3px solid var(--sentral-focus, #2f6fde);
      outline-offset: 2px;
    }
    .view-loading,
    .view-failed {
      margin: 0.5rem 0;
      color: var(--sentral-text-muted);
    }
    .view-failed {
      color: var(--sentral-danger, #b3261e);
    }
  `;

  /** Where the on-demand parts come from (element tests pass failing ones). */
  @property({ attribute: false }) loaders: Readonly<Record<SwitchboardPart, ViewLoader>> =
    SWITCHBOARD_LOADERS;

  private readonly parts = new LazyViewController<SwitchboardPart>(this, () => this.loaders);

  /** The message form is shown (loaded the first time). */
  @state() private messageOpen = false;

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
          <h2 id="message-heading">
            <button
              type="button"
              data-testid="message-open"
              aria-expanded=${this.messageOpen ? 'true' : 'false'}
              aria-controls="message-panel"
              @click=${() => (this.messageOpen = !this.messageOpen)}
            >
              ${msg('Message a colleague')}
            </button>
          </h2>
          <div id="message-panel">
            ${
              this.messageOpen
                ? this.parts.render(
                    'messageForm',
                    msg('the message form'),
                    () =>
                      html`<sentral-message-form
                        .callerNumber=${call && !call.callerUserId ? call.number : ''}
                        .callerName=${call && !call.callerUserId ? call.name : null}
                      ></sentral-message-form>`,
                  )
                : nothing
            }
          </div>
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
