// `npm test`: lint, unit/integration (Vitest), element tests in Chromium (@web/test-runner),
// end-to-end calls with real media (Playwright in a loopback-only network namespace).
// Runs every stage even after a failure, then prints one summary line per stage and a total.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

mkdirSync('.tmp', { recursive: true });
const only = process.argv.slice(2);
const node = process.execPath;

const stages = [
  {
    name: 'lint',
    cmd: [node, 'node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'],
    then: [
      [node, 'node_modules/eslint/bin/eslint.js', '.'],
      [node, 'node_modules/prettier/bin/prettier.cjs', '--check', '.'],
    ],
  },
  {
    name: 'unit',
    cmd: [
      node,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=.tmp/vitest.json',
    ],
    report: '.tmp/vitest.json',
    count: (r) => ({
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      skipped: r.numPendingTests + (r.numTodoTests ?? 0),
    }),
  },
  {
    name: 'components',
    cmd: [node, 'node_modules/@web/test-runner/dist/bin.js'],
    report: '.tmp/wtr.json',
    count: (r) => r,
  },
  {
    name: 'e2e',
    cmd: [node, 'scripts/e2e.mjs'],
    report: '.tmp/playwright.json',
    count: (r) => ({
      passed: r.stats.expected,
      failed: r.stats.unexpected,
      skipped: r.stats.skipped,
      flaky: r.stats.flaky,
    }),
  },
];

const results = [];
for (const stage of stages) {
  if (only.length && !only.includes(stage.name)) continue;
  if (stage.report) rmSync(stage.report, { force: true });
  console.log(`\n=== ${stage.name} ===`);
  const started = Date.now();
  let ok = true;
  for (const cmd of [stage.cmd, ...(stage.then ?? [])]) {
    const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: process.env });
    if (r.status !== 0) ok = false;
  }
  let counts;
  if (stage.report && existsSync(stage.report)) {
    try {
      counts = stage.count(JSON.parse(readFileSync(stage.report, 'utf8')));
    } catch {
      counts = undefined;
    }
  }
  if (stage.report && !counts) ok = false; // a runner that reported nothing did not pass
  results.push({
    name: stage.name,
    ok,
    counts,
    seconds: Math.round((Date.now() - started) / 1000),
  });
}

console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  const c = r.counts;
  const detail = c
    ? `${c.passed} passed, ${c.failed} failed, ${c.skipped ?? 0} skipped` +
      (c.flaky ? `, ${c.flaky} flaky (passed on retry)` : '')
    : r.ok
      ? 'clean'
      : 'FAILED';
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(11)} ${detail} (${r.seconds} s)`);
  if (c) {
    passed += c.passed + (c.flaky ?? 0);
    failed += c.failed;
    skipped += c.skipped ?? 0;
  }
  if (!r.ok && (!c || c.failed === 0)) failed += 1; // lint or a crashed runner counts as a failure
}
console.log(`\nTotal: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
