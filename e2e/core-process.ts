/**
 * Starts a real switchboard core as a child process (the same entry point `npm start` runs) on a
 * free loopback port with an in-memory database, and stops it by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningCore {
  url: string;
  wsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Everything the core logged, for assertions and failure reports. */
  log(): string;
}

export async function startCore(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<RunningCore> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/server/main.ts'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: 'memory://',
      LOG_LEVEL: process.env.CORE_LOG_LEVEL ?? 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  if (process.env.E2E_CORE_LOG) child.stderr?.pipe(process.stderr);
  const url = await new Promise<string>((resolve, reject) => {
    // CORE_START_TIMEOUT_MS: to wait longer still (benchmarks on a loaded shared machine).
    const timer = setTimeout(
      () => reject(new Error(`core did not start:\n${output}`)),
      Number(process.env.CORE_START_TIMEOUT_MS ?? 60_000),
    );
    const onData = () => {
      const m = /running at (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`core exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    process: child,
    log: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
