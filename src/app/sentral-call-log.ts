import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { CallLogRecord } from '../store/call-log-db.js';
import type { CallLogModel } from '../store/call-log-model.js';
import { personForNumber } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { DirectoryEntry } from '../shared/protocol.js';
import { initialCallLog } from '../store/call-log-state.js';
import type { LinesModel } from '../store/lines-model.js';
import type { PhoneService } from '../store/phone-service.js';
import {
  callLogModelContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
} from './contexts.js';
import { endReasonText, formatDuration } from './format.js';
import { rateMos } from '../sip/call-quality.js';
import { dateTimeFormat, numberFormat } from './i18n.js';
import { select } from './observable-controller.js';
import { controls } from './theme.js';

/** What happened to a call, in words: its length if answered, else why it did not connect. */
export function callOutcomeText(record: CallLogRecord): string {
  if (record.answered && record.answeredAt !== null) {
    return formatDuration(record.endedAt - record.answeredAt);
  }
  if (record.direction === 'in')
    return record.endReason === 'rejected' ? msg('Rejected') : msg('Missed');
  return endReasonText(record.endReason);
}

/** The call's estimated quality in words (never colour alone), or '' when none was measured. */
export function callQualityText(record: CallLogRecord): string {
  const q = record.quality;
  if (!q) return '';
  const oneDecimal = numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const average = oneDecimal.format(q.averageMos);
  const worst = oneDecimal.format(q.worstMos);
  switch (rateMos(q.worstMos)) {
    case 'good':
      return msg(str`Good quality · MOS ${average} average, ${worst} worst`);
    case 'fair':
      return msg(str`Fair quality · MOS ${average} average, ${worst} worst`);
    default:
      return msg(str`Poor quality · MOS ${average} average, ${worst} worst`);
  }
}

/**
 * The user's recent calls from the local call log, newest first, a page at a time (Newer /
 * Older), searchable by name or number. Activating a row (click, or its Call back button)
 * calls the number back. A call without a display name takes a colleague's name from the
 * directory. Names and numbers are text; dates and times follow the interface language.
 */
@localized()
@customElement('sentral-call-log')
export class SentralCallLog extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem 0.75rem;
        margin-bottom: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
        white-space: nowrap;
      }
      input[type='search'] {
        flex: 1 1 10rem;
        max-width: 16rem;
        min-width: 0;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th {
        text-align: start;
        font-weight: 600;
        color: var(--sentral-text-muted, #556070);
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
        padding: 0.3rem 0.25rem;
      }
      td {
        padding: 0.4rem 0.25rem;
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
        vertical-align: top;
      }
      tbody tr {
        cursor: pointer;
      }
      tbody tr:hover {
        background: var(--sentral-surface-2, #f8f9fb);
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .number,
      .muted {
        color: var(--sentral-text-muted, #556070);
        overflow-wrap: anywhere;
      }
      .missed {
        color: var(--sentral-danger, #b3261e);
      }
      td.outcome {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      button.back {
        padding: 0.15rem 0.5rem;
        min-height: 0;
      }
      .pager {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        margin-top: 0.6rem;
      }
      .empty {
        color: var(--sentral-text-muted, #556070);
        margin: 0.5rem 0;
      }
    `,
  ];

  @consume({ context: callLogModelContext, subscribe: true })
  callLog?: CallLogModel;

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  @consume({ context: linesModelContext, subscribe: true })
  linesModel?: LinesModel;

  /** Optional: names calls to and from colleagues that came without a display name. */
  @consume({ context: directoryModelContext, subscribe: true })
  directoryModel?: DirectoryModel;

  private readonly people = select(
    this,
    () => this.directoryModel?.people$,
    [] as readonly DirectoryEntry[],
  );
  private readonly log = select(this, () => this.callLog?.state$, initialCallLog);
  private readonly busy = select(this, () => this.linesModel?.busy$, false);

  @state() private query = '';

  override render() {
    const { status, rows, page, hasNext, query } = this.log.value;
    const size = this.callLog?.pageSize ?? rows.length;
    const first = page * size + 1;
    return html`<section aria-labelledby="call-log-heading">
      <div class="head">
        <h2 id="call-log-heading">${msg('Recent calls')}</h2>
        <label class="visually-hidden" for="call-log-search">${msg('Search recent calls')}</label>
        <input
          id="call-log-search"
          type="search"
          data-testid="call-log-search"
          placeholder=${msg('Search name or number')}
          autocomplete="off"
          .value=${this.query}
          @input=${this.onSearch}
        />
      </div>
      ${status === 'opening' ? html`<p class="empty">${msg('Loading…')}</p>` : nothing}
      ${
        status === 'unavailable'
          ? html`<p class="empty" role="status">
              ${msg('The call log is not available in this browser.')}
            </p>`
          : nothing
      }
      ${
        status === 'ready' && rows.length === 0
          ? html`<p class="empty" data-testid="call-log-empty">
              ${query ? msg('No calls match.') : msg('No calls yet.')}
            </p>`
          : nothing
      }
      ${rows.length > 0 ? this.renderTable(rows) : nothing}
      ${
        page > 0 || hasNext
          ? html`<nav class="pager" aria-label=${msg('Recent calls pages')}>
              <button
                type="button"
                data-testid="call-log-newer"
                ?disabled=${page === 0}
                @click=${() => this.callLog?.previousPage()}
              >
                ${msg('Newer')}
              </button>
              <span class="muted" data-testid="call-log-range" aria-live="polite"
                >${first}–${first + rows.length - 1}</span
              >
              <button
                type="button"
                data-testid="call-log-older"
                ?disabled=${!hasNext}
                @click=${() => this.callLog?.nextPage()}
              >
                ${msg('Older')}
              </button>
            </nav>`
          : nothing
      }
    </section>`;
  }

  private renderTable(rows: readonly CallLogRecord[]) {
    const busy = this.busy.value;
    return html`<table data-testid="call-log">
      <caption class="visually-hidden">
        ${msg('Recent calls, newest first. Activate a row to call back.')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${msg('Who')}</th>
          <th scope="col">${msg('Call')}</th>
          <th scope="col"><span class="visually-hidden">${msg('Call back')}</span></th>
        </tr>
      </thead>
      <tbody>
        ${repeat(
          rows,
          (r) => r.id,
          (r) => this.renderRow(r, busy),
        )}
      </tbody>
    </table>`;
  }

  private renderRow(r: CallLogRecord, busy: boolean) {
    const name = r.displayName || personForNumber(this.people.value, r.number)?.displayName || '';
    const who = name || r.number || msg('Unknown');
    const number = r.number;
    const missed = !r.answered && r.direction === 'in';
    const ended = new Date(r.endedAt);
    // The locale's own short date and time (English as the browser has it, as before).
    const when = dateTimeFormat({ dateStyle: 'short', timeStyle: 'short' }).format(ended);
    return html`<tr
      data-testid="call-log-row"
      data-call-id=${r.id}
      data-direction=${r.direction}
      data-answered=${r.answered ? 'true' : 'false'}
      @click=${() => this.callBack(r)}
    >
      <td>
        <div class="name" data-testid="call-log-name">${who}</div>
        ${name ? html`<div class="number" data-testid="call-log-number">${r.number}</div>` : nothing}
      </td>
      <td class="outcome">
        <div class=${missed ? 'missed' : ''}>
          ${r.direction === 'in' ? msg('Incoming') : msg('Outgoing')} ·
          <span data-testid="call-log-outcome">${callOutcomeText(r)}</span>
        </div>
        <time class="muted" datetime=${ended.toISOString()}>${when}</time>
        ${
          r.quality
            ? html`<div class="muted" data-testid="call-log-quality">${callQualityText(r)}</div>`
            : nothing
        }
      </td>
      <td>
        <button
          type="button"
          class="back"
          data-testid="call-log-call"
          aria-label=${name ? msg(str`Call back ${who} on ${number}`) : msg(str`Call back ${who}`)}
          ?disabled=${busy || !r.number}
        >
          ☎
        </button>
      </td>
    </tr>`;
  }

  private onSearch(event: InputEvent): void {
    this.query = (event.target as HTMLInputElement).value;
    void this.callLog?.search(this.query);
  }

  private callBack(record: CallLogRecord): void {
    if (!record.number || this.busy.value) return;
    void this.phoneService?.dial(record.number);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-call-log': SentralCallLog;
  }
}
