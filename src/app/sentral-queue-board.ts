import { localized } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import { initialSwitchboard } from '../store/switchboard-state.js';
import type { CallerLookup, SwitchboardState } from '../store/switchboard-state.js';
import { BOARD_TEXT, boardGrid, boardTiles, formatWait, isStale } from './board-format.js';
import type { BoardPerson, BoardTile } from './board-format.js';
import { ClockController } from './clock-controller.js';
import { select } from './observable-controller.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import './sentral-board-tile.js';

export type BoardTheme = 'dark' | 'light';

/**
 * The supervisors' queue board for a wall screen: one tile per queue with callers waiting, the
 * longest wait, agents by state and today's figures, readable from across the room (type scales
 * with the viewport, shapes and words besides colour, a palette safe for red-green colour
 * blindness). Caller numbers and names stay hidden unless `show-callers` is set. When the data
 * may be stale it says so in a banner and greys the tiles out until the stream is live again.
 */
@localized()
@customElement('sentral-queue-board')
export class SentralQueueBoard extends LitElement {
  static override styles = css`
    :host {
      /* Okabe–Ito colours: blue / orange / yellow / purple / grey, no red–green pair. */
      --board-bg: #0d1117;
      --board-tile: #161c26;
      --board-border: #2c3544;
      --board-text: #f2f5fa;
      --board-muted: #b4bdcb;
      --board-available: #56b4e9;
      --board-busy: #e69f00;
      --board-wrap-up: #f0e442;
      --board-paused: #cc79a7;
      --board-logged-out: #9aa3b2;
      --board-banner-bg: #e69f00;
      --board-banner-text: #111827;
      display: block;
      box-sizing: border-box;
      min-height: 100%;
      padding: clamp(0.75rem, 1.2vw, 2.5rem);
      background: var(--board-bg);
      color: var(--board-text);
      font-family:
        system-ui,
        -apple-system,
        'Segoe UI',
        Roboto,
        'Helvetica Neue',
        Arial,
        sans-serif;
    }
    :host([theme='light']) {
      --board-bg: #eef1f5;
      --board-tile: #ffffff;
      --board-border: #c9d0da;
      --board-text: #111827;
      --board-muted: #4b5563;
      --board-available: #0063a6;
      --board-busy: #a35200;
      --board-wrap-up: #6b6100;
      --board-paused: #9c3c78;
      --board-logged-out: #5b6472;
      --board-banner-bg: #a35200;
      --board-banner-text: #ffffff;
    }
    .banner {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.3em 0.8em;
      margin-bottom: clamp(0.5rem, 1vw, 2rem);
      padding: 0.45em 0.8em;
      border-radius: clamp(0.4rem, 0.5vw, 1rem);
      background: var(--board-banner-bg);
      color: var(--board-banner-text);
      font-size: clamp(1.2rem, 1.9vw, 4rem);
      font-weight: 700;
    }
    .banner svg {
      width: 1.1em;
      height: 1.1em;
      flex: none;
    }
    .banner .since {
      font-weight: 400;
      font-variant-numeric: tabular-nums;
    }
    .tiles {
      display: grid;
      grid-template-columns: repeat(var(--board-columns, 1), minmax(0, 1fr));
      gap: clamp(0.6rem, 1vw, 2rem);
    }
    @media (max-width: 48rem) {
      .tiles {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .message {
      font-size: clamp(1.4rem, 2.2vw, 4.5rem);
      color: var(--board-muted);
      margin: 1em 0;
    }
  `;

  @consume({ context: switchboardModelContext, subscribe: true })
  switchboardModel?: SwitchboardModel;

  /** People to name agents by (e.g. the directory); agents not found show a short id. */
  @property({ attribute: false }) people: readonly BoardPerson[] = [];

  @property({ reflect: true }) theme: BoardTheme = 'dark';

  /** Reveals the waiting callers' numbers and names (hidden by default on a wall screen). */
  @property({ type: Boolean, attribute: 'show-callers', reflect: true }) showCallers = false;

  private readonly switchboard = select(
    this,
    () => this.switchboardModel?.state$,
    initialSwitchboard,
  );
  private readonly clock = new ClockController(this);

  private names: ReadonlyMap<string, string> = new Map();
  private derivedFrom: SwitchboardState | null = null;
  private tiles: readonly BoardTile[] = [];
  /** Per queue, the lookups of its callers as its tile was last given them. */
  private tileLookups: ReadonlyMap<string, Lookups> = new Map();
  /** When the board noticed its data might be stale (for "not updated for …"). */
  private staleSince: number | null = null;

  override willUpdate(changed: PropertyValues<this>): void {
    // The tiles get the clock's second ticks only (`clock.now` is not moved on here): an event
    // re-renders the tile it touched, not every tile because the time moved on a little.
    if (changed.has('people')) {
      this.names = new Map(this.people.map((p) => [p.id, p.displayName]));
    }
  }

  override render() {
    const state = this.switchboard.value;
    if (state !== this.derivedFrom) {
      this.derivedFrom = state;
      this.tiles = reuseUnchanged(this.tiles, boardTiles(state));
      this.tileLookups = lookupsByTile(this.tileLookups, this.tiles, state.lookups);
    }
    const stale = isStale(state.status, state.queues.length > 0);
    this.staleSince = stale ? (this.staleSince ?? Date.now()) : null;
    return html`<section aria-label=${BOARD_TEXT.boardLabel}>
      <div role="status" aria-live="polite">${stale ? this.renderBanner() : nothing}</div>
      ${this.renderBody(state, stale)}
    </section>`;
  }

  private renderBanner() {
    const now = Date.now();
    const since = this.staleSince ?? now;
    return html`<div class="banner" data-testid="stale-banner">
      <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path d="M8 1 15.5 14.5H.5Z" fill="currentColor" />
        <path d="M8 6v4" stroke="var(--board-banner-bg)" stroke-width="1.8" />
        <circle cx="8" cy="12.1" r="1" fill="var(--board-banner-bg)" />
      </svg>
      <span>${BOARD_TEXT.stale}</span>
      <span class="since" role="timer">${BOARD_TEXT.staleFor(formatWait(now - since))}</span>
    </div>`;
  }

  private renderBody(state: SwitchboardState, stale: boolean) {
    if (this.tiles.length === 0) {
      const text =
        state.status === 'idle'
          ? BOARD_TEXT.idle
          : state.status === 'live'
            ? BOARD_TEXT.noQueues
            : BOARD_TEXT.loading;
      return html`<p class="message" data-testid="board-message">${text}</p>`;
    }
    const { columns, rows, maxAgents } = boardGrid(this.tiles.length);
    return html`<div class="tiles" style=${`--board-columns: ${columns}; --board-rows: ${rows}`}>
      ${repeat(
        this.tiles,
        (t) => t.queue.id,
        (t) =>
          html`<sentral-board-tile
            .tile=${t}
            .now=${this.clock.now}
            .names=${this.names}
            .lookups=${this.tileLookups.get(t.queue.id) ?? NO_LOOKUPS}
            ?show-callers=${this.showCallers}
            ?stale=${stale}
            max-agents=${maxAgents}
          ></sentral-board-tile>`,
      )}
    </div>`;
  }
}

type Lookups = Readonly<Record<string, CallerLookup>>;

const NO_LOOKUPS: Lookups = {};

/**
 * Each tile's share of the caller lookups, as the same object as before while none of its
 * callers' lookups changed: a lookup for (or a caller leaving) one queue re-renders that tile only.
 */
function lookupsByTile(
  old: ReadonlyMap<string, Lookups>,
  tiles: readonly BoardTile[],
  all: Lookups,
): Map<string, Lookups> {
  const next = new Map<string, Lookups>();
  for (const tile of tiles) {
    const mine: Record<string, CallerLookup> = {};
    let count = 0;
    for (const c of tile.callers) {
      const lookup = all[c.callId];
      if (lookup) {
        mine[c.callId] = lookup;
        count++;
      }
    }
    const before = old.get(tile.queue.id);
    const same =
      before !== undefined &&
      Object.keys(before).length === count &&
      Object.entries(mine).every(([id, lookup]) => before[id] === lookup);
    next.set(tile.queue.id, same ? before : count === 0 ? NO_LOOKUPS : mine);
  }
  return next;
}

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The new tiles, except that a queue whose callers, agents and figures are the very same
 * objects as before keeps its old tile: its element sees no new property and skips its update
 * (an event touches one queue; the other tiles stay as they were).
 */
function reuseUnchanged(old: readonly BoardTile[], next: BoardTile[]): BoardTile[] {
  const before = new Map(old.map((t) => [t.queue.id, t]));
  return next.map((t) => {
    const o = before.get(t.queue.id);
    return o &&
      o.queue === t.queue &&
      o.stats === t.stats &&
      o.longestSince === t.longestSince &&
      sameItems(o.callers, t.callers) &&
      sameItems(o.agents, t.agents)
      ? o
      : t;
  });
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-queue-board': SentralQueueBoard;
  }
}
