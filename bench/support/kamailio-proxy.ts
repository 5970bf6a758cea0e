/**
 * Kamailio as a plain stateful proxy (bench/kamailio-proxy.cfg) on a free loopback UDP port,
 * relaying to one sipp UAS, for the sipp-cps comparison. Optionally pinned to a CPU; stopped by
 * PID (the main process takes its children with it).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from '../../test/server/sipp/sipp-runner';

export const KAMAILIO = '/usr/sbin/kamailio';
export const haveKamailio = existsSync(KAMAILIO);
const CFG = fileURLToPath(new URL('../kamailio-proxy.cfg', import.meta.url));

export interface KamailioProxy {
  pid: number;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** True once something holds the UDP port (bind fails with EADDRINUSE). */
function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

export async function startKamailioProxy(o: {
  uasPort: number;
  realm: string;
  password: string;
  /**
   * UDP worker processes (default 1): several reorder a UAS's 180 and 200 now and then (each
   * worker reads the same socket), and sipp's scenario then fails the call on the late 180. One
   * worker is also the like-for-like comparison with the core's single event loop.
   */
  children?: number;
  cpu?: number;
}): Promise<KamailioProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-kamailio-bench-'));
  const port = await freeUdpPort();
  const pidFile = join(dir, 'kamailio.pid');
  const kamailioArgs = [
    '-DD',
    '-E',
    '-f',
    CFG,
    '-P',
    pidFile,
    '-Y',
    dir,
    '-m',
    '256',
    '-M',
    '16',
    '-A',
    `LISTEN=udp:127.0.0.1:${port}`,
    '-A',
    `UAS="sip:127.0.0.1:${o.uasPort}"`,
    '-A',
    `REALM="${o.realm}"`,
    '-A',
    `PASSWORD="${o.password}"`,
    '-A',
    `CHILDREN=${o.children ?? 1}`,
  ];
  const [cmd, args] =
    o.cpu === undefined
      ? [KAMAILIO, kamailioArgs]
      : ['/usr/bin/taskset', ['-c', String(o.cpu), KAMAILIO, ...kamailioArgs]];
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    const pids = new Set<number>();
    if (child.pid) pids.add(child.pid);
    if (existsSync(pidFile)) pids.add(Number(readFileSync(pidFile, 'utf8').trim()));
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const signal = (sig: NodeJS.Signals) => {
        for (const pid of pids) {
          try {
            process.kill(pid, sig);
          } catch {
            // Already gone.
          }
        }
      };
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 10_000;
  while (!(await udpPortTaken(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`kamailio did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Its worker processes come up just after the listener.
  await new Promise((r) => setTimeout(r, 500));
  return { pid: child.pid ?? 0, port, log: () => output, stop };
}
