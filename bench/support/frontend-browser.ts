/**
 * Opens headless Chromium on bench/support/frontend-page.ts, bundled with esbuild (minified,
 * Lit's production build) and served from memory on a made-up origin: no server, no dist/.
 */
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error -- plain ESM helper shared with the other runners
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';

const ORIGIN = 'http://bench.localhost';

export async function openBenchPage(): Promise<{ browser: Browser; page: Page }> {
  const bundle = await build({
    entryPoints: ['bench/support/frontend-page.ts'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    tsconfig: 'tsconfig.json',
    conditions: ['es2015'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const js = bundle.outputFiles[0]?.text ?? '';
  const browser = await chromium.launch({
    executablePath: findChromium() as string,
    args: CHROMIUM_ARGS as string[],
    headless: true,
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/bench.js') return route.fulfill({ contentType: 'text/javascript', body: js });
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body style="margin:0;font-family:system-ui"><script type="module" src="/bench.js"></script></body></html>`,
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => 'sentralBench' in window);
  return { browser, page };
}
