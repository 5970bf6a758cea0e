// Component tests in real Chromium (the system browser; never a downloaded one).
// `npx web-test-runner` runs test/app/**/*.test.ts headless.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

const executablePath = findChromium();
if (!executablePath) {
  throw new Error('No Chromium found: install Debian `chromium` or set CHROME_PATH.');
}

/**
 * Writes `{ passed, failed, skipped }` to `path` after each run (read by scripts/test.mjs).
 * A test file that failed outside any test (load error, uncaught error) counts as one failure.
 */
function summaryReporter(path) {
  return {
    onTestRunFinished({ sessions }) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) counts.skipped++;
          else if (test.passed) counts.passed++;
          else counts.failed++;
        }
        for (const child of suite.suites) walk(child);
      };
      for (const session of sessions) {
        if (session.testResults) walk(session.testResults);
        if (session.errors.length > 0 || (!session.passed && !session.testResults)) counts.failed++;
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify(counts)}\n`);
    },
  };
}

export default {
  files: 'test/app/**/*.test.ts',
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' })],
  browsers: [
    playwrightLauncher({
      launchOptions: { executablePath, args: CHROMIUM_ARGS, headless: true },
    }),
  ],
  reporters: [defaultReporter(), summaryReporter('.tmp/wtr.json')],
  concurrency: 2,
  concurrentBrowsers: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  filterBrowserLogs: ({ args }) =>
    !(typeof args[0] === 'string' && args[0].includes('Lit is in dev mode')),
  testFramework: { config: { timeout: 10_000 } },
};
