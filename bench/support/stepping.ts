/**
 * Pure helpers of the load benchmarks: the stepped-rate search of sipp-cps (run steps in order,
 * stop at the first one with a failed call) and the reading of sipp's `-trace_stat` CSV.
 */

/** What one rate step produced, counted by sipp itself. */
export interface StepOutcome {
  /** Offered rate, calls/s. */
  rate: number;
  /** Calls the UAC started. */
  attempted: number;
  successful: number;
  failed: number;
  /** Anything that makes the step unclean besides FailedCall (exit code, UAS failures…). */
  problems: string[];
}

export const stepClean = (s: StepOutcome): boolean =>
  s.failed === 0 && s.problems.length === 0 && s.successful === s.attempted && s.attempted > 0;

export interface SteppedResult {
  steps: StepOutcome[];
  /** The highest rate whose step (and every step before it) had no failed call. */
  lastClean: number | undefined;
  /** The first step with a failed call, if any. */
  firstFailed: StepOutcome | undefined;
  /** True when every step was clean: lastClean is then a floor, not the limit. */
  ceilingReached: boolean;
}

/**
 * Runs `runStep` for each rate in order and stops at the first unclean step (or once `budgetMs`
 * of wall time is spent before a step starts; `now` is injectable for tests).
 */
export async function stepUp(
  rates: readonly number[],
  runStep: (rate: number) => Promise<StepOutcome>,
  budgetMs = Number.POSITIVE_INFINITY,
  now: () => number = () => performance.now(),
): Promise<SteppedResult> {
  if (rates.some((r, i) => !(r > 0) || (i > 0 && r <= (rates[i - 1] as number)))) {
    throw new Error(`rates must be positive and increasing: ${rates.join(', ')}`);
  }
  const started = now();
  const steps: StepOutcome[] = [];
  let lastClean: number | undefined;
  for (const rate of rates) {
    if (now() - started >= budgetMs) break;
    const outcome = await runStep(rate);
    steps.push(outcome);
    if (!stepClean(outcome)) {
      return { steps, lastClean, firstFailed: outcome, ceilingReached: false };
    }
    lastClean = rate;
  }
  return {
    steps,
    lastClean,
    firstFailed: undefined,
    ceilingReached: steps.length === rates.length,
  };
}

/** Parses a comma list of rates (BENCH_CPS_STEPS) into increasing positive numbers. */
export function parseRates(text: string): number[] {
  const rates = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (
    rates.length === 0 ||
    rates.some((r, i) => !(r > 0) || (i > 0 && r <= (rates[i - 1] as number)))
  ) {
    throw new Error(`expected increasing positive rates, got "${text}"`);
  }
  return rates;
}

/** The cumulative counters of the last line of sipp's `-trace_stat` file. */
export interface SippCounters {
  /** Calls started (OutgoingCall for a UAC, IncomingCall for a UAS). */
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Time from sipp's start to its last statistics line, seconds (StartTime → CurrentTime). */
  elapsedS: number;
  /** Per-reason failure counters that are non-zero (FailedMaxUDPRetrans, FailedUnexpectedMessage…). */
  failures: Record<string, number>;
}

/** Reads the last (cumulative) line of a sipp `-trace_stat` CSV (`;`-separated). */
export function parseSippStats(csv: string): SippCounters | undefined {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const header = (lines[0] as string).split(';');
  const last = (lines[lines.length - 1] as string).split(';');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    return i < 0 ? NaN : Number(last[i]);
  };
  const failures: Record<string, number> = {};
  header.forEach((name, i) => {
    const m = /^Failed(.+)\(C\)$/.exec(name);
    const v = Number(last[i]);
    if (m?.[1] && m[1] !== 'Call' && v > 0) failures[m[1]] = v;
  });
  const outgoing = col('OutgoingCall(C)');
  const incoming = col('IncomingCall(C)');
  return {
    created: (outgoing > 0 ? outgoing : 0) + (incoming > 0 ? incoming : 0),
    successful: col('SuccessfulCall(C)'),
    failed: col('FailedCall(C)'),
    retransmissions: col('Retransmissions(C)'),
    elapsedS:
      epochOf(last[header.indexOf('CurrentTime')]) - epochOf(last[header.indexOf('StartTime')]),
    failures,
  };
}

/** sipp's time fields read `2026-12-05<TAB>17:47:33.679204<TAB>1796492853.679204`: the epoch is last. */
function epochOf(field: string | undefined): number {
  return Number((field ?? '').trim().split(/\s+/).pop());
}
