/** Process figures from /proc (Linux) for benchmarks that run the core as a child process. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!(ticksPerSecond > 0)) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** CPU time (user + system) a process has used so far, in ms (resolution 1 clock tick). */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident set size of a process in MiB, without a GC (for peaks during a load). */
export async function rssNowMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** The core's memory after a forced GC (it must run with --expose-gc), in MiB. */
export async function memoryAfterGc(url: string): Promise<{ rss: number; heapUsed: number }> {
  await new Promise((r) => setTimeout(r, 1000));
  const h = (await (await fetch(`${url}/healthz?gc=1`)).json()) as {
    memory: { rss: number; heapUsed: number };
  };
  return { rss: h.memory.rss / 1048576, heapUsed: h.memory.heapUsed / 1048576 };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
