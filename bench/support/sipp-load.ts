/**
 * sipp at a rate, for the load benchmarks: unlike test/server/sipp/sipp-runner.ts (one call at a
 * time, `-l 1`) this runs `-r <rate> -l <limit>`, optionally pinned to a CPU with taskset, reads
 * its counters from `-trace_stat` and can be killed by PID at any time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIPP, freeUdpPort } from '../../test/server/sipp/sipp-runner';
import { parseSippStats, type SippCounters } from './stepping';

export interface SippLoadOptions {
  /** Absolute path of the scenario file. */
  scenario: string;
  port: number;
  /** `host:port` for a UAC; omitted for a UAS. */
  remote?: string;
  /** Calls per second (UAC). */
  rate?: number;
  /** `-m`: calls before exiting. */
  calls: number;
  /** `-l`: simultaneous calls at most. */
  limit: number;
  service?: string;
  keys?: Record<string, string>;
  auth?: { username: string; password: string };
  /** sipp's global timeout, seconds (it then exits with an error). */
  timeoutS: number;
  /** A message not received within this many ms fails the call (`-recv_timeout`). */
  recvTimeoutMs?: number;
  /** Pin to this CPU (taskset -c). */
  cpu?: number;
}

export interface SippLoadResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  counters: SippCounters | undefined;
  /** First lines of sipp's error log and stderr. */
  log: string;
  wallMs: number;
}

export interface SippLoad {
  pid: number;
  done: Promise<SippLoadResult>;
  kill(): void;
}

const running = new Set<ChildProcess>();

/** Kills every sipp this module started that is still running, by PID (cleanup after errors). */
export function killAllSippLoads(): void {
  for (const child of running) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

export async function startSippLoad(o: SippLoadOptions): Promise<SippLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-sipp-load-'));
  const [media, control] = [await freeUdpPort(), await freeUdpPort()];
  const sippArgs = [
    ...(o.remote ? [o.remote] : []),
    '-sf',
    o.scenario,
    '-i',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-mp',
    String(media),
    '-cp',
    String(control),
    '-t',
    'u1',
    '-m',
    String(o.calls),
    '-l',
    String(o.limit),
    ...(o.rate ? ['-r', String(o.rate), '-rp', '1000'] : []),
    '-timeout',
    `${o.timeoutS}s`,
    '-timeout_error',
    ...(o.recvTimeoutMs ? ['-recv_timeout', String(o.recvTimeoutMs)] : []),
    '-nostdin',
    '-trace_stat',
    '-fd',
    '1',
    '-stf',
    join(dir, 'stat.csv'),
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    ...(process.env.BENCH_SIPP_TRACE
      ? ['-trace_msg', '-message_file', `${process.env.BENCH_SIPP_TRACE}-${o.port}.log`]
      : []),
    ...(o.service ? ['-s', o.service] : []),
    ...(o.auth ? ['-au', o.auth.username, '-ap', o.auth.password] : []),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
  ];
  const [cmd, args] =
    o.cpu === undefined
      ? [SIPP, sippArgs]
      : ['/usr/bin/taskset', ['-c', String(o.cpu), SIPP, ...sippArgs]];
  const started = performance.now();
  const child: ChildProcess = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippLoadResult>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      const stat = join(dir, 'stat.csv');
      const counters = existsSync(stat) ? parseSippStats(readFileSync(stat, 'utf8')) : undefined;
      const log = readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code,
        signal,
        counters,
        log: `${log}\n${stderr}`.trim().split('\n').slice(0, 20).join('\n'),
        wallMs: performance.now() - started,
      });
    });
  });
  return {
    pid: child.pid ?? 0,
    done,
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

/** Pins every thread of a running process to one CPU (taskset -a -p). */
export async function pinToCpu(pid: number, cpu: number): Promise<void> {
  const child = spawn('/usr/bin/taskset', ['-a', '-p', '-c', String(cpu), String(pid)], {
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`taskset could not pin ${pid} to CPU ${cpu}`);
}
