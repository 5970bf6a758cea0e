import { localized, msg } from '@lit/localize';
import { LitElement, css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { AudioSettingsModel } from '../store/audio-settings-model.js';
import { devicesOf, idOf, initialAudioSettings } from '../store/audio-settings-state.js';
import type { AudioDevice, AudioRole } from '../store/audio-settings-state.js';
import { audioSettingsContext } from './contexts.js';
import './sentral-headset-settings.js';
import { select } from './observable-controller.js';
import { controls, settingsGroup } from './theme.js';

const ROLES: readonly AudioRole[] = ['microphone', 'speaker', 'ringer'];

/** A device list's label and hint (at render time: the current language). */
function roleText(role: AudioRole): { label: string; hint: string } {
  switch (role) {
    case 'microphone':
      return { label: msg('Microphone'), hint: msg('What the other party hears.') };
    case 'speaker':
      return { label: msg('Speaker'), hint: msg('Where you hear the call (your headset).') };
    case 'ringer':
      return { label: msg('Ringer'), hint: msg('Where incoming calls ring (e.g. the speakers).') };
  }
}

/** Whether this browser can send audio to a chosen output device (`setSinkId`). */
export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/**
 * The audio device settings: one list each for the microphone, the speaker (the call) and the
 * ringer (the ringtone), from `enumerateDevices()`; "Default" follows the system's default.
 * Device names appear once the page may use the microphone ("Show device names" asks).
 * A change applies at once — the microphone even on a live call — and is stored in IndexedDB.
 * Last, the headset's call buttons (`sentral-headset-settings`, when the page has a headset).
 */
@localized()
@customElement('sentral-audio-settings')
export class SentralAudioSettings extends LitElement {
  static override styles = [
    controls,
    settingsGroup,
    css`
      label {
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        font-size: 0.9rem;
      }
      .hint,
      .note {
        font-size: 0.8rem;
        color: var(--sentral-text-muted, #556070);
        margin: 0;
      }
      select {
        max-width: 100%;
      }
      sentral-headset-settings {
        margin-top: 0.25rem;
      }
    `,
  ];

  @consume({ context: audioSettingsContext, subscribe: true })
  audioSettings?: AudioSettingsModel;

  private readonly audio = select(this, () => this.audioSettings?.state$, initialAudioSettings);

  override connectedCallback(): void {
    super.connectedCallback();
    // Names appear once a call (or the Ready step) had the microphone: list again on opening.
    void this.audioSettings?.refreshDevices();
  }

  override render() {
    const state = this.audio.value;
    const unlabelled = state.devices.length > 0 && state.devices.every((d) => d.label === '');
    const outputs = canChooseOutput();
    return html`<fieldset data-testid="audio-settings">
      <legend>${msg('Audio devices')}</legend>
      ${ROLES.map((role) => {
        const { label, hint } = roleText(role);
        const kind = role === 'microphone' ? 'audioinput' : 'audiooutput';
        const disabled = kind === 'audiooutput' && !outputs;
        return this.renderChoice(
          role,
          label,
          hint,
          devicesOf(state.devices, kind),
          idOf(state.settings, role),
          disabled,
        );
      })}
      ${
        outputs
          ? nothing
          : html`<p class="note">
              ${msg(
                'This browser cannot choose the output device: calls and the ringtone use the system default.',
              )}
            </p>`
      }
      ${
        unlabelled
          ? html`<button type="button" data-testid="audio-labels" @click=${this.requestLabels}>
              ${msg('Show device names')}
            </button>`
          : nothing
      }
      <sentral-headset-settings></sentral-headset-settings>
    </fieldset>`;
  }

  private renderChoice(
    role: AudioRole,
    label: string,
    hint: string,
    devices: readonly AudioDevice[],
    chosen: string | null,
    disabled: boolean,
  ) {
    const id = `audio-${role}`;
    // Chrome lists the default as a device with id 'default': "Default" covers it.
    const listed = devices.filter((d) => d.deviceId !== 'default' && d.deviceId !== '');
    const missing = chosen !== null && !listed.some((d) => d.deviceId === chosen);
    return html`<label for=${id}>
      ${label}
      <select
        id=${id}
        data-testid=${id}
        aria-describedby=${`${id}-hint`}
        ?disabled=${disabled}
        @change=${(e: Event) =>
          void this.audioSettings?.choose(role, (e.target as HTMLSelectElement).value || null)}
      >
        <option value="" ?selected=${chosen === null}>${msg('Default')}</option>
        ${listed.map(
          (d, i) =>
            html`<option value=${d.deviceId} ?selected=${d.deviceId === chosen}>
              ${d.label || `${label} ${i + 1}`}
            </option>`,
        )}
        ${
          missing
            ? html`<option value=${chosen ?? ''} selected>
                ${msg('Not connected (the default is used)')}
              </option>`
            : nothing
        }
      </select>
      <span class="hint" id=${`${id}-hint`}>${hint}</span>
    </label>`;
  }

  private async requestLabels(): Promise<void> {
    await this.audioSettings?.requestLabels();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sentral-audio-settings': SentralAudioSettings;
  }
}
