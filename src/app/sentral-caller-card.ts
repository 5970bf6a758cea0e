import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { Subscription } from 'rxjs';
import type { CallerNote, CommandResult, DirectoryEntry } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { personForNumber } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import { absenceInForce, initialPresence, presenceModelFor } from '../store/presence-model.js';
import type { SessionModel } from '../store/session-model.js';
import { ABSENCE_REASON_TEXT, backText } from './absence-text.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext, directoryModelContext, sessionModelContext } from './contexts.js';
import { formatDuration } from './format.js';
import { dateTimeFormat } from './i18n.js';
import { select } from './observable-controller.js';
import { formatPhoneNumber, phoneFormatVersion$ } from './phone-number.js';
import { controls } from './theme.js';

type History = CommandResult<'caller.history'>;

type PastCall = History['calls'][number];

/** How a previous call ended, in words; an unknown outcome as it came, none as a dash. */
function outcomeText(outcome: string | null | undefined): string {
  switch (outcome) {
    case 'answered':
      return msg('answered');
    case 'transferred':
      return msg('transferred');
    case 'abandoned':
      return msg('hung up while waiting');
    case 'no_answer':
      return msg('not answered');
    case 'overflow':
      return msg('overflowed');
    case 'busy':
      return msg('busy');
    case 'rejected':
      return msg('rejected');
    case 'failed':
      return msg('failed');
    case 'cancelled':
      return msg('cancelled');
    default:
      return outcome ?? '—';
  }
}

/** Date and time of a call or note, in the current language (the formatter is cached). */
function when(at: number): string {
  return dateTimeFormat({
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}

/** "3. mar. 14:05 · Sentralbord · transferred by Kari Nordmann → 1007 (02:00)". */
function callLine(c: PastCall): string {
  const outcome = outcomeText(c.outcome);
  const who = c.answeredBy;
  const result = who ? msg(str`${outcome} by ${who}`) : outcome;
  return `${when(c.startedAt)}${c.queue ? ` · ${c.queue}` : ''} · ${result}${
    c.transferredTo ? ` → ${c.transferredTo}` : ''
  }${c.answeredAt && c.endedAt ? ` (${formatDuration(c.endedAt - c.answeredAt)})` : ''}`;
}

/**
 * The caller card: the number written for people, the name from the directory or what the
 * caller sent, the caller's previous calls with the company (when, queue, who answered,
 * transferred to whom, how it ended) and the operators' notes, which can be added and edited.
 * A call the core sent to the switchboard because the colleague it was for is absent says so:
 * "For Ola Hansen — absent: Lunch, back at 12:30: Back after lunch".
 * Everything the caller or a colleague wrote is shown as text, never HTML.
 */
@localized()
@customElement('sentral-caller-card')
export class SentralCallerCard extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius, 10px);
        padding: 0.75rem 1rem;
        background: var(--sentral-surface, #fff);
      }
      h2 {
        font-size: 1.05rem;
        margin: 0;
      }
      h3 {
        font-size: 0.9rem;
        margin: 0.75rem 0 0.35rem;
      }
      .number {
        color: var(--sentral-text-muted, #556070);
      }
      ul {
        margin: 0;
        padding-inline-start: 1.1rem;
      }
      li {
        margin: 0.15rem 0;
      }
      .note {
        white-space: pre-wrap;
      }
      .meta {
        color: var(--sentral-text-muted, #556070);
        font-size: 0.8rem;
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        min-height: 3.5rem;
        font: inherit;
        padding: 0.4rem;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
      }
      .row {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.35rem;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
      .absent-for {
        margin: 0.5rem 0 0;
        padding: 0.4rem 0.6rem;
        border-inline-start: 3px solid var(--sentral-accent, #1d5fbf);
        background: var(--sentral-surface-2, #f8f9fb);
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The caller's number (E.164 or as presented). */
  @property() number = '';
  /** What the caller sent as their name (untrusted text). */
  @property() name: string | null = null;
  /** The absent colleague's extension when the core sent this call to us in their place. */
  @property({ attribute: false }) absentFor: string | null = null;

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: directoryModelContext, subscribe: true })
  directory?: DirectoryModel;

  /** For the absent colleague's presence (reason, back at, message). */
  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  /** Renders again once foreign numbers can be formatted (libphonenumber-js loaded). */
  private readonly phoneFormats = select(this, () => phoneFormatVersion$, 0);
  private readonly people = select<readonly DirectoryEntry[]>(
    this,
    () => this.directory?.people$,
    [],
  );
  private readonly presence = select(
    this,
    () =>
      this.api && this.sessionModel && this.absentFor
        ? presenceModelFor(this.api, this.sessionModel).state$
        : undefined,
    initialPresence,
  );

  @state() private history: History | null = null;
  @state() private error = '';
  @state() private draft = '';
  @state() private editing: { id: number; body: string } | null = null;
  private events: Subscription | null = null;
  private loadedFor = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this.events =
      this.api?.events$.subscribe((frame) => {
        const number = (frame.data as { number?: string } | null)?.number;
        if (frame.event === 'caller.notes_changed' && number === this.history?.number) {
          void this.load();
        }
      }) ?? null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.events?.unsubscribe();
    this.events = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('number') && this.number !== this.loadedFor) {
      this.history = null;
      this.editing = null;
      this.draft = '';
      void this.load();
    }
  }

  private async load(): Promise<void> {
    const number = this.number;
    this.loadedFor = number;
    if (!number || !this.api) return;
    try {
      const history = await this.api.call('caller.history', { number, limit: 10 });
      if (this.number === number) {
        this.history = history;
        this.error = '';
      }
    } catch (error) {
      if (this.number === number) this.error = commandErrorText(error);
    }
  }

  override render() {
    if (!this.number) return nothing;
    const person = personForNumber(this.people.value, this.number);
    const name = person?.displayName ?? this.name ?? '';
    const number = formatPhoneNumber(this.number);
    const h = this.history;
    return html`
      <h2 data-testid="card-name">${name || number}</h2>
      ${name ? html`<div class="number" data-testid="card-number">${number}</div>` : nothing}
      ${this.renderAbsentFor()} ${h ? this.renderCalls(h) : nothing}
      ${h ? this.renderNotes(h.notes) : nothing}
      ${this.error ? html`<p role="alert" data-testid="card-error">${this.error}</p>` : nothing}
    `;
  }

  /** "For Ola Hansen — absent: Lunch, back at 12:30: message" (text only). */
  private renderAbsentFor() {
    const extension = this.absentFor;
    if (!extension) return nothing;
    const person = this.people.value.find((p) => p.extension === extension);
    const now = Date.now();
    const absence = person ? absenceInForce(this.presence.value, person.id, now) : null;
    const who = person?.displayName ?? extension;
    let line: string;
    if (!absence) {
      line = msg(str`For ${who} — absent`);
    } else {
      const reason = ABSENCE_REASON_TEXT[absence.reason];
      const back = backText(absence.until, now);
      const message = absence.message;
      line = message
        ? msg(str`For ${who} — absent: ${reason}, ${back}: ${message}`)
        : msg(str`For ${who} — absent: ${reason}, ${back}`);
    }
    return html`<p class="absent-for" data-testid="card-absent-for">${line}</p>`;
  }

  private renderCalls(h: History) {
    return html`<h3>${msg('Previous calls')}</h3>
      ${
        h.calls.length === 0
          ? html`<p class="meta" data-testid="card-no-calls">
              ${msg('First call from this number.')}
            </p>`
          : html`<ul data-testid="card-calls">
              ${h.calls.map((c) => html`<li>${callLine(c)}</li>`)}
            </ul>`
      }`;
  }

  private renderNotes(notes: readonly CallerNote[]) {
    return html`<h3>${msg('Notes')}</h3>
      ${notes.length === 0 ? html`<p class="meta">${msg('No notes yet.')}</p>` : nothing}
      <ul data-testid="card-notes">
        ${notes.map((n) =>
          this.editing?.id === n.id
            ? html`<li>
                <textarea
                  aria-label=${msg('Edit note')}
                  data-testid="note-edit"
                  .value=${this.editing.body}
                  @input=${(e: Event) =>
                    (this.editing = { id: n.id, body: (e.target as HTMLTextAreaElement).value })}
                ></textarea>
                <div class="row">
                  <button class="primary" data-testid="note-save" @click=${() => this.saveEdit()}>
                    ${msg('Save')}
                  </button>
                  <button @click=${() => (this.editing = null)}>${msg('Cancel')}</button>
                </div>
              </li>`
            : html`<li data-testid="card-note">
                <span class="note">${n.body}</span>
                <span class="meta"
                  >— ${n.author ?? msg('former colleague')}, ${when(n.updatedAt)}</span
                >
                <button
                  data-testid="note-edit-button"
                  aria-label=${msg('Edit note')}
                  @click=${() => (this.editing = { id: n.id, body: n.body })}
                >
                  ${msg('Edit')}
                </button>
              </li>`,
        )}
      </ul>
      <label for="new-note" class="visually-hidden">${msg('New note')}</label>
      <textarea
        id="new-note"
        data-testid="note-new"
        placeholder=${msg('Add a note about this caller…')}
        maxlength="2000"
        .value=${this.draft}
        @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <div class="row">
        <button
          data-testid="note-add"
          ?disabled=${this.draft.trim() === ''}
          @click=${() => this.addNote()}
        >
          ${msg('Add note')}
        </button>
      </div>`;
  }

  private async addNote(): Promise<void> {
    const body = this.draft.trim();
    if (!body || !this.api) return;
    try {
      await this.api.call('caller.note.add', { number: this.number, body });
      this.draft = '';
      await this.load();
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }

  private async saveEdit(): Promise<void> {
    const edit = this.editing;
    if (!edit || !this.api) return;
    try {
      await this.api.call('caller.note.update', { noteId: edit.id, body: edit.body });
      this.editing = null;
      await this.load();
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-caller-card': SentralCallerCard;
  }
}
