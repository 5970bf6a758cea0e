/**
 * 10,000 registered WebSocket clients on one core (issue 6): light clients in this process —
 * a raw `ws` socket each (subprotocol `sip`), a hand-built REGISTER answered with digest
 * (test/server/support/scenarios.ts `register`, sip-peer.ts `digestAuthorization`), nothing
 * else — against one core process started like `npm start` (e2e/core-process.ts, in-memory
 * PGlite, --expose-gc). The 40 demo users with an extension log in once each through the API
 * (argon2 logins are not what is measured) and share the clients: 250 devices per user, each
 * with its own WebSocket, Contact and Call-ID. Note that a 200 OK to REGISTER lists every live
 * binding of the AOR (RFC 3261 §10.3), so late REGISTERs of a user get up to 250 Contacts back.
 *
 * Reported: REGISTER rate (clients registered per second, WebSocket open → 200 OK after the
 * 401 challenge, BENCH_WS_IN_FLIGHT at a time), REGISTER round-trip p50/p95, the bindings the
 * core holds, the core's RSS and heap after a forced GC before and after, per client, and its
 * open file descriptors. BENCH_WS_CLIENTS overrides the count (default 10,000).
 *
 * File descriptors: clients and core are separate processes, each needs ~1 per client plus a
 * few hundred; the run checks both soft limits first (prlimit/ulimit -n to raise them).
 */
import WebSocket from 'ws';
import { startCore } from '../e2e/core-process';
import { DOMAIN, register } from '../test/server/support/scenarios';
import { digestAuthorization, rand } from '../test/server/support/sip-peer';
import { DEMO_USERS } from '../src/server/store/seed';
import { benchLogin, type BenchApi } from './support/api';
import { killPid, openFds, openFilesLimit } from './support/limits';
import { memoryAfterGc, sleep } from './support/proc';
import { percentile, printResults, type BenchResult } from './stats';

const CLIENTS = Number(process.env.BENCH_WS_CLIENTS ?? 10_000);
const IN_FLIGHT = Number(process.env.BENCH_WS_IN_FLIGHT ?? 200);
const TIME_LIMIT_MS = 240_000;
const STEP_TIMEOUT_MS = 30_000;
/** Clients registered before the first memory reading (the per-client slope starts here). */
const BASE_CLIENTS = Math.min(1000, Math.floor(CLIENTS / 10));
/** File descriptors beyond one per client that either process needs. */
const FD_HEADROOM = 500;

const t0 = performance.now();
const progress = (what: string) => {
  if (process.env.BENCH_DEBUG)
    console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
};

interface Credentials {
  username: string;
  authorizationUsername: string;
  password: string;
}

/** One light client: a WebSocket, one REGISTER with its digest retry, then idle. */
class LightClient {
  ws: WebSocket | undefined;
  readonly host = `${rand()}.invalid`;
  readonly callId = rand() + rand();
  readonly fromTag = rand();
  startedAt = 0;
  registeredAt = 0;

  constructor(
    private readonly url: string,
    private readonly cred: Credentials,
  ) {}

  register(): Promise<void> {
    this.startedAt = performance.now();
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, 'sip', { perMessageDeflate: false });
      this.ws = ws;
      const timer = setTimeout(
        () => reject(new Error(`${this.cred.username}: no 200 OK in time`)),
        STEP_TIMEOUT_MS,
      );
      const base = {
        username: this.cred.username,
        host: this.host,
        contactUser: rand(),
        callId: this.callId,
        fromTag: this.fromTag,
      };
      ws.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.once('open', () => ws.send(register({ ...base, cseq: 1 })));
      ws.on('message', (data) => {
        const text = data.toString();
        const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1]);
        if (status === 401) {
          const challenge = /\r\nWWW-Authenticate:\s*([^\r\n]+)/i.exec(text)?.[1] ?? '';
          const authorization = digestAuthorization({
            challenge,
            username: this.cred.authorizationUsername,
            password: this.cred.password,
            method: 'REGISTER',
            uri: `sip:${DOMAIN}`,
          });
          ws.send(register({ ...base, cseq: 2, authorization }));
        } else if (status === 200 && this.registeredAt === 0) {
          this.registeredAt = performance.now();
          clearTimeout(timer);
          resolve();
        } else if (status >= 300) {
          clearTimeout(timer);
          reject(new Error(`${this.cred.username}: REGISTER got ${status}`));
        }
      });
    });
  }

  close(): void {
    this.ws?.terminate();
  }
}

export async function run(): Promise<BenchResult[]> {
  const own = openFilesLimit();
  if (own.soft < CLIENTS + FD_HEADROOM) {
    throw new Error(
      `open-file limit ${own.soft} is below ${CLIENTS + FD_HEADROOM} for ${CLIENTS} clients: ` +
        `raise it (ulimit -n / prlimit --nofile) or set BENCH_WS_CLIENTS`,
    );
  }
  const core = await startCore({ LOG_LEVEL: 'warn', SIP_UDP_PORT: 'off', SIP_TCP_PORT: 'off' }, [
    '--expose-gc',
  ]);
  const corePid = core.process.pid ?? 0;
  // Should this process die without reaching `finally`, the core must not outlive it.
  const killCore = () => killPid(corePid);
  process.once('exit', killCore);
  const coreLimit = openFilesLimit(corePid);
  const clients: LightClient[] = [];
  const apis: BenchApi[] = [];
  try {
    if (coreLimit.soft < CLIENTS + FD_HEADROOM) {
      throw new Error(`the core's open-file limit ${coreLimit.soft} is too low for ${CLIENTS}`);
    }
    const users = DEMO_USERS.filter((u) => u.extension !== null).map((u) => u.username);
    const creds: Credentials[] = [];
    for (const username of users) {
      const login = await benchLogin(core.wsUrl, username);
      apis.push(login.api);
      creds.push({ username, ...login.sip });
    }
    progress(`${creds.length} users logged in`);
    const idle = await memoryAfterGc(core.url);
    const idleFds = openFds(corePid);

    const url = `${core.wsUrl}/sip`;
    let next = 0;
    let done = 0;
    const failures: string[] = [];
    let registeringMs = 0;
    /** Registers clients until `until` are done, IN_FLIGHT at a time; adds to registeringMs. */
    const registerUpTo = (until: number) => {
      const started = performance.now();
      return new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`only ${done} of ${until} registered in ${TIME_LIMIT_MS} ms`)),
          TIME_LIMIT_MS,
        );
        const launch = () => {
          while (next < until && next - done < IN_FLIGHT) {
            const cred = creds[next % creds.length] as Credentials;
            next++;
            const client = new LightClient(url, cred);
            clients.push(client);
            client.register().then(
              () => settle(),
              (err: unknown) => {
                failures.push(String(err));
                settle();
              },
            );
          }
        };
        const settle = () => {
          done++;
          if (done % 1000 === 0) progress(`${done} registered`);
          if (done === until) {
            clearTimeout(deadline);
            registeringMs += performance.now() - started;
            resolve();
          } else launch();
        };
        launch();
      });
    };
    // Memory per client is the slope between BASE_CLIENTS and CLIENTS registered: the fixed
    // costs (the API sessions, allocator arenas left by the argon2 logins, JIT) cancel out.
    await registerUpTo(BASE_CLIENTS);
    await sleep(1000);
    const base = await memoryAfterGc(core.url);
    await registerUpTo(CLIENTS);
    const seconds = registeringMs / 1000;
    const fds = openFds(corePid);
    await sleep(1000);
    const loaded = await memoryAfterGc(core.url);
    const health = (await (await fetch(`${core.url}/healthz`)).json()) as {
      registrations: number;
    };
    if (failures.length > 0) {
      throw new Error(
        `${failures.length} registrations failed: ${failures.slice(0, 5).join('; ')}`,
      );
    }
    const rtt = clients.map((c) => c.registeredAt - c.startedAt);
    return [
      {
        name: 'REGISTER rate',
        value: CLIENTS / seconds,
        unit: 'registrations/s',
        note: `${CLIENTS} WebSocket clients (raw ws, 401 + digest), ${IN_FLIGHT} in flight, ${creds.length} users × ${Math.ceil(CLIENTS / creds.length)} devices`,
      },
      {
        name: 'WebSocket open → REGISTER 200 OK p50',
        value: percentile(rtt, 50),
        unit: 'ms',
        note: 'includes the 401 round trip',
      },
      { name: 'WebSocket open → REGISTER 200 OK p95', value: percentile(rtt, 95), unit: 'ms' },
      {
        name: 'bindings held by the core',
        value: health.registrations,
        unit: 'bindings',
        note: `of ${CLIENTS}`,
      },
      {
        name: `core RSS with ${CLIENTS} clients (after GC)`,
        value: loaded.rss,
        unit: 'MiB',
        note: `${Math.round(idle.rss)} MiB with the ${creds.length} API sessions and no client, ${Math.round(base.rss)} MiB with ${BASE_CLIENTS}`,
      },
      {
        name: 'core RSS per registered client',
        value: ((loaded.rss - base.rss) * 1024) / (CLIENTS - BASE_CLIENTS),
        unit: 'KiB',
        note: `slope from ${BASE_CLIENTS} to ${CLIENTS} clients, after forced GCs`,
      },
      {
        name: 'core JS heap per registered client',
        value: ((loaded.heapUsed - base.heapUsed) * 1024) / (CLIENTS - BASE_CLIENTS),
        unit: 'KiB',
        note: `heapUsed after GC, same slope; ${Math.round(loaded.heapUsed)} MiB in all`,
      },
      {
        name: 'core open file descriptors',
        value: fds,
        unit: 'fds',
        note: `${idleFds} before the clients; soft limit ${coreLimit.soft} (clients' process ${own.soft})`,
      },
    ];
  } finally {
    for (const c of clients) c.close();
    for (const a of apis) a.close();
    await sleep(1000);
    await core.stop();
    process.off('exit', killCore);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
