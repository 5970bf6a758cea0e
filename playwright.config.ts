import { defineConfig } from '@playwright/test';
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore -- plain ESM helper shared with the other runners
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// Each test file starts its own core on a free loopback port with an in-memory database, so
// files run in parallel safely. Media: fake devices; WebRTC on loopback (run via scripts/e2e.mjs,
// which puts the whole run in a loopback-only network namespace).
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Real media on a two-core CI machine: a test that fails once is run again and reported as
  // flaky in the summary (scripts/test.mjs), so a rare scheduling stall does not sink CI while
  // a real fault, failing twice, still does. Locally a failure is a failure.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: '.tmp/playwright.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
    },
    headless: true,
    permissions: ['microphone'],
    trace: 'off',
  },
});
