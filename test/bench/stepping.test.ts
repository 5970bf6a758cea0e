/** The pure helpers of the load benchmarks (bench/support/stepping.ts). */
import { describe, expect, it } from 'vitest';
import { parseRates, parseSippStats, stepUp, type StepOutcome } from '../../bench/support/stepping';

const clean = (rate: number): StepOutcome => ({
  rate,
  attempted: rate * 10,
  successful: rate * 10,
  failed: 0,
  problems: [],
});

describe('stepUp', () => {
  it('stops at the first step with a failed call and reports the rate before it', async () => {
    const ran: number[] = [];
    const r = await stepUp([100, 200, 300, 500], async (rate) => {
      ran.push(rate);
      return rate === 300 ? { ...clean(rate), successful: 2999, failed: 1 } : clean(rate);
    });
    expect(ran).toEqual([100, 200, 300]);
    expect(r.lastClean).toBe(200);
    expect(r.firstFailed?.rate).toBe(300);
    expect(r.ceilingReached).toBe(false);
  });

  it('counts a step with a problem but no FailedCall (e.g. a sipp exit code) as failed', async () => {
    const r = await stepUp([100, 200], async (rate) =>
      rate === 200 ? { ...clean(rate), problems: ['UAS: exit 1'] } : clean(rate),
    );
    expect(r.lastClean).toBe(100);
    expect(r.firstFailed?.problems).toEqual(['UAS: exit 1']);
  });

  it('counts fewer successful calls than started as failed', async () => {
    const r = await stepUp([100], async (rate) => ({ ...clean(rate), successful: 999 }));
    expect(r.lastClean).toBeUndefined();
    expect(r.firstFailed?.rate).toBe(100);
  });

  it('marks the top step as a floor when every step is clean', async () => {
    const r = await stepUp([100, 200], async (rate) => clean(rate));
    expect(r).toMatchObject({ lastClean: 200, firstFailed: undefined, ceilingReached: true });
  });

  it('starts no step once the time budget is spent', async () => {
    let now = 0;
    const r = await stepUp(
      [100, 200, 300],
      async (rate) => {
        now += 60_000;
        return clean(rate);
      },
      100_000,
      () => now,
    );
    expect(r.steps.map((s) => s.rate)).toEqual([100, 200]);
    expect(r).toMatchObject({ lastClean: 200, ceilingReached: false });
  });

  it('refuses rates that do not increase', async () => {
    await expect(stepUp([100, 100], async (rate) => clean(rate))).rejects.toThrow(/increasing/);
  });
});

describe('parseRates', () => {
  it('reads a comma list', () => {
    expect(parseRates('100, 200,500')).toEqual([100, 200, 500]);
  });
  it('refuses empty, zero and decreasing lists', () => {
    expect(() => parseRates('')).toThrow();
    expect(() => parseRates('0,100')).toThrow();
    expect(() => parseRates('200,100')).toThrow();
  });
});

describe('parseSippStats', () => {
  // Header and last line shaped like sipp 3.6's -trace_stat output (columns cut down).
  const header = [
    'StartTime',
    'LastResetTime',
    'CurrentTime',
    'ElapsedTime(C)',
    'IncomingCall(C)',
    'OutgoingCall(C)',
    'SuccessfulCall(C)',
    'FailedCall(C)',
    'FailedMaxUDPRetrans(C)',
    'FailedUnexpectedMessage(C)',
    'FailedTimeoutOnRecv(C)',
    'Retransmissions(C)',
    '',
  ].join(';');
  const line = (values: string[]) => [...values, ''].join(';');

  it('reads the cumulative counters of the last line and the non-zero failure reasons', () => {
    const csv = [
      header,
      line([
        '2026-12-05\t17:47:33.1\t100.0',
        '',
        '2026-12-05\t17:47:34.1\t101.0',
        '00:00:01',
        '0',
        '10',
        '9',
        '1',
        '0',
        '0',
        '1',
        '0',
      ]),
      line([
        '2026-12-05\t17:47:33.1\t100.000000',
        '',
        '2026-12-05\t17:47:45.6\t112.500000',
        '00:00:12',
        '0',
        '1000',
        '997',
        '3',
        '0',
        '1',
        '2',
        '41',
      ]),
      '',
    ].join('\n');
    expect(parseSippStats(csv)).toEqual({
      created: 1000,
      successful: 997,
      failed: 3,
      retransmissions: 41,
      elapsedS: 12.5,
      failures: { UnexpectedMessage: 1, TimeoutOnRecv: 2 },
    });
  });

  it('counts incoming calls for a UAS', () => {
    const csv = [
      header,
      line(['a\tb\t1', '', 'a\tb\t3', '', '250', '0', '250', '0', '0', '0', '0', '0']),
    ].join('\n');
    expect(parseSippStats(csv)).toMatchObject({
      created: 250,
      successful: 250,
      failed: 0,
      elapsedS: 2,
    });
  });

  it('returns undefined without a data line', () => {
    expect(parseSippStats(`${header}\n`)).toBeUndefined();
  });
});
