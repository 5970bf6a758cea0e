import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandParams } from '../shared/protocol.js';
import type { AbsenceInfo } from '../shared/switchboard.js';
import type { ApiClient } from '../store/api-client.js';
import { ApiCallError } from '../store/api-error.js';
import { ABSENCE_REASONS, absenceReasonText } from './absence-text.js';
import type { AbsenceReason, CallHandling } from './absence-text.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { controls } from './theme.js';

/** The longest message the core keeps. */
export const MESSAGE_MAX = 200;

const HANDLING_CHOICES: readonly CallHandling[] = ['switchboard', 'forward', 'ring'];

/** A call-handling choice in the form's words (at render time: the current language). */
function handlingChoiceText(handling: CallHandling): string {
  switch (handling) {
    case 'switchboard':
      return msg('Send calls to the switchboard queue');
    case 'forward':
      return msg('Forward calls to a number');
    case 'ring':
      return msg('Ring me anyway');
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms as the value of an `<input type="datetime-local">` (local time, minutes). */
export function toLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an `<input type="datetime-local">` as epoch ms; null when empty or not a time. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  return Number.isNaN(date.getTime()) ? null : date.getTime();
}

type Quick = 'hour' | 'rest-of-day' | 'tomorrow-morning' | 'open';

const QUICKS: readonly Quick[] = ['hour', 'rest-of-day', 'tomorrow-morning', 'open'];

function quickText(quick: Quick): string {
  switch (quick) {
    case 'hour':
      return msg('1 hour');
    case 'rest-of-day':
      return msg('Rest of the day');
    case 'tomorrow-morning':
      return msg('Tomorrow morning');
    case 'open':
      return msg('Until further notice');
  }
}

/** Where a quick choice puts "until", counted from the start of the absence. */
export function quickUntil(quick: Quick, start: number): number | null {
  const d = new Date(start);
  switch (quick) {
    case 'hour':
      return Math.ceil((start + 3600_000) / 60_000) * 60_000;
    case 'rest-of-day':
      return new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 59).getTime();
    case 'tomorrow-morning':
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 8, 0).getTime();
    case 'open':
      return null;
  }
}

interface FieldErrors {
  until?: string;
  forwardNumber?: string;
}

declare global {
  interface HTMLElementEventMap {
    /** The core accepted the absence (its view of it in `detail`). */
    'absence-saved': CustomEvent<AbsenceInfo>;
    /** The absence was cleared. */
    'absence-cleared': CustomEvent<undefined>;
    /** The user closed the form without saving. */
    'absence-cancel': CustomEvent<undefined>;
  }
}

/**
 * Sets or clears an absence (fravær, issue 4) — your own, or (operators) a colleague's when
 * `userId` is given: the reason, from (now unless changed) and until (date and time, or a quick
 * choice; empty is until further notice), a short message (at most 200 characters, counted), and
 * what happens to calls meanwhile (switchboard queue, forward to a number, ring anyway). The core
 * validates the forward number; its answer is shown at the field, and what was typed stays.
 */
@localized()
@customElement('sentral-absence-form')
export class SentralAbsenceForm extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
      }
      label,
      legend {
        font-size: 0.85rem;
        font-weight: 600;
      }
      select,
      textarea {
        font: inherit;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
        padding: 0.45rem 0.6rem;
        background: var(--sentral-surface, #fff);
        color: var(--sentral-text, #1c2230);
      }
      select {
        min-height: 2.5rem;
      }
      textarea {
        min-height: 3.5rem;
        resize: vertical;
      }
      select:focus-visible,
      textarea:focus-visible {
        outline: 3px solid var(--sentral-focus, #2f6fde);
        outline-offset: 2px;
      }
      [aria-invalid='true'] {
        border-color: var(--sentral-danger, #b3261e);
      }
      .quick {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
      }
      .quick button {
        min-height: 2rem;
        padding: 0.25rem 0.6rem;
        font-size: 0.85rem;
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
      .choice {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        font-weight: 400;
        font-size: 0.9rem;
      }
      .choice input {
        min-height: auto;
      }
      .hint,
      .count {
        margin: 0;
        font-size: 0.8rem;
        color: var(--sentral-text-muted, #556070);
      }
      .error {
        margin: 0;
        font-size: 0.85rem;
        color: var(--sentral-danger, #b3261e);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      .status {
        margin: 0;
        font-size: 0.9rem;
      }
    `,
  ];

  /** Whose absence: a colleague's id (operators), or null for your own. */
  @property({ attribute: false }) userId: string | null = null;
  /** The person's name, for the form's label (text, never HTML). */
  @property() personName = '';
  /** Their current or next absence, to start from; null when none (no Clear then). */
  @property({ attribute: false }) absence: AbsenceInfo | null = null;
  /** The clock (tests set it). */
  @property({ attribute: false }) now: () => number = Date.now;

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private reason: AbsenceReason = 'meeting';
  @state() private from = '';
  @state() private until = '';
  @state() private message = '';
  @state() private handling: CallHandling = 'switchboard';
  @state() private forwardNumber = '';
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private status = '';
  @state() private busy = false;

  /** Whose form was filled in last (a new person starts afresh; an update does not overwrite). */
  private filledFor: string | null | undefined = undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('userId') || this.filledFor === undefined) {
      if (this.filledFor !== this.userId) this.fill();
    }
  }

  private fill(): void {
    this.filledFor = this.userId;
    const a = this.absence;
    const now = this.now();
    this.reason = a?.reason ?? 'meeting';
    this.from = toLocalInput(a && a.from > now ? a.from : now);
    this.until = a?.until != null ? toLocalInput(a.until) : '';
    this.message = a?.message ?? '';
    this.handling = a?.callHandling ?? 'switchboard';
    this.forwardNumber = a?.forwardNumber ?? '';
    this.errors = {};
    this.formError = '';
    this.status = '';
  }

  override render() {
    const name = this.personName;
    const label = name ? msg(str`Absence for ${name}`) : msg('Your absence');
    const e = this.errors;
    return html`<form aria-label=${label} novalidate @submit=${this.onSubmit}>
      <div class="field">
        <label for="reason">${msg('Reason')}</label>
        <select
          id="reason"
          data-testid="absence-reason"
          .value=${this.reason}
          @change=${(ev: Event) =>
            (this.reason = (ev.target as HTMLSelectElement).value as AbsenceReason)}
        >
          ${ABSENCE_REASONS.map(
            (r) =>
              html`<option value=${r} ?selected=${r === this.reason}>
                ${absenceReasonText(r)}
              </option>`,
          )}
        </select>
      </div>
      <div class="field">
        <label for="from">${msg('From')}</label>
        <input
          id="from"
          type="datetime-local"
          data-testid="absence-from"
          .value=${this.from}
          @input=${(ev: Event) => (this.from = (ev.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="until">${msg('Until')}</label>
        <input
          id="until"
          type="datetime-local"
          data-testid="absence-until"
          aria-describedby=${e.until ? 'until-hint until-error' : 'until-hint'}
          aria-invalid=${e.until ? 'true' : 'false'}
          .value=${this.until}
          @input=${(ev: Event) => {
            this.until = (ev.target as HTMLInputElement).value;
            this.errors = { ...this.errors, until: undefined };
          }}
        />
        <p class="hint" id="until-hint">${msg('Leave empty for until further notice.')}</p>
        <div class="quick" role="group" aria-label=${msg('Quick choices for until')}>
          ${QUICKS.map(
            (q) =>
              html`<button
                type="button"
                data-testid=${`absence-quick-${q}`}
                @click=${() => this.pickQuick(q)}
              >
                ${quickText(q)}
              </button>`,
          )}
        </div>
        ${
          e.until
            ? html`<p class="error" id="until-error" data-testid="absence-until-error">
                ${e.until}
              </p>`
            : nothing
        }
      </div>
      <div class="field">
        <label for="message">${msg('Message')}</label>
        <textarea
          id="message"
          data-testid="absence-message"
          maxlength=${MESSAGE_MAX}
          aria-describedby="message-count"
          .value=${this.message}
          @input=${(ev: Event) => (this.message = (ev.target as HTMLTextAreaElement).value)}
        ></textarea>
        <p class="count" id="message-count" data-testid="absence-count">
          ${msg(str`${this.message.length} of ${MESSAGE_MAX} characters`)}
        </p>
      </div>
      <fieldset>
        <legend>${msg('Calls meanwhile')}</legend>
        ${HANDLING_CHOICES.map(
          (value) =>
            html`<label class="choice">
              <input
                type="radio"
                name="handling"
                value=${value}
                data-testid=${`absence-handling-${value}`}
                .checked=${this.handling === value}
                @change=${() => this.pickHandling(value)}
              />
              ${handlingChoiceText(value)}
            </label>`,
        )}
        ${this.handling === 'forward' ? this.renderForward() : nothing}
      </fieldset>
      ${
        this.formError
          ? html`<p class="error" role="alert" data-testid="absence-error">${this.formError}</p>`
          : nothing
      }
      <div class="actions">
        <button type="submit" class="primary" data-testid="absence-save" ?disabled=${this.busy}>
          ${msg('Save absence')}
        </button>
        ${
          this.absence
            ? html`<button
                type="button"
                data-testid="absence-clear"
                ?disabled=${this.busy}
                @click=${this.onClear}
              >
                ${msg('Clear absence')}
              </button>`
            : nothing
        }
        <button type="button" data-testid="absence-cancel" @click=${this.onCancel}>
          ${msg('Cancel')}
        </button>
      </div>
      <p class="status" role="status" data-testid="absence-status">${this.status}</p>
    </form>`;
  }

  private renderForward() {
    const error = this.errors.forwardNumber;
    return html`<div class="field">
      <label for="forward">${msg('Forward to number')}</label>
      <input
        id="forward"
        type="tel"
        autocomplete="off"
        maxlength="32"
        data-testid="absence-forward"
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? 'forward-error' : nothing}
        .value=${this.forwardNumber}
        @input=${(ev: Event) => {
          this.forwardNumber = (ev.target as HTMLInputElement).value;
          this.errors = { ...this.errors, forwardNumber: undefined };
        }}
      />
      ${
        error
          ? html`<p class="error" id="forward-error" data-testid="absence-forward-error">
              ${error}
            </p>`
          : nothing
      }
    </div>`;
  }

  private pickQuick(quick: Quick): void {
    const start = Math.max(this.now(), fromLocalInput(this.from) ?? 0);
    const until = quickUntil(quick, start);
    this.until = until === null ? '' : toLocalInput(until);
    this.errors = { ...this.errors, until: undefined };
  }

  private pickHandling(handling: CallHandling): void {
    this.handling = handling;
    this.errors = { ...this.errors, forwardNumber: undefined };
  }

  /** What the form says, checked; null after marking the fields that are wrong. */
  private request(): CommandParams<'absence.set'> | null {
    const now = this.now();
    const errors: FieldErrors = {};
    const from = fromLocalInput(this.from);
    const start = from !== null && from > now ? from : now;
    let until: number | null = null;
    if (this.until.trim() !== '') {
      until = fromLocalInput(this.until);
      if (until === null) errors.until = msg('Enter a date and a time.');
      else if (until <= start)
        errors.until = msg('“Until” must be after the start of the absence.');
    }
    const number = this.forwardNumber.trim();
    if (this.handling === 'forward' && number === '') {
      errors.forwardNumber = msg('Enter the number to forward calls to.');
    }
    this.errors = errors;
    if (errors.until || errors.forwardNumber) {
      void this.focusField(errors.until ? 'until' : 'forward');
      return null;
    }
    const message = this.message.trim();
    return {
      ...(this.userId ? { userId: this.userId } : {}),
      reason: this.reason,
      ...(from !== null && from > now ? { from } : {}),
      until,
      message: message === '' ? null : message.slice(0, MESSAGE_MAX),
      callHandling: this.handling,
      forwardNumber: this.handling === 'forward' ? number : null,
    };
  }

  private async focusField(id: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${id}`)?.focus();
  }

  private readonly onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    this.formError = '';
    this.status = '';
    const params = this.request();
    if (!params || !this.api || this.busy) return;
    this.busy = true;
    try {
      const { absence } = await this.api.call('absence.set', params);
      this.status = msg('Absence saved.');
      this.dispatchEvent(new CustomEvent('absence-saved', { detail: absence, bubbles: true }));
    } catch (error) {
      this.showServerError(error);
    } finally {
      this.busy = false;
    }
  };

  /** The core's refusal, at the field it is about when it names one; what was typed stays. */
  private showServerError(error: unknown): void {
    const text = commandErrorText(error);
    const aboutField = error instanceof ApiCallError && error.code === 'bad_request';
    if (aboutField && this.handling === 'forward' && /number|forward/i.test(text)) {
      this.errors = { forwardNumber: text };
      void this.focusField('forward');
    } else if (aboutField && /until|end/i.test(text)) {
      this.errors = { until: text };
      void this.focusField('until');
    } else {
      this.formError = text;
    }
  }

  private readonly onClear = async (): Promise<void> => {
    if (!this.api || this.busy) return;
    this.formError = '';
    this.status = '';
    this.busy = true;
    try {
      await this.api.call('absence.clear', this.userId ? { userId: this.userId } : {});
      this.status = msg('Absence cleared.');
      this.dispatchEvent(new CustomEvent('absence-cleared', { bubbles: true }));
    } catch (error) {
      this.formError = commandErrorText(error);
    } finally {
      this.busy = false;
    }
  };

  private readonly onCancel = (): void => {
    this.dispatchEvent(new CustomEvent('absence-cancel', { bubbles: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-absence-form': SentralAbsenceForm;
  }
}
