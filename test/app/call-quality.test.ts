import { expect } from '@open-wc/testing';
import { BehaviorSubject } from 'rxjs';
import {
  addSample,
  estimateMos,
  intervalInput,
  mosFromR,
  rFactor,
  rateMos,
  readAudioStats,
} from '../../src/sip/call-quality.js';
import { CallQualityModel } from '../../src/store/call-quality-model.js';
import { CallState, initialCall } from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { must } from './fakes.js';

/** A stand-in for an RTCStatsReport (a read-only map of stats by id). */
function report(...entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;
}

function inbound(packetsReceived: number, packetsLost: number, jitter = 0.005) {
  return { type: 'inbound-rtp', kind: 'audio', packetsReceived, packetsLost, jitter };
}

describe('call quality estimate (simplified ITU-T G.107 E-model)', () => {
  it('scores a perfect call R 92.95, MOS 4.40 (the ceiling)', () => {
    expect(rFactor({ rttMs: 0, jitterMs: 0, lossPercent: 0 })).to.be.closeTo(92.95, 1e-9);
    expect(estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 0 })).to.equal(4.4);
  });

  it('matches hand-computed values', () => {
    // Le = 50 + 20 + 10 = 80 → R = 93.2 − 2 − 2.5 = 88.7 → MOS 4.3059
    expect(rFactor({ rttMs: 100, jitterMs: 10, lossPercent: 1 })).to.be.closeTo(88.7, 1e-9);
    expect(estimateMos({ rttMs: 100, jitterMs: 10, lossPercent: 1 })).to.equal(4.31);
    // Le = 150 + 40 + 10 = 200 ≥ 160 → R = 93.2 − 8 = 85.2 → MOS 4.2044
    expect(estimateMos({ rttMs: 300, jitterMs: 20, lossPercent: 0 })).to.equal(4.2);
    // Le = 100 + 60 + 10 = 170 → R = 93.2 − 5 − 12.5 = 75.7 → MOS 3.85 (fair)
    expect(estimateMos({ rttMs: 200, jitterMs: 30, lossPercent: 5 })).to.equal(3.85);
    // 10 % loss → R 67.95 → MOS 3.50 (poor)
    expect(estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 10 })).to.equal(3.5);
  });

  it('clamps the MOS to 1 below R 0 and 4.5 from R 100', () => {
    expect(estimateMos({ rttMs: 0, jitterMs: 0, lossPercent: 40 })).to.equal(1);
    expect(mosFromR(-5)).to.equal(1);
    expect(mosFromR(100)).to.equal(4.5);
    expect(mosFromR(80)).to.be.closeTo(4.024, 0.001);
  });

  it('rates good from 4.03 (R 80), fair from 3.60 (R 70), poor below', () => {
    expect(rateMos(4.4)).to.equal('good');
    expect(rateMos(4.03)).to.equal('good');
    expect(rateMos(4.02)).to.equal('fair');
    expect(rateMos(3.6)).to.equal('fair');
    expect(rateMos(3.59)).to.equal('poor');
  });

  it('reads RTT from remote-inbound-rtp, jitter and loss from inbound-rtp (seconds → ms)', () => {
    const sample = readAudioStats(
      report(
        { type: 'outbound-rtp', kind: 'audio', packetsSent: 100 },
        inbound(480, 20, 0.012),
        { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.08 },
        {
          type: 'candidate-pair',
          nominated: true,
          state: 'succeeded',
          currentRoundTripTime: 0.5,
        },
      ),
    );
    expect(sample).to.deep.equal({
      rttMs: 80,
      jitterMs: 12,
      packetsLost: 20,
      packetsReceived: 480,
    });
  });

  it('falls back to the nominated ICE pair RTT, and has nothing without inbound audio', () => {
    const pair = { type: 'candidate-pair', nominated: true, state: 'succeeded' };
    expect(
      readAudioStats(report(inbound(10, 0), { ...pair, currentRoundTripTime: 0.03 }))?.rttMs,
    ).to.be.closeTo(30, 1e-9);
    expect(readAudioStats(report({ type: 'outbound-rtp', kind: 'audio' }))).to.equal(null);
  });

  it('counts loss over the interval only, and nothing when no packet was expected', () => {
    const a = { rttMs: 20, jitterMs: 3, packetsLost: 50, packetsReceived: 950 };
    const b = { rttMs: 20, jitterMs: 3, packetsLost: 60, packetsReceived: 1140 };
    expect(intervalInput(a, b)).to.deep.equal({ rttMs: 20, jitterMs: 3, lossPercent: 5 });
    expect(intervalInput(b, b)).to.equal(null);
    expect(intervalInput(null, a)?.lossPercent).to.equal(5);
  });

  it('keeps the worst and the average of the samples', () => {
    let summary = addSample(null, 4.4);
    summary = addSample(summary, 3.2);
    summary = addSample(summary, 4.1);
    expect(summary.worstMos).to.equal(3.2);
    expect(summary.averageMos).to.be.closeTo(3.9, 1e-9);
    expect(summary.samples).to.equal(3);
  });
});

describe('CallQualityModel', () => {
  function line(callId: string, state: CallState): CallSnapshot {
    return { ...initialCall, callId, state };
  }

  it('samples the talking lines, rates them, and keeps the summary after the call ends', async () => {
    const reports = new Map<string, RTCStatsReport>();
    const asked: string[] = [];
    const lines = new BehaviorSubject<readonly CallSnapshot[]>([]);
    const model = new CallQualityModel(
      {
        stats: (callId) => {
          asked.push(callId);
          return Promise.resolve(reports.get(callId) ?? null);
        },
      },
      lines,
      { intervalMs: 60_000 },
    );
    lines.next([line('c1', CallState.Established), line('c2', CallState.Held)]);
    reports.set('c1', report(inbound(500, 0), { type: 'remote-inbound-rtp', roundTripTime: 0.02 }));
    await model.sample();
    expect(asked).to.deep.equal(['c1']); // a held line is not sampled
    expect(model.state.get('c1')?.rating).to.equal('good');
    expect(model.state.get('c1')?.mos).to.equal(4.39); // Le 30 ms → R 92.45

    // 100 of the next 1,000 packets lost: 10 % → poor.
    reports.set(
      'c1',
      report(inbound(1400, 100), { type: 'remote-inbound-rtp', roundTripTime: 0.02 }),
    );
    await model.sample();
    const quality = must(model.state.get('c1'));
    expect(quality.rating).to.equal('poor');
    expect(quality.summary.samples).to.equal(2);
    expect(quality.summary.worstMos).to.equal(quality.mos);

    lines.next([line('c1', CallState.Ended)]);
    expect(model.state.has('c1')).to.equal(false);
    expect(model.summaryOf('c1')).to.deep.equal(quality.summary);
    lines.next([]);
  });
});
