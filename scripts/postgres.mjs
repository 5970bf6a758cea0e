#!/usr/bin/env node
// A throwaway PostgreSQL server for tests and local runs: initdb into a temp
// directory, start on 127.0.0.1 on a free port, stop by PID and delete it all.
//
//   import { startPostgres } from '../scripts/postgres.mjs';
//   const pg = await startPostgres();   // { url, port, pid, version, dir, stop() }
//   ...
//   await pg.stop();
//
// Run directly (`node scripts/postgres.mjs`) it prints the URL and waits for Ctrl-C.
//
// Binaries are looked up in $POSTGRES_BIN_DIR, Debian's /usr/lib/postgresql/*/bin
// (newest first), then the usual macOS/Homebrew places and $PATH. PostgreSQL refuses
// to run as root, so as root (CI) the server runs as the `postgres` OS user.
import { spawn, execFileSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** @param {string} dir */
function hasServerBinaries(dir) {
  return ['initdb', 'postgres'].every((name) => existsSync(join(dir, name)));
}

/** @param {string} a @param {string} b */
function byVersionDescending(a, b) {
  return Number.parseFloat(b) - Number.parseFloat(a);
}

/**
 * The directory holding `initdb` and `postgres`, or `undefined` when PostgreSQL is
 * not installed.
 * @returns {string | undefined}
 */
export function findPostgresBinDir() {
  const candidates = [];
  if (process.env.POSTGRES_BIN_DIR) candidates.push(process.env.POSTGRES_BIN_DIR);
  for (const root of ['/usr/lib/postgresql', '/usr/local/opt', '/opt/homebrew/opt']) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((name) => root === '/usr/lib/postgresql' || name.startsWith('postgresql'))
      .map((name) => name.replace(/^postgresql@?/, ''))
      .sort(byVersionDescending);
    for (const version of versions) {
      candidates.push(
        root === '/usr/lib/postgresql'
          ? join(root, version, 'bin')
          : join(root, version ? `postgresql@${version}` : 'postgresql', 'bin'),
      );
    }
  }
  candidates.push(
    '/usr/local/pgsql/bin',
    '/Applications/Postgres.app/Contents/Versions/latest/bin',
  );
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  return candidates.find(hasServerBinaries);
}

/** @returns {Promise<number>} a TCP port that was free on 127.0.0.1 a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * As root, the uid/gid to run PostgreSQL as (the `postgres` OS user); otherwise undefined.
 * @returns {{ uid: number, gid: number } | undefined}
 */
function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'Running as root, but there is no "postgres" OS user to run PostgreSQL as ' +
        '(PostgreSQL refuses to run as root). Install the postgresql package or run as another user.',
    );
  }
}

/** @param {string} file @param {number} [lines] */
function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a command to completion (as the server user when root), logging into `log`.
 * @param {string} command @param {string[]} args @param {object} options
 * @param {string} options.cwd @param {string} options.log
 * @param {{ uid: number, gid: number } | undefined} options.user
 */
function run(command, args, { cwd, log, user }) {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd], ...user });
    closeSync(fd);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(undefined);
      else reject(new Error(`${command} failed (${signal ?? code}):\n${tail(log)}`));
    });
  });
}

/**
 * @typedef {object} RunningPostgres
 * @property {string} url `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth)
 * @property {number} port
 * @property {number} pid the postmaster's PID
 * @property {string} version e.g. `15.14`
 * @property {string} dir the temp directory (data in `dir/data`, socket in `dir`, log in `dir/postgres.log`)
 * @property {() => Promise<void>} stop fast shutdown, then delete the temp directory; idempotent
 */

/**
 * Starts a throwaway PostgreSQL server.
 * @param {{ binDir?: string }} [options]
 * @returns {Promise<RunningPostgres>}
 */
export async function startPostgres(options = {}) {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir) {
    throw new Error(
      'No PostgreSQL server binaries found (initdb, postgres). Install PostgreSQL ' +
        '(Debian/Ubuntu: apt-get install postgresql) or set POSTGRES_BIN_DIR.',
    );
  }
  const versionText = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const version = /\(PostgreSQL\)\s+(\S+)/.exec(versionText)?.[1] ?? versionText.trim();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'sentral-pg-'));
  const dataDir = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  if (user) chownSync(dir, user.uid, user.gid);

  try {
    await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N'],
      { cwd: dir, log, user },
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return await launch({ binDir, dir, dataDir, log, user, port, version });
      } catch (error) {
        // Another process may have taken the port between the probe and the bind.
        if (attempt >= 3 || !/could not (bind|create listen socket)/i.test(String(error))) {
          throw error;
        }
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * @param {object} o
 * @param {string} o.binDir @param {string} o.dir @param {string} o.dataDir @param {string} o.log
 * @param {{ uid: number, gid: number } | undefined} o.user @param {number} o.port @param {string} o.version
 * @returns {Promise<RunningPostgres>}
 */
async function launch({ binDir, dir, dataDir, log, user, port, version }) {
  const fd = openSync(log, 'a');
  const child = spawn(
    join(binDir, 'postgres'),
    [
      ['-D', dataDir],
      ['-p', String(port)],
      ['-k', dir],
      ['-c', 'listen_addresses=127.0.0.1'],
      ['-c', 'fsync=off'],
      ['-c', 'synchronous_commit=off'],
      ['-c', 'full_page_writes=off'],
      ['-c', 'max_connections=40'],
    ].flat(),
    { cwd: dir, stdio: ['ignore', fd, fd], ...user },
  );
  closeSync(fd);
  // Never keep the caller's process alive; the exit hook below stops the server.
  child.unref();

  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${join(binDir, 'postgres')}`);
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | undefined} */
  let exited;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(undefined);
    }),
  );

  let stopped = false;
  const onExit = () => {
    // Synchronous last resort when the caller never called stop(): immediate shutdown.
    if (!exited) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    if (!exited) {
      try {
        process.kill(pid, 'SIGINT'); // fast shutdown: roll back sessions, exit cleanly
      } catch {
        // Exited on its own meanwhile.
      }
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      process.off('exit', onExit);
      throw new Error(
        `PostgreSQL exited during start (${exited.signal ?? exited.code}):\n${tail(log)}`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return { url, port, pid, version, dir, stop };
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms:\n${tail(log)}`,
      );
    }
    await sleep(50);
  }
}

// Run directly: start, print the URL, wait for Ctrl-C or SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startPostgres();
  console.log(server.url);
  console.error(
    `PostgreSQL ${server.version}, pid ${server.pid}, in ${server.dir}; Ctrl-C stops it.`,
  );
  const keepAlive = setInterval(() => undefined, 1 << 30);
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      clearInterval(keepAlive);
      void server.stop().then(() => process.exit(0));
    });
  }
}
