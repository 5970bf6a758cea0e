/**
 * Audio devices with a stubbed `navigator.mediaDevices` (enumerateDevices, devicechange): the
 * settings element lists and stores the choice (IndexedDB), the call plays on the chosen
 * speaker (setSinkId), the phone gets the microphone on a live call, and a headset unplugged
 * mid-call falls back to the default without hanging up, with a notice.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { BehaviorSubject } from 'rxjs';
import { AudioOutput } from '../../src/app/audio-output.js';
import { audioSettingsContext } from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import '../../src/app/sentral-audio-settings.js';
import type { SentralAudioSettings } from '../../src/app/sentral-audio-settings.js';
import '../../src/app/sentral-softphone.js';
import type { SentralSoftphone } from '../../src/app/sentral-softphone.js';
import { ToneController } from '../../src/app/tone-controller.js';
import type { ToneKind } from '../../src/app/tones.js';
import type { Party } from '../../src/sip/phone.js';
import { AudioSettingsModel } from '../../src/store/audio-settings-model.js';
import type { DeviceSource } from '../../src/store/audio-settings-model.js';
import type { AudioSettings } from '../../src/store/audio-settings-state.js';
import { lostDeviceNotice } from '../../src/store/audio-settings-state.js';
import { CallState, initialCall } from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { FakeApiClient, FakePhone, deepQuery, kariSip, mount, must, settle } from './fakes.js';
import { mountSoftphone } from './softphone-fixture.js';

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

function device(deviceId: string, kind: MediaDeviceKind, label: string): MediaDeviceInfo {
  return { deviceId, kind, label, groupId: 'g', toJSON: () => ({}) };
}

const LAPTOP = [
  device('default', 'audioinput', 'Default - Built-in Microphone'),
  device('builtin-mic', 'audioinput', 'Built-in Microphone'),
  device('default', 'audiooutput', 'Default - Built-in Speakers'),
  device('builtin-out', 'audiooutput', 'Built-in Speakers'),
  device('desk-out', 'audiooutput', 'Desk Speakers'),
];
const HEADSET = [
  device('hs-mic', 'audioinput', 'Jabra Evolve'),
  device('hs-out', 'audiooutput', 'Jabra Evolve'),
];

/** `navigator.mediaDevices` as far as the slice uses it; `plug` changes the list and fires. */
class FakeDevices extends EventTarget {
  list: MediaDeviceInfo[] = [...LAPTOP, ...HEADSET];
  permissionAsked = 0;
  enumerateDevices = () => Promise.resolve([...this.list]);
  getUserMedia = () => {
    this.permissionAsked++;
    return Promise.resolve(new MediaStream());
  };
  plug(list: MediaDeviceInfo[]): void {
    this.list = list;
    this.dispatchEvent(new Event('devicechange'));
  }
}

function uniqueDb(): string {
  return `test-audio-settings-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

async function deleteDb(name: string): Promise<void> {
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve(undefined);
  });
}

describe('audio device settings', () => {
  let dbName: string;
  let devices: FakeDevices;
  let services: Services;
  let phone: FakePhone;
  let cleanup: () => void = () => undefined;

  beforeEach(() => {
    dbName = uniqueDb();
    devices = new FakeDevices();
    phone = new FakePhone();
    services = assembleServices(
      new FakeApiClient(),
      () => phone,
      {},
      {
        devices: devices as unknown as DeviceSource,
        dbName,
      },
    );
  });

  afterEach(async () => {
    cleanup();
    cleanup = () => undefined;
    await services.audio.dispose();
    await deleteDb(dbName);
  });

  it('lists microphones, speakers and ringers from enumerateDevices, with Default first', async () => {
    await services.audio.load();
    const mounted = await mount<SentralAudioSettings>(
      html`<sentral-audio-settings></sentral-audio-settings>`,
      [[audioSettingsContext, services.audio]],
    );
    cleanup = mounted.cleanup;
    await settle(mounted.element);
    const options = (role: string) =>
      [...must(deepQuery<HTMLSelectElement>(mounted.element, `#audio-${role}`)).options].map((o) =>
        o.textContent?.trim(),
      );
    expect(options('microphone')).to.deep.equal(['Default', 'Built-in Microphone', 'Jabra Evolve']);
    expect(options('speaker')).to.deep.equal([
      'Default',
      'Built-in Speakers',
      'Desk Speakers',
      'Jabra Evolve',
    ]);
    expect(options('ringer')).to.deep.equal(options('speaker'));
    // Labelled lists need no permission prompt.
    expect(deepQuery(mounted.element, '[data-testid=audio-labels]')).to.equal(null);
  });

  it('asks for permission to show device names when the browser lists them unnamed', async () => {
    devices.list = devices.list.map((d) => device(d.deviceId, d.kind, ''));
    await services.audio.load();
    const mounted = await mount<SentralAudioSettings>(
      html`<sentral-audio-settings></sentral-audio-settings>`,
      [[audioSettingsContext, services.audio]],
    );
    cleanup = mounted.cleanup;
    await settle(mounted.element);
    devices.list = [...LAPTOP, ...HEADSET];
    must(deepQuery<HTMLButtonElement>(mounted.element, '[data-testid=audio-labels]')).click();
    await waitUntil(() => services.audio.state.devices.some((d) => d.label === 'Jabra Evolve'));
    expect(devices.permissionAsked).to.equal(1);
  });

  it('stores the choice in IndexedDB (not localStorage) and reads it back in a new page', async () => {
    await services.audio.load();
    const mounted = await mount<SentralAudioSettings>(
      html`<sentral-audio-settings></sentral-audio-settings>`,
      [[audioSettingsContext, services.audio]],
    );
    cleanup = mounted.cleanup;
    await settle(mounted.element);
    const choose = async (role: string, value: string) => {
      const select = must(deepQuery<HTMLSelectElement>(mounted.element, `#audio-${role}`));
      select.value = value;
      select.dispatchEvent(new Event('change'));
      await waitUntil(() => Object.values(services.audio.state.settings).includes(value));
    };
    const before = localStorage.length;
    await choose('microphone', 'hs-mic');
    await choose('speaker', 'hs-out');
    await choose('ringer', 'desk-out');
    expect(localStorage.length).to.equal(before);

    const again = new AudioSettingsModel(devices as unknown as DeviceSource, null, { dbName });
    await again.load();
    expect(again.state.settings).to.deep.equal({
      microphoneId: 'hs-mic',
      speakerId: 'hs-out',
      ringerId: 'desk-out',
    });
    await again.dispose();
  });

  describe('on a call', () => {
    let element: SentralSoftphone;

    beforeEach(async () => {
      await services.audio.load();
      const mounted = await mountSoftphone(services, [[audioSettingsContext, services.audio]]);
      element = mounted.element;
      cleanup = mounted.cleanup;
      await services.phone.start(kariSip);
      phone.emit({ type: 'registration', status: 'connecting' });
      phone.emit({ type: 'registration', status: 'registered' });
      phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
      phone.emit({ type: 'established', callId: 'c1' });
      phone.emit({ type: 'remote-media', callId: 'c1', stream: new MediaStream() });
      await settle(element);
    });

    /** Records the sink ids the call's audio element is given. */
    function sinkSpy(): string[] {
      const audio = must(deepQuery<HTMLAudioElement>(element, '[data-testid=remote-audio]'));
      const calls: string[] = [];
      (audio as HTMLAudioElement & { setSinkId: (id: string) => Promise<void> }).setSinkId = (
        id: string,
      ) => {
        calls.push(id);
        return Promise.resolve();
      };
      return calls;
    }

    it('opens the settings from the softphone (a disclosure button)', async () => {
      const button = must(
        deepQuery<HTMLButtonElement>(element, '[data-testid=audio-settings-button]'),
      );
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      button.click();
      await settle(element);
      expect(button.getAttribute('aria-expanded')).to.equal('true');
      const panel = must(deepQuery(element, '#audio-settings-panel'));
      await settle(panel);
      expect(panel.shadowRoot?.querySelector('[data-testid=audio-settings]')).not.to.equal(null);
    });

    it('plays the call on the chosen speaker (setSinkId) and moves the live call to the chosen microphone', async () => {
      const sinks = sinkSpy();
      await services.audio.choose('speaker', 'hs-out');
      await services.audio.choose('microphone', 'hs-mic');
      await settle(element);
      expect(sinks).to.deep.equal(['hs-out']);
      await waitUntil(() => phone.commands.includes('microphone hs-mic'));
      expect(phone.commands.some((c) => c.startsWith('hangup'))).to.equal(false);
    });

    it('falls back to the default devices when the headset is unplugged mid-call, keeps the call, and says so', async () => {
      const sinks = sinkSpy();
      await services.audio.choose('speaker', 'hs-out');
      await services.audio.choose('microphone', 'hs-mic');
      await settle(element);
      await waitUntil(() => phone.commands.includes('microphone hs-mic'));

      devices.plug(LAPTOP);
      await waitUntil(() => services.audio.state.notice !== null);
      await settle(element);

      const notice = must(deepQuery(element, '[data-testid=audio-notice]'));
      expect(notice.textContent?.trim()).to.equal(
        'Jabra Evolve disconnected — using Default - Built-in Microphone and Default - Built-in Speakers',
      );
      const region = must(deepQuery(element, '[data-testid=audio-notice-region]'));
      expect(region.getAttribute('role')).to.equal('status');
      expect(sinks).to.deep.equal(['hs-out', '']); // '' = the default output
      await waitUntil(() => phone.commands.at(-1) === 'microphone default');
      expect(phone.commands.some((c) => c.startsWith('hangup'))).to.equal(false);
      expect(services.lines.line('c1')?.state).to.equal(CallState.Established);
      // The choice is kept: the headset is used again when it comes back.
      expect(services.audio.state.settings.speakerId).to.equal('hs-out');
      devices.plug([...LAPTOP, ...HEADSET]);
      await waitUntil(() => phone.commands.at(-1) === 'microphone hs-mic');
      await settle(element);
      expect(sinks).to.deep.equal(['hs-out', '', 'hs-out']);

      must(deepQuery<HTMLButtonElement>(element, '[data-testid=audio-notice-dismiss]')).click();
      await settle(element);
      expect(deepQuery(element, '[data-testid=audio-notice]')).to.equal(null);
    });
  });

  it('re-opens the default microphone on a live call when the device behind the default is unplugged, and says so', async () => {
    // The headset is the system default; the user left every choice on Default.
    devices.list = [
      device('default', 'audioinput', 'Default - Jabra Evolve'),
      device('default', 'audiooutput', 'Default - Jabra Evolve'),
      ...LAPTOP.filter((d) => d.deviceId !== 'default'),
      ...HEADSET,
    ];
    await services.audio.load();
    await services.phone.start(kariSip);
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    const before = phone.commands.length;

    devices.plug(LAPTOP); // the system moves the default to the built-in devices
    await waitUntil(() => services.audio.state.notice !== null);
    expect(services.audio.state.notice).to.equal(
      'Jabra Evolve disconnected — using Built-in Microphone and Built-in Speakers',
    );
    await waitUntil(() => phone.commands.length > before);
    expect(phone.commands.slice(before)).to.deep.equal(['microphone default']);
    expect(services.lines.line('c1')?.state).to.equal(CallState.Established);
  });

  it('names an unnamed lost device by its role', () => {
    const settings: AudioSettings = { microphoneId: null, speakerId: null, ringerId: 'x' };
    const before = [{ deviceId: 'x', kind: 'audiooutput', label: '' }] as const;
    const after = [{ deviceId: 'default', kind: 'audiooutput', label: '' }] as const;
    expect(lostDeviceNotice(settings, before, after)).to.equal(
      'Ringer disconnected — using the default device',
    );
  });
});

describe('ringer and speaker tones', () => {
  function line(state: CallState): CallSnapshot {
    return { ...initialCall, callId: 'c1', state };
  }

  it('rings on the ringer device and plays ringback on the speaker, each with its own setSinkId', async () => {
    const output = new AudioOutput(() => null);
    const played: string[] = [];
    const sinks: string[] = [];
    for (const [name, generator] of [
      ['ringer', output.ringer],
      ['tones', output.tones],
    ] as const) {
      generator.play = (kind: ToneKind) => void played.push(`${name} ${kind}`);
      generator.stop = () => undefined;
      generator.setSinkId = (id: string | null) => {
        sinks.push(`${name} ${id ?? 'default'}`);
        return Promise.resolve();
      };
    }
    const lines = new BehaviorSubject<readonly CallSnapshot[]>([]);
    const settings = new BehaviorSubject<AudioSettings>({
      microphoneId: null,
      speakerId: 'hs-out',
      ringerId: 'desk-out',
    });
    const host = { addController: () => undefined } as unknown as ConstructorParameters<
      typeof ToneController
    >[0];
    const controller = new ToneController(
      host,
      output,
      () => lines,
      () => settings,
    );
    controller.hostConnected();
    expect(sinks).to.deep.equal(['tones hs-out', 'ringer desk-out']);
    lines.next([line(CallState.Incoming)]);
    lines.next([line(CallState.Ringing)]);
    expect(played).to.deep.equal(['ringer ringtone', 'tones ringback']);
    controller.hostDisconnected();
  });
});
