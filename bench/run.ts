/**
 * `npm run bench`: runs every benchmark and prints each figure the issues name, inside a
 * loopback-only network namespace (scripts/bench.mjs). Each suite runs in a child process of its
 * own: suites install different globals (JsSIP wants browser-like ones that PGlite then
 * mistakes for a browser) and should not share a heap or a warm JIT. Results also go to
 * .tmp/bench.json; docs/benchmarks.md records them with the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { printResults, type BenchResult } from './stats';

const SUITES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  'sip-parse': () => import('./sip-parse.bench'),
  'sip-fuzz': () => import('./sip-fuzz.bench'),
  'call-setup': () => import('./call-setup.bench'),
  register: () => import('./register.bench'),
  'acd-distribution': () => import('./acd-distribution.bench'),
  statistics: () => import('./statistics.bench'),
  fanout: () => import('./fanout.bench'),
  'queued-calls': () => import('./queued-calls.bench'),
  'directory-search': () => import('./directory-search.bench'),
  presence: () => import('./presence.bench'),
  'sipp-cps': () => import('./sipp-cps.bench'),
  'ws-clients': () => import('./ws-clients.bench'),
  soak: () => import('./soak.bench'),
  bundle: () => import('./bundle.bench'),
  'queue-frames': () => import('./queue-frames.bench'),
  'directory-browser': () => import('./directory-browser.bench'),
  'incoming-ringing': () => import('./incoming-ringing.bench'),
};

const MARK = 'BENCH_RESULTS ';
const childSuite = process.env.SENTRAL_BENCH_SUITE;

if (childSuite) {
  // Child: run one suite, print its figures and a machine-readable line for the parent.
  const load = SUITES[childSuite];
  if (!load) throw new Error(`unknown suite ${childSuite}`);
  const results = await (await load()).run();
  printResults(results);
  process.stdout.write(`${MARK}${JSON.stringify(results)}\n`);
  process.exit(0);
}

const only = process.argv.slice(2);
const all: Array<BenchResult & { suite: string }> = [];
console.log(
  `Sentral benchmarks — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
);
let failed = false;
for (const name of Object.keys(SUITES)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n── ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
    env: { ...process.env, SENTRAL_BENCH_SUITE: name },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  const lines = (r.stdout ?? '').split('\n');
  for (const line of lines) if (line && !line.startsWith(MARK)) console.log(line);
  const json = lines.find((l) => l.startsWith(MARK));
  if (r.status !== 0 || !json) {
    failed = true;
    console.error(`${name} failed (exit ${r.status ?? r.signal})`);
    continue;
  }
  const results = JSON.parse(json.slice(MARK.length)) as BenchResult[];
  all.push(...results.map((x) => ({ ...x, suite: name })));
}
mkdirSync('.tmp', { recursive: true });
writeFileSync(
  '.tmp/bench.json',
  JSON.stringify({ at: new Date().toISOString(), results: all }, null, 2),
);
process.exit(failed ? 1 : 0);
