import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';
import { CallState, isCallActive } from '../store/call-state.js';
import type { CallSnapshot } from '../store/call-state.js';
import type { ToneGenerator, ToneKind } from './tones.js';

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
 * Plays the ringtone / call-waiting tone / ringback for its host while the host is connected,
 * following the lines; stops on answer, end, or when the host goes away.
 */
export class ToneController implements ReactiveController {
  private subscription: Subscription | null = null;
  private source: Observable<readonly CallSnapshot[]> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly tones: ToneGenerator,
    private readonly getSource: () => Observable<readonly CallSnapshot[]> | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.resubscribe();
  }

  hostUpdate(): void {
    if (this.getSource() !== this.source) this.resubscribe();
  }

  hostDisconnected(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.source = undefined;
    this.tones.stop();
  }

  private resubscribe(): void {
    this.subscription?.unsubscribe();
    this.source = this.getSource();
    this.subscription =
      this.source?.subscribe((lines) => {
        const kind = toneFor(lines);
        if (kind) this.tones.play(kind);
        else this.tones.stop();
      }) ?? null;
  }
}
