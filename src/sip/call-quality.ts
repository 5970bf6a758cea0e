/**
 * Call quality as an estimated MOS (mean opinion score, 1–5) from what WebRTC's `getStats`
 * measures on a live call: round-trip time, jitter and packet loss.
 *
 * The formula is the simplified ITU-T G.107 E-model used by many VoIP and WebRTC monitoring
 * tools (it leaves out codec impairment beyond the default, and echo):
 *
 * ```text
 * effective latency  Le = RTT / 2 + 2 × jitter + 10 ms          (jitter counts double; 10 ms codec)
 * R = 93.2 − Le / 40                  when Le < 160 ms
 * R = 93.2 − (Le − 120) / 10          otherwise                  (delay hurts faster past 160 ms)
 * R = R − 2.5 × loss%                                            (each per cent lost)
 * MOS = 1                                          when R ≤ 0
 * MOS = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R)   when 0 < R < 100  (G.107 Annex B mapping)
 * MOS = 4.5                                        when R ≥ 100
 * ```
 *
 * The best a call can score is 4.40 (R 92.95). Ratings follow G.107's user-satisfaction bands:
 * R ≥ 80 (MOS ≥ 4.03) users satisfied: **good**; R ≥ 70 (MOS ≥ 3.60) some dissatisfied:
 * **fair**; below that many dissatisfied: **poor**.
 *
 * No sip.js here: the module reads plain `RTCStatsReport`s and is pure apart from that.
 * @packageDocumentation
 */

/** What the estimate takes, in milliseconds and per cent. */
export interface QualityInput {
  readonly rttMs: number;
  readonly jitterMs: number;
  /** Packets lost in the sampled interval, 0–100. */
  readonly lossPercent: number;
}

export type QualityRating = 'good' | 'fair' | 'poor';

/** Lowest MOS rated good (R 80) and fair (R 70). */
export const GOOD_MOS = 4.03;
export const FAIR_MOS = 3.6;

/** The simplified E-model R-factor (see the module comment). */
export function rFactor({ rttMs, jitterMs, lossPercent }: QualityInput): number {
  const latency = Math.max(0, rttMs) / 2 + 2 * Math.max(0, jitterMs) + 10;
  const r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10;
  return r - 2.5 * Math.min(100, Math.max(0, lossPercent));
}

/** R-factor → MOS (ITU-T G.107 Annex B). */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

/** The estimated MOS, rounded to two decimals. */
export function estimateMos(input: QualityInput): number {
  return Math.round(mosFromR(rFactor(input)) * 100) / 100;
}

export function rateMos(mos: number): QualityRating {
  if (mos >= GOOD_MOS) return 'good';
  if (mos >= FAIR_MOS) return 'fair';
  return 'poor';
}

/** The audio counters of one `getStats` report that the estimate needs. */
export interface AudioStatsSample {
  /** The far end's view of our stream (remote-inbound-rtp), else the ICE pair's; null if none. */
  readonly rttMs: number | null;
  /** Jitter of the audio we receive (inbound-rtp), ms. */
  readonly jitterMs: number;
  /** Cumulative counters of the audio we receive. */
  readonly packetsLost: number;
  readonly packetsReceived: number;
}

interface StatsEntry {
  readonly type: string;
  readonly kind?: string;
  readonly roundTripTime?: number;
  readonly currentRoundTripTime?: number;
  readonly jitter?: number;
  readonly packetsLost?: number;
  readonly packetsReceived?: number;
  readonly nominated?: boolean;
  readonly state?: string;
}

/** Reads the audio counters from a report; null when it has no inbound audio yet. */
export function readAudioStats(report: RTCStatsReport): AudioStatsSample | null {
  let inbound: StatsEntry | null = null;
  let remoteRtt: number | null = null;
  let pairRtt: number | null = null;
  for (const entry of report.values() as IterableIterator<StatsEntry>) {
    if (entry.type === 'inbound-rtp' && (entry.kind ?? 'audio') === 'audio') {
      inbound = entry;
    } else if (entry.type === 'remote-inbound-rtp' && typeof entry.roundTripTime === 'number') {
      remoteRtt = entry.roundTripTime;
    } else if (
      entry.type === 'candidate-pair' &&
      entry.nominated === true &&
      entry.state === 'succeeded' &&
      typeof entry.currentRoundTripTime === 'number'
    ) {
      pairRtt = entry.currentRoundTripTime;
    }
  }
  if (!inbound) return null;
  const rtt = remoteRtt ?? pairRtt;
  return {
    rttMs: rtt === null ? null : rtt * 1000,
    jitterMs: (inbound.jitter ?? 0) * 1000,
    packetsLost: Math.max(0, inbound.packetsLost ?? 0),
    packetsReceived: inbound.packetsReceived ?? 0,
  };
}

/**
 * The estimate input for the interval between two samples: loss counted over that interval
 * only (a bad minute long ago does not pull down every later sample). Null when no packet was
 * expected in it (held, or no media yet).
 */
export function intervalInput(
  previous: AudioStatsSample | null,
  current: AudioStatsSample,
): QualityInput | null {
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const expected = lost + received;
  if (expected <= 0) return null;
  return {
    rttMs: current.rttMs ?? 0,
    jitterMs: current.jitterMs,
    lossPercent: (Math.max(0, lost) / expected) * 100,
  };
}

/** What a call's log record keeps: its worst and average estimate over the samples. */
export interface CallQualitySummary {
  readonly worstMos: number;
  readonly averageMos: number;
  readonly samples: number;
}

/** Adds one MOS sample to a running summary. */
export function addSample(summary: CallQualitySummary | null, mos: number): CallQualitySummary {
  if (!summary) return { worstMos: mos, averageMos: mos, samples: 1 };
  const samples = summary.samples + 1;
  return {
    worstMos: Math.min(summary.worstMos, mos),
    averageMos: summary.averageMos + (mos - summary.averageMos) / samples,
    samples,
  };
}
