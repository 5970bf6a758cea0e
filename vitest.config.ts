import { defineConfig } from 'vitest/config';

// Unit and integration tests in Node: the SIP stack, the core, the store layer, pure browser
// logic. Element tests run in real Chromium through @web/test-runner (test/app), end-to-end
// tests through Playwright (e2e/).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/app/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
