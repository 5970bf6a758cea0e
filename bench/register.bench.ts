/**
 * Registration load: 2,000 JsSIP user agents in Node register over WebSocket to one core
 * process. The 40 demo employees log in once each through the API (argon2id makes 2,000 logins a
 * password-hashing benchmark instead) and each runs 50 user agents, i.e. 50 devices per user,
 * every one with its own WebSocket, Contact and digest handshake. Reports registrations/s and
 * the core's RSS before and after.
 */
import JsSIP from 'jssip';
import { startCore } from '../e2e/core-process';
import { apiLogin, installNodeGlobals } from '../e2e/node-peer';
import { DEMO_USERS } from '../src/server/store/seed';
import { printResults, type BenchResult } from './stats';

/** The core's memory after a forced GC (it runs with --expose-gc here), in MiB. */
async function memory(url: string) {
  await new Promise((r) => setTimeout(r, 1000));
  const h = (await (await fetch(`${url}/healthz?gc=1`)).json()) as {
    registrations: number;
    memory: { rss: number; heapUsed: number };
  };
  return {
    registrations: h.registrations,
    rss: h.memory.rss / 1048576,
    heapUsed: h.memory.heapUsed / 1048576,
  };
}

const UAS = Number(process.env.BENCH_REGISTER_UAS ?? 2000);
const IN_FLIGHT = 200;
const TIME_LIMIT_MS = 120_000;

export async function run(): Promise<BenchResult[]> {
  installNodeGlobals();
  JsSIP.debug.disable();
  const core = await startCore({ LOG_LEVEL: 'warn' }, ['--expose-gc']);
  const uas: JsSIP.UA[] = [];
  const logins: Array<{ close(): void }> = [];
  try {
    const idle = await memory(core.url);
    const users = DEMO_USERS.filter((u) => u.extension !== null);
    const creds: Array<Awaited<ReturnType<typeof apiLogin>>['sip']> = [];
    for (const u of users) {
      const login = await apiLogin(core.wsUrl, u.username);
      logins.push(login);
      creds.push(login.sip);
    }

    const started = performance.now();
    let next = 0;
    let done = 0;
    let failed = 0;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`only ${done} of ${UAS} registered in time`)),
        TIME_LIMIT_MS,
      );
      const launch = () => {
        while (next < UAS && next - done - failed < IN_FLIGHT) {
          const sip = creds[next % creds.length];
          if (!sip) throw new Error('no credentials');
          next++;
          const ua = new JsSIP.UA({
            sockets: [new JsSIP.WebSocketInterface(sip.wsServer)],
            uri: sip.aor,
            authorization_user: sip.authorizationUsername,
            password: sip.password,
            register: true,
            register_expires: 600,
          });
          uas.push(ua);
          ua.once('registered', () => {
            done++;
            settle();
          });
          ua.once('registrationFailed', () => {
            failed++;
            settle();
          });
          ua.start();
        }
      };
      const settle = () => {
        if (done + failed === UAS) {
          clearTimeout(deadline);
          resolve();
        } else launch();
      };
      launch();
    });
    const seconds = (performance.now() - started) / 1000;
    const loaded = await memory(core.url);
    if (failed > 0) throw new Error(`${failed} registrations failed`);
    return [
      {
        name: 'registration rate',
        value: UAS / seconds,
        unit: 'registrations/s',
        note: `${UAS} JsSIP UAs over WebSocket, ${IN_FLIGHT} in flight`,
      },
      { name: 'registrations held by the core', value: loaded.registrations, unit: 'bindings' },
      {
        name: 'core RSS before (after GC)',
        value: idle.rss,
        unit: 'MiB',
        note: 'PGlite in memory is most of it',
      },
      { name: 'core RSS after (after GC)', value: loaded.rss, unit: 'MiB' },
      {
        name: 'core JS heap per registered UA',
        value: ((loaded.heapUsed - idle.heapUsed) * 1024) / UAS,
        unit: 'KiB',
        note: 'heapUsed after GC, before vs after',
      },
      {
        name: 'core RSS per registered UA',
        value: ((loaded.rss - idle.rss) * 1024) / UAS,
        unit: 'KiB',
      },
    ];
  } finally {
    for (const ua of uas) ua.stop();
    for (const l of logins) l.close();
    await new Promise((r) => setTimeout(r, 1000));
    await core.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
