import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';
import type { AudioSettings } from '../store/audio-settings-state.js';
import { CallState, isCallActive } from '../store/call-state.js';
import type { CallSnapshot } from '../store/call-state.js';
import type { AudioOutput } from './audio-output.js';
import type { ToneKind } from './tones.js';

/**
 * The tone the lines call for: ringback while a call of ours rings out; the ringtone while a
 * call rings in, or the soft call-waiting tone when another line is up; nothing for a call
 * that is answered by itself (auto-answer).
 */
export function toneFor(lines: readonly CallSnapshot[]): ToneKind | null {
  if (lines.some((line) => line.state === CallState.Ringing)) return 'ringback';
  const ringing = lines.find((line) => line.state === CallState.Incoming && !line.autoAnswer);
  if (!ringing) return null;
  const otherUp = lines.some((line) => line !== ringing && isCallActive(line.state));
  return otherUp ? 'call-waiting' : 'ringtone';
}

/**
 * Plays the ringtone (on the ringer device) / call-waiting tone / ringback (on the speaker) for
 * its host while the host is connected, following the lines; stops on answer, end, or when the
 * host goes away. With `getDevices`, keeps each sound on the device the user chose.
 */
export class ToneController implements ReactiveController {
  private subscription: Subscription | null = null;
  private devicesSubscription: Subscription | null = null;
  private source: Observable<readonly CallSnapshot[]> | undefined;
  private devices: Observable<AudioSettings> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly output: AudioOutput,
    private readonly getSource: () => Observable<readonly CallSnapshot[]> | undefined,
    private readonly getDevices: () => Observable<AudioSettings> | undefined = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resubscribe();
  }

  hostUpdate(): void {
    if (this.getSource() !== this.source || this.getDevices() !== this.devices) this.resubscribe();
  }

  hostDisconnected(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.devicesSubscription?.unsubscribe();
    this.devicesSubscription = null;
    this.source = undefined;
    this.devices = undefined;
    this.output.stop();
  }

  private resubscribe(): void {
    this.subscription?.unsubscribe();
    this.devicesSubscription?.unsubscribe();
    this.source = this.getSource();
    this.devices = this.getDevices();
    this.devicesSubscription =
      this.devices?.subscribe((devices) => void this.output.applyDevices(devices)) ?? null;
    this.subscription =
      this.source?.subscribe((lines) => {
        const kind = toneFor(lines);
        if (!kind) {
          this.output.stop();
          return;
        }
        const generator = this.output.generatorFor(kind);
        // One tone at a time: the other generator falls silent.
        (generator === this.output.ringer ? this.output.tones : this.output.ringer).stop();
        generator.play(kind);
      }) ?? null;
  }
}
