/**
 * Process helpers for the load benchmarks: open-file limits and open descriptors (Linux /proc),
 * and a kill by PID for cleanup.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** The soft and hard "Max open files" of a /proc/<pid>/limits text. */
export function parseOpenFilesLimit(text: string): { soft: number; hard: number } | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)\s+files/m.exec(text);
  if (!m) return undefined;
  const value = (s: string | undefined) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: value(m[1]), hard: value(m[2]) };
}

export function openFilesLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const limit = parseOpenFilesLimit(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  if (!limit) throw new Error(`no "Max open files" in /proc/${pid}/limits`);
  return limit;
}

/** Open file descriptors of a process (sockets included). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** SIGKILL by PID, ignoring a process that is already gone (cleanup on exit). */
export function killPid(pid: number): void {
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
