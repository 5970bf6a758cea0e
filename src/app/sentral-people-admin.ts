import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { adminStyles } from './admin-styles.js';
import { controls } from './theme.js';
import './sentral-forwarding-settings.js';

type Person = CommandResult<'people.list'>['people'][number];

/** Rows shown at most (the list is not virtualized; finding narrows it). */
const MAX_ROWS = 100;

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/gi, 'o')
    .replace(/æ/gi, 'ae')
    .toLowerCase();

/**
 * The contact person's people (issue 4): everyone with their role, and for one person at a time
 * a new password, their calendar feed (calendar sync turns busy time into absences), a reset of
 * their two-factor login (lost phone), their data as JSON, or deletion with their personal data
 * (asked twice). Names are text.
 */
@localized()
@customElement('sentral-people-admin')
export class SentralPeopleAdmin extends LitElement {
  static override styles = [
    controls,
    adminStyles,
    css`
      input {
        min-height: 2.3rem;
        padding: 0 0.5rem;
      }
      .manage {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin: 0.75rem 0;
        padding: 0.5rem;
        border: 1px solid var(--sentral-border, #d9dde3);
      }
      .manage form {
        display: flex;
        gap: 0.5rem;
        align-items: end;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private people: Person[] = [];
  @state() private filter = '';
  @state() private managing: Person | null = null;
  @state() private confirmDelete = false;
  @state() private error = '';
  @state() private note = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    const wanted = fold(this.filter.trim());
    // The role is found by its name and by its word in the current language.
    const matches = wanted
      ? this.people.filter((p) =>
          fold(
            `${p.displayName} ${p.username} ${p.extension} ${p.department ?? ''} ${p.role} ${roleText(p.role)}`,
          ).includes(wanted),
        )
      : this.people;
    const shown = matches.slice(0, MAX_ROWS);
    const more = matches.length - shown.length;
    return html`
      <h3>${msg('People and roles')}</h3>
      <label
        >${msg('Find a person')}
        <input
          type="search"
          data-testid="people-filter"
          .value=${this.filter}
          @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
      /></label>
      <table data-testid="people-list">
        <thead>
          <tr>
            <th scope="col">${msg('Name')}</th>
            <th scope="col">${msg('Username')}</th>
            <th scope="col">${msg('Extension')}</th>
            <th scope="col">${msg('Department')}</th>
            <th scope="col">${msg('Role')}</th>
            <th scope="col">${msg('Two-factor')}</th>
            <th scope="col"><span class="visually-hidden">${msg('Actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (p) =>
              html`<tr data-user-id=${p.id}>
                <td>${p.displayName}</td>
                <td>${p.username}</td>
                <td>${p.extension || '—'}</td>
                <td>${p.department ?? '—'}</td>
                <td>${roleText(p.role)}</td>
                <td data-testid="person-two-factor">${twoFactorWords(p.twoFactor)}</td>
                <td>
                  <button
                    data-testid="person-manage"
                    aria-label=${msg(str`Manage ${p.displayName}`)}
                    @click=${() => this.manage(p)}
                  >
                    ${msg('Manage')}
                  </button>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${
        more > 0
          ? html`<p data-testid="people-more">
              ${msg(str`${more} more — type to narrow the list.`)}
            </p>`
          : nothing
      }
      ${this.managing ? this.renderManage(this.managing) : nothing}
      ${this.note ? html`<p role="status" data-testid="people-admin-note">${this.note}</p>` : nothing}
      ${
        this.error
          ? html`<p role="alert" data-testid="people-admin-error">${this.error}</p>`
          : nothing
      }
    `;
  }

  private renderManage(person: Person) {
    return html`<section
      class="manage"
      data-testid="person-panel"
      aria-label=${msg(str`Manage ${person.displayName}`)}
    >
      <form data-testid="password-form" @submit=${(e: Event) => this.setPassword(e, person)}>
        <label
          >${msg('New password (at least 8 characters)')}
          <input
            name="password"
            type="password"
            minlength="8"
            maxlength="256"
            required
            autocomplete="new-password"
        /></label>
        <button type="submit" data-testid="password-save">${msg('Set password')}</button>
      </form>
      <sentral-forwarding-settings
        data-testid="person-forwarding"
        .userId=${person.id}
      ></sentral-forwarding-settings>
      <form data-testid="calendar-form" @submit=${(e: Event) => this.setCalendar(e, person)}>
        <label
          >${msg('Calendar feed (ICS or CalDAV free/busy URL)')}
          <input name="url" type="url" maxlength="2000" required placeholder="https://…"
        /></label>
        <button type="submit" data-testid="calendar-save">${msg('Set feed')}</button>
        <button
          type="button"
          data-testid="calendar-clear"
          @click=${() => this.clearCalendar(person)}
        >
          ${msg('Remove feed')}
        </button>
      </form>
      <button data-testid="twofactor-reset" @click=${() => this.resetTwoFactor(person)}>
        ${msg('Reset two-factor login')}
      </button>
      <button data-testid="privacy-export" @click=${() => this.exportData(person)}>
        ${msg('Download their data')}
      </button>
      ${
        this.confirmDelete
          ? html`<button
              class="danger"
              data-testid="person-delete-confirm"
              @click=${() => this.deletePerson(person)}
            >
              ${msg(str`Delete ${person.displayName} and their personal data`)}
            </button>`
          : html`<button data-testid="person-delete" @click=${() => (this.confirmDelete = true)}>
              ${msg('Delete…')}
            </button>`
      }
      <button @click=${() => this.manage(null)}>${msg('Close')}</button>
    </section>`;
  }

  private manage(person: Person | null): void {
    this.managing = person;
    this.confirmDelete = false;
    this.error = '';
    this.note = '';
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      const api = this.api;
      if (api) this.people = (await api.call('people.list', {})).people;
    });
  }

  private async setPassword(e: Event, person: Person): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const password = String(new FormData(form).get('password') ?? '');
    await this.run(async () => {
      await this.api?.call('people.set_password', { userId: person.id, password });
      form.reset();
      this.note = msg(str`New password set for ${person.displayName}.`);
    });
  }

  private async setCalendar(e: Event, person: Person): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const url = String(new FormData(form).get('url') ?? '').trim();
    await this.run(async () => {
      await this.api?.call('calendar.set', { userId: person.id, url });
      form.reset();
      this.note = msg(
        str`Calendar feed set for ${person.displayName}: busy and out-of-office time becomes absence.`,
      );
    });
  }

  private async clearCalendar(person: Person): Promise<void> {
    await this.run(async () => {
      await this.api?.call('calendar.set', { userId: person.id, url: null });
      this.note = msg(str`Calendar feed removed for ${person.displayName}.`);
    });
  }

  private async resetTwoFactor(person: Person): Promise<void> {
    await this.run(async () => {
      await this.api?.call('twofactor.reset', { userId: person.id });
      this.note = msg(
        str`Two-factor login reset for ${person.displayName}; they set it up again at the next sign-in.`,
      );
    });
  }

  private async exportData(person: Person): Promise<void> {
    await this.run(async () => {
      const result = await this.api?.call('privacy.export', { userId: person.id });
      if (!result) return;
      const blob = new Blob([JSON.stringify(result.data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${person.username}.json`;
      a.click();
      URL.revokeObjectURL(url);
      this.note = msg(str`Data of ${person.displayName} downloaded.`);
    });
  }

  private async deletePerson(person: Person): Promise<void> {
    await this.run(async () => {
      await this.api?.call('people.delete', { userId: person.id });
      this.managing = null;
      await this.load();
      this.note = msg(str`${person.displayName} deleted.`);
    });
    this.confirmDelete = false;
  }

  private async run(command: () => Promise<unknown>): Promise<void> {
    this.error = '';
    this.note = '';
    try {
      await command();
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }
}

/** A person's second factor in words: on, off, or required but not set up yet (they must). */
function twoFactorWords(state: { enabled: boolean; required: boolean } | undefined): string {
  if (!state) return '—';
  if (state.enabled) return msg('On');
  return state.required ? msg('Required, not set up') : msg('Off');
}

/**
 * A role in the user's language (the English words are the role names themselves); the value
 * sent to the server stays the role name. Unknown roles show as they are.
 */
export function roleText(role: string): string {
  switch (role) {
    case 'user':
      return msg('user');
    case 'agent':
      return msg('agent');
    case 'operator':
      return msg('operator');
    case 'supervisor':
      return msg('supervisor');
    case 'board':
      return msg('board');
    case 'admin':
      return msg('admin');
    default:
      return role;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-people-admin': SentralPeopleAdmin;
  }
}
