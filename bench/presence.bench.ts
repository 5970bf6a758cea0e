/**
 * Presence fan-out (issue 4: "pushed over the API within 200 ms of the change"): 300 JSON-API
 * clients follow one tenant (an operator's session, resumed on every connection); the operator
 * marks a colleague absent and back 100 times, one change at a time. Each change publishes
 * `presence.changed` with `since` = the core's clock at the change.
 *
 * Reported: latency from the change (`since`) to receipt at every client (p50 / p95 / p99 /
 * max, ms resolution), and the share of deliveries within 200 ms. The clients share the two
 * cores with the core, so this is an upper bound for the core.
 * Run: `npx tsx bench/presence.bench.ts` (npm run bench runs it in a loopback-only namespace).
 */
import { startCore } from '../e2e/core-process';
import { BenchApi, benchLogin, type EventFrame } from './support/api';
import { sleep } from './support/proc';
import { percentile, printResults, type BenchResult } from './stats';

const CLIENTS = Number(process.env.BENCH_PRESENCE_CLIENTS ?? 300);
const CHANGES = Number(process.env.BENCH_PRESENCE_CHANGES ?? 100);
const CONNECT_IN_FLIGHT = 50;
const TARGET = 'marianne.haugen';

export async function run(): Promise<BenchResult[]> {
  const core = await startCore({ LOG_LEVEL: 'warn' });
  const clients: BenchApi[] = [];
  try {
    const kari = await benchLogin(core.wsUrl, 'kari.nordmann');
    clients.push(kari.api);
    const directory = (await kari.api.ok('directory.list')) as {
      people: Array<{ id: string; username: string }>;
    };
    const target = directory.people.find((p) => p.username === TARGET)?.id;
    if (!target) throw new Error(`no ${TARGET}`);

    const latencies: number[] = [];
    let measuring = false;
    const received = new Map<BenchApi, number>();
    const onEvent = (api: BenchApi) => (frame: EventFrame, at: number) => {
      if (!measuring || frame.event !== 'presence.changed' || frame.data.userId !== target) return;
      latencies.push(at - Number(frame.data.since));
      received.set(api, (received.get(api) ?? 0) + 1);
    };
    kari.api.onEvent = onEvent(kari.api);
    let next = 1;
    await Promise.all(
      Array.from({ length: CONNECT_IN_FLIGHT }, async () => {
        while (next < CLIENTS) {
          next++;
          const api = await BenchApi.connect(core.wsUrl);
          api.onEvent = onEvent(api);
          clients.push(api);
          await api.ok('auth.resume', { token: kari.sessionToken });
        }
      }),
    );
    if (clients.length !== CLIENTS) throw new Error(`${clients.length} of ${CLIENTS} clients`);
    await sleep(1000);

    measuring = true;
    const started = Date.now();
    for (let i = 0; i < CHANGES; i++) {
      if (i % 2 === 0) await kari.api.ok('absence.set', { userId: target, reason: 'meeting' });
      else await kari.api.ok('absence.clear', { userId: target });
      const want = i + 1;
      const deadline = Date.now() + 10_000;
      while (clients.some((c) => (received.get(c) ?? 0) < want) && Date.now() < deadline) {
        await sleep(2);
      }
    }
    const elapsed = Date.now() - started;
    measuring = false;
    const expected = CLIENTS * CHANGES;
    const within = latencies.filter((l) => l <= 200).length;
    return [
      {
        name: 'presence change → every client, p50',
        value: percentile(latencies, 50),
        unit: 'ms',
        note: `${CLIENTS} API clients × ${CHANGES} changes (absence set / cleared by an operator), one at a time`,
      },
      { name: 'presence change → every client, p95', value: percentile(latencies, 95), unit: 'ms' },
      { name: 'presence change → every client, p99', value: percentile(latencies, 99), unit: 'ms' },
      {
        name: 'presence change → every client, max',
        value: percentile(latencies, 100),
        unit: 'ms',
      },
      {
        name: 'deliveries within 200 ms',
        value: (100 * within) / expected,
        unit: '%',
        note: `${latencies.length} of ${expected} deliveries arrived; ${elapsed} ms for all changes`,
      },
    ];
  } finally {
    for (const c of clients) c.close();
    await core.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printResults(await run());
}
