import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { ParkedCall } from '../shared/switchboard.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { SwitchboardModel } from '../store/switchboard-model.js';
import { ClockController } from './clock-controller.js';
import { commandErrorText } from './command-error.js';
import { directoryModelContext } from './contexts.js';
import { formatDuration } from './format.js';
import { select } from './observable-controller.js';
import { formatPhoneNumber, phoneFormatVersion$ } from './phone-number.js';
import { switchboardModelContext } from './switchboard-contexts.js';
import { controls } from './theme.js';

/**
 * The tenant's shared list of parked calls: slot, caller, who parked it and for how long; any
 * operator picks one up (the core rings their phone with auto-answer).
 */
@localized()
@customElement('sentral-parked-calls')
export class SentralParkedCalls extends LitElement {
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
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      li {
        display: grid;
        grid-template-columns: 2.5rem 1fr auto;
        gap: 0.75rem;
        align-items: center;
        padding: 0.4rem 0.75rem;
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius-small, 6px);
      }
      .slot {
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .meta {
        color: var(--sentral-text-muted, #556070);
        font-size: 0.875rem;
      }
      .empty {
        color: var(--sentral-text-muted, #556070);
      }
      [role='alert'] {
        color: var(--sentral-danger, #b3261e);
      }
    `,
  ];

  @consume({ context: switchboardModelContext, subscribe: true })
  switchboard?: SwitchboardModel;

  @consume({ context: directoryModelContext, subscribe: true })
  directory?: DirectoryModel;

  private readonly parked = select<readonly ParkedCall[]>(
    this,
    () => this.switchboard?.parked$,
    [],
  );

  private readonly people = select<readonly DirectoryEntry[]>(
    this,
    () => this.directory?.people$,
    [],
  );

  private readonly clock = new ClockController(this);
  /** Renders again once foreign numbers can be formatted (libphonenumber-js loaded). */
  private readonly phoneFormats = select(this, () => phoneFormatVersion$, 0);

  @state() private error = '';

  override render() {
    const parked = this.parked.value;
    const count = parked.length;
    return html`
      <h2>${msg(str`Parked calls (${count})`)}</h2>
      ${
        parked.length === 0
          ? html`<p class="empty">${msg('No parked calls.')}</p>`
          : html`<ul data-testid="parked-calls">
              ${parked.map((p) => {
                const by = this.people.value.find((x) => x.id === p.parkedBy)?.displayName ?? '';
                const slot = p.slot;
                return html`<li data-testid="parked-call" data-slot=${p.slot}>
                  <span class="slot" aria-label=${msg(str`Slot ${slot}`)}>${p.slot}</span>
                  <span>
                    <span data-testid="parked-caller"
                      >${p.name || formatPhoneNumber(p.number)}</span
                    >
                    <span class="meta"
                      >${p.name ? `${formatPhoneNumber(p.number)} · ` : ''}${
                        by ? `${msg(str`parked by ${by}`)} · ` : ''
                      }${formatDuration(this.clock.now - p.parkedAt)}</span
                    >
                  </span>
                  <button class="primary" data-testid="pickup" @click=${() => this.pickup(p.slot)}>
                    ${msg('Pick up')}
                  </button>
                </li>`;
              })}
            </ul>`
      }
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
    `;
  }

  private async pickup(slot: string): Promise<void> {
    this.error = '';
    try {
      await this.switchboard?.pickup(slot);
    } catch (error) {
      this.error = commandErrorText(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-parked-calls': SentralParkedCalls;
  }
}
