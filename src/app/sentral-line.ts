import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import { CallState, initialCall } from '../store/call-state.js';
import type { CallSnapshot } from '../store/call-state.js';
import { personForNumber } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import type { LineQuality } from '../store/call-quality-model.js';
import { isConnected } from '../store/lines-state.js';
import type { PhoneService } from '../store/phone-service.js';
import { directoryModelContext, phoneServiceContext } from './contexts.js';
import { numberFormat } from './i18n.js';
import { select } from './observable-controller.js';
import { controls } from './theme.js';
import type { DigitDetail } from './sentral-dialpad.js';
import './sentral-call-timer.js';
import './sentral-dialpad.js';

/** What a line is doing, in words (never colour alone). */
export function lineStateText(call: CallSnapshot): string {
  switch (call.state) {
    case CallState.Outgoing:
      return msg('Calling…');
    case CallState.Ringing:
      return msg('Ringing…');
    case CallState.Incoming:
      return call.autoAnswer ? msg('Answering…') : msg('Ringing');
    case CallState.Established:
      return call.remoteHold ? msg('Held by the other party') : msg('Talking');
    case CallState.Held:
      return msg('On hold');
    case CallState.Idle:
    case CallState.Ended:
      return '';
  }
}

/** The call-quality badge's words: "Good" / "Fair" / "Poor", never colour alone. */
export function qualityText(quality: LineQuality): string {
  switch (quality.rating) {
    case 'good':
      return msg('Good quality');
    case 'fair':
      return msg('Fair quality');
    case 'poor':
      return msg('Poor quality');
  }
}

/** A button's accessible name on a numbered line ("Hold line 1"); none for a lone call. */
function lineAction(
  action: 'mute' | 'unmute' | 'hold' | 'resume' | 'hangup',
  line: string,
): string {
  switch (action) {
    case 'mute':
      return msg(str`Mute ${line}`);
    case 'unmute':
      return msg(str`Unmute ${line}`);
    case 'hold':
      return msg(str`Hold ${line}`);
    case 'resume':
      return msg(str`Resume ${line}`);
    case 'hangup':
      return msg(str`Hang up ${line}`);
  }
}

/**
 * One line of the phone once it is past ringing-in: the other party (plain text), what the
 * line does (talking, on hold, held by the other party), its timer and its own buttons — mute,
 * hold / resume, hang up — and, on the line in front, the DTMF keypad.
 *
 * Reads the phone service and directory by context; the softphone passes the call snapshot.
 */
@localized()
@customElement('sentral-line')
export class SentralLine extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .call {
        border: 1px solid var(--sentral-border, #d9dde3);
        border-radius: var(--sentral-radius, 10px);
        padding: 1rem;
        background: var(--sentral-surface-2, #f8f9fb);
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      .call.held {
        border-style: dashed;
      }
      .label {
        margin: 0;
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.06em;
        color: var(--sentral-text-muted, #556070);
      }
      .party {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.5rem;
      }
      .party-name {
        margin: 0;
        font-size: 1.2rem;
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .party-number {
        margin: 0.1rem 0 0;
        color: var(--sentral-text-muted, #556070);
        overflow-wrap: anywhere;
      }
      .state-row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .line-state {
        margin: 0;
        font-size: 0.9rem;
      }
      sentral-call-timer {
        font-size: 1.1rem;
      }
      .notice {
        margin: 0;
        padding: 0.4rem 0.6rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: #fff4e0;
        color: #6b4700;
        font-size: 0.9rem;
      }
      .quality {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        margin-inline-start: 0.5rem;
        padding: 0.05rem 0.45rem;
        border-radius: 999px;
        border: 1px solid currentColor;
        font-size: 0.8rem;
        white-space: nowrap;
      }
      .quality[data-rating='good'] {
        color: #1e6b35;
      }
      .quality[data-rating='fair'] {
        color: #6b4700;
      }
      .quality[data-rating='poor'] {
        color: var(--sentral-danger, #b3261e);
        font-weight: 600;
      }
      .controls {
        display: grid;
        grid-template-columns: repeat(3, 1fr);
        gap: 0.5rem;
      }
      .controls button {
        white-space: nowrap;
        padding-inline: 0.4rem;
      }
      .dtmf-received {
        font-size: 0.9rem;
        color: var(--sentral-text-muted, #556070);
      }
      .dtmf-received span {
        font-variant-numeric: tabular-nums;
        letter-spacing: 0.1em;
        color: var(--sentral-text, #1c2230);
      }
    `,
  ];

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  /** Optional: names outgoing calls to colleagues, who come without a display name. */
  @consume({ context: directoryModelContext, subscribe: true })
  directoryModel?: DirectoryModel;

  @property({ attribute: false }) call: CallSnapshot = initialCall;
  /** "Line 1" / "Line 2" while both lines are up; empty for a lone call. */
  @property() label = '';
  /** The line in front: shows the DTMF keypad. */
  @property({ type: Boolean }) active = false;
  /** The latest call-quality estimate (null until the first sample). */
  @property({ attribute: false }) quality: LineQuality | null = null;

  private readonly people = select(
    this,
    () => this.directoryModel?.people$,
    [] as readonly DirectoryEntry[],
  );

  @state() private holdPending = false;

  private renderQuality(quality: LineQuality) {
    const mos = numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
      quality.mos,
    );
    return html`<span
      class="quality"
      data-testid="quality-badge"
      data-rating=${quality.rating}
      title=${msg(str`Estimated MOS ${mos} of 5 (from round-trip time, jitter and packet loss)`)}
      >${qualityText(quality)}<span class="visually-hidden"
        >${msg(str`, estimated MOS ${mos} of 5`)}</span
      ></span
    >`;
  }

  override render() {
    const call = this.call;
    const number = call.remote?.number ?? '';
    const displayName =
      call.remote?.displayName || personForNumber(this.people.value, number)?.displayName || '';
    const name = displayName || number || msg('Unknown');
    const established = call.state === CallState.Established;
    const held = call.state === CallState.Held;
    const connected = isConnected(call.state);
    const named = (action: Parameters<typeof lineAction>[0]) =>
      this.label ? lineAction(action, this.label.toLowerCase()) : nothing;
    return html`<div
      class="call ${held ? 'held' : ''}"
      role="group"
      aria-label=${this.label ? `${this.label}: ${name}` : name}
    >
      ${this.label ? html`<p class="label">${this.label}</p>` : nothing}
      <div class="party">
        <div>
          <p class="party-name">${name}</p>
          ${displayName ? html`<p class="party-number">${number}</p>` : nothing}
        </div>
        ${
          connected && call.establishedAt !== null
            ? html`<sentral-call-timer .since=${call.establishedAt}></sentral-call-timer>`
            : nothing
        }
      </div>
      <div class="state-row">
        <p class="line-state ${held || call.remoteHold ? 'notice' : ''}" data-testid="line-state">
          ${
            call.remoteHold && !held
              ? html`<span data-testid="remote-hold">${lineStateText(call)}</span>`
              : lineStateText(call)
          }
        </p>
        ${established && this.quality ? this.renderQuality(this.quality) : nothing}
      </div>
      <div class="controls">
        <button
          type="button"
          data-testid="mute"
          aria-pressed=${call.muted ? 'true' : 'false'}
          aria-label=${named(call.muted ? 'unmute' : 'mute')}
          ?disabled=${!connected}
          @click=${this.toggleMute}
        >
          ${call.muted ? msg('Unmute') : msg('Mute')}
        </button>
        <button
          type="button"
          data-testid="hold"
          aria-pressed=${held ? 'true' : 'false'}
          aria-label=${named(held ? 'resume' : 'hold')}
          ?disabled=${!connected || this.holdPending}
          @click=${this.toggleHold}
        >
          ${held ? msg('Resume') : msg('Hold')}
        </button>
        <button
          type="button"
          class="danger"
          data-testid="hangup"
          aria-label=${named('hangup')}
          @click=${this.hangup}
        >
          ${msg('Hang up')}
        </button>
      </div>
      ${
        established && this.active
          ? html`<sentral-dialpad
              purpose="dtmf"
              @sentral-digit=${this.onDtmfKey}
            ></sentral-dialpad>`
          : nothing
      }
      ${
        connected
          ? html`<div class="dtmf-received">
              ${msg('Received DTMF:')} <span data-testid="dtmf-received">${call.dtmfReceived}</span>
            </div>`
          : nothing
      }
    </div>`;
  }

  private get callId(): string | null {
    return this.call.callId;
  }

  private onDtmfKey(event: CustomEvent<DigitDetail>): void {
    if (this.callId) void this.phoneService?.sendDtmf(this.callId, event.detail.digit);
  }

  private hangup(): void {
    if (this.callId) void this.phoneService?.hangup(this.callId);
  }

  private toggleMute(): void {
    if (this.callId) this.phoneService?.toggleMute(this.callId);
  }

  private async toggleHold(): Promise<void> {
    const callId = this.callId;
    if (!callId || !this.phoneService || this.holdPending) return;
    this.holdPending = true;
    try {
      await this.phoneService.toggleHold(callId);
    } finally {
      this.holdPending = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-line': SentralLine;
  }
}
