// Component tests in real Chromium (the system browser; never a downloaded one).
// `npx web-test-runner` runs test/app/**/*.test.ts headless.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

const executablePath = findChromium();
if (!executablePath) {
  throw new Error('No Chromium found: install Debian `chromium` or set CHROME_PATH.');
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
  concurrency: 2,
  concurrentBrowsers: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  filterBrowserLogs: ({ args }) =>
    !(typeof args[0] === 'string' && args[0].includes('Lit is in dev mode')),
  testFramework: { config: { timeout: 10_000 } },
};
