/**
 * Front-end build. `index.html` at the repo root is the entry; `public/` holds static assets;
 * the build goes to `dist/`, which the core serves in production. In development the core runs
 * Vite in middleware mode with this same config, so `/api` and `/sip` stay on one origin.
 * No external CDNs: everything is bundled from node_modules.
 */
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * Lit's `css` templates reach the bundle as written, indentation and all (the minifier leaves
 * template strings alone). In the build, runs of white space in them become one space (or
 * their line breaks) and no space is kept around braces and semicolons — never inside a selector, where a space is the
 * descendant combinator. Templates with `${…}` are left as they are.
 */
function minifyLitCss(): Plugin {
  return {
    name: 'sentral-minify-lit-css',
    apply: 'build',
    transform(code, id) {
      if (!id.includes('/src/app/') || !id.endsWith('.ts') || !code.includes('css`')) return null;
      // Line breaks stay (as one each), so every line keeps its place: the sourcemap holds.
      const minified = code.replace(/\bcss`([^`]*)`/g, (whole, body: string) =>
        body.includes('${')
          ? whole
          : `css\`${body
              .replace(/\s+/g, (space) => '\n'.repeat(space.split('\n').length - 1) || ' ')
              .replace(/[ \t]*([{};])[ \t]*/g, '$1')}\``,
      );
      return { code: minified, map: null };
    },
  };
}

type ModuleInfo = { isEntry: boolean; importers: readonly string[] } | null;

/** Statically reachable from the page's entry (`import()` does not count). */
function onRoute(id: string, info: (id: string) => ModuleInfo, seen = new Set<string>()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const module = info(id);
  if (!module) return false;
  if (module.isEntry) return true;
  return module.importers.some((importer) => onRoute(importer, info, seen));
}

export default defineConfig({
  root: '.',
  plugins: [minifyLitCss()],
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
    rollupOptions: {
      output: {
        // Everything the switchboard route loads up front in one chunk: the bundler otherwise
        // cuts modules shared with lazy chunks (logger, contexts, theme, lit's decorators…)
        // into a dozen small ones, each compressed on its own (about 1.5 KiB more gzip).
        manualChunks(id, { getModuleInfo }) {
          return onRoute(id, getModuleInfo) ? 'route' : undefined;
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
  },
  preview: {
    host: '127.0.0.1',
  },
});
