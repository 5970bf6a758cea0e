import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import type { Consultation } from '../store/switchboard-state.js';
import { commandErrorText } from './command-error.js';
import { directoryModelContext } from './contexts.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import { controls } from './theme.js';

/** Why a consultation ended, as one sentence (`who`: the colleague consulted). */
function consultEndText(reason: Consultation['reason'], who: string): string {
  switch (reason) {
    case 'busy':
      return msg(str`${who} was busy — you are back with the caller.`);
    case 'rejected':
      return msg(str`${who} declined — you are back with the caller.`);
    case 'no_answer':
      return msg(str`${who} did not answer — you are back with the caller.`);
    case 'unavailable':
      return msg(str`${who} could not be reached — you are back with the caller.`);
    case 'cancelled':
      return msg('consultation cancelled — you are back with the caller.');
    default:
      return msg('consultation ended — you are back with the caller.');
  }
}

/**
 * What an operator does with the call they are on: transfer it blind (to a colleague, a queue
 * or an answer group number), consult a colleague first and then complete (attended, or
 * semi-attended while the colleague still rings), swap or cancel; or park it.
 *
 * The target box takes an extension, a number, or a colleague's name from the directory list.
 */
@localized()
@customElement('sentral-call-actions')
export class SentralCallActions extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      form,
      .consult {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      input {
        flex: 1 1 12rem;
        min-height: 2.5rem;
        padding: 0 0.6rem;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
      }
      .consult {
        margin-top: 0.6rem;
        padding: 0.6rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: var(--sentral-surface-2, #f8f9fb);
      }
      .status {
        flex: 1 1 100%;
        font-weight: 600;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
      [role='status'].note {
        color: var(--sentral-text-muted, #556070);
      }
    `,
  ];

  @consume({ context: switchboardModelContext, subscribe: true })
  switchboard?: SwitchboardModel;

  @consume({ context: directoryModelContext, subscribe: true })
  directory?: DirectoryModel;

  private readonly consultation = select<Consultation | null>(
    this,
    () => this.switchboard?.consultation$,
    null,
  );

  private readonly people = select<readonly DirectoryEntry[]>(
    this,
    () => this.directory?.people$,
    [],
  );

  @state() private target = '';
  @state() private error = '';
  @state() private note = '';
  @state() private busy = false;
  private readonly consultationEnded = select<Consultation | null>(
    this,
    () => this.switchboard?.consultationEnded$,
    null,
  );

  override render() {
    const c = this.consultation.value;
    return html`
      <h2>${msg('Call')}</h2>
      <form
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.transfer();
        }}
      >
        <label for="target" class="visually-hidden">${msg('Transfer to')}</label>
        <input
          id="target"
          data-testid="transfer-target"
          list="people"
          placeholder=${msg('Transfer to: name, extension, number or queue')}
          autocomplete="off"
          .value=${this.target}
          @input=${(e: Event) => (this.target = (e.target as HTMLInputElement).value)}
        />
        <datalist id="people">
          ${this.people.value.map(
            (p) => html`<option value=${p.extension}>${p.displayName}</option>`,
          )}
        </datalist>
        <button
          class="primary"
          type="submit"
          data-testid="transfer-blind"
          ?disabled=${this.busy || !!c}
        >
          ${msg('Transfer')}
        </button>
        <button
          type="button"
          data-testid="consult"
          ?disabled=${this.busy || !!c}
          @click=${() => this.consult()}
        >
          ${msg('Consult')}
        </button>
        <button
          type="button"
          data-testid="park"
          ?disabled=${this.busy || !!c}
          @click=${() => this.park()}
        >
          ${msg('Park')}
        </button>
      </form>
      ${c ? this.renderConsultation(c) : nothing}
      ${!c && this.consultationEnded.value ? this.renderEnded(this.consultationEnded.value) : nothing}
      ${this.note ? html`<p role="status" class="note" data-testid="call-note">${this.note}</p>` : nothing}
      ${this.error ? html`<p role="alert" data-testid="call-error">${this.error}</p>` : nothing}
    `;
  }

  private renderConsultation(c: Consultation) {
    const who = c.target.name || c.target.extension;
    const status =
      c.state === 'ringing'
        ? msg(str`Calling ${who}… (the caller is on hold)`)
        : c.talkingTo === 'target'
          ? msg(str`Talking to ${who} (the caller is on hold)`)
          : msg(str`Talking to the caller (${who} is on hold)`);
    return html`<div
      class="consult"
      data-testid="consultation"
      data-state=${c.state}
      data-talking-to=${c.talkingTo}
    >
      <span class="status" role="status">${status}</span>
      <button
        class="ok"
        data-testid="consult-complete"
        ?disabled=${this.busy}
        @click=${() => this.run(() => this.switchboard?.completeTransfer(), msg(str`Transferred to ${who}.`))}
      >
        ${c.state === 'ringing' ? msg('Transfer now') : msg('Complete transfer')}
      </button>
      ${
        c.state === 'talking'
          ? html`<button
              data-testid="consult-swap"
              ?disabled=${this.busy}
              @click=${() => this.run(() => this.switchboard?.swap())}
            >
              ${msg('Swap')}
            </button>`
          : nothing
      }
      <button
        class="danger"
        data-testid="consult-cancel"
        ?disabled=${this.busy}
        @click=${() => this.run(() => this.switchboard?.cancelConsult())}
      >
        ${msg('Back to caller')}
      </button>
    </div>`;
  }

  private renderEnded(c: Consultation) {
    const who = c.target.name || c.target.extension;
    return html`<p role="status" data-testid="consultation-ended" data-reason=${c.reason ?? ''}>
      ${consultEndText(c.reason, who)}
    </p>`;
  }

  private async transfer(): Promise<void> {
    const target = this.target.trim();
    if (!target) return;
    await this.run(
      () => this.switchboard?.transferBlind(target),
      msg(str`Transferred to ${target}.`),
    );
  }

  private async consult(): Promise<void> {
    const target = this.target.trim();
    if (!target) return;
    await this.run(() => this.switchboard?.consult(target));
  }

  private async park(): Promise<void> {
    let slot = '';
    await this.run(async () => {
      slot = (await this.switchboard?.park()) ?? '';
    });
    if (slot) this.note = msg(str`Parked on ${slot}.`);
  }

  private async run(command: () => Promise<unknown> | undefined, done?: string): Promise<void> {
    this.busy = true;
    this.error = '';
    this.note = '';
    try {
      await command();
      if (done) {
        this.note = done;
        this.target = '';
      }
    } catch (error) {
      this.error = commandErrorText(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-call-actions': SentralCallActions;
  }
}
