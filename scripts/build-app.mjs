// Builds the browser app with Vite when dist/ is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const SOURCES = [
  'index.html',
  'public',
  'src/app',
  'src/sip',
  'src/store',
  'src/shared',
  'vite.config.ts',
];

/** @returns {boolean} true when the app is (now) built. */
export function buildAppIfNeeded() {
  const built = 'dist/index.html';
  if (existsSync(built) && Math.max(...SOURCES.map(newestMtime)) <= statSync(built).mtimeMs)
    return true;
  console.log('Building the browser app (vite build)…');
  const r = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'],
    {
      stdio: 'inherit',
    },
  );
  return r.status === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(buildAppIfNeeded() ? 0 : 1);
