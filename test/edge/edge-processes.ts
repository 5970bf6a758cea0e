/**
 * Starts the production edge's daemons for tests — rtpengine (userspace, `--table=-1`) and
 * Kamailio with deploy/kamailio/kamailio.cfg — as the current user on free loopback ports,
 * each with its own runtime directory under a temp dir, and stops them by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KAMAILIO = '/usr/sbin/kamailio';
export const RTPENGINE = '/usr/bin/rtpengine';
const KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
export const KAMAILIO_CFG = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../deploy/kamailio/kamailio.cfg',
);

/** Why the edge tests cannot run here, or undefined when they can. */
export function edgeMissing(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(KAMAILIO)) missing.push('kamailio');
  if (!existsSync(join(KAMAILIO_MODULES, 'websocket.so')))
    missing.push('kamailio-websocket-modules');
  if (!existsSync(join(KAMAILIO_MODULES, 'auth_ephemeral.so')))
    missing.push('kamailio-autheph-modules');
  if (!existsSync(RTPENGINE)) missing.push('rtpengine-daemon');
  return missing.length
    ? `not installed: ${missing.join(', ')} (.ci/run installs them)`
    : undefined;
}

/** On CI the packages are installed by .ci/run: a missing one is a failure, not a skip. */
export function skipEdge(): string | undefined {
  const missing = edgeMissing();
  if (missing && process.env.CI) throw new Error(`production-edge tests on CI: ${missing}`);
  return missing;
}

/** As {@link skipEdge}, for WSS: Kamailio's TLS module (Debian kamailio-tls-modules) too. */
export function skipEdgeTls(): string | undefined {
  const missing =
    edgeMissing() ??
    (existsSync(join(KAMAILIO_MODULES, 'tls.so'))
      ? undefined
      : 'not installed: kamailio-tls-modules (.ci/run installs it)');
  if (missing && process.env.CI) throw new Error(`WSS edge tests on CI: ${missing}`);
  return missing;
}

/** A free TCP port on loopback (the kernel's pick, released before use). */
export function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** A loopback port free on both UDP and TCP. */
export async function freeUdpTcpPort(): Promise<number> {
  for (;;) {
    const port = await freeTcpPort();
    const ok = await new Promise<boolean>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (ok) return port;
  }
}

export interface Daemon {
  readonly pid: number;
  readonly dir: string;
  log(): string;
  stop(): Promise<void>;
}

function waitFor(pred: () => boolean, what: string, log: () => string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((res, rej) => {
    const tick = () => {
      if (pred()) return res();
      if (Date.now() > until) return rej(new Error(`${what} did not start:\n${log()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

function daemon(child: ChildProcess, dir: string, pidFile: string | undefined): Daemon {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  if (process.env.EDGE_LOG) child.stderr?.pipe(process.stderr);
  return {
    get pid() {
      return child.pid ?? 0;
    },
    dir,
    log: () => output,
    stop: async () => {
      // Kamailio forks children into its process group; rtpengine runs in the foreground.
      const pids = new Set<number>();
      if (child.pid) pids.add(child.pid);
      if (pidFile && existsSync(pidFile)) pids.add(Number(readFileSync(pidFile, 'utf8').trim()));
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
        const killer = setTimeout(() => {
          for (const pid of pids) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }, 5000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Rtpengine extends Daemon {
  /** ng control address, `127.0.0.1:port`. */
  readonly ng: string;
  readonly ngPort: number;
}

export async function startRtpengine(): Promise<Rtpengine> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-rtpengine-'));
  const ngPort = await freeUdpTcpPort();
  // A media port range of its own: 200 ports from a random base (tests run in parallel).
  const base = 20000 + 200 * Math.floor(Math.random() * 150);
  const pidFile = join(dir, 'rtpengine.pid');
  const child = spawn(
    RTPENGINE,
    [
      '--config-file=none',
      '--table=-1',
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${ngPort}`,
      `--port-min=${base}`,
      `--port-max=${base + 199}`,
      '--foreground',
      '--log-stderr',
      '--no-log-timestamps',
      '--log-level=6',
      '--delete-delay=0',
      `--pidfile=${pidFile}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const d = daemon(child, dir, pidFile);
  await waitFor(() => d.log().includes('Startup complete'), 'rtpengine', d.log);
  return Object.assign(d, { ng: `127.0.0.1:${ngPort}`, ngPort });
}

export interface Kamailio extends Daemon {
  /** `ws://127.0.0.1:port` for browsers. */
  readonly wsUrl: string;
  /** The core-facing listener (UDP and TCP on the same port). */
  readonly sipPort: number;
  /** `wss://127.0.0.1:port` when started with `tls`. */
  readonly wssUrl?: string;
}

export interface KamailioOptions {
  secret: string;
  /** The cores, as dispatcher.list destinations (`sip:127.0.0.1:5080;transport=udp`). */
  cores: string[];
  /** Seconds between OPTIONS probes to the cores (failover tests use short ones). */
  pingInterval?: number;
  /** Ports chosen beforehand (the core must know the edge's before Kamailio starts). */
  wsPort?: number;
  sipPort?: number;
  /** Also listen for WSS with this certificate (PEM files), as production does with WITH_TLS. */
  tls?: { certificate: string; privateKey: string; port?: number };
}

export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-kamailio-'));
  const wsPort = options.wsPort ?? (await freeTcpPort());
  const sipPort = options.sipPort ?? (await freeUdpTcpPort());
  const list = join(dir, 'dispatcher.list');
  writeFileSync(list, options.cores.map((uri) => `1 ${uri} 0 0\n`).join(''));
  const pidFile = join(dir, 'kamailio.pid');
  const wssPort = options.tls ? (options.tls.port ?? (await freeTcpPort())) : undefined;
  const tlsArgs: string[] = [];
  if (options.tls) {
    // deploy/kamailio/tls.cfg with this run's certificate (the deployed file names /etc paths).
    const tlsCfg = join(dir, 'tls.cfg');
    writeFileSync(
      tlsCfg,
      readFileSync(resolve(dirname(KAMAILIO_CFG), 'tls.cfg'), 'utf8')
        .replace('/etc/kamailio/tls/privkey.pem', options.tls.privateKey)
        .replace('/etc/kamailio/tls/fullchain.pem', options.tls.certificate),
    );
    tlsArgs.push(
      '-A',
      'WITH_TLS',
      '-A',
      `WSS_LISTEN=tls:127.0.0.1:${wssPort}`,
      '-A',
      `TLS_CFG="${tlsCfg}"`,
    );
  }
  const child = spawn(
    KAMAILIO,
    [
      '-DD',
      '-E',
      '-f',
      KAMAILIO_CFG,
      '-P',
      pidFile,
      '-Y',
      dir,
      '-m',
      '64',
      '-M',
      '8',
      '-A',
      `WS_LISTEN=tcp:127.0.0.1:${wsPort}`,
      '-A',
      `CORE_LISTEN=udp:127.0.0.1:${sipPort}`,
      '-A',
      `CORE_LISTEN_TCP=tcp:127.0.0.1:${sipPort}`,
      '-A',
      `DISPATCHER_LIST="${list}"`,
      '-A',
      `EDGE_SECRET="${options.secret}"`,
      '-A',
      `PING_INTERVAL=${options.pingInterval ?? 2}`,
      ...tlsArgs,
      ...(process.env.EDGE_LOG ? ['-A', 'WITH_DEBUG'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  const d = daemon(child, dir, pidFile);
  await waitFor(
    () => /INFO: <core> \[main\.c:\d+\]: main\(\): processes/.test(d.log()) || existsSync(pidFile),
    'kamailio',
    d.log,
  );
  // The pid file appears before the listeners are up on slow machines: give them a moment.
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`kamailio exited:\n${d.log()}`);
  return Object.assign(d, {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    sipPort,
    ...(wssPort ? { wssUrl: `wss://127.0.0.1:${wssPort}` } : {}),
  });
}
