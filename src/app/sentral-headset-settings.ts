import { localized, msg, str } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { HeadsetLink, initialHeadset } from '../store/headset/headset-link-state.js';
import type { HeadsetSnapshot } from '../store/headset/headset-link-state.js';
import type { HeadsetModel } from '../store/headset/headset-model.js';
import type { InputControl, OutputControl } from '../store/headset/telephony-descriptor.js';
import { headsetContext } from './headset-context.js';
import { select } from './observable-controller.js';
import { controls, settingsGroup } from './theme.js';

/** A headset button in words (lower case: it goes in a list). */
function buttonName(control: InputControl): string {
  switch (control) {
    case 'hook':
      return msg('call (hook switch)');
    case 'mute':
      return msg('mute');
    case 'flash':
      return msg('flash');
    case 'busy':
      return msg('reject');
  }
}

/** A headset light in words (lower case: it goes in a list). */
function lightName(control: OutputControl): string {
  switch (control) {
    case 'offHook':
      return msg('in call');
    case 'ring':
      return msg('ring');
    case 'mute':
      return msg('mute');
    case 'hold':
      return msg('hold');
  }
}

/**
 * What the settings say about the link. `secure`: whether the page is a secure context (WebHID
 * exists only on HTTPS pages and localhost).
 */
export function headsetStatusText(
  s: HeadsetSnapshot,
  secure = globalThis.isSecureContext ?? true,
): string {
  // A device name stands in the sentence; without one, "The headset" is part of the message.
  const name = s.device?.name ?? msg('The headset');
  switch (s.link) {
    case HeadsetLink.Unsupported:
      return secure
        ? msg(
            'This browser cannot use the buttons of a USB headset (it has no WebHID). Use Chrome or Edge on a computer to answer, hang up and mute from the headset.',
          )
        : msg('Headset buttons work only when Sentral is opened over HTTPS.');
    case HeadsetLink.Unpaired:
      return msg('No headset paired. Pair one to answer, hang up and mute with its buttons.');
    case HeadsetLink.Opening:
      return msg(str`Connecting to ${name}…`);
    case HeadsetLink.Ready:
      return msg(
        str`${name} is ready: its call button answers and hangs up, its mute button mutes.`,
      );
    case HeadsetLink.Released:
      return msg(
        str`${name} is left to the Sentral tab that has the phone. It is used here again when this tab has the phone.`,
      );
    case HeadsetLink.Unplugged:
      return msg(str`${name} is not plugged in. It is used again when you plug it in.`);
    case HeadsetLink.Error: {
      const reason = s.reason;
      return reason
        ? msg(str`${name} cannot be used. ${reason}`)
        : msg(str`${name} cannot be used.`);
    }
  }
}

/**
 * The headset's call control in the audio settings (ADR 0011): "Pair headset" opens the
 * browser's chooser for telephony devices (a USB headset's call-control interface); the paired
 * headset's name, its state, the buttons and lights found, "Forget", and "Try again" after a
 * failure. Says plainly when the browser has no WebHID. Renders nothing without a headset
 * service.
 *
 * `[data-testid=headset-settings]`, `headset-state[data-state=…]`, `headset-name`,
 * `headset-pair`, `headset-forget`, `headset-retry`, `headset-message`.
 */
@localized()
@customElement('sentral-headset-settings')
export class SentralHeadsetSettings extends LitElement {
  static override styles = [
    controls,
    settingsGroup,
    css`
      p {
        margin: 0;
        font-size: 0.9rem;
      }
      .controls,
      .note {
        font-size: 0.8rem;
        color: var(--sentral-text-muted, #556070);
      }
      .message {
        color: var(--sentral-danger, #b3261e);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  @consume({ context: headsetContext, subscribe: true })
  headset?: HeadsetModel;

  private readonly snapshot = select(this, () => this.headset?.state$, initialHeadset(true));

  /** Why the last pairing did not work (shown until the next try). */
  @state() private message: string | null = null;
  @state() private pending = false;

  override render() {
    if (!this.headset) return nothing;
    const s = this.snapshot.value;
    return html`<fieldset data-testid="headset-settings">
      <legend>${msg('Headset buttons')}</legend>
      ${
        s.device
          ? html`<p>
              ${msg('Headset:')} <strong data-testid="headset-name">${s.device.name}</strong>
            </p>`
          : nothing
      }
      <p role="status" data-testid="headset-state" data-state=${s.link}>${headsetStatusText(s)}</p>
      ${s.link === HeadsetLink.Unsupported ? nothing : this.renderControls(s)}
    </fieldset>`;
  }

  private renderControls(s: HeadsetSnapshot) {
    const paired = s.device !== null;
    const buttons = s.inputs.map(buttonName).join(', ');
    const lights = s.outputs.map(lightName).join(', ');
    const found = [
      s.inputs.length > 0 ? msg(str`Buttons: ${buttons}.`) : '',
      s.outputs.length > 0 ? msg(str`Lights: ${lights}.`) : '',
    ]
      .filter(Boolean)
      .join(' ');
    return html`${
        found && paired
          ? html`<p class="controls" data-testid="headset-controls">${found}</p>`
          : nothing
      }
      <div class="actions">
        <button
          type="button"
          data-testid="headset-pair"
          ?disabled=${this.pending}
          @click=${this.onPair}
        >
          ${paired ? msg('Pair another headset') : msg('Pair headset')}
        </button>
        ${
          s.link === HeadsetLink.Error
            ? html`<button
                type="button"
                data-testid="headset-retry"
                ?disabled=${this.pending}
                @click=${this.onRetry}
              >
                ${msg('Try again')}
              </button>`
            : nothing
        }
        ${
          paired
            ? html`<button
                type="button"
                data-testid="headset-forget"
                ?disabled=${this.pending}
                @click=${this.onForget}
              >
                ${msg('Forget headset')}
              </button>`
            : nothing
        }
      </div>
      <p class="message" role="alert" data-testid="headset-message">${this.message ?? nothing}</p>
      ${
        paired
          ? nothing
          : html`<p class="note">
              ${msg(
                'The browser lists the headsets with call buttons; pick yours (the headset itself, not its microphone).',
              )}
            </p>`
      }`;
  }

  /** The chooser needs the click's user activation: `pair()` asks for it before any await. */
  private onPair(): void {
    const headset = this.headset;
    if (!headset) return;
    this.message = null;
    void this.busyWith(async () => {
      this.message = await headset.pair();
    });
  }

  private onForget(): void {
    const headset = this.headset;
    if (!headset) return;
    this.message = null;
    void this.busyWith(() => headset.forget());
  }

  private onRetry(): void {
    const headset = this.headset;
    if (!headset) return;
    void this.busyWith(() => headset.retry());
  }

  private async busyWith(work: () => Promise<void>): Promise<void> {
    this.pending = true;
    try {
      await work();
    } finally {
      this.pending = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-headset-settings': SentralHeadsetSettings;
  }
}
