import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildGraph,
  modulesIn,
  withStaticImports,
  type BundleGraph,
} from '../../bench/support/bundle-graph';

/** Views outside the switchboard route, each loaded by `import()` when first shown. */
const LAZY_VIEWS = [
  'src/app/sentral-queue-board.ts',
  'src/app/sentral-board-tile.ts',
  'src/app/sentral-admin.ts',
  'src/app/sentral-queue-admin.ts',
  'src/app/sentral-statistics.ts',
  'src/app/sentral-two-factor-setup.ts',
];

describe('the built app (vite build, in memory)', () => {
  let graph: BundleGraph;
  beforeAll(async () => {
    graph = await buildGraph();
  }, 60_000);

  it('keeps the board, administration, statistics and two-factor views out of what index.html loads', () => {
    const onRoute = modulesIn(graph, graph.staticKeys);
    expect(onRoute).toContain('src/app/sentral-switchboard.ts');
    expect(onRoute).toContain('src/app/sentral-queue-panel.ts');
    for (const view of LAZY_VIEWS) expect(onRoute, view).not.toContain(view);
    expect(onRoute.some((m) => m.includes('node_modules/csv-stringify/'))).toBe(false);
  });

  it('puts each of those views in a chunk of its own that index.html reaches only by import()', () => {
    for (const view of [
      'src/app/sentral-queue-board.ts',
      'src/app/sentral-admin.ts',
      'src/app/sentral-statistics.ts',
      'src/app/sentral-two-factor-setup.ts',
    ]) {
      expect(graph.dynamicKeys, view).toContain(view);
      const own = withStaticImports(graph, view).filter((k) => !graph.staticKeys.includes(k));
      expect(modulesIn(graph, own), view).toContain(view);
    }
  });

  it('loads the SIP stack as its own chunk, not with the entry', () => {
    expect(modulesIn(graph, graph.staticKeys).some((m) => m.includes('node_modules/sip.js/'))).toBe(
      false,
    );
    expect(graph.dynamicKeys).toContain('src/sip/sip-phone.ts');
  });

  it('keeps libphonenumber-js out of what index.html loads (fetched when idle, own chunk)', () => {
    const onRoute = modulesIn(graph, graph.staticKeys);
    expect(onRoute).toContain('src/app/phone-number.ts');
    expect(onRoute.some((m) => m.includes('node_modules/libphonenumber-js/'))).toBe(false);
    const idle = graph.dynamicKeys.filter((k) =>
      modulesIn(graph, [k]).some((m) => m.includes('node_modules/libphonenumber-js/')),
    );
    expect(idle).toHaveLength(1);
  });
});
