// `npm start`: builds the browser app when it is missing or older than its sources, then runs
// the switchboard core (embedded profile: SIP-over-WebSocket edge + PGlite in ./data).
import { spawn } from 'node:child_process';
import { buildAppIfNeeded } from './build-app.mjs';

if (!process.argv.includes('--dev') && !buildAppIfNeeded()) process.exit(1);

const core = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/server/main.ts', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => core.kill(sig));
core.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
