/**
 * The audio-devices slice's pure parts: which microphone, speaker and ringer the user chose,
 * the devices the browser lists, which of them are in use now (a chosen device that is gone
 * falls back to the default), and the notice that says so.
 *
 * ```txt
 *  loading ──load()──▶ ready
 * ```
 * A chosen device stays chosen while it is unplugged: when it comes back it is used again.
 * @packageDocumentation
 */
import { msg, str } from '@lit/localize';

/** What a device is used for. Microphones are `audioinput`; speaker and ringer `audiooutput`. */
export type AudioRole = 'microphone' | 'speaker' | 'ringer';

/** The user's choice per role; null = the browser's default device. Stored in IndexedDB. */
export interface AudioSettings {
  readonly microphoneId: string | null;
  readonly speakerId: string | null;
  readonly ringerId: string | null;
}

/** One entry of `enumerateDevices()` that matters here. Labels are empty before permission. */
export interface AudioDevice {
  readonly deviceId: string;
  readonly kind: 'audioinput' | 'audiooutput';
  readonly label: string;
}

export enum AudioSettingsStatus {
  Loading = 'loading',
  Ready = 'ready',
}

export interface AudioSettingsState {
  readonly status: AudioSettingsStatus;
  readonly settings: AudioSettings;
  readonly devices: readonly AudioDevice[];
  /** The devices in use: the chosen one while it is listed, else null (the default). */
  readonly effective: AudioSettings;
  /** Why the devices in use changed by themselves ("Headset disconnected — using …"). */
  readonly notice: string | null;
  /**
   * Bumped when the system's default microphone became another device while the default is
   * in use: the live calls must open it again (their track belonged to the one that went away).
   */
  readonly defaultMicrophoneChanges: number;
}

export const defaultAudioSettings: AudioSettings = {
  microphoneId: null,
  speakerId: null,
  ringerId: null,
};

export const initialAudioSettings: AudioSettingsState = {
  status: AudioSettingsStatus.Loading,
  settings: defaultAudioSettings,
  devices: [],
  effective: defaultAudioSettings,
  notice: null,
  defaultMicrophoneChanges: 0,
};

const ROLES: readonly AudioRole[] = ['microphone', 'speaker', 'ringer'];

export function kindOf(role: AudioRole): AudioDevice['kind'] {
  return role === 'microphone' ? 'audioinput' : 'audiooutput';
}

export function idOf(settings: AudioSettings, role: AudioRole): string | null {
  switch (role) {
    case 'microphone':
      return settings.microphoneId;
    case 'speaker':
      return settings.speakerId;
    case 'ringer':
      return settings.ringerId;
  }
}

function withId(settings: AudioSettings, role: AudioRole, id: string | null): AudioSettings {
  switch (role) {
    case 'microphone':
      return { ...settings, microphoneId: id };
    case 'speaker':
      return { ...settings, speakerId: id };
    case 'ringer':
      return { ...settings, ringerId: id };
  }
}

/** The devices of a kind as the browser listed them. */
export function devicesOf(
  devices: readonly AudioDevice[],
  kind: AudioDevice['kind'],
): AudioDevice[] {
  return devices.filter((d) => d.kind === kind);
}

/** A chosen device that is no longer listed is replaced by null (the default). */
export function effectiveSettings(
  settings: AudioSettings,
  devices: readonly AudioDevice[],
): AudioSettings {
  let effective = settings;
  for (const role of ROLES) {
    const id = idOf(settings, role);
    if (id === null) continue;
    const listed = devices.some((d) => d.kind === kindOf(role) && d.deviceId === id);
    if (!listed) effective = withId(effective, role, null);
  }
  return effective;
}

/** What the default device of a kind is called ("Default - Speakers"), for the notice. */
export function defaultLabel(devices: readonly AudioDevice[], kind: AudioDevice['kind']): string {
  const ofKind = devicesOf(devices, kind);
  const device = ofKind.find((d) => d.deviceId === 'default') ?? ofKind[0];
  return device?.label || msg('the default device');
}

function roleWord(role: AudioRole): string {
  switch (role) {
    case 'microphone':
      return msg('Microphone');
    case 'speaker':
      return msg('Speaker');
    case 'ringer':
      return msg('Ringer');
  }
}

/**
 * The notice for devices that went away between two device lists: each lost device by name
 * and the default now used instead ("Jabra Evolve disconnected — using Default - Speakers").
 * A headset lost as both microphone and speaker is named once.
 */
export function lostDeviceNotice(
  settings: AudioSettings,
  before: readonly AudioDevice[],
  after: readonly AudioDevice[],
): string | null {
  const lost = new Map<string, string[]>();
  for (const role of ROLES) {
    const id = idOf(settings, role);
    if (id === null) continue;
    const kind = kindOf(role);
    const was = before.find((d) => d.kind === kind && d.deviceId === id);
    const is = after.some((d) => d.kind === kind && d.deviceId === id);
    if (!was || is) continue;
    const name = was.label || roleWord(role);
    const instead = defaultLabel(after, kind);
    const using = lost.get(name) ?? [];
    if (!using.includes(instead)) using.push(instead);
    lost.set(name, using);
  }
  if (lost.size === 0) return null;
  return [...lost]
    .map(([name, using]) => {
      const instead =
        using.length === 1
          ? (using[0] ?? '')
          : msg(str`${using.slice(0, -1).join(', ')} and ${using.at(-1) ?? ''}`);
      return msg(str`${name} disconnected — using ${instead}`);
    })
    .join('; ');
}

/** Chrome's default entry ("Default - Jabra Evolve") names the device behind it. */
function behindDefault(devices: readonly AudioDevice[], kind: AudioDevice['kind']): string | null {
  const entry = devices.find((d) => d.kind === kind && d.deviceId === 'default');
  if (!entry?.label) return null;
  return entry.label.replace(/^Default\s*-\s*/i, '');
}

/**
 * When the default is in use and the device behind it went away (the system moved the default
 * to another one): the notice naming both, else null.
 */
export function lostDefaultNotice(
  settings: AudioSettings,
  before: readonly AudioDevice[],
  after: readonly AudioDevice[],
): string | null {
  const lost = new Map<string, string[]>();
  for (const role of ['microphone', 'speaker'] as const) {
    if (idOf(settings, role) !== null) continue;
    const kind = kindOf(role);
    const was = behindDefault(before, kind);
    const is = behindDefault(after, kind);
    if (!was || !is || was === is) continue;
    if (after.some((d) => d.kind === kind && d.label === was)) continue; // still there
    lost.set(was, [...(lost.get(was) ?? []), is]);
  }
  if (lost.size === 0) return null;
  return [...lost]
    .map(([name, using]) => `${name} disconnected — using ${using.join(' and ')}`)
    .join('; ');
}

// ---- reducers -------------------------------------------------------------------------------

export function audioSettingsLoaded(
  state: AudioSettingsState,
  settings: AudioSettings,
): AudioSettingsState {
  return {
    ...state,
    status: AudioSettingsStatus.Ready,
    settings,
    effective: effectiveSettings(settings, state.devices),
  };
}

export function audioDevicesListed(
  state: AudioSettingsState,
  devices: readonly AudioDevice[],
): AudioSettingsState {
  // Before the first list there is nothing that could have gone away.
  const first = state.devices.length === 0;
  const notice = first
    ? null
    : (lostDeviceNotice(state.settings, state.devices, devices) ??
      lostDefaultNotice(state.settings, state.devices, devices));
  const defaultMoved =
    !first &&
    state.settings.microphoneId === null &&
    behindDefault(state.devices, 'audioinput') !== behindDefault(devices, 'audioinput');
  return {
    ...state,
    devices,
    effective: effectiveSettings(state.settings, devices),
    notice: notice ?? state.notice,
    defaultMicrophoneChanges: state.defaultMicrophoneChanges + (defaultMoved ? 1 : 0),
  };
}

export function audioDeviceChosen(
  state: AudioSettingsState,
  role: AudioRole,
  deviceId: string | null,
): AudioSettingsState {
  const settings = withId(state.settings, role, deviceId);
  return { ...state, settings, effective: effectiveSettings(settings, state.devices) };
}

export function audioNoticeDismissed(state: AudioSettingsState): AudioSettingsState {
  return state.notice === null ? state : { ...state, notice: null };
}

export function audioNoticeShown(state: AudioSettingsState, notice: string): AudioSettingsState {
  return { ...state, notice };
}
