// `npm run bench`: the benchmarks inside a loopback-only network namespace (WebRTC stays on
// 127.0.0.1), after building the app the browser benchmarks load.
import { spawnSync } from 'node:child_process';
import { buildAppIfNeeded } from './build-app.mjs';

if (!buildAppIfNeeded()) process.exit(1);
const args = ['--import', 'tsx', 'bench/run.ts', ...process.argv.slice(2)];
const inner = `ip link set lo up && exec "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')}`;
const probe = spawnSync('unshare', ['-rn', 'true']);
const r =
  probe.status === 0
    ? spawnSync('unshare', ['-rn', 'sh', '-c', inner], { stdio: 'inherit' })
    : spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
