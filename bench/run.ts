/**
 * `npm run bench`: runs every benchmark in one process, one after another, and prints each
 * figure the issues name. Inside a loopback-only network namespace (scripts/bench.mjs).
 * Results also go to .tmp/bench.json; docs/benchmarks.md records them with the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { printResults, type BenchResult } from './stats';

const SUITES: Record<string, () => Promise<{ run(): Promise<BenchResult[]> }>> = {
  'sip-parse': () => import('./sip-parse.bench'),
  'call-setup': () => import('./call-setup.bench'),
  register: () => import('./register.bench'),
  'acd-distribution': () => import('./acd-distribution.bench'),
  statistics: () => import('./statistics.bench'),
  fanout: () => import('./fanout.bench'),
  'queued-calls': () => import('./queued-calls.bench'),
};

const only = process.argv.slice(2);
const all: Array<BenchResult & { suite: string }> = [];
console.log(
  `Sentral benchmarks — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
);
let failed = false;
for (const [name, load] of Object.entries(SUITES)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n── ${name}`);
  try {
    const results = await (await load()).run();
    printResults(results);
    all.push(...results.map((r) => ({ ...r, suite: name })));
  } catch (err) {
    failed = true;
    console.error(`${name} failed:`, err);
  }
}
mkdirSync('.tmp', { recursive: true });
writeFileSync(
  '.tmp/bench.json',
  JSON.stringify({ at: new Date().toISOString(), results: all }, null, 2),
);
process.exit(failed ? 1 : 0);
