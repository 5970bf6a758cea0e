/** Open-file limits of processes (Linux /proc/<pid>/limits), for benchmarks with many sockets. */
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
