// Installs what `npm start` / `npm test` need on a fresh clone, or says clearly what to install.
// Uses only Node built-ins: it runs before node_modules exists.
//   node scripts/ensure-deps.mjs            → npm ci when node_modules is missing or stale
//   node scripts/ensure-deps.mjs --browser  → also Chromium (apt-get on Debian as root)
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`Sentral needs Node.js 20 or newer; this is ${process.version}.`);
  process.exit(1);
}

const lock = 'package-lock.json';
const installed = 'node_modules/.package-lock.json';
const stale =
  !existsSync(installed) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000);
if (stale) {
  console.log('Installing dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

if (process.argv.includes('--browser') && !findChromium()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    console.log('Installing Chromium for the browser tests (apt-get install chromium)…');
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      {
        stdio: 'inherit',
      },
    );
  }
  if (!findChromium()) {
    console.error(
      'The browser tests need Chromium or Chrome. Install it (Debian: sudo apt-get install chromium) ' +
        'or set CHROME_PATH to its binary.',
    );
    process.exit(1);
  }
}
