import { localized, msg, str } from '@lit/localize';
import { withViewMessages } from './i18n.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, queryAll, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import { CallState, initialCall, isCallActive } from '../store/call-state.js';
import type { CallSnapshot } from '../store/call-state.js';
import type { LinesModel } from '../store/lines-model.js';
import { activeLine, initialLines, liveLines, ringingIn, swapPair } from '../store/lines-state.js';
import type { LinesSnapshot } from '../store/lines-state.js';
import { logger } from '../store/logger.js';
import type { PhoneService, RemoteStreams } from '../store/phone-service.js';
import type { RegistrationModel } from '../store/registration-model.js';
import type { SessionModel } from '../store/session-model.js';
import { RegistrationState, initialRegistration } from '../store/registration-state.js';
import type { AudioSettingsModel } from '../store/audio-settings-model.js';
import { defaultAudioSettings } from '../store/audio-settings-state.js';
import type { CallQualityModel, LineQuality, QualityByCall } from '../store/call-quality-model.js';
import type { AudioOutput } from './audio-output.js';
import {
  audioOutputContext,
  audioSettingsContext,
  callQualityContext,
  linesModelContext,
  phoneServiceContext,
  registrationModelContext,
  sessionModelContext,
} from './contexts.js';
import type { IncomingCallNotifier } from './incoming-call-notifier.js';
import { formatPhoneNumber, phoneFormatVersion$ } from './phone-number.js';
import { callStateText, endReasonText, presentedNumberText } from './format.js';
import { select } from './observable-controller.js';
import { controls } from './theme.js';
import type { DigitDetail } from './sentral-dialpad.js';
import './sentral-forwarding-settings.js';
import './sentral-connection-banner.js';
import './sentral-dialpad.js';
import './sentral-incoming-call.js';
import './sentral-line.js';
import './sentral-my-absence.js';
import './sentral-registration-badge.js';

const DTMF_KEY = /^[0-9*#]$/;
const NO_STREAMS: RemoteStreams = new Map();
const NO_QUALITY: QualityByCall = new Map();

/** `setSinkId` on media elements (Chromium; not in every DOM typing yet). */
type SinkableAudio = HTMLAudioElement & { setSinkId?: (sinkId: string) => Promise<void> };

function isTextEntry(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}

/**
 * The softphone panel: registration badge, dial box and pad, and the phone's two lines — a
 * ringing call as the incoming-call card, a second call while one is up as the "call waiting"
 * card (Answer and hold, Reject), every other call as a {@link SentralLine} with its own
 * controls, a Swap button while one line talks and the other is held, the end reason of the
 * last call, and one `<audio>` element per line for the far end.
 *
 * `data-testid="call-state"` follows line 1 (the one-call view of the e2e tests).
 *
 * Audio: the far end plays on the chosen speaker (`setSinkId`); the Audio button opens the device
 * settings; a device that went away is announced (the call stays up on the default). Until the
 * user presses "Ready for calls" (unlocks audio, asks for notifications) a banner asks for it.
 * A call ringing in while the tab is hidden raises a system notification.
 *
 * Keyboard: Enter in the dial box dials; Escape rejects a ringing call or else hangs up the line
 * in front; digit keys send DTMF on the line in front (when not typing in a field).
 */
@localized()
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
      .lines {
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
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
      .dtmf-received {
        font-size: 0.9rem;
        color: var(--sentral-text-muted, #556070);
      }
      .dtmf-received span {
        font-variant-numeric: tabular-nums;
        letter-spacing: 0.1em;
        color: var(--sentral-text, #1c2230);
      }
      audio {
        display: none;
      }
      .ready {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
        padding: 0.6rem 0.75rem;
        border-radius: var(--sentral-radius-small, 6px);
        border: 1px solid var(--sentral-accent, #1d5fbf);
        background: var(--sentral-surface-2, #f8f9fb);
      }
      .ready p {
        margin: 0;
        flex: 1 1 12rem;
        font-size: 0.9rem;
      }
      .audio-notice:empty {
        display: none;
      }
      .audio-notice {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        margin: 0;
        padding: 0.4rem 0.6rem;
        border-radius: var(--sentral-radius-small, 6px);
        background: #fff4e0;
        color: #6b4700;
        font-size: 0.9rem;
      }
      /* The live region stays in the page (so a notice is announced) but shows nothing empty. */
      .audio-notice:not(.shown) {
        padding: 0;
        background: none;
      }
      .top-actions {
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
      .present-as {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        font-size: 0.9rem;
        color: var(--sentral-text-muted, #556070);
        margin-top: 0.5rem;
      }
    `,
  ];

  @consume({ context: registrationModelContext, subscribe: true })
  registrationModel?: RegistrationModel;

  @consume({ context: linesModelContext, subscribe: true })
  linesModel?: LinesModel;

  @consume({ context: phoneServiceContext, subscribe: true })
  phoneService?: PhoneService;

  @consume({ context: sessionModelContext, subscribe: true })
  sessionModel?: SessionModel;

  /** Optional: device choice (the Audio button shows only with it). */
  @consume({ context: audioSettingsContext, subscribe: true })
  audioSettings?: AudioSettingsModel;

  /** Optional: the lines' call-quality badge. */
  @consume({ context: callQualityContext, subscribe: true })
  qualityModel?: CallQualityModel;

  /** Optional: the ready step (the banner shows only with it). */
  @consume({ context: audioOutputContext, subscribe: true })
  output?: AudioOutput;

  private readonly registration = select(
    this,
    () => this.registrationModel?.state$,
    initialRegistration,
  );
  private readonly linesState = select(this, () => this.linesModel?.state$, initialLines);
  private readonly remoteStreams = select(
    this,
    () => this.phoneService?.remoteStreams$,
    NO_STREAMS,
  );

  private readonly user = select(this, () => this.sessionModel?.user$, null);
  private readonly devices = select(
    this,
    () => this.audioSettings?.effective$,
    defaultAudioSettings,
  );
  private readonly audioNotice = select(this, () => this.audioSettings?.notice$, null);
  private readonly quality = select(this, () => this.qualityModel?.quality$, NO_QUALITY);
  private readonly ready = select(this, () => this.output?.ready$, false);
  /** Renders again once foreign numbers can be formatted (libphonenumber-js loaded). */
  private readonly phoneFormats = select(this, () => phoneFormatVersion$, 0);

  /** Fetches the notifier's module (tests replace it to watch or fail the fetch). */
  @property({ attribute: false }) loadNotifier: NotifierLoader = NOTIFIER_LOADER;

  /**
   * A call ringing in while the tab is hidden raises a system notification; its Answer and
   * Decline do what the incoming-call card's Answer and Reject do. Fetched only once
   * notifications are allowed: it does nothing before, and the route has a size budget.
   */
  private notifier: IncomingCallNotifier | null = null;
  private notifierLoading = false;

  @state() private settingsOpen = false;

  @state() private target = '';
  @state() private swapPending = false;
  /** The number to show on this external call ('' = the default, the first allowed one). */
  @state() private presentAs = '';

  @queryAll('audio') private audios?: NodeListOf<HTMLAudioElement>;
  private readonly attached = new WeakMap<HTMLAudioElement, MediaStream | null>();
  /** The output device each audio element was last given ('' = the default). */
  private readonly sinks = new WeakMap<HTMLAudioElement, string>();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
    void this.startNotifier();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKeyDown);
    super.disconnectedCallback();
  }

  /**
   * The audio settings (devices, ringer, headset) are fetched when first opened: they are not
   * needed to take calls, and the switchboard route has a size budget (docs/benchmarks.md).
   */
  private readonly toggleSettings = async (): Promise<void> => {
    if (!this.settingsOpen) await loadAudioSettings();
    this.settingsOpen = !this.settingsOpen;
  };

  override render() {
    const reg = this.registration.value;
    const snapshot = this.linesState.value;
    const first = snapshot.lines[0] ?? initialCall;
    const live = liveLines(snapshot);
    const ringing = ringingIn(snapshot);
    const shown = live.filter((line) => line !== ringing);
    const active = activeLine(snapshot);
    const labelled = live.length > 1;
    const ended =
      live.length === 0 ? snapshot.lines.find((l) => l.state === CallState.Ended) : undefined;
    return html`<section class="panel" aria-label=${msg('Softphone')}>
      <div class="top">
        <h2>${msg('Phone')}</h2>
        <div class="top-actions">
          ${
            this.audioSettings
              ? html`<button
                  type="button"
                  data-testid="audio-settings-button"
                  aria-expanded=${this.settingsOpen ? 'true' : 'false'}
                  aria-controls="audio-settings-panel"
                  @click=${this.toggleSettings}
                >
                  ${msg('Audio')}
                </button>`
              : nothing
          }
          <sentral-registration-badge
            .state=${reg.state}
            .reason=${reg.reason}
          ></sentral-registration-badge>
        </div>
      </div>
      <sentral-connection-banner></sentral-connection-banner>
      <sentral-my-absence></sentral-my-absence>
      <sentral-forwarding-settings></sentral-forwarding-settings>
      ${
        this.audioSettings && this.settingsOpen
          ? html`<sentral-audio-settings id="audio-settings-panel"></sentral-audio-settings>`
          : nothing
      }
      ${this.renderReady()}
      <div
        class="audio-notice ${this.audioNotice.value ? 'shown' : ''}"
        role="status"
        aria-live="polite"
        data-testid="audio-notice-region"
      >
        ${
          this.audioNotice.value
            ? html`<span data-testid="audio-notice">${this.audioNotice.value}</span>
                <button
                  type="button"
                  data-testid="audio-notice-dismiss"
                  @click=${this.dismissNotice}
                >
                  ${msg('Dismiss')}
                </button>`
            : nothing
        }
      </div>
      <div class="status" data-testid="call-state" data-state=${first.state} aria-live="polite">
        ${callStateText(first.state)}
      </div>
      ${ringing && shown.length === 0 ? this.renderRinging(ringing, false, false) : nothing}
      ${
        shown.length > 0
          ? html`<div class="lines">
              ${repeat(
                shown,
                (line) => line.callId,
                (line) =>
                  html`<sentral-line
                    data-testid="line"
                    data-line=${String(snapshot.lines.indexOf(line) + 1)}
                    data-state=${line.state}
                    .call=${line}
                    .label=${labelled ? lineLabel(snapshot.lines.indexOf(line) + 1) : ''}
                    .quality=${this.qualityOf(line.callId)}
                    ?active=${line === active}
                  ></sentral-line>`,
              )}
            </div>`
          : nothing
      }
      ${this.renderSwap(snapshot)}
      ${
        ringing && shown.length > 0
          ? this.renderRinging(
              ringing,
              true,
              shown.some((line) => line.state === CallState.Established),
            )
          : nothing
      }
      ${ended ? this.renderEnded(ended) : nothing}
      <!-- Hidden, not removed, during calls: rebuilding the dial form and pad on every call
           cost the ringing call's first frame a few ms (bench/incoming-ringing). -->
      <div class="dial-area" ?hidden=${live.length > 0}>${this.renderDial(reg.state)}</div>
      ${repeat(
        snapshot.lines,
        (line) => line.callId,
        (line) =>
          html`<audio
            data-testid="remote-audio"
            data-line=${String(snapshot.lines.indexOf(line) + 1)}
            data-call-id=${line.callId ?? ''}
            autoplay
          ></audio>`,
      )}
    </section>`;
  }

  private renderRinging(call: CallSnapshot, waiting: boolean, answerHolds: boolean) {
    const callId = call.callId ?? '';
    return html`<sentral-incoming-call
      .displayName=${call.remote?.displayName ?? ''}
      .number=${call.remote?.number ?? ''}
      ?waiting=${waiting}
      ?answerHolds=${answerHolds}
      .recall=${call.recall}
      @sentral-answer=${() => this.answer(callId)}
      @sentral-reject=${() => this.reject(callId)}
    ></sentral-incoming-call>`;
  }

  /** The explicit ready step: until the user starts the phone, the first call could not ring. */
  private renderReady() {
    if (!this.output || this.ready.value) return nothing;
    return html`<div class="ready" role="region" aria-label=${msg('Start the phone')}>
      <p>
        ${msg('Press Ready so incoming calls can ring and notify you when this tab is hidden.')}
      </p>
      <button type="button" class="ok" data-testid="ready-button" @click=${this.onReady}>
        ${msg('Ready for calls')}
      </button>
    </div>`;
  }

  private async onReady(): Promise<void> {
    await this.output?.ready();
    void this.startNotifier(); // the ready step may just have granted the permission
  }

  /** Fetches and adds the notifier once notifications are allowed; a failed fetch is retried. */
  private async startNotifier(): Promise<void> {
    if (this.notifier || this.notifierLoading || !notificationsGranted()) return;
    this.notifierLoading = true;
    try {
      const module = await this.loadNotifier();
      // Added to a connected host, it starts listening at once (hostConnected).
      this.notifier = new module.IncomingCallNotifier(this, {
        ringing: () => {
          const call = ringingIn(this.linesState.value);
          return call && !call.autoAnswer ? call : null;
        },
        onShow: () => void this.showIncoming(),
        onAnswer: (callId) => this.answer(callId),
        onDecline: (callId) => this.reject(callId),
      });
      this.requestUpdate(); // its hostUpdated looks at a call that may ring already
    } catch (error) {
      logger.warn('notifications: cannot load the notifier, trying again later', error);
    } finally {
      this.notifierLoading = false;
    }
  }

  private dismissNotice(): void {
    this.audioSettings?.dismissNotice();
  }

  private qualityOf(callId: string | null): LineQuality | null {
    return callId ? (this.quality.value.get(callId) ?? null) : null;
  }

  /** A notification was clicked: the incoming call is on screen; put the focus on Answer. */
  private async showIncoming(): Promise<void> {
    await this.updateComplete;
    const card = this.renderRoot.querySelector('sentral-incoming-call');
    card?.scrollIntoView({ block: 'nearest' });
    card?.focusAnswer();
  }

  private renderSwap(snapshot: LinesSnapshot) {
    if (!swapPair(snapshot)) return nothing;
    return html`<button
      type="button"
      data-testid="swap"
      aria-label=${msg('Swap: hold the line that talks and resume the held line')}
      ?disabled=${this.swapPending}
      @click=${this.swap}
    >
      ${msg('Swap')}
    </button>`;
  }

  private renderEnded(call: CallSnapshot) {
    if (!call.endReason) return nothing;
    return html`<p class="ended" data-testid="end-reason" data-reason=${call.endReason}>
        ${endReasonText(call.endReason)}
      </p>
      ${
        call.dtmfReceived
          ? html`<div class="dtmf-received">
              ${msg('Received DTMF:')} <span data-testid="dtmf-received">${call.dtmfReceived}</span>
            </div>`
          : nothing
      }`;
  }

  private renderDial(registration: RegistrationState) {
    const canDial = registration === RegistrationState.Registered;
    return html`<form class="dial-form" @submit=${this.onSubmit}>
        <label class="visually-hidden" for="dial-input">${msg('Number to call')}</label>
        <div class="dial">
          <input
            id="dial-input"
            name="target"
            data-testid="dial-input"
            type="tel"
            inputmode="tel"
            autocomplete="off"
            placeholder=${msg('Number or extension')}
            .value=${this.target}
            @input=${this.onInput}
          />
          <button
            type="submit"
            class="ok"
            data-testid="call-button"
            ?disabled=${!canDial || this.target.trim() === ''}
          >
            ${msg('Call', { id: 'call-verb', desc: 'Button: place the call' })}
          </button>
        </div>
        ${this.renderPresentAs()}
      </form>
      <sentral-dialpad purpose="dial" @sentral-digit=${this.onDialKey}></sentral-dialpad>`;
  }

  /** Which of the user's numbers an external call shows; only offered for external numbers. */
  private renderPresentAs() {
    const numbers = this.user.value?.presentableNumbers ?? [];
    if (numbers.length === 0 || !looksExternal(this.target)) return nothing;
    return html`<label class="present-as">
      ${msg('Show my number as')}
      <select
        data-testid="present-as"
        @change=${(e: Event) => (this.presentAs = (e.target as HTMLSelectElement).value)}
      >
        ${numbers.map(
          (n) =>
            html`<option value=${n.number} ?selected=${n.number === this.presentAs}>
              ${presentedNumberText(n.kind)} · ${formatPhoneNumber(n.number)}
            </option>`,
        )}
      </select>
    </label>`;
  }

  override updated(changed: PropertyValues): void {
    super.updated(changed);
    void this.startNotifier(); // the permission may have been granted since
    const streams = this.remoteStreams.value;
    const sinkId = this.devices.value.speakerId ?? '';
    for (const audio of this.audios ?? []) {
      this.applySink(audio, sinkId);
      const stream = streams.get(audio.dataset['callId'] ?? '') ?? null;
      if (this.attached.get(audio) === stream) continue;
      this.attached.set(audio, stream);
      audio.srcObject = stream;
      if (!stream) continue;
      audio.play().catch((error: unknown) => {
        // AbortError: the stream was replaced before it started (call ended at once).
        if (error instanceof DOMException && error.name === 'AbortError') return;
        logger.warn('softphone: audio play failed', error);
      });
    }
  }

  /** The far end plays on the chosen speaker ('' = the default: also after it went away). */
  private applySink(audio: SinkableAudio, sinkId: string): void {
    if ((this.sinks.get(audio) ?? '') === sinkId) return;
    this.sinks.set(audio, sinkId);
    if (typeof audio.setSinkId !== 'function') return;
    audio.setSinkId(sinkId).catch((error: unknown) => {
      logger.warn('softphone: cannot play the call on the chosen speaker', error);
    });
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
    const numbers = this.user.value?.presentableNumbers ?? [];
    const presentAs = looksExternal(target)
      ? (numbers.find((n) => n.number === this.presentAs) ?? numbers[0])?.number
      : undefined;
    await this.phoneService?.dial(target, presentAs ? { presentAs } : {});
  }

  private onDialKey(event: CustomEvent<DigitDetail>): void {
    this.target += event.detail.digit;
  }

  private answer(callId: string): void {
    void this.phoneService?.answer(callId);
  }

  private reject(callId: string): void {
    void this.phoneService?.reject(callId);
  }

  private async swap(): Promise<void> {
    if (!this.phoneService || this.swapPending) return;
    this.swapPending = true;
    try {
      await this.phoneService.swap();
    } finally {
      this.swapPending = false;
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const snapshot = this.linesState.value;
    const typing = isTextEntry(event.composedPath()[0] ?? null);
    if (event.key === 'Escape') {
      const target = ringingIn(snapshot) ?? activeLine(snapshot);
      if (!target?.callId || !isCallActive(target.state)) return;
      event.preventDefault();
      if (target.state === CallState.Incoming && !target.autoAnswer) this.reject(target.callId);
      else void this.phoneService?.hangup(target.callId);
      return;
    }
    const active = activeLine(snapshot);
    if (
      active?.callId &&
      active.state === CallState.Established &&
      !typing &&
      DTMF_KEY.test(event.key)
    ) {
      event.preventDefault();
      void this.phoneService?.sendDtmf(active.callId, event.key);
    }
  };
}

const loadAudioSettings = withViewMessages(() => import('./sentral-audio-settings.js'));

/** The incoming-call notifier's module, as {@link SentralSoftphone.loadNotifier} gives it. */
export type NotifierLoader = () => Promise<{
  readonly IncomingCallNotifier: typeof IncomingCallNotifier;
}>;

export const NOTIFIER_LOADER: NotifierLoader = withViewMessages(
  () => import('./incoming-call-notifier.js'),
);

/** Notifications are allowed here (the notifier shows nothing otherwise). */
function notificationsGranted(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-softphone': SentralSoftphone;
  }
}

function lineLabel(line: number): string {
  return msg(str`Line ${line}`);
}

/** A number outside the company: 8+ digits (a Norwegian subscriber number) or international. */
function looksExternal(target: string): boolean {
  const t = target.replace(/[\s().-]/g, '');
  return /^(\+|00)[1-9][0-9]{5,}$/.test(t) || /^[0-9]{8,}$/.test(t);
}
