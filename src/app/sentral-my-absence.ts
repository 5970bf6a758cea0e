import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ApiClient } from '../store/api-client.js';
import {
  absenceInForce,
  currentAbsence,
  initialPresence,
  presenceModelFor,
} from '../store/presence-model.js';
import type { SessionModel } from '../store/session-model.js';
import { absenceSummary, loadAbsenceForm } from './absence-text.js';
import { apiClientContext, sessionModelContext } from './contexts.js';
import { select } from './observable-controller.js';
import { controls, statusLine } from './theme.js';

/**
 * The signed-in person's own absence in the phone view: one line saying whether they are marked
 * absent (reason, when back), and a button that opens the absence form below it.
 */
@localized()
@customElement('sentral-my-absence')
export class SentralMyAbsence extends LitElement {
  static override styles = [
    controls,
    statusLine,
    css`
      sentral-absence-form {
        margin-top: 0.75rem;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  private readonly user = select(this, () => this.sessionModel?.user$, null);
  private readonly presence = select(
    this,
    () =>
      this.api && this.sessionModel
        ? presenceModelFor(this.api, this.sessionModel).state$
        : undefined,
    initialPresence,
  );

  @state() private open = false;

  override render() {
    const user = this.user.value;
    if (!user || !this.api || user.role === 'board') return nothing;
    const now = Date.now();
    const inForce = absenceInForce(this.presence.value, user.id, now);
    return html`<div class="line">
        <p data-testid="my-absence">
          ${inForce ? msg(str`Absent: ${absenceSummary(inForce, now)}`) : msg('Not marked absent')}
        </p>
        <button
          type="button"
          data-testid="my-absence-button"
          aria-expanded=${this.open ? 'true' : 'false'}
          aria-controls="my-absence-form"
          @click=${this.toggle}
        >
          ${inForce ? msg('Change absence…') : msg('Set absence…')}
        </button>
      </div>
      ${
        this.open
          ? html`<sentral-absence-form
              id="my-absence-form"
              .absence=${currentAbsence(this.presence.value, user.id, now)}
              @absence-saved=${this.close}
              @absence-cleared=${this.close}
              @absence-cancel=${this.close}
            ></sentral-absence-form>`
          : nothing
      }`;
  }

  private readonly toggle = async (): Promise<void> => {
    if (!this.open) await loadAbsenceForm();
    this.open = !this.open;
  };

  private readonly close = async (): Promise<void> => {
    this.open = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-testid=my-absence-button]')?.focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-my-absence': SentralMyAbsence;
  }
}
