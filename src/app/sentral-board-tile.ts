import { localized } from '@lit/localize';
import { LitElement, css, html, nothing, svg } from 'lit';
import type { PropertyValues, SVGTemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AgentQueueState, AgentState, WaitingCaller } from '../shared/switchboard.js';
import type { CallerLookup } from '../store/switchboard-state.js';
import {
  AGENT_GROUPS,
  BOARD_TEXT,
  GROUP_TEXT,
  STATE_TEXT,
  agentGroup,
  agentName,
  formatServiceLevel,
  formatWait,
} from './board-format.js';
import type { AgentGroup, BoardTile } from './board-format.js';

/** Callers listed at most per tile when `show-callers` is on. */
const MAX_CALLER_ROWS = 8;

/**
 * A shape per state, so no state is told by colour alone (each also has its word):
 * available ●, ringing ◉, on a call ■, wrap-up ▲, paused ❚❚, logged out ⊘.
 */
const ICONS: Record<AgentState, SVGTemplateResult> = {
  available: svg`<circle cx="8" cy="8" r="6.5" fill="currentColor" />`,
  ringing: svg`<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2" />
    <circle cx="8" cy="8" r="3" fill="currentColor" />`,
  on_call: svg`<rect x="1.5" y="1.5" width="13" height="13" rx="1.5" fill="currentColor" />`,
  wrap_up: svg`<path d="M8 1.2 15 14.5H1Z" fill="currentColor" />`,
  paused: svg`<rect x="2.5" y="1.5" width="4" height="13" rx="1" fill="currentColor" />
    <rect x="9.5" y="1.5" width="4" height="13" rx="1" fill="currentColor" />`,
  logged_out: svg`<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="2" />
    <path d="M3.8 12.2 12.2 3.8" stroke="currentColor" stroke-width="2" />`,
};

const GROUP_ICON: Record<AgentGroup, AgentState> = {
  available: 'available',
  busy: 'on_call',
  wrap_up: 'wrap_up',
  paused: 'paused',
  logged_out: 'logged_out',
};

function icon(state: AgentState) {
  return html`<svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
    ${ICONS[state]}
  </svg>`;
}

/**
 * One queue on the board: callers waiting, the longest wait, agents by state, today's figures
 * and the agent list. Presentational: `sentral-queue-board` derives `tile` from the store and
 * passes the clock's `now`; colours come from the board's custom properties.
 */
@localized()
@customElement('sentral-board-tile')
export class SentralBoardTile extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-width: 0;
      container-type: inline-size;
      /*
       * A paint boundary per tile: an event or a tick repaints the tiles it changed, not the
       * whole wall (nothing of a tile draws outside its box).
       */
      contain: layout paint style;
    }
    /*
     * The tile's box is drawn behind the section by the host, which the board's grid stretches
     * to the row's height; the section keeps its own height. (With the section at height: 100%,
     * every change laid out every tile of the row again at its stretched height.)
     */
    :host::before {
      content: '';
      position: absolute;
      inset: 0;
      box-sizing: border-box;
      font-size: var(--tile-size);
      border-radius: 0.6em;
      background: var(--board-tile);
      border: 2px solid var(--board-border);
      transition:
        opacity 0.3s,
        filter 0.3s;
    }
    :host([stale])::before {
      opacity: 0.45;
      filter: grayscale(1);
    }
    /*
     * One base size per tile, everything else in em: it grows with the tile's width (so with
     * the viewport and the number of columns) but stays within the screen height shared by the
     * rows of tiles (--board-rows, set by the board), and never below 1rem.
     */
    :host {
      --tile-size: clamp(1rem, min(3.1cqi, 4.3vh / var(--board-rows, 1)), 100vh);
    }
    section {
      position: relative;
      box-sizing: border-box;
      font-size: var(--tile-size);
      padding: 0.9em 1.1em;
      border: 2px solid transparent;
      color: var(--board-text);
      transition:
        opacity 0.3s,
        filter 0.3s;
    }
    section[aria-busy='true'] {
      opacity: 0.45;
      filter: grayscale(1);
    }
    h2 {
      margin: 0 0 0.4em;
      font-size: 1.55em;
      line-height: 1.1;
      overflow-wrap: anywhere;
    }
    .headline {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25em 1.2em;
      align-items: baseline;
      font-size: 3.2em;
      line-height: 1;
      margin-bottom: 0.2em;
    }
    .metric {
      display: flex;
      flex-direction: column;
    }
    .value {
      font-weight: 700;
      font-variant-numeric: tabular-nums;
    }
    .label {
      font-size: 0.36em;
      color: var(--board-muted);
      line-height: 1.3;
    }
    .metric[data-waiting='true'] .value {
      color: var(--board-busy);
    }
    ul,
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .counts {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3em 1em;
      margin: 0.6em 0;
      font-size: 1.15em;
    }
    .counts li,
    .agent,
    .caller {
      display: flex;
      align-items: center;
      gap: 0.35em;
    }
    .icon {
      width: 0.85em;
      height: 0.85em;
      flex: none;
    }
    [data-group='available'],
    [data-state='available'] {
      color: var(--board-available);
    }
    [data-group='busy'],
    [data-state='ringing'],
    [data-state='on_call'] {
      color: var(--board-busy);
    }
    [data-group='wrap_up'],
    [data-state='wrap_up'] {
      color: var(--board-wrap-up);
    }
    [data-group='paused'],
    [data-state='paused'] {
      color: var(--board-paused);
    }
    [data-group='logged_out'],
    [data-state='logged_out'] {
      color: var(--board-logged-out);
    }
    .counts .value {
      color: var(--board-text);
    }
    .today {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2em 1.2em;
      margin: 0.4em 0 0.7em;
      padding: 0.45em 0;
      border-block: 1px solid var(--board-border);
      font-size: 1.05em;
    }
    .today div {
      display: flex;
      gap: 0.3em;
      align-items: baseline;
    }
    .today dt {
      color: var(--board-muted);
    }
    .today dd {
      margin: 0;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
    }
    h3 {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .agents,
    .callers {
      line-height: 1.35;
    }
    /* Two columns of rows once the tile is wide enough for two full rows side by side. */
    .agents,
    .callers {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 19em), 1fr));
      column-gap: 2em;
    }
    .agent .name,
    .caller .who {
      flex: 1;
      min-width: 0;
      color: var(--board-text);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .agent .state {
      white-space: nowrap;
    }
    .time {
      color: var(--board-text);
      font-variant-numeric: tabular-nums;
      min-width: 4.2em;
      text-align: end;
    }
    .note {
      color: var(--board-muted);
      margin: 0.2em 0 0;
    }
    .callers {
      margin-top: 0.6em;
      padding-top: 0.4em;
      border-top: 1px solid var(--board-border);
    }
    .caller .number {
      font-variant-numeric: tabular-nums;
      color: var(--board-muted);
      white-space: nowrap;
    }
  `;

  @property({ attribute: false }) tile?: BoardTile;
  /** The board clock's last tick (epoch ms): waits and times in state move on with it. */
  @property({ type: Number }) now = Date.now();
  /** Agent display names by id (unknown ids show their short form). */
  @property({ attribute: false }) names: ReadonlyMap<string, string> = new Map();
  @property({ attribute: false }) lookups: Readonly<Record<string, CallerLookup>> = {};
  @property({ type: Boolean, attribute: 'show-callers' }) showCallers = false;
  /** Greys the tile out (reflected: the host draws the tile's box). */
  @property({ type: Boolean, reflect: true }) stale = false;
  /** Agent rows shown at most (the rest are counted); logged-out agents sort last. */
  @property({ type: Number, attribute: 'max-agents' }) maxAgents = 12;

  /**
   * The time this render measures against: the board's tick when only the clock moved, else
   * the time now (the board ticks every second, and fresh data should not show a stale wait).
   */
  private at = 0;

  override willUpdate(changed: PropertyValues<this>): void {
    this.at =
      changed.size === 1 && changed.has('now')
        ? Math.max(this.at, this.now)
        : Math.max(this.now, Date.now());
  }

  override render() {
    const tile = this.tile;
    if (!tile) return nothing;
    const { queue, callers, longestSince, counts, stats } = tile;
    const longest = longestSince === null ? '0:00' : formatWait(this.at - longestSince);
    return html`<section
      role="region"
      aria-label=${queue.name}
      aria-busy=${this.stale ? 'true' : 'false'}
      data-testid="queue-tile"
      data-queue=${queue.id}
    >
      <h2>${queue.name}</h2>
      <div class="headline">
        <div class="metric" data-testid="waiting" data-waiting=${callers.length > 0}>
          <span class="value">${callers.length}</span>
          <span class="label">${BOARD_TEXT.waiting}</span>
        </div>
        <div class="metric" data-testid="longest-wait">
          <span class="value" role="timer">${longest}</span>
          <span class="label">${BOARD_TEXT.longestWait}</span>
        </div>
      </div>
      <ul class="counts" aria-label=${BOARD_TEXT.agents}>
        ${AGENT_GROUPS.map(
          (group) =>
            html`<li data-group=${group} data-testid=${`count-${group}`}>
              ${icon(GROUP_ICON[group])}<span class="value">${counts[group]}</span>
              <span class="word">${GROUP_TEXT[group]}</span>
            </li>`,
        )}
      </ul>
      <dl class="today" aria-label=${BOARD_TEXT.today}>
        <div data-testid="answered">
          <dt>${BOARD_TEXT.answered}</dt>
          <dd>${stats?.answered ?? 0}</dd>
        </div>
        <div data-testid="unanswered">
          <dt>${BOARD_TEXT.unanswered}</dt>
          <dd>${stats?.abandoned ?? 0}</dd>
        </div>
        <div data-testid="service-level">
          <dt>${BOARD_TEXT.serviceLevel}</dt>
          <dd>${formatServiceLevel(stats?.serviceLevel)}</dd>
        </div>
      </dl>
      ${this.renderAgents(tile.agents)} ${this.showCallers ? this.renderCallers(callers) : nothing}
    </section>`;
  }

  /**
   * Rows are stamped by place, not keyed: when agents change state or callers move up, the rows
   * keep their elements and only their text and attributes change (no moved nodes to lay out
   * anew); nothing in a row holds focus or state of its own.
   */
  private renderAgents(agents: readonly AgentQueueState[]) {
    if (agents.length === 0) return html`<p class="note">${BOARD_TEXT.noAgents}</p>`;
    const shown = agents.slice(0, Math.max(0, this.maxAgents));
    return html`<h3>${BOARD_TEXT.agents}</h3>
      <ul class="agents">
        ${shown.map(
          (a) =>
            html`<li
              class="agent"
              data-testid="agent"
              data-agent=${a.agentId}
              data-state=${a.state}
              data-group=${agentGroup(a.state)}
            >
              ${icon(a.state)}<span class="name">${agentName(this.names, a.agentId)}</span>
              <span class="state">${STATE_TEXT[a.state]}</span>
              <span class="time">${formatWait(this.at - a.since)}</span>
            </li>`,
        )}
      </ul>
      ${
        agents.length > shown.length
          ? html`<p class="note">${BOARD_TEXT.moreAgents(agents.length - shown.length)}</p>`
          : nothing
      }`;
  }

  /** Only with `show-callers`: numbers and names are personal data, hidden on a wall screen. */
  private renderCallers(callers: readonly WaitingCaller[]) {
    if (callers.length === 0) return nothing;
    return html`<h3>${BOARD_TEXT.callers}</h3>
      <ol class="callers" data-testid="callers">
        ${callers.slice(0, MAX_CALLER_ROWS).map((c) => {
          const name = c.name ?? this.lookups[c.callId]?.name ?? null;
          return html`<li class="caller" data-testid="caller">
            <span class="who">${name ?? c.number}</span>
            ${name ? html`<span class="number">${c.number}</span>` : nothing}
            <span class="time">${formatWait(this.at - c.enteredAt)}</span>
          </li>`;
        })}
      </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-board-tile': SentralBoardTile;
  }
}
