/**
 * Issue 5: the queue panel and the queue board with 1,000 waiting callers and 500 agents while
 * 100 switchboard events a second arrive for 10 s (callers join and leave, positions, caller
 * and agent states, statistics): main-thread time per frame, p50 / p95 (target p95 ≤ 10 ms).
 * Real Chromium, the real store models and views (bench/support/frontend-page.ts). Main-thread
 * time comes from a Chrome trace: the page's main-thread top-level tasks (script, style,
 * layout, paint, GC) summed over each interval between two animation frames. Also the script
 * time per event (store update + the Lit updates it causes), measured in the page.
 */
import { openBenchPage } from './support/frontend-browser';
import { median, percentile, printResults, type BenchResult } from './stats';

const CALLERS = 1000;
const AGENTS = 500;
const RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { startTime?: number } };
}

/**
 * Main-thread busy time (ms) in each interval between two animation frames (`frames`, in the
 * page's performance.now() ms), from the top-level tasks of the trace. The page clock is mapped
 * onto the trace clock through the `mark` user-timing mark.
 */
export function busyPerFrame(
  trace: TraceEvent[],
  frames: readonly number[],
  mark: string,
): number[] {
  const m = trace.find((e) => e.name === mark && e.args?.data?.startTime !== undefined);
  if (!m?.args?.data?.startTime) throw new Error(`no ${mark} mark in the trace`);
  const offset = m.ts - m.args.data.startTime * 1000;
  const tasks = trace
    .filter(
      (e) =>
        e.pid === m.pid &&
        e.tid === m.tid &&
        e.ph === 'X' &&
        e.name === 'ThreadControllerImpl::RunTask' &&
        e.dur !== undefined,
    )
    .map((e) => [e.ts, e.ts + (e.dur ?? 0)] as const)
    .sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i + 1 < frames.length; i++) {
    const from = offset + (frames[i] as number) * 1000;
    const to = offset + (frames[i + 1] as number) * 1000;
    while (k < tasks.length && (tasks[k] as readonly [number, number])[1] <= from) k++;
    let busy = 0;
    let covered = from;
    for (let j = k; j < tasks.length; j++) {
      const [s, e] = tasks[j] as readonly [number, number];
      if (s >= to) break;
      const a = Math.max(s, covered);
      const b = Math.min(e, to);
      if (b > a) {
        busy += b - a;
        covered = b;
      }
    }
    out.push(busy / 1000);
  }
  return out;
}

/** One view on the page (as in the app: the panel on the switchboard, the board on a wall). */
async function measure(view: 'panel' | 'board', label: string): Promise<BenchResult[]> {
  const { browser, page } = await openBenchPage();
  try {
    const shown = await page.evaluate(([c, a, v]) => window.sentralBench.mountQueues(c, a, v), [
      CALLERS,
      AGENTS,
      view,
    ] as const);
    if (shown !== CALLERS) throw new Error(`${shown} callers in the store, wanted ${CALLERS}`);
    await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
    const { events, frames } = await page.evaluate(
      ([rate, seconds]) => window.sentralBench.runEvents(rate, seconds),
      [RATE, SECONDS] as const,
    );
    const trace = JSON.parse((await browser.stopTracing()).toString()) as {
      traceEvents: TraceEvent[];
    };
    const perFrame = busyPerFrame(trace.traceEvents, frames, 'bench-events-start');
    const elapsed = ((frames.at(-1) ?? 0) - (frames[0] ?? 0)) / 1000;
    return [
      {
        name: `${label}: main-thread time per frame p50`,
        value: median(perFrame),
        unit: 'ms',
        note: `${CALLERS} callers, ${AGENTS} agents, ${events.length} events at ${RATE}/s; ${perFrame.length} frames in ${elapsed.toFixed(1)} s`,
      },
      {
        name: `${label}: main-thread time per frame p95`,
        value: percentile(perFrame, 95),
        unit: 'ms',
        note: 'target ≤ 10 ms',
      },
      {
        name: `${label}: main-thread time per frame max`,
        value: Math.max(...perFrame),
        unit: 'ms',
      },
      { name: `${label}: script per event (store + Lit) p50`, value: median(events), unit: 'ms' },
      {
        name: `${label}: script per event (store + Lit) p95`,
        value: percentile(events, 95),
        unit: 'ms',
      },
      { name: `${label}: frames per second`, value: perFrame.length / elapsed, unit: 'fps' },
    ];
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [
    ...(await measure('panel', 'queue panel')),
    ...(await measure('board', 'queue board (show-callers)')),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
