/**
 * Front-end build. `index.html` at the repo root is the entry; `public/` holds static assets;
 * the build goes to `dist/`, which the core serves in production. In development the core runs
 * Vite in middleware mode with this same config, so `/api` and `/sip` stay on one origin.
 * No external CDNs: everything is bundled from node_modules.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
  },
  preview: {
    host: '127.0.0.1',
  },
});
