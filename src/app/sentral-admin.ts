import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { adminStyles } from './admin-styles.js';
import { dateTimeFormat } from './i18n.js';
import { controls } from './theme.js';
import { roleText } from './sentral-people-admin.js';
import './sentral-queue-admin.js';
import './sentral-department-admin.js';
import './sentral-people-admin.js';

type Tab = 'people' | 'queues' | 'security' | 'audit';
type AuditEntry = CommandResult<'audit.list'>['entries'][number];

/**
 * The contact person's administration: the directory (add or update a person; CSV export and
 * an all-or-nothing CSV import that names each bad line), everyone with their role (password,
 * two-factor reset, data export, deletion: sentral-people-admin), departments with their numbers
 * (sentral-department-admin), queues, answer groups and VIP callers
 * (sentral-queue-admin), security (two-factor login for
 * everyone, retention of queue history and notes), and the audit log.
 */
@localized()
@customElement('sentral-admin')
export class SentralAdmin extends LitElement {
  static override styles = [
    controls,
    adminStyles,
    css`
      [role='tablist'] {
        display: flex;
        gap: 0.4rem;
        margin-bottom: 0.75rem;
      }
      [aria-selected='true'] {
        background: var(--sentral-accent, #1f5fbf);
        color: #fff;
      }
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
        gap: 0.5rem;
        align-items: end;
      }
      input,
      select {
        min-height: 2.3rem;
        padding: 0 0.5rem;
      }
      section + section {
        margin-top: 1rem;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private tab: Tab = 'people';
  @state() private error = '';
  @state() private note = '';
  @state() private audit: AuditEntry[] = [];
  /** The retention setting as the server has it (`null` until read). */
  @state() private retentionDays: number | null = null;

  override render() {
    const tabs: Array<[Tab, string]> = [
      ['people', msg('People and departments')],
      ['queues', msg('Queues')],
      ['security', msg('Security')],
      ['audit', msg('Audit log')],
    ];
    return html`
      <div role="tablist" aria-label=${msg('Administration')}>
        ${tabs.map(
          ([id, text]) =>
            html`<button
              role="tab"
              aria-selected=${this.tab === id ? 'true' : 'false'}
              data-testid=${`admin-tab-${id}`}
              @click=${() => this.show(id)}
            >
              ${text}
            </button>`,
        )}
      </div>
      <div role="tabpanel">
        ${
          this.tab === 'people'
            ? this.renderPeople()
            : this.tab === 'queues'
              ? html`<sentral-queue-admin></sentral-queue-admin>`
              : this.tab === 'security'
                ? this.renderSecurity()
                : this.renderAudit()
        }
      </div>
      ${this.note ? html`<p role="status" data-testid="admin-note">${this.note}</p>` : nothing}
      ${this.error ? html`<p role="alert" data-testid="admin-error">${this.error}</p>` : nothing}
    `;
  }

  private renderPeople() {
    return html`<section>
        <h3>${msg('Add or update a person')}</h3>
        <form data-testid="person-form" @submit=${this.savePerson}>
          <label>${msg('First name')} <input name="first_name" required /></label>
          <label>${msg('Last name')} <input name="last_name" /></label>
          <label>${msg('Title')} <input name="title" /></label>
          <label>${msg('Department')} <input name="department" /></label>
          <label>${msg('Extension')} <input name="extension" inputmode="numeric" /></label>
          <label>${msg('Mobile')} <input name="mobile" inputmode="tel" /></label>
          <label>${msg('E-mail')} <input name="email" type="email" /></label>
          <label
            >${msg('Role')}
            <select name="role">
              ${['user', 'agent', 'operator', 'supervisor', 'board', 'admin'].map(
                (r) => html`<option value=${r} ?selected=${r === 'agent'}>${roleText(r)}</option>`,
              )}
            </select></label
          >
          <button class="primary" type="submit" data-testid="person-save">${msg('Save')}</button>
        </form>
      </section>
      <section>
        <h3>${msg('Directory as CSV')}</h3>
        <button data-testid="csv-export" @click=${() => this.exportCsv()}>
          ${msg('Download CSV')}
        </button>
        <label
          >${msg('Import a CSV file (all rows or nothing)')}
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="csv-import"
            @change=${(e: Event) => this.importCsv(e)}
        /></label>
      </section>
      <section>
        <sentral-people-admin></sentral-people-admin>
      </section>
      <section>
        <sentral-department-admin></sentral-department-admin>
      </section>`;
  }

  private renderSecurity() {
    return html`<section>
        <h3>${msg('Two-factor login')}</h3>
        <p>${msg('Admins always need it. Require it of everyone in the company:')}</p>
        <button data-testid="require-2fa" @click=${() => this.require2fa(true)}>
          ${msg('Require for everyone')}
        </button>
        <button data-testid="optional-2fa" @click=${() => this.require2fa(false)}>
          ${msg('Make optional')}
        </button>
      </section>
      <section>
        <h3>${msg('Retention')}</h3>
        <form
          @submit=${(e: Event) => {
            e.preventDefault();
            const days = Number(new FormData(e.currentTarget as HTMLFormElement).get('days'));
            void this.run(async () => {
              await this.api?.call('retention.set', { days });
              this.retentionDays = days;
            }, msg('Retention saved.'));
          }}
        >
          <label
            >${msg('Keep queue history and caller notes for (days)')}
            <input
              name="days"
              type="number"
              min="1"
              max="3650"
              .value=${this.retentionDays === null ? '' : String(this.retentionDays)}
              data-testid="retention-days"
          /></label>
          <button type="submit" data-testid="retention-save">${msg('Save')}</button>
        </form>
      </section>`;
  }

  private renderAudit() {
    // 24-hour clock in English too (en-US would say 3:05 PM).
    const when = dateTimeFormat({ dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' });
    return html`<table data-testid="audit-log">
      <thead>
        <tr>
          <th scope="col">${msg('When')}</th>
          <th scope="col">${msg('Who')}</th>
          <th scope="col">${msg('What')}</th>
          <th scope="col">${msg('Target')}</th>
        </tr>
      </thead>
      <tbody>
        ${this.audit.map(
          (e) =>
            html`<tr>
              <td>${when.format(e.at)}</td>
              <td>${e.actor ?? '—'}</td>
              <td>${e.action}</td>
              <td>${e.target ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private show(tab: Tab): void {
    this.tab = tab;
    this.error = '';
    this.note = '';
    if (tab === 'audit') void this.loadAudit();
    if (tab === 'security') void this.loadRetention();
  }

  private async loadRetention(): Promise<void> {
    await this.run(async () => {
      const days = (await this.api?.call('retention.get', {}))?.days;
      if (days !== undefined) this.retentionDays = days;
    });
  }

  private async loadAudit(): Promise<void> {
    await this.run(async () => {
      this.audit = (await this.api?.call('audit.list', { limit: 200 }))?.entries ?? [];
    });
  }

  private readonly savePerson = (e: Event): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const field = (name: string) => {
      const v = String(data.get(name) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const role = field('role') as 'agent' | undefined;
    const person = {
      first_name: field('first_name') ?? '',
      ...(field('last_name') ? { last_name: field('last_name') } : {}),
      ...(field('title') ? { title: field('title') } : {}),
      ...(field('department') ? { department: field('department') } : {}),
      ...(field('extension') ? { extension: field('extension') } : {}),
      ...(field('mobile') ? { mobile: field('mobile') } : {}),
      ...(field('email') ? { email: field('email') } : {}),
      ...(role ? { role } : {}),
    };
    void this.run(async () => {
      const r = await this.api?.call('people.save', person);
      if (r) this.note = r.created ? msg('Person added.') : msg('Person updated.');
      form.reset();
    });
  };

  private async exportCsv(): Promise<void> {
    await this.run(async () => {
      const csv = (await this.api?.call('people.export', {}))?.csv ?? '';
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'directory.csv';
      a.click();
      URL.revokeObjectURL(url);
    });
  }

  private async importCsv(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const csv = await file.text();
    input.value = '';
    await this.run(async () => {
      const r = await this.api?.call('people.import', { csv });
      if (r) this.note = msg(str`Imported: ${r.created} added, ${r.updated} updated.`);
    });
  }

  private async require2fa(required: boolean): Promise<void> {
    await this.run(
      () => this.api?.call('twofactor.require', { required }),
      required
        ? msg('Two-factor login is now required for everyone.')
        : msg('Two-factor login is optional.'),
    );
  }

  private async run(command: () => Promise<unknown> | undefined, done?: string): Promise<void> {
    this.error = '';
    this.note = '';
    try {
      await command();
      if (done) this.note = done;
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-admin': SentralAdmin;
  }
}
