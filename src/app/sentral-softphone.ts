import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { CallModel } from '../store/call-model.js';
import { CallState, initialCall, isCallActive } from '../store/call-state.js';
import type { CallSnapshot } from '../store/call-state.js';
import { personForNumber } from '../store/directory-model.js';
import type { DirectoryModel } from '../store/directory-model.js';
import { logger } from '../store/logger.js';
import type { PhoneService } from '../store/phone-service.js';
import type { RegistrationModel } from '../store/registration-model.js';
import { RegistrationState, initialRegistration } from '../store/registration-state.js';
import {
  callModelContext,
  directoryModelContext,
  phoneServiceContext,
  registrationModelContext,
} from './contexts.js';
import { callStateText, endReasonText } from './format.js';
import { select } from './observable-controller.js';
import { controls } from './theme.js';
import type { DigitDetail } from './sentral-dialpad.js';
import './sentral-call-timer.js';
import './sentral-dialpad.js';
import './sentral-incoming-call.js';
import './sentral-registration-badge.js';

const DTMF_KEY = /^[0-9*#]$/;

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}

/**
 * The softphone panel: registration badge, dial box and pad, incoming-call card, in-call
 * controls (hang up, hold / resume, mute, DTMF keypad), call timer, end reason, received DTMF,
 * and the `<audio>` element the far end plays through.
 *
 * Keyboard: Enter in the dial box dials; Escape rejects a ringing call or hangs up; digit keys
 * send DTMF during a call (when not typing in a field).
 */
@customElement('sentral-softphone')
export class SentralSoftphone extends LitElement {
  static override styles = [
    controls,
    css`
      :host {
        display: block;
      }
      .panel {
        display: flex;
        flex-direction: column;
        gap: 1rem;
      }
      .top {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
      }
      .status {
        font-size: 0.9rem;
        color: var(--sentral-text-muted, #556070);
      }
      .dial {
        display: flex;
        gap: 0.5rem;
      }
      .dial input {
        flex: 1;
        font-size: 1.15rem;
        font-variant-numeric: tabular-nums;
        min-width: 0;
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
      .ended {
        margin: 0;
        padding: 0.5rem 0.7rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: var(--sentral-surface-2, #f8f9fb);
        border: 1px solid var(--sentral-border, #d9dde3);
      }
      .ended[data-reason='busy'],
      .ended[data-reason='rejected'],
      .ended[data-reason='failed'],
      .ended[data-reason='not_found'],
      .ended[data-reason='unavailable'] {
        border-color: var(--sentral-danger, #b3261e);
        color: var(--sentral-danger, #b3261e);
      }
      audio {
        display: none;
      }
    `,
  ];

  @consume({ context: registrationModelContext, subscribe: true })
  registrationModel?: RegistrationModel;

  @consume({ context: callModelContext, subscribe: true })
  callModel?: CallModel;

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  /** Optional: names outgoing calls to colleagues, who come without a display name. */
  @consume({ context: directoryModelContext, subscribe: true })
  directoryModel?: DirectoryModel;

  private readonly registration = select(
    this,
    () => this.registrationModel?.state$,
    initialRegistration,
  );
  private readonly call = select(this, () => this.callModel?.state$, initialCall);
  private readonly people = select(
    this,
    () => this.directoryModel?.people$,
    [] as readonly DirectoryEntry[],
  );
  private readonly remoteStream = select(
    this,
    () => this.phoneService?.remoteStream$,
    null as MediaStream | null,
  );

  @state() private target = '';
  @state() private holdPending = false;

  @query('audio') private audio?: HTMLAudioElement;
  private attachedStream: MediaStream | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKeyDown);
    super.disconnectedCallback();
  }

  override render() {
    const reg = this.registration.value;
    const call = this.call.value;
    return html`<section class="panel" aria-label="Softphone">
      <div class="top">
        <h2>Phone</h2>
        <sentral-registration-badge
          .state=${reg.state}
          .reason=${reg.reason}
        ></sentral-registration-badge>
      </div>
      <div class="status" data-testid="call-state" data-state=${call.state} aria-live="polite">
        ${callStateText(call.state)}
      </div>
      ${
        call.state === CallState.Incoming
          ? html`<sentral-incoming-call
              .displayName=${call.remote?.displayName ?? ''}
              .number=${call.remote?.number ?? ''}
              @sentral-answer=${this.answer}
              @sentral-reject=${this.reject}
            ></sentral-incoming-call>`
          : nothing
      }
      ${
        isCallActive(call.state) && call.state !== CallState.Incoming
          ? this.renderCall(call)
          : nothing
      }
      ${call.state === CallState.Ended ? this.renderEnded(call) : nothing}
      ${isCallActive(call.state) ? nothing : this.renderDial(reg.state)}
      <audio data-testid="remote-audio" autoplay></audio>
    </section>`;
  }

  private renderCall(call: CallSnapshot) {
    const number = call.remote?.number ?? '';
    const displayName =
      call.remote?.displayName || personForNumber(this.people.value, number)?.displayName || '';
    const name = displayName || number || 'Unknown';
    const established = call.state === CallState.Established;
    const held = call.state === CallState.Held;
    const connected = established || held;
    return html`<div class="call">
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
      ${
        call.remoteHold
          ? html`<p class="notice" data-testid="remote-hold">Held by other party</p>`
          : nothing
      }
      ${held ? html`<p class="notice">On hold — the other party cannot hear you</p>` : nothing}
      <div class="controls">
        <button
          type="button"
          data-testid="mute"
          aria-pressed=${call.muted ? 'true' : 'false'}
          ?disabled=${!connected}
          @click=${this.toggleMute}
        >
          ${call.muted ? 'Unmute' : 'Mute'}
        </button>
        <button
          type="button"
          data-testid="hold"
          aria-pressed=${held ? 'true' : 'false'}
          ?disabled=${!connected || this.holdPending}
          @click=${this.toggleHold}
        >
          ${held ? 'Resume' : 'Hold'}
        </button>
        <button type="button" class="danger" data-testid="hangup" @click=${this.hangup}>
          Hang up
        </button>
      </div>
      ${
        established
          ? html`<sentral-dialpad
              purpose="dtmf"
              @sentral-digit=${this.onDtmfKey}
            ></sentral-dialpad>`
          : nothing
      }
      ${
        connected
          ? html`<div class="dtmf-received">
              Received DTMF: <span data-testid="dtmf-received">${call.dtmfReceived}</span>
            </div>`
          : nothing
      }
    </div>`;
  }

  private renderEnded(call: CallSnapshot) {
    if (!call.endReason) return nothing;
    return html`<p class="ended" data-testid="end-reason" data-reason=${call.endReason}>
        ${endReasonText(call.endReason)}
      </p>
      ${
        call.dtmfReceived
          ? html`<div class="dtmf-received">
              Received DTMF: <span data-testid="dtmf-received">${call.dtmfReceived}</span>
            </div>`
          : nothing
      }`;
  }

  private renderDial(registration: RegistrationState) {
    const canDial = registration === RegistrationState.Registered;
    return html`<form class="dial-form" @submit=${this.onSubmit}>
        <label class="visually-hidden" for="dial-input">Number to call</label>
        <div class="dial">
          <input
            id="dial-input"
            name="target"
            data-testid="dial-input"
            type="tel"
            inputmode="tel"
            autocomplete="off"
            placeholder="Number or extension"
            .value=${this.target}
            @input=${this.onInput}
          />
          <button
            type="submit"
            class="ok"
            data-testid="call-button"
            ?disabled=${!canDial || this.target.trim() === ''}
          >
            Call
          </button>
        </div>
      </form>
      <sentral-dialpad purpose="dial" @sentral-digit=${this.onDialKey}></sentral-dialpad>`;
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    const stream = this.remoteStream.value;
    const audio = this.audio;
    if (!audio || stream === this.attachedStream) return;
    this.attachedStream = stream;
    audio.srcObject = stream;
    if (stream) {
      audio.play().catch((error: unknown) => {
        // AbortError: the stream was replaced before it started (call ended at once).
        if (error instanceof DOMException && error.name === 'AbortError') return;
        logger.warn('softphone: audio play failed', error);
      });
    }
  }

  private onInput(event: InputEvent): void {
    this.target = (event.target as HTMLInputElement).value;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.dial();
  }

  private async dial(): Promise<void> {
    const target = this.target.trim();
    if (!target || this.registration.value.state !== RegistrationState.Registered) return;
    await this.phoneService?.dial(target);
  }

  private onDialKey(event: CustomEvent<DigitDetail>): void {
    this.target += event.detail.digit;
  }

  private onDtmfKey(event: CustomEvent<DigitDetail>): void {
    void this.phoneService?.sendDtmf(event.detail.digit);
  }

  private answer(): void {
    void this.phoneService?.answer();
  }

  private reject(): void {
    void this.phoneService?.reject();
  }

  private hangup(): void {
    void this.phoneService?.hangup();
  }

  private toggleMute(): void {
    this.phoneService?.toggleMute();
  }

  private async toggleHold(): Promise<void> {
    if (!this.phoneService || this.holdPending) return;
    this.holdPending = true;
    try {
      await this.phoneService.toggleHold();
    } finally {
      this.holdPending = false;
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const state = this.call.value.state;
    const typing = isTextEntry(event.composedPath()[0] ?? null);
    if (event.key === 'Escape') {
      if (state === CallState.Incoming) {
        event.preventDefault();
        this.reject();
      } else if (isCallActive(state)) {
        event.preventDefault();
        this.hangup();
      }
      return;
    }
    if (state === CallState.Established && !typing && DTMF_KEY.test(event.key)) {
      event.preventDefault();
      void this.phoneService?.sendDtmf(event.key);
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-softphone': SentralSoftphone;
  }
}
