import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';
import { CallState } from '../store/call-state.js';
import type { ToneGenerator, ToneKind } from './tones.js';

/** The tone a call state calls for: ringtone while ringing in, ringback while ringing out. */
export function toneFor(state: CallState): ToneKind | null {
  if (state === CallState.Incoming) return 'ringtone';
  if (state === CallState.Ringing) return 'ringback';
  return null;
}

/**
 * Plays the ringtone / ringback for its host while the host is connected, following the call
 * state; stops on answer, end, or when the host goes away.
 */
export class ToneController implements ReactiveController {
  private subscription: Subscription | null = null;
  private source: Observable<CallState> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly tones: ToneGenerator,
    private readonly getSource: () => Observable<CallState> | undefined,
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
      this.source?.subscribe((state) => {
        const kind = toneFor(state);
        if (kind) this.tones.play(kind);
        else this.tones.stop();
      }) ?? null;
  }
}
