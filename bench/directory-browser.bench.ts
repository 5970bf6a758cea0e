/**
 * Issue 5: directory search over 50,000 people in the browser. The directory model's search
 * (`searchPeople`, as the view calls it: its first 100 rows and the count) timed alone for every
 * keystroke of a set of queries (target ≤ 2 ms), and keystroke → painted result in
 * `sentral-directory`: from the input event to the end of the first frame after the view
 * updated (target ≤ 50 ms), typing with Playwright at 120 ms a key.
 * Real Chromium, the real model and view (bench/support/frontend-page.ts).
 */
import { openBenchPage } from './support/frontend-browser';
import { median, percentile, printResults, type BenchResult } from './stats';

const PEOPLE = 50_000;
/** Names, accents folded, numbers, departments, titles; each typed one key at a time. */
const QUERIES = [
  'ola',
  'hansen',
  'odegard',
  'åse lie',
  'bjørn berg',
  '10042',
  '+4791',
  'salg',
  'økonomi',
  'rådgiver',
  'ingrid dahl 2',
  'zz',
];
const KEY_DELAY_MS = 120;

export async function run(): Promise<BenchResult[]> {
  const { browser, page } = await openBenchPage();
  try {
    const loaded = await page.evaluate((n) => window.sentralBench.mountDirectory(n), PEOPLE);
    if (loaded !== PEOPLE) throw new Error(`${loaded} people loaded, wanted ${PEOPLE}`);
    const firstSearch = await page.evaluate(
      () => window.sentralBench.searchTimes(['a'], false)[0] ?? NaN,
    );
    const search = await page.evaluate((q) => window.sentralBench.searchTimes(q), QUERIES);
    // The same keystrokes again: the first pass also pays for compiling the search (JIT).
    const again = await page.evaluate((q) => window.sentralBench.searchTimes(q), QUERIES);
    await page.evaluate(() => window.sentralBench.watchKeystrokes());
    const box = page.locator('sentral-directory input[type=search]');
    for (const q of QUERIES) {
      await box.click();
      await page.keyboard.type(q, { delay: KEY_DELAY_MS });
      await page.waitForTimeout(KEY_DELAY_MS);
      await box.fill('');
      await page.waitForTimeout(KEY_DELAY_MS);
    }
    const keys = await page.evaluate(() => window.sentralBench.keystrokeTimes());
    const typed = QUERIES.reduce((n, q) => n + q.length, 0);
    if (keys.length < typed) throw new Error(`timed ${keys.length} of ${typed} keystrokes`);
    return [
      {
        name: 'directory search (model) per keystroke p50',
        value: median(search),
        unit: 'ms',
        note: `${PEOPLE} people, ${search.length} keystrokes`,
      },
      {
        name: 'directory search (model) per keystroke p95',
        value: percentile(search, 95),
        unit: 'ms',
        note: 'target ≤ 2 ms',
      },
      {
        name: 'directory search (model) per keystroke p95, same keystrokes again',
        value: percentile(again, 95),
        unit: 'ms',
      },
      {
        name: 'directory search (model) per keystroke max',
        value: Math.max(...search),
        unit: 'ms',
      },
      {
        name: 'first search on a new list (builds the folded text)',
        value: firstSearch,
        unit: 'ms',
      },
      {
        name: 'keystroke → painted result p50',
        value: median(keys),
        unit: 'ms',
        note: `${keys.length} input events (typed keys and clears)`,
      },
      {
        name: 'keystroke → painted result p95',
        value: percentile(keys, 95),
        unit: 'ms',
        note: 'target ≤ 50 ms',
      },
      { name: 'keystroke → painted result max', value: Math.max(...keys), unit: 'ms' },
    ];
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
