import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { AbsenceInfo, PresenceState } from '../shared/switchboard.js';
import type { ApiClient } from '../store/api-client.js';
import { CallState } from '../store/call-state.js';
import type { LinesModel } from '../store/lines-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import { initialDirectory, searchPeople } from '../store/directory-model.js';
import type { DirectoryModel, PeopleSearch } from '../store/directory-model.js';
import type { PhoneService } from '../store/phone-service.js';
import {
  absenceInForce,
  currentAbsence,
  initialPresence,
  presenceModelFor,
  presenceOf,
} from '../store/presence-model.js';
import type { SessionModel } from '../store/session-model.js';
import { formatPhoneNumber } from './phone-number.js';
import { ABSENCE_REASON_TEXT, backText, loadAbsenceForm } from './absence-text.js';
import { commandErrorText } from './command-error.js';
import {
  apiClientContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
  sessionModelContext,
} from './contexts.js';
import { directoryActionFor } from './keyboard-shortcuts.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import { controls } from './theme.js';

/**
 * Rows rendered at most: the search narrows faster than anyone scrolls, and each keystroke
 * re-renders them (bench/directory-browser: keystroke → painted result).
 */
const MAX_ROWS = 100;

/** A colleague's presence in words; an icon of its own shape goes with each (not colour alone). */
function presenceText(state: PresenceState): string {
  switch (state) {
    case 'free':
      return msg('Free');
    case 'ringing':
      return msg('Ringing');
    case 'busy':
      return msg('Busy');
    case 'absent':
      return msg('Absent');
    case 'offline':
      return msg('Offline');
  }
}

/** 16×16 shapes: a filled dot, a bell, a bar (no entry), a clock, a hollow ring. */
const PRESENCE_ICON: Record<PresenceState, ReturnType<typeof svg>> = {
  free: svg`<circle cx="8" cy="8" r="5" fill="currentColor" />`,
  ringing: svg`<path d="M8 2a4 4 0 0 0-4 4v3l-1.5 2.5h11L12 9V6a4 4 0 0 0-4-4zM6.5 13a1.5 1.5 0 0 0 3 0z" fill="currentColor" />`,
  busy: svg`<circle cx="8" cy="8" r="6" fill="currentColor" /><rect x="4" y="7" width="8" height="2" fill="#fff" />`,
  absent: svg`<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5" /><path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" stroke-width="1.5" />`,
  offline: svg`<circle cx="8" cy="8" r="5" fill="none" stroke="currentColor" stroke-width="1.5" />`,
};

/** Roles that may set a colleague's absence (the core checks it again). */
const ABSENCE_ROLES: ReadonlySet<string> = new Set(['operator', 'supervisor', 'admin']);

/** The number a colleague is reached on: the extension, else the mobile. */
function numberOf(person: DirectoryEntry): string {
  return person.extension || person.mobile || '';
}

/**
 * Colleagues from `directory.list`, searchable, each with click-to-call on the extension.
 *
 * Keyboard (listed in the shortcut help, `keyboard-shortcuts.ts`): ↓ in the search box enters the
 * list; ↑ ↓ Home End move between colleagues (one row in the tab order, roving focus); Enter on a
 * colleague transfers the call that talks to them blind (switchboard `transfer.blind`), or calls
 * them when no call is up; Shift+Enter consults them (`transfer.consult`). What happened is
 * announced in a status line.
 *
 * Absent colleagues show the reason, when they are back and their message (as text). Operators
 * (and supervisors, admins) get "Set absence…" on each colleague, which opens the absence form in
 * a dialog; focus goes back to the button when it closes.
 */
@localized()
@customElement('sentral-directory')
export class SentralDirectory extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
        margin-bottom: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
      }
      input[type='search'] {
        width: min(100%, 18rem);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        border-top: 1px solid var(--sentral-border, #d9dde3);
      }
      li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.75rem;
        padding: 0.55rem 0.25rem;
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta {
        font-size: 0.85rem;
        color: var(--sentral-text-muted, #556070);
        overflow-wrap: anywhere;
      }
      .presence {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem;
        margin-left: 0.4rem;
        font-size: 0.8rem;
        font-weight: 600;
        white-space: nowrap;
      }
      .presence svg {
        width: 0.85rem;
        height: 0.85rem;
      }
      .presence[data-state='free'] {
        color: var(--sentral-ok, #1b6b36);
      }
      .presence[data-state='ringing'],
      .presence[data-state='busy'] {
        color: var(--sentral-danger, #b3261e);
      }
      .presence[data-state='absent'],
      .presence[data-state='offline'] {
        color: var(--sentral-text-muted, #556070);
      }
      .ext {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .empty {
        color: var(--sentral-text-muted, #556070);
        margin: 0.5rem 0;
      }
      li:focus-visible,
      li[aria-current='true'] {
        outline: 2px solid var(--sentral-accent, #1d5fbf);
        outline-offset: -2px;
      }
      .result {
        margin: 0.5rem 0 0;
        font-size: 0.9rem;
      }
      .result.alert {
        color: var(--sentral-danger, #b3261e);
      }
      .absence {
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
      .absence .message {
        white-space: pre-wrap;
      }
      .actions {
        display: flex;
        gap: 0.4rem;
        align-items: center;
      }
      dialog {
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius, 10px);
        padding: 1rem 1.25rem;
        width: min(32rem, 92vw);
      }
      dialog h3 {
        margin: 0 0 0.75rem;
        font-size: 1rem;
      }
    `,
  ];

  @consume({ context: directoryModelContext, subscribe: true })
  directoryModel?: DirectoryModel;

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  @consume({ context: linesModelContext, subscribe: true })
  linesModel?: LinesModel;

  /** For colleagues' presence (`presence.list` and its events). */
  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  /** Optional: transfers and consultations from the list (Enter / Shift+Enter on a call). */
  @consume({ context: switchboardModelContext, subscribe: true })
  switchboardModel?: SwitchboardModel;

  private readonly directory = select(this, () => this.directoryModel?.state$, initialDirectory);
  private readonly busy = select(this, () => this.linesModel?.busy$, false);
  private readonly presence = select(
    this,
    () =>
      this.api && this.sessionModel
        ? presenceModelFor(this.api, this.sessionModel).state$
        : undefined,
    initialPresence,
  );
  private readonly active = select(this, () => this.linesModel?.active$, null);
  private readonly consultation = select(this, () => this.switchboardModel?.consultation$, null);
  private readonly user = select(this, () => this.sessionModel?.user$, null);

  @state() private query = '';
  /** The colleague chosen with the arrow keys (their row is the one in the tab order). */
  @state() private selected: string | null = null;
  /** What the last Enter / Shift+Enter did. */
  @state() private result: { text: string; kind: 'status' | 'alert' } | null = null;
  /** The colleague whose absence the dialog edits, and the button that opened it. */
  @state() private editing: { person: DirectoryEntry; opener: HTMLElement | null } | null = null;

  /** The last search: re-renders for anything else (focus, busy) do not search again. */
  private searched: {
    people: readonly DirectoryEntry[];
    query: string;
    matches: PeopleSearch;
  } | null = null;

  /** The rows to show and the number of matches (only the shown rows are copied out). */
  private matchesFor(people: readonly DirectoryEntry[], query: string): PeopleSearch {
    const last = this.searched;
    if (last && last.people === people && last.query === query) return last.matches;
    const matches = searchPeople(people, query, MAX_ROWS);
    this.searched = { people, query, matches };
    return matches;
  }

  override render() {
    const { status, people } = this.directory.value;
    const { shown, total } = this.matchesFor(people, this.query);
    const busy = this.busy.value;
    const current = shown.some((p) => p.id === this.selected)
      ? this.selected
      : (shown[0]?.id ?? null);
    return html`<section aria-label=${msg('Directory')}>
      <div class="head">
        <h2>${msg('Colleagues')}</h2>
        <label class="visually-hidden" for="search">${msg('Search colleagues')}</label>
        <input
          id="search"
          type="search"
          placeholder=${msg('Search colleagues')}
          autocomplete="off"
          .value=${this.query}
          @input=${this.onSearch}
          @keydown=${this.onSearchKey}
        />
      </div>
      <p class="visually-hidden" id="directory-keys">
        ${msg(
          'Arrow keys choose a colleague. Enter transfers the call to them, or calls them when no call is up. Shift+Enter consults them first.',
        )}
      </p>
      ${status === 'loading' ? html`<p class="empty">${msg('Loading…')}</p>` : nothing}
      ${status === 'error' ? html`<p class="empty">${msg('The directory could not be loaded.')}</p>` : nothing}
      ${status === 'loaded' && total === 0 ? html`<p class="empty">${msg('No one matches.')}</p>` : nothing}
      <ul data-testid="directory" aria-describedby="directory-keys" @keydown=${this.onListKey}>
        ${repeat(
          shown,
          (p) => p.id,
          (p) => this.renderPerson(p, busy, p.id === current),
        )}
      </ul>
      <p
        class="result ${this.result?.kind === 'alert' ? 'alert' : ''}"
        role=${this.result?.kind === 'alert' ? 'alert' : 'status'}
        data-testid="directory-result"
      >
        ${this.result?.text ?? ''}
      </p>
      ${
        total > MAX_ROWS
          ? html`<p class="empty">
              ${msg(str`Showing ${MAX_ROWS} of ${total}; refine the search.`)}
            </p>`
          : nothing
      }
      ${this.renderAbsenceDialog()}
    </section>`;
  }

  private renderPerson(person: DirectoryEntry, busy: boolean, current: boolean) {
    const meta = [person.title, person.department].filter(Boolean).join(' · ');
    return html`<li
      data-testid="directory-entry"
      data-id=${person.id}
      tabindex=${current ? '0' : '-1'}
      aria-current=${current && this.selected !== null ? 'true' : 'false'}
      @focus=${() => (this.selected = person.id)}
    >
      <div>
        <div class="name">${person.displayName}${this.renderPresence(person)}</div>
        ${meta ? html`<div class="meta">${meta}</div>` : nothing} ${this.renderAbsence(person)}
      </div>
      <div class="actions">
        ${
          this.mayManageAbsence()
            ? html`<button
                type="button"
                data-testid="directory-absence"
                aria-label=${msg(str`Set absence for ${person.displayName}…`)}
                @click=${(e: Event) => this.openAbsence(person, e.currentTarget as HTMLElement)}
              >
                ${msg('Set absence…')}
              </button>`
            : nothing
        }
        ${
          person.extension
            ? html`<button
                type="button"
                class="ext"
                data-testid="directory-call"
                aria-label=${msg(str`Call ${person.displayName} on ${person.extension}`)}
                ?disabled=${busy}
                @click=${() => this.callPerson(person)}
              >
                ☎ ${person.extension}
              </button>`
            : nothing
        }
        ${
          person.mobile
            ? html`<button
                type="button"
                class="ext"
                data-testid="directory-call-mobile"
                aria-label=${msg(str`Call ${person.displayName} on mobile ${person.mobile}`)}
                ?disabled=${busy}
                @click=${() => this.callNumber(person.mobile ?? '')}
              >
                📱 ${formatPhoneNumber(person.mobile)}
              </button>`
            : nothing
        }
      </div>
    </li>`;
  }

  private renderPresence(person: DirectoryEntry) {
    const state = presenceOf(this.presence.value, person.id);
    if (!state) return nothing;
    return html`<span class="presence" data-testid="presence" data-state=${state}
      ><svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">${PRESENCE_ICON[state]}</svg
      >${presenceText(state)}</span
    >`;
  }

  /** Reason, when they are back and the message of an absent colleague; text only. */
  private renderAbsence(person: DirectoryEntry) {
    const now = Date.now();
    const absence = absenceInForce(this.presence.value, person.id, now);
    if (!absence) return nothing;
    return html`<div class="absence" data-testid="absence">
      <span data-testid="absence-reason">${ABSENCE_REASON_TEXT[absence.reason]}</span>,
      <span data-testid="absence-back">${backText(absence.until, now)}</span>${
        absence.message
          ? html` — <span class="message" data-testid="absence-message">${absence.message}</span>`
          : nothing
      }
    </div>`;
  }

  private mayManageAbsence(): boolean {
    const role = this.user.value?.role;
    return role !== undefined && ABSENCE_ROLES.has(role);
  }

  private renderAbsenceDialog() {
    const editing = this.editing;
    if (!editing) return nothing;
    const absence: AbsenceInfo | null = currentAbsence(
      this.presence.value,
      editing.person.id,
      Date.now(),
    );
    return html`<dialog
      data-testid="absence-dialog"
      aria-labelledby="absence-dialog-title"
      @close=${() => this.closeAbsence(null)}
      @absence-saved=${() => this.closeAbsence(msg(str`Absence saved for ${editing.person.displayName}.`))}
      @absence-cleared=${() =>
        this.closeAbsence(msg(str`Absence cleared for ${editing.person.displayName}.`))}
      @absence-cancel=${() => this.closeAbsence(null)}
    >
      <h3 id="absence-dialog-title">${msg(str`Absence for ${editing.person.displayName}`)}</h3>
      <sentral-absence-form
        .userId=${editing.person.id}
        .personName=${editing.person.displayName}
        .absence=${absence}
      ></sentral-absence-form>
    </dialog>`;
  }

  private async openAbsence(person: DirectoryEntry, opener: HTMLElement | null): Promise<void> {
    await loadAbsenceForm();
    this.editing = { person, opener };
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && !dialog.open) dialog.showModal();
  }

  /** Closes the absence dialog, says what happened (if anything) and puts focus back. */
  private closeAbsence(done: string | null): void {
    const editing = this.editing;
    if (!editing) return;
    if (done) this.result = { text: done, kind: 'status' };
    const dialog = this.renderRoot.querySelector('dialog');
    this.editing = null;
    if (dialog?.open) dialog.close();
    if (editing.opener?.isConnected) editing.opener.focus();
    else
      this.rows()
        .find((r) => r.dataset['id'] === editing.person.id)
        ?.focus();
  }

  private onSearch(event: InputEvent): void {
    this.query = (event.target as HTMLInputElement).value;
  }

  private rows(): HTMLLIElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLLIElement>('li[data-testid=directory-entry]')];
  }

  private onSearchKey(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' || event.altKey || event.ctrlKey || event.metaKey) return;
    const first = this.rows()[0];
    if (!first) return;
    event.preventDefault();
    first.focus();
  }

  private onListKey(event: KeyboardEvent): void {
    const row = event.composedPath()[0];
    // Keys on the row's own call button do what a button does.
    if (!(row instanceof HTMLLIElement)) return;
    const action = directoryActionFor(event);
    if (!action) return;
    const rows = this.rows();
    const index = rows.indexOf(row);
    if (action === 'directory-select') {
      const next =
        event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? rows.length - 1
            : index + (event.key === 'ArrowDown' ? 1 : -1);
      const target = rows[Math.max(0, Math.min(rows.length - 1, next))];
      event.preventDefault();
      target?.focus();
      return;
    }
    const person = this.personOf(row);
    if (!person) return;
    if (this.act(person, action === 'directory-consult' ? 'consult' : 'transfer')) {
      event.preventDefault();
    }
  }

  private personOf(row: HTMLElement): DirectoryEntry | undefined {
    const id = row.dataset['id'];
    return this.directory.value.people.find((p) => p.id === id);
  }

  /**
   * Enter: transfer the call that talks to `person` blind, or call them when no call is up.
   * Shift+Enter: consult them. Returns false when the key has nothing to act on.
   */
  private act(person: DirectoryEntry, how: 'transfer' | 'consult'): boolean {
    const number = numberOf(person);
    if (!number) return false;
    const talking = this.active.value?.state === CallState.Established;
    const switchboard = this.switchboardModel;
    if (talking && switchboard && !this.consultation.value) {
      const name = person.displayName || number;
      const run =
        how === 'transfer' ? switchboard.transferBlind(number) : switchboard.consult(number);
      this.result = {
        text:
          how === 'transfer' ? msg(str`Transferring to ${name}…`) : msg(str`Consulting ${name}…`),
        kind: 'status',
      };
      run.then(
        () => {
          this.result = {
            text:
              how === 'transfer'
                ? msg(str`Transferred to ${name}.`)
                : msg(str`Consulting ${name}.`),
            kind: 'status',
          };
        },
        (error: unknown) => (this.result = { text: commandErrorText(error), kind: 'alert' }),
      );
      return true;
    }
    if (how === 'transfer' && !this.busy.value) {
      this.result = null;
      void this.phoneService?.dial(number);
      return true;
    }
    return false;
  }

  private callPerson(person: DirectoryEntry): void {
    this.callNumber(person.extension);
  }

  private callNumber(number: string): void {
    void this.phoneService?.dial(number);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-directory': SentralDirectory;
  }
}
