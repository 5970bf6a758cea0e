import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { formatDuration } from './format.js';
import { controls } from './theme.js';
import { downloadCsv, toCsv } from './stats-csv.js';
import type { HourBucket } from './sentral-hourly-chart.js';
import './sentral-hourly-chart.js';

type Range = 'today' | '7d' | '30d' | 'custom';
const RANGES: ReadonlyArray<Exclude<Range, 'custom'>> = ['today', '7d', '30d'];

/** A ready-made period's button text (at render time: it follows the language). */
function rangeText(range: Exclude<Range, 'custom'>): string {
  switch (range) {
    case 'today':
      return msg('Today');
    case '7d':
      return msg('Last 7 days');
    case '30d':
      return msg('Last 30 days');
  }
}

/** `yyyy-mm-dd` of a local date (what `<input type=date>` holds). */
function dateValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight of a `yyyy-mm-dd` value. */
function localDay(value: string): Date {
  const [y = 1970, m = 1, d = 1] = value.split('-').map(Number);
  return new Date(y, m - 1, d);
}

function rangeFor(range: Exclude<Range, 'custom'>, now = new Date()): { from: number; to: number } {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  const days = range === 'today' ? 0 : range === '7d' ? 6 : 29;
  start.setDate(start.getDate() - days);
  return { from: start.getTime(), to: now.getTime() };
}

const percent = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const duration = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

/**
 * Statistics for supervisors and admins, computed by the core from the call records: per
 * queue (offered, answered, abandoned, answer rate, service level, waits, talk time,
 * transfers) and per agent, for today, the last 7 or 30 days or any period of whole days; call
 * volume by hour of the day; every table downloadable as CSV.
 */
@localized()
@customElement('sentral-statistics')
export class SentralStatistics extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .ranges {
        display: flex;
        gap: 0.4rem;
        margin-bottom: 0.75rem;
      }
      button[aria-pressed='true'] {
        background: var(--sentral-accent, #1f5fbf);
        color: #fff;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin-bottom: 1rem;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        text-align: right;
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid var(--sentral-border, #d9dde3);
      }
      th:first-child,
      td:first-child {
        text-align: left;
      }
      h3 {
        font-size: 0.95rem;
        margin: 0.5rem 0;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
    `,
  ];

  @consume({ context: apiClientContext, subscribe: true })
  api?: ApiClient;

  @state() private range: Range = 'today';
  @state() private queues: CommandResult<'stats.queues'>['queues'] | null = null;
  @state() private agents: CommandResult<'stats.agents'>['agents'] | null = null;
  @state() private hourly: HourBucket[] | null = null;
  @state() private error = '';
  @state() private customFrom = dateValue(new Date(Date.now() - 6 * 86_400_000));
  @state() private customTo = dateValue(new Date());

  /** The period asked for, in epoch ms; a custom period runs to the end of its last day. */
  private period(): { from: number; to: number } {
    if (this.range !== 'custom') return rangeFor(this.range);
    const to = localDay(this.customTo);
    to.setDate(to.getDate() + 1);
    return { from: localDay(this.customFrom).getTime(), to: Math.min(to.getTime(), Date.now()) };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Bumped by every load: an answer to an older question is dropped (the last click wins). */
  private loads = 0;

  private async load(): Promise<void> {
    if (!this.api) return;
    const mine = ++this.loads;
    const r = this.period();
    if (!(r.from < r.to)) {
      this.error = msg('The period must start before it ends.');
      return;
    }
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      const [q, a, h] = await Promise.all([
        this.api.call('stats.queues', r),
        this.api.call('stats.agents', r),
        this.api.call('stats.hourly', { ...r, timeZone }),
      ]);
      if (mine !== this.loads) return;
      this.queues = q.queues;
      this.agents = a.agents;
      this.hourly = byHourOfDay(h.hours, timeZone);
      this.error = '';
    } catch (error) {
      if (mine === this.loads) this.error = commandErrorText(error);
    }
  }

  override render() {
    return html`
      <div class="ranges" role="group" aria-label=${msg('Period')}>
        ${RANGES.map(
          (r) =>
            html`<button
              aria-pressed=${this.range === r ? 'true' : 'false'}
              data-testid=${`range-${r}`}
              @click=${() => {
                this.range = r;
                void this.load();
              }}
            >
              ${rangeText(r)}
            </button>`,
        )}
        <form
          class="custom"
          data-testid="range-custom"
          @submit=${(e: Event) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget as HTMLFormElement);
            this.customFrom = String(data.get('from'));
            this.customTo = String(data.get('to'));
            this.range = 'custom';
            void this.load();
          }}
        >
          <label
            >${msg('From')} <input type="date" name="from" required .value=${this.customFrom}
          /></label>
          <label
            >${msg('To')} <input type="date" name="to" required .value=${this.customTo}
          /></label>
          <button type="submit" aria-pressed=${this.range === 'custom' ? 'true' : 'false'}>
            ${msg('Show period')}
          </button>
        </form>
      </div>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${
        this.queues
          ? html`<h3>${msg('Queues')}</h3>
              <button data-testid="csv-queues" @click=${() => this.exportQueues()}>
                ${msg('Download CSV')}
              </button>
              <table data-testid="stats-queues">
                <thead>
                  <tr>
                    <th scope="col">${msg('Queue')}</th>
                    <th scope="col">${msg('Offered')}</th>
                    <th scope="col">${msg('Answered')}</th>
                    <th scope="col">${msg('Abandoned')}</th>
                    <th scope="col">${msg('Answer rate')}</th>
                    <th scope="col">${msg('Service level')}</th>
                    <th scope="col">${msg('Avg wait')}</th>
                    <th scope="col">${msg('Longest wait')}</th>
                    <th scope="col">${msg('Avg talk')}</th>
                    <th scope="col">${msg('Transferred')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.queues.map(
                    (q) =>
                      html`<tr>
                        <th scope="row">${q.queueName}</th>
                        <td>${q.offered}</td>
                        <td>${q.answered}</td>
                        <td>${q.abandoned}</td>
                        <td>${percent(q.answerRate)}</td>
                        <td>${percent(q.serviceLevel)}</td>
                        <td>${duration(q.averageWaitMs)}</td>
                        <td>${duration(q.longestWaitMs)}</td>
                        <td>${duration(q.averageTalkMs)}</td>
                        <td>${q.transferred}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
          : nothing
      }
      ${
        this.agents
          ? html`<h3>${msg('Agents')}</h3>
              <button data-testid="csv-agents" @click=${() => this.exportAgents()}>
                ${msg('Download CSV')}
              </button>
              <table data-testid="stats-agents">
                <thead>
                  <tr>
                    <th scope="col">${msg('Agent')}</th>
                    <th scope="col">${msg('Offered')}</th>
                    <th scope="col">${msg('Answered')}</th>
                    <th scope="col">${msg('Answer rate')}</th>
                    <th scope="col">${msg('Avg talk')}</th>
                    <th scope="col">${msg('Transferred')}</th>
                    <th scope="col">${msg('Outgoing')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.agents.map(
                    (a) =>
                      html`<tr>
                        <th scope="row">${a.displayName}</th>
                        <td>${a.offered}</td>
                        <td>${a.answered}</td>
                        <td>${percent(a.answerRate)}</td>
                        <td>${duration(a.averageTalkMs)}</td>
                        <td>${a.transferred}</td>
                        <td>${a.outgoing}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
          : nothing
      }
      ${
        this.hourly
          ? html`<h3>${msg('Calls by hour of the day')}</h3>
              <button data-testid="csv-hourly" @click=${() => this.exportHourly()}>
                ${msg('Download CSV')}
              </button>
              <sentral-hourly-chart
                data-testid="stats-hourly"
                .buckets=${this.hourly}
              ></sentral-hourly-chart>`
          : nothing
      }
    `;
  }

  private fileName(what: string): string {
    const { from, to } = this.period();
    return `${what}-${dateValue(new Date(from))}-${dateValue(new Date(to - 1))}.csv`;
  }

  private exportQueues(): void {
    downloadCsv(
      this.fileName('queues'),
      toCsv(
        [
          msg('queue'),
          msg('offered'),
          msg('answered'),
          msg('abandoned'),
          msg('answer_rate'),
          msg('service_level'),
          msg('average_wait_s'),
          msg('longest_wait_s'),
          msg('average_talk_s'),
          msg('transferred'),
        ],
        (this.queues ?? []).map((q) => [
          q.queueName,
          q.offered,
          q.answered,
          q.abandoned,
          ratio(q.answerRate),
          ratio(q.serviceLevel),
          seconds(q.averageWaitMs),
          seconds(q.longestWaitMs),
          seconds(q.averageTalkMs),
          q.transferred,
        ]),
      ),
    );
  }

  private exportAgents(): void {
    downloadCsv(
      this.fileName('agents'),
      toCsv(
        [
          msg('agent'),
          msg('offered'),
          msg('answered'),
          msg('answer_rate'),
          msg('average_talk_s'),
          msg('transferred'),
          msg('outgoing'),
        ],
        (this.agents ?? []).map((a) => [
          a.displayName,
          a.offered,
          a.answered,
          ratio(a.answerRate),
          seconds(a.averageTalkMs),
          a.transferred,
          a.outgoing,
        ]),
      ),
    );
  }

  private exportHourly(): void {
    downloadCsv(
      this.fileName('hourly'),
      toCsv(
        [msg('hour'), msg('offered'), msg('answered'), msg('abandoned')],
        (this.hourly ?? []).map((b) => [
          `${String(b.hour).padStart(2, '0')}:00`,
          b.offered,
          b.answered,
          b.abandoned,
        ]),
      ),
    );
  }
}

const ratio = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

/** Sums the core's hourly rows (per queue and hour) into the 24 hours of the day. */
export function byHourOfDay(
  rows: CommandResult<'stats.hourly'>['hours'],
  timeZone: string,
): HourBucket[] {
  // A number to compute with, never shown as such: a fixed locale with plain digits.
  const hourOf = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone });
  const sums = new Map<number, { offered: number; answered: number; abandoned: number }>();
  for (const r of rows) {
    const hour = Number(hourOf.format(r.hour));
    const s = sums.get(hour) ?? { offered: 0, answered: 0, abandoned: 0 };
    s.offered += r.offered;
    s.answered += r.answered;
    s.abandoned += r.abandoned;
    sums.set(hour, s);
  }
  return [...sums].sort(([a], [b]) => a - b).map(([hour, s]) => ({ hour, ...s }));
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-statistics': SentralStatistics;
  }
}
