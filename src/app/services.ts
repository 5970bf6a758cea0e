/**
 * Builds the real services of the app: one API client for the page's origin, the store models,
 * and the SIP phone factory. Element tests build fakes instead and provide them by context.
 */
import { holdMusic } from '../sip/hold-music.js';
import { toneMicrophone } from '../sip/tone-microphone.js';
import { WebSocketApiClient } from '../store/api-client.js';
import type { ApiClient } from '../store/api-client.js';
import { AudioSettingsModel } from '../store/audio-settings-model.js';
import type { AudioSettingsOptions, DeviceSource } from '../store/audio-settings-model.js';
import { AuthService } from '../store/auth-service.js';
import { CallLogModel } from '../store/call-log-model.js';
import { CallQualityModel } from '../store/call-quality-model.js';
import type { CallLogOptions } from '../store/call-log-model.js';
import { DirectoryModel } from '../store/directory-model.js';
import { HeadsetModel, LEGACY_HEADSET_STORAGE_KEY } from '../store/headset/headset-model.js';
import type { HeadsetStorage } from '../store/headset/headset-model.js';
import { browserHid } from '../store/headset/hid.js';
import type { HidLike } from '../store/headset/hid.js';
import { LinesModel } from '../store/lines-model.js';
import { logger } from '../store/logger.js';
import { PhoneService } from '../store/phone-service.js';
import { PreferencesStore } from '../store/preferences-db.js';
import type { PhoneFactory } from '../store/phone-service.js';
import { RegistrationModel } from '../store/registration-model.js';
import { SessionModel } from '../store/session-model.js';
import { SharedPhone } from '../store/shared-phone.js';
import { SwitchboardModel } from '../store/switchboard-model.js';

/** Everything `sentral-app` provides, each under its own context. */
export interface Services {
  readonly api: ApiClient;
  readonly session: SessionModel;
  readonly registration: RegistrationModel;
  readonly lines: LinesModel;
  readonly directory: DirectoryModel;
  readonly phone: PhoneService;
  readonly auth: AuthService;
  readonly switchboard: SwitchboardModel;
  readonly callLog: CallLogModel;
  /** The estimated MOS of each live call (the lines' badge; stored with the call in the log). */
  readonly quality: CallQualityModel;
  /** Microphone, speaker and ringer (IndexedDB); the phone follows the microphone in use. */
  readonly audio: AudioSettingsModel;
  /** The USB headset's buttons and lights (WebHID), while this tab owns the phone (ADR 0011). */
  readonly headset: HeadsetModel;
  /** This browser's preferences (IndexedDB): the language, the chosen headset. */
  readonly preferences: PreferencesStore;
}

export interface AudioServiceOptions extends AudioSettingsOptions {
  /** Default `navigator.mediaDevices`. */
  readonly devices?: DeviceSource;
}

export interface HeadsetServiceOptions {
  /** Default `navigator.hid`; null: no WebHID (as in Firefox). */
  readonly hid?: HidLike | null;
  /** Where the chosen headset is remembered; default the `headset` preference (IndexedDB). */
  readonly storage?: HeadsetStorage | null;
}

export interface ServiceOptions {
  /** Use a WebAudio tone instead of the microphone (tests with many pages, demos). */
  toneMicrophone?: boolean;
  /** Override the API URL (default: `ws(s)://<page host>/api`). */
  apiUrl?: string;
}

/** Wires services from parts; `createServices` uses it with the real API client and phone. */
export function assembleServices(
  api: ApiClient,
  createPhone: PhoneFactory,
  callLogOptions: CallLogOptions = {},
  audioOptions: AudioServiceOptions = {},
  headsetOptions: HeadsetServiceOptions = {},
  preferences = new PreferencesStore(),
): Services {
  const session = new SessionModel();
  const registration = new RegistrationModel();
  const lines = new LinesModel();
  const directory = new DirectoryModel(api);
  const phone = new PhoneService(createPhone, registration, lines);
  const auth = new AuthService(api, session, phone, directory);
  const switchboard = new SwitchboardModel(api, session);
  const quality = new CallQualityModel(phone, lines.lines$);
  const audio = new AudioSettingsModel(
    audioOptions.devices ?? (navigator.mediaDevices as DeviceSource | undefined),
    phone,
    audioOptions,
  );
  const callLog = new CallLogModel(session, phone, { quality, ...callLogOptions });
  const headset = new HeadsetModel({
    hid: headsetOptions.hid === undefined ? browserHid() : (headsetOptions.hid ?? undefined),
    phone,
    lines$: lines.state$,
    owner$: phone.owner$,
    storage:
      headsetOptions.storage === undefined
        ? headsetPreference(preferences)
        : headsetOptions.storage,
  });
  return {
    api,
    session,
    registration,
    lines,
    directory,
    phone,
    auth,
    switchboard,
    callLog,
    quality,
    audio,
    headset,
    preferences,
  };
}

/**
 * The headset choice as a preference. Versions before IndexedDB kept it in localStorage: it is
 * moved over on first read and removed there (settings never stay in localStorage).
 */
export function headsetPreference(preferences: PreferencesStore): HeadsetStorage {
  return {
    async read() {
      const stored = await preferences.get('headset');
      if (stored !== null || typeof localStorage === 'undefined') return stored;
      const legacy = localStorage.getItem(LEGACY_HEADSET_STORAGE_KEY);
      if (legacy === null) return null;
      await preferences.set('headset', legacy);
      localStorage.removeItem(LEGACY_HEADSET_STORAGE_KEY);
      return legacy;
    },
    write: (value) => preferences.set('headset', value),
  };
}

export function createServices(options: ServiceOptions = {}): Services {
  const api = new WebSocketApiClient(options.apiUrl ? { url: options.apiUrl } : {});
  api.connect();
  const microphone = options.toneMicrophone ? toneMicrophone() : undefined;
  // The SIP stack is the bulk of the bundle: its own chunk, fetched when a phone is first
  // made (a login with a phone; never for the wall board), and again after a failed fetch.
  const importSip = () => import('../sip/sip-phone.js');
  let sipModule: ReturnType<typeof importSip> | null = null;
  const loadSip = () =>
    (sipModule ??= importSip().catch((error: unknown) => {
      logger.error('app: cannot load the SIP stack', error);
      sipModule = null;
      throw error;
    }));
  const services = assembleServices(api, (credentials) => {
    const create = async () => {
      const { SipPhone } = await loadSip();
      const music = holdMusic();
      return new SipPhone(
        microphone
          ? { credentials, logger, microphone, holdMusic: music }
          : { credentials, logger, holdMusic: music },
      );
    };
    // One tab owns the phone; other tabs of the same user mirror it and send it commands.
    if (!('locks' in navigator) || typeof BroadcastChannel === 'undefined') return create();
    return new SharedPhone({
      key: credentials.aor,
      create,
      locks: navigator.locks,
      channel: (name) => new BroadcastChannel(name),
    });
  });
  void services.audio.load();
  // The headset paired before is looked for among the devices the page may use (ADR 0011).
  void services.headset.start();
  return services;
}
