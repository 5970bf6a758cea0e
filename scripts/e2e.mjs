// Runs the Playwright end-to-end suite inside a loopback-only network namespace
// (`unshare -rn`), so WebRTC media between the test browsers can only use 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { buildAppIfNeeded } from './build-app.mjs';

if (!buildAppIfNeeded()) process.exit(1);

const args = ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)];
const inner = `ip link set lo up && exec "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')}`;

const probe = spawnSync('unshare', ['-rn', 'true']);
let r;
if (probe.status === 0) {
  r = spawnSync('unshare', ['-rn', 'sh', '-c', inner], { stdio: 'inherit' });
} else {
  if (process.env.CI) {
    console.error('e2e: cannot create a loopback-only network namespace (unshare -rn) on CI.');
    process.exit(1);
  }
  console.warn('e2e: unshare -rn is not available here; running on the host network instead.');
  r = spawnSync(process.execPath, args, { stdio: 'inherit' });
}
process.exit(r.status ?? 1);
