/**
 * Ringtone and ringback generated with WebAudio (no audio files).
 *
 * - ringback: 425 Hz, 1 s on / 4 s off (the ETSI / Nordic ringing tone), while an outgoing
 *   call rings.
 * - ringtone: a soft two-note chime twice every 3 s, while an incoming call rings.
 * - call-waiting: two short, quiet 425 Hz beeps every 5 s (the ETSI call-waiting tone), while a
 *   second call rings in during a call: heard over the call, never drowning it.
 */
import { logger } from '../store/logger.js';

export type ToneKind = 'ringtone' | 'ringback' | 'call-waiting';

interface Pattern {
  readonly frequencies: readonly number[];
  /** Seconds per cycle. */
  readonly period: number;
  /** [start, duration] in seconds within a cycle. */
  readonly bursts: readonly (readonly [number, number])[];
  readonly level: number;
}

const PATTERNS: Record<ToneKind, Pattern> = {
  ringback: { frequencies: [425], period: 5, bursts: [[0, 1]], level: 0.12 },
  'call-waiting': {
    frequencies: [425],
    period: 5,
    bursts: [
      [0, 0.2],
      [0.4, 0.2],
    ],
    level: 0.05,
  },
  ringtone: {
    frequencies: [784, 988],
    period: 3,
    bursts: [
      [0, 0.35],
      [0.5, 0.35],
    ],
    level: 0.12,
  },
};

interface Playing {
  readonly kind: ToneKind;
  readonly oscillators: OscillatorNode[];
  readonly gain: GainNode;
  readonly timer: ReturnType<typeof setInterval>;
}

export class ToneGenerator {
  private context: AudioContext | null = null;
  private playing: Playing | null = null;
  /** The output device ('' = the default), applied to the context when it exists. */
  private sinkId = '';

  /** The kind playing now, if any. */
  get current(): ToneKind | null {
    return this.playing?.kind ?? null;
  }

  /**
   * Create / resume the AudioContext. Call from a user gesture (click, key) so that a later
   * incoming call can ring without one (browser autoplay policy).
   */
  unlock(): void {
    const context = this.ensureContext();
    if (context?.state === 'suspended') {
      context.resume().catch((error: unknown) => logger.debug('tones: resume failed', error));
    }
  }

  /** The AudioContext runs: tones can start without a user gesture. */
  get running(): boolean {
    return this.context?.state === 'running';
  }

  /**
   * Unlock from a user gesture and wait for it: resume the context and play a one-sample
   * silent buffer (what autoplay policies count as "audio started by the user").
   */
  async unlockNow(): Promise<boolean> {
    const context = this.ensureContext();
    if (!context) return false;
    try {
      const buffer = context.createBuffer(1, 1, context.sampleRate);
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(context.destination);
      source.start();
      await context.resume();
    } catch (error) {
      logger.debug('tones: unlock failed', error);
    }
    return this.running;
  }

  /**
   * Play on this output device (`AudioContext.setSinkId`, Chromium 110+); '' or null = the
   * default. Where the browser cannot choose, the tones stay on the default device.
   */
  async setSinkId(sinkId: string | null): Promise<void> {
    const next = sinkId ?? '';
    if (next === this.sinkId) return;
    this.sinkId = next;
    const context = this.context;
    if (context) await applySink(context, next);
  }

  play(kind: ToneKind): void {
    if (this.playing?.kind === kind) return;
    this.stop();
    const context = this.ensureContext();
    if (!context) return;
    if (context.state === 'suspended') {
      context.resume().catch((error: unknown) => logger.debug('tones: resume failed', error));
    }
    const pattern = PATTERNS[kind];
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    const oscillators = pattern.frequencies.map((frequency) => {
      const oscillator = context.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
      return oscillator;
    });
    const level = pattern.level / pattern.frequencies.length;
    const scheduleCycle = () => {
      const t0 = context.currentTime + 0.02;
      for (const [start, duration] of pattern.bursts) {
        gain.gain.setTargetAtTime(level, t0 + start, 0.01);
        gain.gain.setTargetAtTime(0, t0 + start + duration, 0.02);
      }
    };
    scheduleCycle();
    const timer = setInterval(scheduleCycle, pattern.period * 1000);
    this.playing = { kind, oscillators, gain, timer };
  }

  stop(): void {
    const playing = this.playing;
    if (!playing) return;
    this.playing = null;
    clearInterval(playing.timer);
    playing.gain.gain.cancelScheduledValues(0);
    playing.gain.gain.value = 0;
    for (const oscillator of playing.oscillators) {
      oscillator.stop();
      oscillator.disconnect();
    }
    playing.gain.disconnect();
  }

  private ensureContext(): AudioContext | null {
    if (this.context) return this.context;
    try {
      this.context = new AudioContext();
      if (this.sinkId) void applySink(this.context, this.sinkId);
    } catch (error) {
      logger.warn('tones: WebAudio unavailable', error);
      return null;
    }
    return this.context;
  }
}

/** `AudioContext.setSinkId` where the browser has it (not yet in every DOM typing). */
async function applySink(context: AudioContext, sinkId: string): Promise<void> {
  const sinkable = context as AudioContext & { setSinkId?: (id: string) => Promise<void> };
  if (typeof sinkable.setSinkId !== 'function') return;
  try {
    await sinkable.setSinkId(sinkId);
  } catch (error) {
    logger.warn('tones: cannot play on the chosen device', error);
  }
}
