/**
 * The audio-devices slice: the user's microphone, speaker and ringer (IndexedDB,
 * `audio-settings-db.ts`), the browser's device list (refreshed on `devicechange`), the devices
 * in use, and the notice when a chosen device went away (the default takes over; the call
 * stays up). The microphone in use is handed to the phone (new calls, and live calls by
 * `replaceTrack`); the views apply the speaker and ringer with `setSinkId`.
 * @packageDocumentation
 */
import { distinctUntilChanged, map } from 'rxjs';
import type { Observable } from 'rxjs';
import { openAudioSettingsDb, readAudioSettings, writeAudioSettings } from './audio-settings-db.js';
import type { AudioSettingsDb } from './audio-settings-db.js';
import {
  audioDeviceChosen,
  audioDevicesListed,
  audioNoticeDismissed,
  audioNoticeShown,
  audioSettingsLoaded,
  defaultAudioSettings,
  initialAudioSettings,
} from './audio-settings-state.js';
import type {
  AudioDevice,
  AudioRole,
  AudioSettings,
  AudioSettingsState,
} from './audio-settings-state.js';
import { logger } from './logger.js';
import { Model } from './model.js';

/** The part of `navigator.mediaDevices` the slice uses (tests stub it). */
export type DeviceSource = Pick<
  MediaDevices,
  'enumerateDevices' | 'getUserMedia' | 'addEventListener' | 'removeEventListener'
>;

/** Where the microphone in use goes (the phone service). */
export interface MicrophoneSink {
  setMicrophone(deviceId: string | null): Promise<boolean>;
}

export interface AudioSettingsOptions {
  /** The database name (tests give each test its own). */
  readonly dbName?: string;
}

export class AudioSettingsModel extends Model<AudioSettingsState> {
  readonly devices$: Observable<readonly AudioDevice[]> = this.select((s) => s.devices);
  readonly effective$: Observable<AudioSettings> = this.select((s) => s.effective);
  readonly notice$: Observable<string | null> = this.select((s) => s.notice);

  private db: Promise<AudioSettingsDb | null> | null = null;
  private readonly dbName: string | undefined;
  private listing = 0;

  constructor(
    private readonly source: DeviceSource | undefined,
    microphone: MicrophoneSink | null,
    options: AudioSettingsOptions = {},
  ) {
    super(initialAudioSettings);
    this.dbName = options.dbName;
    source?.addEventListener('devicechange', this.onDeviceChange);
    if (microphone) {
      // The microphone in use, again whenever the system's default moved under it.
      this.state$
        .pipe(
          map((st) => ({ id: st.effective.microphoneId, moved: st.defaultMicrophoneChanges })),
          distinctUntilChanged((x, y) => x.id === y.id && x.moved === y.moved),
        )
        .subscribe(({ id }) => void this.applyMicrophone(microphone, id));
    }
  }

  /** Reads the stored choice and lists the devices. Safe to call more than once. */
  async load(): Promise<void> {
    const db = await this.database();
    let stored: AudioSettings | null = null;
    try {
      if (db) stored = await readAudioSettings(db);
    } catch (error) {
      logger.warn('audio: cannot read the settings', error);
    }
    this.setState(audioSettingsLoaded(this.state, stored ?? defaultAudioSettings));
    await this.refreshDevices();
  }

  /** Lists the devices again (the `devicechange` handler; after permission for the labels). */
  async refreshDevices(): Promise<void> {
    if (!this.source) return;
    const request = ++this.listing;
    let listed: MediaDeviceInfo[];
    try {
      listed = await this.source.enumerateDevices();
    } catch (error) {
      logger.warn('audio: cannot list the devices', error);
      return;
    }
    if (request !== this.listing) return; // a newer listing is on its way
    const devices: AudioDevice[] = listed
      .filter((d) => d.kind === 'audioinput' || d.kind === 'audiooutput')
      .map((d) => ({ deviceId: d.deviceId, kind: d.kind as AudioDevice['kind'], label: d.label }));
    this.setState(audioDevicesListed(this.state, devices));
  }

  /** Device labels are empty until the page may use the microphone: ask once, then list. */
  async requestLabels(): Promise<boolean> {
    if (!this.source) return false;
    try {
      const stream = await this.source.getUserMedia({ audio: true, video: false });
      for (const track of stream.getTracks()) track.stop();
    } catch (error) {
      logger.warn('audio: microphone permission refused', error);
      return false;
    }
    await this.refreshDevices();
    return true;
  }

  /** Chooses the device for a role (null: the default) and stores the choice. */
  async choose(role: AudioRole, deviceId: string | null): Promise<void> {
    this.setState(audioDeviceChosen(this.state, role, deviceId || null));
    const db = await this.database();
    try {
      if (db) await writeAudioSettings(db, this.state.settings);
    } catch (error) {
      logger.warn('audio: cannot store the settings', error);
    }
  }

  dismissNotice(): void {
    this.setState(audioNoticeDismissed(this.state));
  }

  /** Stops listening and closes the database. */
  async dispose(): Promise<void> {
    this.source?.removeEventListener('devicechange', this.onDeviceChange);
    const db = await this.db;
    db?.close();
    this.db = null;
  }

  private readonly onDeviceChange = (): void => {
    void this.refreshDevices();
  };

  private database(): Promise<AudioSettingsDb | null> {
    this.db ??= openAudioSettingsDb(this.dbName).catch((error: unknown) => {
      logger.warn('audio: cannot open the settings database', error);
      return null;
    });
    return this.db;
  }

  private async applyMicrophone(sink: MicrophoneSink, id: string | null): Promise<void> {
    const ok = await sink.setMicrophone(id);
    if (ok || id === null) return;
    const label = this.state.devices.find((d) => d.deviceId === id)?.label || 'that microphone';
    this.setState(
      audioNoticeShown(this.state, `Cannot use ${label} — keeping the microphone in use`),
    );
  }
}
