import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type {
  AnswerGroupConfig,
  CommandParams,
  DepartmentConfig,
  QueueConfig,
} from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { adminStyles } from './admin-styles.js';
import { controls } from './theme.js';

type Target = DepartmentConfig['target'];
/** The department being edited: an existing one, or `null` for a new one; `undefined`: none. */
type Editing = DepartmentConfig | null | undefined;

/**
 * The contact person's departments (issue 4): each with its own number and the queue or answer
 * group a call to that number goes to. The server checks every change (the number is a phone
 * number nobody else in the company has, the name is text) and says why when it refuses; the
 * form then stays open with what was typed.
 */
@localized()
@customElement('sentral-department-admin')
export class SentralDepartmentAdmin extends LitElement {
  static override styles = [
    controls,
    adminStyles,
    css`
      form {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
        gap: 0.5rem;
        align-items: end;
        margin: 0.75rem 0;
      }
      input,
      select {
        min-height: 2.3rem;
        padding: 0 0.5rem;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private departments: DepartmentConfig[] = [];
  @state() private queues: QueueConfig[] = [];
  @state() private groups: AnswerGroupConfig[] = [];
  @state() private editing: Editing = undefined;
  @state() private error = '';
  @state() private note = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    return html`
      <h3>${msg('Departments')}</h3>
      <table data-testid="department-list">
        <thead>
          <tr>
            <th scope="col">${msg('Department')}</th>
            <th scope="col">${msg('Number')}</th>
            <th scope="col">${msg('Calls to the number go to')}</th>
            <th scope="col">${msg('People')}</th>
            <th scope="col"><span class="visually-hidden">${msg('Actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.departments.map(
            (d) =>
              html`<tr data-department-id=${d.id}>
                <td>${d.name}</td>
                <td>${d.number ?? '—'}</td>
                <td>${this.targetName(d.target)}</td>
                <td>${d.people}</td>
                <td>
                  <button
                    data-testid="department-edit"
                    aria-label=${msg(str`Edit ${d.name}`)}
                    @click=${() => this.edit(d)}
                  >
                    ${msg('Edit')}
                  </button>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      <button data-testid="department-new" @click=${() => this.edit(null)}>
        ${msg('New department')}
      </button>
      ${this.editing !== undefined ? this.renderForm(this.editing) : nothing}
      ${
        this.note
          ? html`<p role="status" data-testid="department-admin-note">${this.note}</p>`
          : nothing
      }
      ${
        this.error
          ? html`<p role="alert" data-testid="department-admin-error">${this.error}</p>`
          : nothing
      }
    `;
  }

  private renderForm(department: DepartmentConfig | null) {
    const target = department?.target ?? null;
    return html`<form
      data-testid="department-form"
      aria-label=${department ? msg(str`Department ${department.name}`) : msg('New department')}
      @submit=${this.save}
    >
      <label
        >${msg('Name')}
        <input name="name" required maxlength="100" .value=${department?.name ?? ''}
      /></label>
      <label
        >${msg('Number')}
        <input
          name="number"
          inputmode="tel"
          maxlength="32"
          placeholder=${msg('none')}
          .value=${department?.number ?? ''}
      /></label>
      <label
        >${msg('Calls to the number go to')}
        <select name="target" data-testid="department-target">
          <option value="" ?selected=${target === null}>${msg('Nowhere (directory only)')}</option>
          ${this.queues.map(
            (q) =>
              html`<option
                value=${`queue:${q.id}`}
                ?selected=${target?.kind === 'queue' && target.id === q.id}
              >
                ${msg(str`Queue ${q.name}`)}
              </option>`,
          )}
          ${this.groups.map(
            (g) =>
              html`<option
                value=${`answer-group:${g.id}`}
                ?selected=${target?.kind === 'answer-group' && target.id === g.id}
              >
                ${msg(str`Answer group ${g.name}`)}
              </option>`,
          )}
        </select></label
      >
      <button class="primary" type="submit" data-testid="department-save">
        ${department ? msg('Save department') : msg('Create department')}
      </button>
      ${
        department
          ? html`<button
              type="button"
              data-testid="department-delete"
              @click=${() => this.deleteDepartment(department)}
            >
              ${msg('Delete department')}
            </button>`
          : nothing
      }
      <button type="button" @click=${() => (this.editing = undefined)}>${msg('Cancel')}</button>
    </form>`;
  }

  private edit(department: DepartmentConfig | null): void {
    this.error = '';
    this.note = '';
    this.editing = department;
  }

  private targetName(target: Target): string {
    if (!target) return '—';
    if (target.kind === 'queue') {
      const name = this.queues.find((q) => q.id === target.id)?.name ?? msg('unknown');
      return msg(str`Queue ${name}`);
    }
    const name = this.groups.find((g) => g.id === target.id)?.name ?? msg('unknown');
    return msg(str`Answer group ${name}`);
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      const api = this.api;
      if (!api) return;
      const [list, config] = await Promise.all([
        api.call('departments.list', {}),
        api.call('queues.config', {}),
      ]);
      this.departments = list.departments;
      this.queues = config.queues;
      this.groups = config.answerGroups;
    });
  }

  private readonly save = (e: Event): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const [kind, id] = text('target').split(/:(.*)/s);
    const existing = this.editing ?? null;
    const params: CommandParams<'department.save'> = {
      ...(existing ? { departmentId: existing.id } : {}),
      name: text('name'),
      number: text('number') || null,
      target: (kind === 'queue' || kind === 'answer-group') && id ? { kind, id } : null,
    };
    void this.run(async () => {
      const saved = await this.api?.call('department.save', params);
      if (!saved) return;
      this.editing = undefined;
      await this.load();
      this.note = msg(str`Department ${saved.department.name} saved.`);
    });
  };

  private async deleteDepartment(department: DepartmentConfig): Promise<void> {
    await this.run(async () => {
      await this.api?.call('department.delete', { departmentId: department.id });
      this.editing = undefined;
      await this.load();
      this.note = msg(str`Department ${department.name} deleted.`);
    });
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

declare global {
  interface HTMLElementTagNameMap {
    'sentral-department-admin': SentralDepartmentAdmin;
  }
}
