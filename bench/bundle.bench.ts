/**
 * JavaScript shipped for the switchboard route (issue 5: ≤ 120 KB gzip; the board and admin
 * routes lazy-loaded). Builds the app in memory with the project's Vite config and follows the
 * manifest's import graph from index.html: the entry and its static imports are what every
 * page load runs; the SIP stack is an `import()` that services.ts starts when a phone is made
 * (right after a login with a phone, so the switchboard route loads it; the wall board never
 * does); libphonenumber-js is an `import()` main.ts starts when the page is first idle (foreign
 * numbers; off the critical path); the lazy views load when shown. A second build with one
 * chunk per package weighs sip.js, lit, rxjs, libphonenumber-js… each on its own. gzip at
 * zlib's default level. Takes a few seconds; nothing is written to dist/.
 */
import { buildGraph, gzipKiB, withStaticImports, type BundleGraph } from './support/bundle-graph';
import { printResults, type BenchResult } from './stats';

/** The SIP stack's chunk (loaded by `import()` when a phone is made: not on the board). */
const SIP_KEY = 'src/sip/sip-phone.ts';
/** The route's bokmål words (loaded with the language; ADR 0014). */
const NB_ROUTE_KEY = 'src/app/locales/nb-route.ts';
/** The wall board's view (the board route: static + this, no SIP stack). */
const BOARD_KEY = 'src/app/sentral-queue-board.ts';
/** Loaded by `import()` when the page is first idle, on every route; needed by no first paint. */
const IDLE_KEYS: Readonly<Record<string, string>> = {
  'node_modules/libphonenumber-js/min/index.js': 'foreign numbers',
};

/** One chunk per npm package (`@scope/name` together) and one for the app's own code. */
function perPackage(id: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id);
  if (m?.[1]) return `pkg-${m[1].replace('/', '__')}`;
  return undefined;
}

function packageSizes(graph: BundleGraph): BenchResult[] {
  const sizes = new Map<string, number>();
  for (const chunk of graph.chunks.values()) {
    const name = chunk.name.startsWith('pkg-')
      ? chunk.name.slice(4).replace('__', '/')
      : `app code (src/), ${chunk.name}`;
    sizes.set(name, (sizes.get(name) ?? 0) + chunk.gzipBytes);
  }
  return [...sizes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => ({
      name: `  package ${name}`,
      value: bytes / 1024,
      unit: 'KiB gzip',
      note: 'built as its own chunk',
    }));
}

export async function run(): Promise<BenchResult[]> {
  const graph = await buildGraph();
  const staticKib = gzipKiB(graph, graph.staticKeys);
  const sipKeys = withStaticImports(graph, SIP_KEY).filter((k) => !graph.staticKeys.includes(k));
  const sipKib = gzipKiB(graph, sipKeys);
  const results: BenchResult[] = [
    {
      name: 'switchboard route, static (entry + its static imports)',
      value: staticKib,
      unit: 'KiB gzip',
      note: graph.staticKeys.map((k) => graph.chunks.get(k)?.file).join(' + '),
    },
    {
      name: 'SIP stack chunk (import() when a phone is made, after login)',
      value: sipKib,
      unit: 'KiB gzip',
    },
    {
      name: 'switchboard route, static + SIP stack',
      value: staticKib + sipKib,
      unit: 'KiB gzip',
      note: `target ≤ 120 KB = ${(120_000 / 1024).toFixed(1)} KiB`,
    },
  ];
  // A Norwegian user also loads the route's bokmål words (src/app/i18n.ts, ADR 0014).
  const wordsKeys = withStaticImports(graph, NB_ROUTE_KEY).filter(
    (k) => !graph.staticKeys.includes(k),
  );
  results.push({
    name: 'switchboard route in bokmål, static + SIP stack + the route’s bokmål words',
    value: staticKib + sipKib + gzipKiB(graph, wordsKeys),
    unit: 'KiB gzip',
    note: `target ≤ 120 KB = ${(120_000 / 1024).toFixed(1)} KiB`,
  });
  const boardKeys = withStaticImports(graph, BOARD_KEY).filter(
    (k) => !graph.staticKeys.includes(k),
  );
  results.push({
    name: 'board route, static + board view (no SIP stack)',
    value: staticKib + gzipKiB(graph, boardKeys),
    unit: 'KiB gzip',
  });
  for (const key of graph.dynamicKeys) {
    if (key === SIP_KEY) continue;
    const own = withStaticImports(graph, key).filter((k) => !graph.staticKeys.includes(k));
    const idle = IDLE_KEYS[key];
    results.push({
      name: idle ? `idle ${key} (${idle}, off the critical path)` : `lazy ${key}`,
      value: gzipKiB(graph, own),
      unit: 'KiB gzip',
      note: own.map((k) => graph.chunks.get(k)?.file).join(' + '),
    });
  }
  const split = await buildGraph(perPackage);
  results.push(...packageSizes(split));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
