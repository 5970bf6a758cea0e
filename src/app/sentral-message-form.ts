import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import type { SessionModel } from '../store/session-model.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext, sessionModelContext } from './contexts.js';
import { dateTimeFormat } from './i18n.js';
import { presentedNumberText } from './format.js';
import { fillTemplate, messageTemplates } from './message-templates.js';
import { select } from './observable-controller.js';
import { formatPhoneNumber, phoneFormatVersion$ } from './phone-number.js';
import { controls } from './theme.js';

type Person = CommandResult<'directory.list'>['people'][number];

/**
 * "Message a colleague" for operators (issue 4): pick a colleague, start from a template filled
 * from the call on hand ("Per Hansen called at 14:05. Please call back on 900 11 222."), edit,
 * and send to their phones as SIP MESSAGE and, if wanted, to their mobile as SMS from a number
 * the operator may show. The text is plain text all the way.
 */
@localized()
@customElement('sentral-message-form')
export class SentralMessageForm extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      label {
        display: flex;
        flex-direction: column;
        font-size: 0.85rem;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        align-items: end;
      }
      label.check {
        flex-direction: row;
        gap: 0.3rem;
        align-items: center;
      }
      textarea {
        min-height: 4.5rem;
        font: inherit;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
      [role='status'] {
        color: var(--sentral-ok, #1d7a3e);
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  /** The caller on hand (their number and name fill the templates); empty when none. */
  @property() callerNumber = '';
  @property() callerName: string | null = null;

  private readonly user = select(this, () => this.sessionModel?.user$, null);
  /** Renders again once foreign numbers can be formatted (libphonenumber-js loaded). */
  private readonly phoneFormats = select(this, () => phoneFormatVersion$, 0);

  @state() private people: Person[] = [];
  @state() private text = '';
  @state() private note = '';
  @state() private error = '';
  @state() private sending = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPeople();
  }

  override render() {
    const numbers = this.user.value?.presentableNumbers ?? [];
    return html`<form data-testid="message-form" @submit=${this.send}>
      <div class="row">
        <label
          >${msg('To')}
          <input
            name="to"
            list="message-people"
            required
            autocomplete="off"
            placeholder=${msg('Name or number')}
            data-testid="message-to"
          />
          <datalist id="message-people">
            ${this.people.map(
              (p) => html`<option value=${p.extension || p.username}>${p.displayName}</option>`,
            )}
          </datalist>
        </label>
        <label
          >${msg('Template')}
          <select data-testid="message-template" @change=${this.useTemplate}>
            <option value="">${msg('Choose…')}</option>
            ${messageTemplates().map((t) => html`<option value=${t.id}>${t.label}</option>`)}
          </select>
        </label>
      </div>
      <label
        >${msg('Message')}
        <textarea
          name="text"
          required
          maxlength="1000"
          data-testid="message-text"
          .value=${this.text}
          @input=${(e: InputEvent) => (this.text = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </label>
      <div class="row">
        <label class="check"
          ><input type="checkbox" name="sms" data-testid="message-sms" />
          ${msg('Also as SMS to their mobile')}</label
        >
        ${
          numbers.length > 0
            ? html`<label
                >${msg('SMS from')}
                <select name="from" data-testid="message-from">
                  ${numbers.map(
                    (n) =>
                      html`<option value=${n.number}>
                        ${presentedNumberText(n.kind)} · ${formatPhoneNumber(n.number)}
                      </option>`,
                  )}
                </select></label
              >`
            : nothing
        }
        <button class="primary" type="submit" ?disabled=${this.sending} data-testid="message-send">
          ${msg('Send')}
        </button>
      </div>
      ${this.note ? html`<p role="status" data-testid="message-note">${this.note}</p>` : nothing}
      ${this.error ? html`<p role="alert" data-testid="message-error">${this.error}</p>` : nothing}
    </form>`;
  }

  private async loadPeople(): Promise<void> {
    try {
      this.people = (await this.api?.call('directory.list', {}))?.people ?? [];
    } catch {
      // The list only helps typing; names and numbers typed by hand still work.
    }
  }

  private readonly useTemplate = (e: Event): void => {
    const template = messageTemplates().find((t) => t.id === (e.target as HTMLSelectElement).value);
    if (!template) return;
    const number = this.callerNumber ? formatPhoneNumber(this.callerNumber) : '…';
    this.text = fillTemplate(template, {
      caller: this.callerName || (this.callerNumber ? number : msg('Someone')),
      number,
      time: dateTimeFormat({ hour: '2-digit', minute: '2-digit' }).format(new Date()),
    });
  };

  private readonly send = (e: Event): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const sms = data.get('sms') !== null;
    const from = data.get('from');
    const params = {
      to: String(data.get('to') ?? '').trim(),
      text: this.text,
      ...(sms ? { sms: true } : {}),
      ...(sms && typeof from === 'string' ? { from } : {}),
    };
    this.sending = true;
    this.note = '';
    this.error = '';
    void (async () => {
      try {
        const r = await this.api?.call('message.send', params);
        if (!r) return;
        this.note = sentText(r.delivered, r.sms);
        this.text = '';
        form.reset();
      } catch (error) {
        this.error = commandErrorText(error);
      } finally {
        this.sending = false;
      }
    })();
  };
}

/** Where a message went, as one whole sentence per case (word order differs by language). */
function sentText(delivered: number, sms: boolean): string {
  if (delivered === 1) {
    return sms ? msg('Message sent to 1 phone and as SMS.') : msg('Message sent to 1 phone.');
  }
  if (delivered > 1) {
    return sms
      ? msg(str`Message sent to ${delivered} phones and as SMS.`)
      : msg(str`Message sent to ${delivered} phones.`);
  }
  return sms ? msg('Message sent as SMS.') : msg('Message sent.');
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-message-form': SentralMessageForm;
  }
}
