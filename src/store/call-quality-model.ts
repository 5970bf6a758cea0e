/**
 * The call-quality slice: every few seconds, for each line that talks, reads the call's
 * `getStats` through the phone service and turns it into an estimated MOS
 * (`src/sip/call-quality.ts`). The lines show the latest rating as a badge; the call log stores
 * each call's worst and average estimate when it ends ({@link CallQualityModel.summaryOf}).
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import {
  addSample,
  estimateMos,
  intervalInput,
  rateMos,
  readAudioStats,
} from '../sip/call-quality.js';
import type { AudioStatsSample, CallQualitySummary, QualityRating } from '../sip/call-quality.js';
import { CallState } from './call-state.js';
import type { CallSnapshot } from './call-state.js';
import { Model } from './model.js';

/** The latest estimate of one live call. */
export interface LineQuality {
  readonly mos: number;
  readonly rating: QualityRating;
  readonly summary: CallQualitySummary;
}

export type QualityByCall = ReadonlyMap<string, LineQuality>;

/** What the model needs of the phone service (a narrow seam for tests). */
export interface StatsSource {
  stats(callId: string): Promise<RTCStatsReport | null>;
}

export interface CallQualityOptions {
  /** Sampling period. Default 5 s. */
  readonly intervalMs?: number;
}

/** How many ended calls keep their summary for the call log to pick up. */
const KEEP_ENDED = 8;

/** Reducer: a new sample of `callId`. */
export function qualitySampled(state: QualityByCall, callId: string, mos: number): QualityByCall {
  const summary = addSample(state.get(callId)?.summary ?? null, mos);
  const next = new Map(state);
  next.set(callId, { mos, rating: rateMos(mos), summary });
  return next;
}

export class CallQualityModel extends Model<QualityByCall> {
  /** The latest estimate per live call, by Call-ID. */
  readonly quality$: Observable<QualityByCall> = this.state$;

  private readonly intervalMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private talking: readonly string[] = [];
  private readonly lastSample = new Map<string, AudioStatsSample>();
  private readonly ended = new Map<string, CallQualitySummary>();

  constructor(
    private readonly source: StatsSource,
    lines$: Observable<readonly CallSnapshot[]>,
    options: CallQualityOptions = {},
  ) {
    super(new Map());
    this.intervalMs = options.intervalMs ?? 5000;
    lines$.subscribe((lines) => this.follow(lines));
  }

  /** The worst / average estimate of a call (live or recently ended); null without samples. */
  summaryOf(callId: string): CallQualitySummary | null {
    return this.state.get(callId)?.summary ?? this.ended.get(callId) ?? null;
  }

  /** Takes one sample of every talking line now (the timer calls it; tests too). */
  async sample(): Promise<void> {
    await Promise.all(this.talking.map((callId) => this.sampleCall(callId)));
  }

  private follow(lines: readonly CallSnapshot[]): void {
    const live = new Set(
      lines.filter((l) => l.callId && l.state !== CallState.Ended).map((l) => l.callId ?? ''),
    );
    // A call gone from the lines keeps its summary (bounded) for the call log.
    let state = this.state;
    for (const [callId, quality] of state) {
      if (live.has(callId)) continue;
      this.ended.set(callId, quality.summary);
      this.lastSample.delete(callId);
      const next = new Map(state);
      next.delete(callId);
      state = next;
    }
    while (this.ended.size > KEEP_ENDED) {
      const oldest = this.ended.keys().next().value;
      if (oldest === undefined) break;
      this.ended.delete(oldest);
    }
    this.setState(state);
    this.talking = lines
      .filter((l) => l.state === CallState.Established && l.callId)
      .map((l) => l.callId ?? '');
    if (this.talking.length > 0 && !this.timer) {
      this.timer = setInterval(() => void this.sample(), this.intervalMs);
    } else if (this.talking.length === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async sampleCall(callId: string): Promise<void> {
    const report = await this.source.stats(callId);
    if (!report || !this.talking.includes(callId)) return;
    const current = readAudioStats(report);
    if (!current) return;
    const input = intervalInput(this.lastSample.get(callId) ?? null, current);
    this.lastSample.set(callId, current);
    if (!input) return;
    this.setState(qualitySampled(this.state, callId, estimateMos(input)));
  }
}
