import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type {
  AnswerGroupConfig,
  CommandParams,
  CommandResult,
  QueueConfig,
  VipPattern,
} from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { adminStyles } from './admin-styles.js';
import { controls } from './theme.js';

type Person = CommandResult<'directory.list'>['people'][number];
type Target = QueueConfig['overflowTarget'];
type Editing =
  | { kind: 'queue'; queue: QueueConfig | null }
  | { kind: 'answer-group'; group: AnswerGroupConfig | null }
  | null;

/** The queue strategies with their names (a function: the names follow the language). */
function strategies(): ReadonlyArray<[QueueConfig['strategy'], string]> {
  return [
    ['ring-all', msg('Ring all')],
    ['longest-idle', msg('Longest idle')],
    ['round-robin', msg('Round robin')],
    ['serial', msg('In order')],
  ];
}

/** The answer groups' ringing modes with their names. */
function modes(): ReadonlyArray<[AnswerGroupConfig['mode'], string]> {
  return [
    ['parallel', msg('All at once')],
    ['serial', msg('One after another')],
  ];
}

const NEW_GROUP: Omit<AnswerGroupConfig, 'id'> = {
  name: '',
  number: null,
  mode: 'parallel',
  ringTimeoutS: 15,
  fallback: null,
  members: [],
};

const NEW_QUEUE: Omit<QueueConfig, 'id'> = {
  name: '',
  number: null,
  strategy: 'longest-idle',
  ringTimeoutS: 20,
  wrapUpS: 10,
  maxWaitS: null,
  maxLength: null,
  overflowTarget: null,
  noAgentsTarget: null,
  autoPauseAfterMisses: 3,
  isMain: false,
  members: [],
};

/**
 * The contact person's switchboard set-up (issue 4): queues with their number, strategy, timers,
 * overflow and members; answer groups with their number, ringing mode, ring time, where callers
 * go when nobody answers, and members (in ringing order); the VIP list. Every change
 * goes to the server, which checks it (numbers unique, members of the company) and says why
 * when it refuses; nothing is kept half-saved here.
 */
@localized()
@customElement('sentral-queue-admin')
export class SentralQueueAdmin extends LitElement {
  static override styles = [
    controls,
    adminStyles,
    css`
      form.queue,
      form.answer-group {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
        gap: 0.5rem;
        align-items: end;
        margin: 0.75rem 0;
      }
      fieldset {
        grid-column: 1 / -1;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        max-height: 12rem;
        overflow: auto;
      }
      fieldset label {
        flex-direction: row;
        gap: 0.3rem;
        align-items: center;
      }
      textarea {
        width: 100%;
        min-height: 6rem;
        font: inherit;
      }
      section + section {
        margin-top: 1.25rem;
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private queues: QueueConfig[] = [];
  @state() private groups: AnswerGroupConfig[] = [];
  @state() private vip: VipPattern[] = [];
  @state() private people: Person[] = [];
  @state() private editing: Editing = null;
  @state() private error = '';
  @state() private note = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override render() {
    return html`
      <section>
        <h3>${msg('Queues')}</h3>
        <table data-testid="queue-list">
          <thead>
            <tr>
              <th scope="col">${msg('Queue')}</th>
              <th scope="col">${msg('Number')}</th>
              <th scope="col">${msg('Strategy')}</th>
              <th scope="col">${msg('Members')}</th>
              <th scope="col"><span class="visually-hidden">${msg('Actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            ${this.queues.map(
              (q) =>
                html`<tr data-queue-id=${q.id}>
                  <td>
                    ${q.name}${q.isMain ? html` <strong>${msg('(main number)')}</strong>` : nothing}
                  </td>
                  <td>${q.number ?? '—'}</td>
                  <td>${strategies().find(([s]) => s === q.strategy)?.[1] ?? q.strategy}</td>
                  <td>${q.members.map((id) => this.nameOf(id)).join(', ') || '—'}</td>
                  <td>
                    <button
                      data-testid="queue-edit"
                      @click=${() => (this.editing = { kind: 'queue', queue: q })}
                    >
                      ${msg('Edit')}
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <button
          data-testid="queue-new"
          @click=${() => (this.editing = { kind: 'queue', queue: null })}
        >
          ${msg('New queue')}
        </button>
        ${this.editing?.kind === 'queue' ? this.renderQueueForm(this.editing.queue) : nothing}
      </section>
      <section>
        <h3>${msg('Answer groups')}</h3>
        <table data-testid="answer-groups">
          <thead>
            <tr>
              <th scope="col">${msg('Answer group')}</th>
              <th scope="col">${msg('Number')}</th>
              <th scope="col">${msg('Rings')}</th>
              <th scope="col">${msg('Nobody answers')}</th>
              <th scope="col">${msg('Members')}</th>
              <th scope="col"><span class="visually-hidden">${msg('Actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            ${this.groups.map(
              (g) =>
                html`<tr data-group-id=${g.id}>
                  <td>${g.name}</td>
                  <td>${g.number ?? '—'}</td>
                  <td>
                    ${modes().find(([m]) => m === g.mode)?.[1] ?? g.mode}, ${g.ringTimeoutS} s
                  </td>
                  <td>${this.targetName(g.fallback)}</td>
                  <td>${g.members.map((id) => this.nameOf(id)).join(', ') || '—'}</td>
                  <td>
                    <button
                      data-testid="group-edit"
                      aria-label=${msg(str`Edit answer group ${g.name}`)}
                      @click=${() => (this.editing = { kind: 'answer-group', group: g })}
                    >
                      ${msg('Edit')}
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <button
          data-testid="group-new"
          @click=${() => (this.editing = { kind: 'answer-group', group: null })}
        >
          ${msg('New answer group')}
        </button>
        ${
          this.editing?.kind === 'answer-group' ? this.renderGroupForm(this.editing.group) : nothing
        }
      </section>
      <section>
        <h3>${msg('VIP callers')}</h3>
        <form @submit=${this.saveVip}>
          <label
            >${msg('One per line: a number, or a prefix ending in *, then optionally a comma and a label')}
            <textarea
              name="vip"
              data-testid="vip-list"
              spellcheck="false"
              .value=${this.vip.map((v) => (v.label ? `${v.pattern}, ${v.label}` : v.pattern)).join('\n')}
            ></textarea>
          </label>
          <button type="submit" data-testid="vip-save">${msg('Save VIP list')}</button>
        </form>
      </section>
      ${this.note ? html`<p role="status" data-testid="queue-admin-note">${this.note}</p>` : nothing}
      ${this.error ? html`<p role="alert" data-testid="queue-admin-error">${this.error}</p>` : nothing}
    `;
  }

  private renderQueueForm(queue: QueueConfig | null) {
    const q = queue ?? { ...NEW_QUEUE, id: '' };
    const optionalNumber = (name: string, label: string, value: number | null, min: number) =>
      html`<label
        >${label}
        <input name=${name} type="number" min=${min} .value=${value === null ? '' : String(value)}
      /></label>`;
    return html`<form class="queue" data-testid="queue-form" @submit=${this.saveQueue}>
      <label>${msg('Name')} <input name="name" required maxlength="80" .value=${q.name} /></label>
      <label
        >${msg('Number')}
        <input name="number" inputmode="tel" .value=${q.number ?? ''} placeholder=${msg('none')}
      /></label>
      <label
        >${msg('Strategy')}
        <select name="strategy">
          ${strategies().map(
            ([value, text]) =>
              html`<option value=${value} ?selected=${value === q.strategy}>${text}</option>`,
          )}
        </select></label
      >
      <label
        >${msg('Ring time per offer (s)')}
        <input name="ringTimeoutS" type="number" min="5" max="300" .value=${String(q.ringTimeoutS)}
      /></label>
      <label
        >${msg('Wrap-up after a call (s)')}
        <input name="wrapUpS" type="number" min="0" max="600" .value=${String(q.wrapUpS)}
      /></label>
      ${optionalNumber('maxWaitS', msg('Longest wait before overflow (s)'), q.maxWaitS, 10)}
      ${optionalNumber('maxLength', msg('Most callers waiting'), q.maxLength, 1)}
      ${optionalNumber(
        'autoPauseAfterMisses',
        msg('Pause an agent after missed offers in a row'),
        q.autoPauseAfterMisses,
        1,
      )}
      <label
        >${msg('Overflow to')}
        <select name="overflow" data-testid="queue-overflow">
          <option value="">${msg('Nowhere (callers wait)')}</option>
          ${this.queues
            .filter((o) => o.id !== q.id)
            .map(
              (o) =>
                html`<option
                  value=${`queue:${o.id}`}
                  ?selected=${sameTarget(q.overflowTarget, 'queue', o.id)}
                >
                  ${msg(str`Queue ${o.name}`)}
                </option>`,
            )}
          ${this.groups.map(
            (g) =>
              html`<option
                value=${`answer-group:${g.id}`}
                ?selected=${sameTarget(q.overflowTarget, 'answer-group', g.id)}
              >
                ${msg(str`Answer group ${g.name}`)}
              </option>`,
          )}
        </select></label
      >
      <label class="check"
        ><span
          ><input name="isMain" type="checkbox" ?checked=${q.isMain} />
          ${msg('The main number leads here')}</span
        ></label
      >
      ${this.renderMembers('queue-members', msg('Members'), q.members)}
      <button class="primary" type="submit" data-testid="queue-save">
        ${queue ? msg('Save queue') : msg('Create queue')}
      </button>
      ${
        queue
          ? html`<button
              type="button"
              data-testid="queue-delete"
              @click=${() => this.deleteQueue(queue)}
            >
              ${msg('Delete queue')}
            </button>`
          : nothing
      }
      <button type="button" @click=${() => (this.editing = null)}>${msg('Cancel')}</button>
    </form>`;
  }

  private renderGroupForm(group: AnswerGroupConfig | null) {
    const g = group ?? { ...NEW_GROUP, id: '' };
    const fallback = g.fallback;
    return html`<form
      class="answer-group"
      data-testid="group-form"
      aria-label=${group ? msg(str`Answer group ${group.name}`) : msg('New answer group')}
      @submit=${this.saveGroup}
    >
      <label>${msg('Name')} <input name="name" required maxlength="80" .value=${g.name} /></label>
      <label
        >${msg('Number')}
        <input
          name="number"
          inputmode="tel"
          maxlength="32"
          .value=${g.number ?? ''}
          placeholder=${msg('none')}
      /></label>
      <label
        >${msg('Rings members')}
        <select name="mode">
          ${modes().map(
            ([value, text]) =>
              html`<option value=${value} ?selected=${value === g.mode}>${text}</option>`,
          )}
        </select></label
      >
      <label
        >${msg('Ring time (s; each member when one after another)')}
        <input name="ringTimeoutS" type="number" min="5" max="300" .value=${String(g.ringTimeoutS)}
      /></label>
      <label
        >${msg('When nobody answers')}
        <select name="fallback" data-testid="group-fallback">
          <option value="" ?selected=${fallback === null}>${msg('The call ends')}</option>
          ${this.queues.map(
            (q) =>
              html`<option
                value=${`queue:${q.id}`}
                ?selected=${sameTarget(fallback, 'queue', q.id)}
              >
                ${msg(str`Queue ${q.name}`)}
              </option>`,
          )}
          ${this.groups
            .filter((o) => o.id !== g.id)
            .map(
              (o) =>
                html`<option
                  value=${`answer-group:${o.id}`}
                  ?selected=${sameTarget(fallback, 'answer-group', o.id)}
                >
                  ${msg(str`Answer group ${o.name}`)}
                </option>`,
            )}
          ${this.people
            .filter((p) => p.extension)
            .map(
              (p) =>
                html`<option
                  value=${`user:${p.id}`}
                  ?selected=${sameTarget(fallback, 'user', p.id)}
                >
                  ${p.displayName}
                </option>`,
            )}
          ${
            fallback?.kind === 'number'
              ? html`<option value=${`number:${fallback.id}`} selected>
                  ${msg(str`Number ${fallback.id}`)}
                </option>`
              : nothing
          }
        </select></label
      >
      ${this.renderMembers('group-members', msg('Members (rung in this order)'), g.members)}
      <button class="primary" type="submit" data-testid="group-save">
        ${group ? msg('Save answer group') : msg('Create answer group')}
      </button>
      ${
        group
          ? html`<button
              type="button"
              data-testid="group-delete"
              @click=${() => this.deleteGroup(group)}
            >
              ${msg('Delete answer group')}
            </button>`
          : nothing
      }
      <button type="button" @click=${() => (this.editing = null)}>${msg('Cancel')}</button>
    </form>`;
  }

  private targetName(target: Target): string {
    if (!target) return '—';
    switch (target.kind) {
      case 'queue': {
        const name = this.queues.find((q) => q.id === target.id)?.name ?? msg('unknown');
        return msg(str`Queue ${name}`);
      }
      case 'answer-group': {
        const name = this.groups.find((g) => g.id === target.id)?.name ?? msg('unknown');
        return msg(str`Answer group ${name}`);
      }
      case 'user':
        return this.nameOf(target.id);
      case 'number':
        return target.id;
    }
  }

  private nameOf(userId: string): string {
    return this.people.find((p) => p.id === userId)?.displayName ?? msg('unknown');
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      const api = this.api;
      if (!api) return;
      const [config, directory] = await Promise.all([
        api.call('queues.config', {}),
        api.call('directory.list', {}),
      ]);
      this.queues = config.queues;
      this.groups = config.answerGroups;
      this.vip = config.vip;
      this.people = directory.people;
    });
  }

  private readonly saveQueue = (e: Event): void => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const optional = (name: string) => (text(name) === '' ? null : Number(text(name)));
    const overflow = text('overflow');
    const [kind, id] = overflow.split(/:(.*)/s);
    const existing = this.editing?.kind === 'queue' ? this.editing.queue : null;
    const params: CommandParams<'queue.save'> = {
      ...(existing ? { queueId: existing.id } : {}),
      name: text('name'),
      number: text('number') || null,
      strategy: text('strategy') as QueueConfig['strategy'],
      ringTimeoutS: Number(text('ringTimeoutS')),
      wrapUpS: Number(text('wrapUpS')),
      maxWaitS: optional('maxWaitS'),
      maxLength: optional('maxLength'),
      autoPauseAfterMisses: optional('autoPauseAfterMisses'),
      overflowTarget: overflow && id ? { kind: kind as NonNullable<Target>['kind'], id } : null,
      noAgentsTarget: existing?.noAgentsTarget ?? null,
      isMain: data.get('isMain') !== null,
      members: keepOrder(existing?.members ?? [], data.getAll('members').map(String)),
    };
    void this.run(async () => {
      const saved = await this.api?.call('queue.save', params);
      if (!saved) return;
      this.editing = null;
      await this.load();
      this.note = msg(str`Queue ${saved.queue.name} saved.`);
    });
  };

  private async deleteQueue(queue: QueueConfig): Promise<void> {
    await this.run(async () => {
      await this.api?.call('queue.delete', { queueId: queue.id });
      this.editing = null;
      await this.load();
      this.note = msg(str`Queue ${queue.name} deleted.`);
    });
  }

  private readonly saveGroup = (e: Event): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const [kind, id] = text('fallback').split(/:(.*)/s);
    const existing = this.editing?.kind === 'answer-group' ? this.editing.group : null;
    const members = keepOrder(existing?.members ?? [], data.getAll('members').map(String));
    const params: CommandParams<'answergroup.save'> = {
      ...(existing ? { groupId: existing.id } : {}),
      name: text('name'),
      number: text('number') || null,
      mode: text('mode') as AnswerGroupConfig['mode'],
      ringTimeoutS: Number(text('ringTimeoutS')),
      fallback: kind && id ? { kind: kind as NonNullable<Target>['kind'], id } : null,
      members,
    };
    void this.run(async () => {
      const saved = await this.api?.call('answergroup.save', params);
      if (!saved) return;
      this.editing = null;
      await this.load();
      this.note = msg(str`Answer group ${saved.answerGroup.name} saved.`);
    });
  };

  private async deleteGroup(group: AnswerGroupConfig): Promise<void> {
    await this.run(async () => {
      await this.api?.call('answergroup.delete', { groupId: group.id });
      this.editing = null;
      await this.load();
      this.note = msg(str`Answer group ${group.name} deleted.`);
    });
  }

  private readonly saveVip = (e: Event): void => {
    e.preventDefault();
    const raw = String(new FormData(e.currentTarget as HTMLFormElement).get('vip') ?? '');
    const entries = raw
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => {
        const [pattern = '', ...label] = line.split(',');
        const text = label.join(',').trim();
        return { pattern: pattern.trim(), label: text === '' ? null : text };
      });
    void this.run(async () => {
      const saved = await this.api?.call('vip.set', { entries });
      if (saved) this.vip = saved.vip;
      this.note = msg('VIP list saved.');
    });
  };

  private async run(command: () => Promise<unknown>): Promise<void> {
    this.error = '';
    this.note = '';
    try {
      await command();
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }

  /** Everyone with an extension as a checkbox, ticked when a member (queues and groups alike). */
  private renderMembers(testId: string, legend: string, members: readonly string[]) {
    return html`<fieldset data-testid=${testId}>
      <legend>${legend}</legend>
      ${this.people
        .filter((p) => p.extension)
        .map(
          (p) =>
            html`<label
              ><input
                type="checkbox"
                name="members"
                value=${p.id}
                ?checked=${members.includes(p.id)}
              />${p.displayName}</label
            >`,
        )}
    </fieldset>`;
  }
}

/** Members keep their order (serial ringing); newly ticked ones join at the end. */
function keepOrder(before: readonly string[], ticked: readonly string[]): string[] {
  return [
    ...before.filter((m) => ticked.includes(m)),
    ...ticked.filter((m) => !before.includes(m)),
  ];
}

function sameTarget(target: Target, kind: string, id: string): boolean {
  return target?.kind === kind && target.id === id;
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-queue-admin': SentralQueueAdmin;
  }
}
