import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { AgentQueueState, WaitingCaller } from '../shared/switchboard.js';
import { personForNumber } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import { initialSwitchboard, mergedCallers, myAgentStates } from '../store/switchboard-state.js';
import type { SwitchboardState } from '../store/switchboard-state.js';
import { STATE_TEXT } from './agent-state-text.js';
import { ClockController } from './clock-controller.js';
import { commandErrorText } from './command-error.js';
import { directoryModelContext } from './contexts.js';
import { formatDuration } from './format.js';
import { select } from './observable-controller.js';
import { formatPhoneNumber, phoneFormatVersion$ } from './phone-number.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import { controls } from './theme.js';

/** Height of one caller row plus the space under it, in CSS pixels (rows are fixed-height). */
const ROW_PITCH = 66;
/** Rows rendered above and below the visible ones, so a fast scroll does not show gaps. */
const OVERSCAN = 6;
/** Assumed list height before the list has been laid out. */
const DEFAULT_VIEWPORT = 640;

/** What a caller row shows, derived once per change of the store or the directory. */
interface CallerRow {
  readonly caller: WaitingCaller;
  readonly name: string;
  readonly number: string;
  readonly company: string | null;
  readonly queue: string;
}

const PAUSE_REASONS = ['lunch', 'meeting', 'admin', 'other'] as const;
type PauseReason = (typeof PAUSE_REASONS)[number];

/** A pause reason as the menu offers it (at render time: the current language). */
function pauseReasonText(reason: PauseReason): string {
  switch (reason) {
    case 'lunch':
      return msg('Lunch');
    case 'meeting':
      return msg('Meeting');
    case 'admin':
      return msg('Admin');
    case 'other':
      return msg('Other');
  }
}

/**
 * A paused agent's state with the reason: "Paused (lunch)", one whole message per known reason;
 * a reason we do not know, as it came.
 */
function pausedText(reason: string): string {
  switch (reason) {
    case 'lunch':
      return msg('Paused (lunch)');
    case 'meeting':
      return msg('Paused (meeting)');
    case 'admin':
      return msg('Paused (admin)');
    case 'other':
      return msg('Paused (other)');
    default:
      return `${STATE_TEXT.paused} (${reason})`;
  }
}

/**
 * The operator's queue panel: every waiting caller of the operator's queues merged into one
 * list in the order the engine serves them, with a live wait, the best name known (number
 * lookup, the directory, or what the caller sent), the queue, VIP / recall badges, and Pick;
 * and the operator's own state per queue (log in / out, pause with a reason, resume).
 *
 * Keyboard: each caller row is focusable; Enter picks it.
 *
 * The caller list is virtualized (STYLE rule 8): a scroll box of fixed-height rows where only
 * the rows in view (and a few around them) are in the DOM, so 1,000 waiting callers cost what
 * a dozen do. The rows' text is derived once per store or directory change, not per render
 * (the wait clock re-renders every second).
 */
@localized()
@customElement('sentral-queue-panel')
export class SentralQueuePanel extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      .scroller {
        max-height: min(70vh, 40rem);
        overflow-y: auto;
        overscroll-behavior: contain;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        box-sizing: border-box;
      }
      li {
        box-sizing: border-box;
        height: calc(${ROW_PITCH}px - 0.4rem);
        margin-bottom: 0.4rem;
        overflow: hidden;
        display: grid;
        grid-template-columns: 3.5rem 1fr auto;
        align-items: center;
        gap: 0.75rem;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
        background: var(--sentral-surface, #fff);
      }
      li:focus-visible {
        outline: 3px solid var(--sentral-focus, #2f6fde);
        outline-offset: 1px;
      }
      .wait {
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      .who {
        display: flex;
        flex-direction: column;
        min-width: 0;
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .meta {
        color: var(--sentral-text-muted, #556070);
        font-size: 0.875rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .badge {
        display: inline-block;
        border: 1px solid currentColor;
        border-radius: 999px;
        padding: 0 0.45rem;
        font-size: 0.75rem;
        font-weight: 700;
        margin-inline-start: 0.35rem;
      }
      .vip {
        color: #7a4d00;
      }
      .recall {
        color: #1f5fbf;
      }
      .empty {
        color: var(--sentral-text-muted, #556070);
      }
      .stale {
        margin: 0 0 0.5rem;
        padding: 0.4rem 0.6rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: #fff4d6;
        color: #5c4100;
      }
      .agent {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        margin-top: 0.4rem;
      }
      .agent .queue {
        font-weight: 600;
        min-width: 8rem;
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
        margin-top: 0.5rem;
      }
      section + section {
        margin-top: 1rem;
      }
    `,
  ];

  @consume({ context: switchboardModelContext, subscribe: true })
  switchboard?: SwitchboardModel;

  @consume({ context: directoryModelContext, subscribe: true })
  directory?: DirectoryModel;

  private readonly board = select<SwitchboardState>(
    this,
    () => this.switchboard?.state$,
    initialSwitchboard,
  );

  private readonly people = select<readonly DirectoryEntry[]>(
    this,
    () => this.directory?.people$,
    [],
  );

  private readonly clock = new ClockController(this);

  @state() private error = '';
  @state() private busy = false;

  /** First row in view, from the list's scroll position. */
  @state() private firstVisible = 0;
  private viewport = DEFAULT_VIEWPORT;

  /** The rows, and what they were derived from. */
  private rows: readonly CallerRow[] = [];
  private rowsFrom: {
    state: SwitchboardState;
    people: readonly DirectoryEntry[];
    me: string;
    formats: number;
  } | null = null;
  /** Formatting a foreign number parses it: keep the result, for one formatter version. */
  private readonly phoneFormats = select(this, () => phoneFormatVersion$, 0);
  /** Formatted numbers by raw number, written by formatter version `formattedBy`. */
  private readonly formatted = new Map<string, string>();
  private formattedBy = 0;

  override render() {
    const s = this.board.value;
    const me = this.switchboard?.userId ?? '';
    const mine = myAgentStates(s, me);
    const rows = this.callerRows(s, mine, me);
    const count = rows.length;
    return html`
      <section aria-labelledby="waiting-heading">
        <h2 id="waiting-heading">${msg(str`Waiting callers (${count})`)}</h2>
        ${
          s.status === 'resync'
            ? html`<p class="stale" role="status" data-testid="queue-stale">
                ${msg('Reconnecting — the list may be out of date.')}
              </p>`
            : nothing
        }
        ${rows.length === 0 ? html`<p class="empty">${msg('Nobody is waiting.')}</p>` : this.renderList(rows)}
      </section>
      ${
        mine.length > 0
          ? html`<section aria-labelledby="agent-heading">
              <h2 id="agent-heading">${msg('My queues')}</h2>
              ${mine.map((a) => this.renderAgent(a, s))}
            </section>`
          : nothing
      }
      ${this.error ? html`<p role="alert" data-testid="queue-error">${this.error}</p>` : nothing}
    `;
  }

  /** The waiting callers of the operator's queues (all queues when in none), in serving order. */
  private callerRows(s: SwitchboardState, mine: readonly AgentQueueState[], me: string) {
    const people = this.people.value;
    const from = this.rowsFrom;
    const formats = this.phoneFormats.value;
    if (
      from &&
      from.state === s &&
      from.people === people &&
      from.me === me &&
      from.formats === formats
    ) {
      return this.rows;
    }
    const queueIds = mine.length > 0 ? new Set(mine.map((a) => a.queueId)) : null;
    const queueNames = new Map(s.queues.map((q) => [q.id, q.name]));
    if (this.formatted.size > 5000 || this.formattedBy !== formats) this.formatted.clear();
    this.formattedBy = formats;
    this.rows = mergedCallers(s, queueIds).map((c) => {
      const lookup = s.lookups[c.callId];
      const name = lookup?.name ?? personForNumber(people, c.number)?.displayName ?? c.name ?? '';
      let number = this.formatted.get(c.number);
      if (number === undefined) {
        number = formatPhoneNumber(c.number);
        this.formatted.set(c.number, number);
      }
      return {
        caller: c,
        name,
        number,
        company: lookup?.company ?? null,
        queue: queueNames.get(c.queueId) ?? '',
      };
    });
    this.rowsFrom = { state: s, people, me, formats };
    return this.rows;
  }

  /** The rows in view, between spacers that keep the scroll height of the whole list. */
  private renderList(rows: readonly CallerRow[]) {
    const count = Math.ceil(this.viewport / ROW_PITCH) + 2 * OVERSCAN;
    const first = Math.max(0, Math.min(this.firstVisible - OVERSCAN, rows.length - count));
    const shown = rows.slice(first, first + count);
    const after = rows.length - first - shown.length;
    return html`<div class="scroller" data-testid="waiting-scroller" @scroll=${this.onScroll}>
      <ol
        data-testid="waiting-callers"
        style=${`padding-top:${first * ROW_PITCH}px;padding-bottom:${after * ROW_PITCH}px`}
      >
        ${repeat(
          shown,
          (r) => `${r.caller.callId} ${r.caller.queueId}`,
          (r, i) => this.renderCaller(r, first + i + 1, rows.length),
        )}
      </ol>
    </div>`;
  }

  private scrollFrame = 0;

  private readonly onScroll = (event: Event): void => {
    const box = event.currentTarget as HTMLElement;
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      this.viewport = box.clientHeight || DEFAULT_VIEWPORT;
      this.firstVisible = Math.floor(box.scrollTop / ROW_PITCH);
    });
  };

  override disconnectedCallback(): void {
    if (this.scrollFrame) cancelAnimationFrame(this.scrollFrame);
    this.scrollFrame = 0;
    super.disconnectedCallback();
  }

  private renderCaller(r: CallerRow, position: number, total: number) {
    const { caller: c, name, number, queue } = r;
    const wait = formatDuration(this.clock.now - c.enteredAt);
    const who = name || number;
    const label = msg(str`${who}, waiting ${wait}, ${queue}`);
    return html`<li
      tabindex="0"
      data-testid="waiting-caller"
      data-call-id=${c.callId}
      aria-label=${label}
      aria-posinset=${position}
      aria-setsize=${total}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Enter' && e.target === e.currentTarget) void this.pick(c.callId);
      }}
    >
      <span class="wait" data-testid="wait">${wait}</span>
      <span class="who">
        <span class="name" data-testid="caller-name"
          >${name || number}${
            c.priority === 'vip'
              ? html`<span class="badge vip" data-testid="badge-vip">VIP</span>`
              : nothing
          }${
            c.priority === 'recall'
              ? html`<span class="badge recall" data-testid="badge-recall">${msg('Recall')}</span>`
              : nothing
          }</span
        >
        <span class="meta"
          >${name ? html`<span data-testid="caller-number">${number}</span> · ` : nothing}${
            r.company ? html`${r.company} · ` : nothing
          }${queue}${
            c.state === 'offered'
              ? ` · ${msg('ringing an agent')}`
              : c.state === 'picked'
                ? ` · ${msg('being picked')}`
                : ''
          }</span
        >
      </span>
      <button
        class="primary"
        data-testid="pick"
        ?disabled=${this.busy || c.state === 'picked'}
        @click=${() => this.pick(c.callId)}
      >
        ${msg('Pick')}
      </button>
    </li>`;
  }

  private renderAgent(a: AgentQueueState, s: SwitchboardState) {
    const queue = s.queues.find((q) => q.id === a.queueId)?.name ?? a.queueId;
    const loggedOut = a.state === 'logged_out';
    return html`<div class="agent" data-testid="agent-state" data-queue-id=${a.queueId}>
      <span class="queue">${queue}</span>
      <span data-testid="agent-state-text" data-state=${a.state}
        >${a.state === 'paused' && a.reason ? pausedText(a.reason) : STATE_TEXT[a.state]}</span
      >
      ${
        loggedOut
          ? html`<button
              data-testid="agent-login"
              @click=${() => this.run(() => this.switchboard?.agentLogin(a.queueId))}
            >
              ${msg('Log in')}
            </button>`
          : html`<button
                data-testid="agent-logout"
                @click=${() => this.run(() => this.switchboard?.agentLogout(a.queueId))}
              >
                ${msg('Log out')}
              </button>
              ${
                a.state === 'paused'
                  ? html`<button
                      data-testid="agent-unpause"
                      @click=${() => this.run(() => this.switchboard?.unpause(a.queueId))}
                    >
                      ${msg('Resume')}
                    </button>`
                  : html`<label
                      >${msg('Pause:')}
                      <select
                        data-testid="agent-pause"
                        @change=${(e: Event) => {
                          const select = e.target as HTMLSelectElement;
                          const reason = select.value as PauseReason | '';
                          select.value = '';
                          if (reason)
                            void this.run(() => this.switchboard?.pause(a.queueId, reason));
                        }}
                      >
                        <option value="">${msg('Choose a reason…')}</option>
                        ${PAUSE_REASONS.map(
                          (value) =>
                            html`<option value=${value}>${pauseReasonText(value)}</option>`,
                        )}
                      </select></label
                    >`
              }`
      }
    </div>`;
  }

  private pick(callId: string): Promise<void> {
    return this.run(() => this.switchboard?.pick(callId));
  }

  /** Runs a command, showing its error message (stable code → text from the server). */
  private async run(command: () => Promise<unknown> | undefined): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await command();
    } catch (error) {
      this.error = commandErrorText(error);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-queue-panel': SentralQueuePanel;
  }
}
