import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandResult } from '../shared/protocol.js';
import type { ApiClient } from '../store/api-client.js';
import { commandErrorText } from './command-error.js';
import { apiClientContext } from './contexts.js';
import { formatDuration } from './format.js';
import { controls } from './theme.js';

type Range = 'today' | '7d' | '30d';
const RANGE_TEXT: Record<Range, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

function rangeFor(range: Range, now = new Date()): { from: number; to: number } {
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
 * transfers) and per agent, for today, the last 7 or the last 30 days.
 */
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
  @state() private error = '';

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    if (!this.api) return;
    const r = rangeFor(this.range);
    try {
      const [q, a] = await Promise.all([
        this.api.call('stats.queues', r),
        this.api.call('stats.agents', r),
      ]);
      this.queues = q.queues;
      this.agents = a.agents;
      this.error = '';
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }

  override render() {
    return html`
      <div class="ranges" role="group" aria-label="Period">
        ${(Object.keys(RANGE_TEXT) as Range[]).map(
          (r) =>
            html`<button
              aria-pressed=${this.range === r ? 'true' : 'false'}
              data-testid=${`range-${r}`}
              @click=${() => {
                this.range = r;
                void this.load();
              }}
            >
              ${RANGE_TEXT[r]}
            </button>`,
        )}
      </div>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      ${
        this.queues
          ? html`<h3>Queues</h3>
              <table data-testid="stats-queues">
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Offered</th>
                    <th scope="col">Answered</th>
                    <th scope="col">Abandoned</th>
                    <th scope="col">Answer rate</th>
                    <th scope="col">Service level</th>
                    <th scope="col">Avg wait</th>
                    <th scope="col">Longest wait</th>
                    <th scope="col">Avg talk</th>
                    <th scope="col">Transferred</th>
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
          ? html`<h3>Agents</h3>
              <table data-testid="stats-agents">
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Offered</th>
                    <th scope="col">Answered</th>
                    <th scope="col">Answer rate</th>
                    <th scope="col">Avg talk</th>
                    <th scope="col">Transferred</th>
                    <th scope="col">Outgoing</th>
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
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-statistics': SentralStatistics;
  }
}
