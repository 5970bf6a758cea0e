import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ApiClient } from '../store/api-client.js';
import { ApiCallError } from '../store/api-error.js';
import type { ForwardingSettings } from '../shared/protocol.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { controls } from './theme.js';

/** The ring times the server accepts (`forwarding.set`). */
const RING_TIME_MIN_S = 5;
const RING_TIME_MAX_S = 120;

/**
 * The forwarding form that `<sentral-forwarding-settings>` opens (fetched then: it is not needed
 * to take calls): each forward on or off with its number, and the ring time. Refusals from the
 * server are shown beside the field they concern. Says `forwarding-saved` (the settings the
 * server now has) or `forwarding-cancel`; the summary closes it.
 */
@localized()
@customElement('sentral-forwarding-editor')
export class SentralForwardingEditor extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      form {
        margin-top: 0.75rem;
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
        margin: 0;
        padding: 0.5rem 0.75rem 0.75rem;
        display: flex;
        flex-direction: column;
        gap: 0.35rem;
      }
      legend,
      label {
        font-size: 0.85rem;
        font-weight: 600;
      }
      .choice {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        font-weight: 400;
        font-size: 0.9rem;
      }
      [aria-invalid='true'] {
        border-color: var(--sentral-danger, #b3261e);
      }
      .error {
        color: var(--sentral-danger, #b3261e);
        margin: 0;
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  /** Whose forwarding: a colleague's (admins), or the signed-in person's when unset. */
  @property() userId: string | undefined;

  /** What the server has; the form starts from it. */
  @property({ attribute: false }) settings: ForwardingSettings | null = null;

  /** The form's values (from `settings`; nothing is shown without them). */
  @state() private draft: ForwardingSettings | null = null;
  @state() private error: { field: 'busy' | 'noAnswer' | 'ringTime' | null; text: string } | null =
    null;
  @state() private busy = false;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('settings') && this.settings) {
      this.draft = { ...this.settings };
      this.error = null;
    }
  }

  override render() {
    const d = this.draft;
    if (!d) return nothing;
    const err = this.error;
    const invalid = (field: 'busy' | 'noAnswer' | 'ringTime') =>
      err?.field === field ? 'true' : 'false';
    return html`<form aria-label=${msg('Call forwarding')} novalidate @submit=${this.save}>
      <fieldset>
        <legend>${msg('When you are busy')}</legend>
        <label class="choice">
          <input
            type="checkbox"
            data-testid="forwarding-busy-enabled"
            .checked=${d.busyEnabled}
            @change=${(e: Event) => this.edit({ busyEnabled: checked(e) })}
          />
          ${msg('Forward calls when busy or declined')}
        </label>
        <label for="forwarding-busy-number">${msg('Forward to number')}</label>
        <input
          id="forwarding-busy-number"
          data-testid="forwarding-busy-number"
          inputmode="tel"
          autocomplete="off"
          maxlength="32"
          aria-invalid=${invalid('busy')}
          aria-describedby=${err?.field === 'busy' ? 'forwarding-error' : nothing}
          .value=${d.busyNumber ?? ''}
          @input=${(e: Event) => this.edit({ busyNumber: text(e) })}
        />
      </fieldset>
      <fieldset>
        <legend>${msg('When you do not answer')}</legend>
        <label class="choice">
          <input
            type="checkbox"
            data-testid="forwarding-no-answer-enabled"
            .checked=${d.noAnswerEnabled}
            @change=${(e: Event) => this.edit({ noAnswerEnabled: checked(e) })}
          />
          ${msg('Forward unanswered calls')}
        </label>
        <label for="forwarding-no-answer-number">${msg('Forward to number')}</label>
        <input
          id="forwarding-no-answer-number"
          data-testid="forwarding-no-answer-number"
          inputmode="tel"
          autocomplete="off"
          maxlength="32"
          aria-invalid=${invalid('noAnswer')}
          aria-describedby=${err?.field === 'noAnswer' ? 'forwarding-error' : nothing}
          .value=${d.noAnswerNumber ?? ''}
          @input=${(e: Event) => this.edit({ noAnswerNumber: text(e) })}
        />
        <label for="forwarding-ring-time"
          >${msg(str`Ring for (seconds, ${RING_TIME_MIN_S}–${RING_TIME_MAX_S})`)}</label
        >
        <input
          id="forwarding-ring-time"
          data-testid="forwarding-ring-time"
          type="number"
          min=${RING_TIME_MIN_S}
          max=${RING_TIME_MAX_S}
          step="1"
          aria-invalid=${invalid('ringTime')}
          aria-describedby=${err?.field === 'ringTime' ? 'forwarding-error' : nothing}
          .value=${String(d.ringTimeS)}
          @input=${(e: Event) => this.edit({ ringTimeS: Number(text(e) ?? '') })}
        />
      </fieldset>
      ${
        err
          ? html`<p id="forwarding-error" class="error" role="alert" data-testid="forwarding-error">
              ${err.text}
            </p>`
          : nothing
      }
      <div class="actions">
        <button type="submit" data-testid="forwarding-save" ?disabled=${this.busy}>
          ${msg('Save')}
        </button>
        <button type="button" data-testid="forwarding-cancel" @click=${this.cancel}>
          ${msg('Cancel')}
        </button>
      </div>
    </form>`;
  }

  private edit(change: Partial<ForwardingSettings>): void {
    if (this.draft) this.draft = { ...this.draft, ...change };
  }

  private readonly save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const d = this.draft;
    if (!d || !this.api || this.busy) return;
    if (
      !Number.isInteger(d.ringTimeS) ||
      d.ringTimeS < RING_TIME_MIN_S ||
      d.ringTimeS > RING_TIME_MAX_S
    ) {
      this.error = { field: 'ringTime', text: ringTimeText() };
      return;
    }
    this.busy = true;
    try {
      const { forwarding } = await this.api.call(
        'forwarding.set',
        this.userId ? { ...d, userId: this.userId } : d,
      );
      this.dispatchEvent(
        new CustomEvent<ForwardingSettings>('forwarding-saved', {
          detail: forwarding,
          bubbles: true,
        }),
      );
    } catch (error) {
      this.error = errorFor(error, d);
    } finally {
      this.busy = false;
    }
  };

  private readonly cancel = (): void => {
    this.dispatchEvent(new CustomEvent('forwarding-cancel', { bubbles: true }));
  };
}

function ringTimeText(): string {
  return msg(str`Ring time must be ${RING_TIME_MIN_S}–${RING_TIME_MAX_S} whole seconds.`);
}

/** The refusal as a sentence, tied to the field it concerns. */
function errorFor(
  error: unknown,
  d: ForwardingSettings,
): { field: 'busy' | 'noAnswer' | 'ringTime' | null; text: string } {
  if (error instanceof ApiCallError && error.code === 'ring_time_out_of_range')
    return { field: 'ringTime', text: ringTimeText() };
  if (error instanceof ApiCallError && error.code === 'invalid_number') {
    // The server names the field first (`busyNumber: …`).
    const field = error.message.startsWith('noAnswerNumber')
      ? 'noAnswer'
      : error.message.startsWith('busyNumber')
        ? 'busy'
        : d.busyEnabled
          ? 'busy'
          : 'noAnswer';
    return {
      field,
      text: msg(
        'That number cannot take calls: give an extension, a queue number or a phone number.',
      ),
    };
  }
  return { field: null, text: commandErrorText(error) };
}

function checked(e: Event): boolean {
  return (e.target as HTMLInputElement).checked;
}

function text(e: Event): string | null {
  const value = (e.target as HTMLInputElement).value.trim();
  return value === '' ? null : value;
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-forwarding-editor': SentralForwardingEditor;
  }
}
