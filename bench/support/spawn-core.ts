/**
 * Starts a TypeScript entry that builds a core (bench/support/queue-core.ts) as a child process
 * on a free loopback port and stops it by PID. Like e2e/core-process.ts, for entries other than
 * src/server/main.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildCore {
  url: string;
  wsUrl: string;
  pid: number;
  process: ChildProcess;
  /** Everything the child printed. */
  log(): string;
  stop(): Promise<void>;
}

export async function spawnCore(
  entry: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ChildCore> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: { ...process.env, LOG_LEVEL: process.env.CORE_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  if (process.env.E2E_CORE_LOG) child.stderr?.pipe(process.stderr);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      // CORE_START_TIMEOUT_MS, as in e2e/core-process.ts: a loaded machine starts cores slowly.
      const timer = setTimeout(
        () => reject(new Error(`core did not start:\n${output}`)),
        Number(process.env.CORE_START_TIMEOUT_MS ?? 30_000),
      );
      child.stdout?.on('data', () => {
        const m = /running at (http:\/\/[\d.]+:\d+)/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`core exited with ${code}:\n${output}`));
      });
    });
    if (child.pid === undefined) throw new Error('core has no pid');
    return {
      url,
      wsUrl: url.replace(/^http/, 'ws'),
      pid: child.pid,
      process: child,
      log: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
