/**
 * Front-end build. `index.html` at the repo root is the entry; `public/` holds static assets;
 * the build goes to `dist/`, which the core serves in production. In development the core runs
 * Vite in middleware mode with this same config, so `/api` and `/sip` stay on one origin.
 * No external CDNs: everything is bundled from node_modules.
 */
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  publicDir: 'public',
  resolve: {
    // rxjs's ES2015 build: native classes instead of ES5 ones with tslib (about 3 KB less gzip
    // on the switchboard route; every browser we support runs ES2022).
    conditions: ['es2015', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    // dist/.vite/manifest.json: the chunk graph, read by bench/bundle.bench.ts to weigh what the
    // switchboard route ships (the core serves no dotfiles).
    manifest: true,
  },
  server: {
    host: '127.0.0.1',
  },
  preview: {
    host: '127.0.0.1',
  },
});
