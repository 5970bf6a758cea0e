/**
 * Presence fan-out (issue 4: "pushed over the API within 200 ms of the change"): 300 JSON-API
 * clients follow one tenant (an operator's session, resumed on every connection); the operator
 * marks a colleague absent and back 100 times, one change at a time. Each change publishes
 * `presence.changed` with `since` = the core's clock at the change.
 *
 * Reported: latency from the change (`since`) to receipt at every client (p50 / p95 / p99 /
 * max, ms resolution), and the share of deliveries within 200 ms. The clients share the two
 * cores with the core, so this is an upper bound for the core.
 *
 * Phase 2 (issue 4: "1,000 presence changes/s to 500 subscribed clients; median delivery
 * latency"): the operator's connection offers RATE absence changes a second for 2 s, spread
 * over 20 colleagues, without waiting for answers; reported are the rate the core actually
 * applied (changes delivered to a client per second) and the median / p95 delivery latency.
 * Run: `npx tsx bench/presence.bench.ts` (npm run bench runs it in a loopback-only namespace).
 */
import { startCore } from '../e2e/core-process';
import { BenchApi, benchLogin, type EventFrame } from './support/api';
import { sleep } from './support/proc';
import { percentile, printResults, type BenchResult } from './stats';

const CLIENTS = Number(process.env.BENCH_PRESENCE_CLIENTS ?? 500);
const CHANGES = Number(process.env.BENCH_PRESENCE_CHANGES ?? 100);
/** Phase 2 (issue 4's figure): changes offered per second, for RATE_SECONDS. */
const RATE = Number(process.env.BENCH_PRESENCE_RATE ?? 1000);
const RATE_SECONDS = 2;
/** Colleagues whose absence flips in phase 2 (one person cannot change 1,000 times a second). */
const RATE_TARGETS = 20;
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

    // Phase 2: a sustained offered rate.
    const others = directory.people
      .filter((p) => p.username !== TARGET && p.username !== 'kari.nordmann')
      .slice(0, RATE_TARGETS)
      .map((p) => p.id);
    const burst: number[] = [];
    const firstClient = clients[1] ?? kari.api;
    let firstClientCount = 0;
    let firstAt = 0;
    let lastAt = 0;
    let counting = true;
    const onBurst = (api: BenchApi) => (frame: EventFrame, at: number) => {
      if (!counting || frame.event !== 'presence.changed') return;
      if (!others.includes(String(frame.data.userId))) return;
      burst.push(at - Number(frame.data.since));
      if (api === firstClient) {
        firstClientCount++;
        if (!firstAt) firstAt = at;
        lastAt = at;
      }
    };
    for (const c of clients) c.onEvent = onBurst(c);
    const total = RATE * RATE_SECONDS;
    const absent = new Set<string>();
    const pending: Promise<unknown>[] = [];
    const rateStarted = Date.now();
    for (let i = 0; i < total; i++) {
      // Pace the offers: i changes are due i/RATE seconds after the start.
      const due = rateStarted + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const userId = others[i % others.length] ?? target;
      const command = absent.has(userId)
        ? kari.api.ok('absence.clear', { userId })
        : kari.api.ok('absence.set', { userId, reason: 'meeting' });
      if (absent.has(userId)) absent.delete(userId);
      else absent.add(userId);
      pending.push(command.catch(() => undefined));
    }
    await Promise.all(pending);
    const deadline = Date.now() + 30_000;
    while (firstClientCount < total && Date.now() < deadline) await sleep(50);
    await sleep(500);
    const applied =
      firstAt && lastAt > firstAt ? (firstClientCount * 1000) / (lastAt - firstAt) : 0;
    counting = false;
    for (const c of others)
      await kari.api.ok('absence.clear', { userId: c }).catch(() => undefined);
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
      {
        name: `offered ${RATE} changes/s to ${CLIENTS} clients: applied rate`,
        value: Math.round(applied),
        unit: 'changes/s',
        note: `${firstClientCount} of ${total} changes reached a client; ${burst.length} of ${total * CLIENTS} deliveries`,
      },
      { name: 'at that rate: delivery latency p50', value: percentile(burst, 50), unit: 'ms' },
      { name: 'at that rate: delivery latency p95', value: percentile(burst, 95), unit: 'ms' },
    ];
  } finally {
    for (const c of clients) c.close();
    await core.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printResults(await run());
}
