/**
 * Runs Debian's sipp (sip-tester) against a test core's UDP port: free ports probed per
 * instance (SIP, media, control), stats from `-trace_stat`, errors from `-trace_err`, every
 * process killed by PID when the suite ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP = '/usr/bin/sipp';
export const haveSipp = existsSync(SIPP);
export const SCENARIOS = fileURLToPath(new URL('../../sipp', import.meta.url));

/** A free UDP port on loopback (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const { port } = socket.address();
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

export interface SippOptions {
  /** File name under test/sipp. */
  scenario: string;
  /** Local SIP port (the one a registration was made from, for a UAS). */
  port: number;
  /** `127.0.0.1:<core UDP port>` for a UAC; omitted for a UAS (it answers whoever calls). */
  remote?: string;
  /** Calls to make (UAC) or to take (UAS) before exiting. */
  calls: number;
  /** `-s`: the Request-URI user a UAC dials. */
  service?: string;
  /** `-key name value`: the scenario's [name] keywords. */
  keys?: Record<string, string>;
  /** Digest credentials for [authentication]. */
  auth?: { username: string; password: string };
  /** sipp's own global timeout (it exits with an error when reached). */
  timeoutS?: number;
}

export interface SippResult {
  code: number | null;
  successful: number;
  failed: number;
  /** sipp's error log and stderr, for failure messages. */
  log: string;
}

const running = new Set<ChildProcess>();

/** Starts sipp; the promise settles when it exits by itself. */
export async function startSipp(opts: SippOptions): Promise<{ done: Promise<SippResult> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-sipp-'));
  const [media, control] = [await freeUdpPort(), await freeUdpPort()];
  const args = [
    ...(opts.remote ? [opts.remote] : []),
    '-sf',
    join(SCENARIOS, opts.scenario),
    '-i',
    '127.0.0.1',
    '-p',
    String(opts.port),
    '-mp',
    String(media),
    '-cp',
    String(control),
    '-t',
    'u1',
    '-m',
    String(opts.calls),
    '-l',
    '1',
    '-timeout',
    `${opts.timeoutS ?? 20}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat',
    '-stf',
    join(dir, 'stat.csv'),
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    ...(opts.service ? ['-s', opts.service] : []),
    ...(opts.auth ? ['-au', opts.auth.username, '-ap', opts.auth.password] : []),
    ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
  ];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippResult>((resolvePromise) => {
    child.on('exit', (code) => {
      running.delete(child);
      const result = { code, ...readStats(join(dir, 'stat.csv')), log: readLog(dir) + stderr };
      rmSync(dir, { recursive: true, force: true });
      resolvePromise(result);
    });
  });
  return { done };
}

/** Runs sipp to its end. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return (await startSipp(opts)).done;
}

/** Kills every sipp still running (afterAll), by PID. */
export function killAllSipp(): void {
  for (const child of running) {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  running.clear();
}

function readStats(file: string): { successful: number; failed: number } {
  if (!existsSync(file)) return { successful: -1, failed: -1 };
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const column = (name: string) => Number(last[header.indexOf(name)] ?? NaN);
  return { successful: column('SuccessfulCall(C)'), failed: column('FailedCall(C)') };
}

function readLog(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}
