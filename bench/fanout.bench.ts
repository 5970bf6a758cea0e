/**
 * Event fan-out (issue 3): 500 JSON-API WebSocket clients follow one tenant's event stream while
 * a burst of 1,000 events is published. Five Salg agents log in through the API (argon2id makes
 * 500 logins a password benchmark instead); the other 495 connections resume one of their
 * session tokens (`auth.resume`). The five agents log in to Salg, then each pipelines 200
 * commands alternating `agent.pause` / `agent.unpause`: one `agent.state` event each, 1,000 in
 * all, published as fast as the core runs the commands.
 *
 * Reported: delivery latency from publish to receipt (the event's `since`, the core's
 * Date.now() when the state changed, to Date.now() when the client's socket delivered the
 * frame; both clocks are this machine's, ms resolution), how long until the whole burst reached
 * every client, and the core's CPU time (utime + stime from /proc) per event. Every client must
 * see every seq of the burst exactly once and in order; any gap or loss is counted and reported.
 *
 * The clients share the 2 cores with the core (one Node process for all 500), so the latencies
 * include the clients' own queueing: they are an upper bound for the core.
 * Run: `npx tsx bench/fanout.bench.ts` (npm run bench runs it in a loopback-only namespace).
 */
import { startCore } from '../e2e/core-process';
import { BenchApi, benchLogin, type EventFrame } from './support/api';
import { cpuTimeMs, sleep } from './support/proc';
import { percentile, printResults, type BenchResult } from './stats';

const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 500);
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 1000);
const DRIVERS = ['ola.hansen', 'rene.lie', 'lars.johansen', 'silje.larsen', 'martin.andersen'];
const CONNECT_IN_FLIGHT = 50;
const DELIVERY_LIMIT_MS = 60_000;
/** The ACD publishes queue.stats at most every 5 s; wait that out before and after. */
const QUIET_MS = 6000;

/** One client's view of the stream during the burst. */
interface Follower {
  api: BenchApi;
  /** Last seq seen (0 before any). */
  last: number;
  /** Frames whose seq did not follow the previous one. */
  gaps: number;
  /** Seqs seen more than once or going backwards. */
  repeats: number;
  /** Seqs received in the measured window (seq > base). */
  seqs: number[];
  /** agent.state events of the burst. */
  states: number;
  /** Latest receipt of a burst event (ms epoch). */
  lastAt: number;
}

export async function run(): Promise<BenchResult[]> {
  if (EVENTS % (2 * DRIVERS.length) !== 0) {
    throw new Error(`events must be a multiple of ${2 * DRIVERS.length}`);
  }
  const core = await startCore({ LOG_LEVEL: 'warn' });
  const pid = core.process.pid;
  if (pid === undefined) throw new Error('core has no pid');
  const followers: Follower[] = [];
  try {
    const drivers: Array<Awaited<ReturnType<typeof benchLogin>>> = [];
    for (const username of DRIVERS) drivers.push(await benchLogin(core.wsUrl, username));
    const first = drivers[0];
    if (!first) throw new Error('no driver');

    // Latency samples of agent.state events of the burst, in ms.
    const latencies: number[] = [];
    let base = Number.POSITIVE_INFINITY; // seqs above this are the measured window
    const onEvent = (f: Follower) => (frame: EventFrame, at: number) => {
      if (f.last !== 0 && frame.seq !== f.last + 1) {
        if (frame.seq <= f.last) f.repeats++;
        else f.gaps++;
      }
      if (frame.seq > f.last) f.last = frame.seq;
      if (frame.seq <= base) return;
      f.seqs.push(frame.seq);
      if (frame.event === 'agent.state') {
        f.states++;
        f.lastAt = at;
        latencies.push(at - Number(frame.data.since));
      }
    };
    const follow = (api: BenchApi): Follower => {
      const f: Follower = {
        api,
        last: 0,
        gaps: 0,
        repeats: 0,
        seqs: [],
        states: 0,
        lastAt: 0,
      };
      api.onEvent = onEvent(f);
      followers.push(f);
      return f;
    };
    for (const d of drivers) follow(d.api);

    // The other connections resume the drivers' sessions, CONNECT_IN_FLIGHT at a time.
    let next = drivers.length;
    const openOne = async (i: number) => {
      const api = await BenchApi.connect(core.wsUrl);
      follow(api); // before resume: events may follow the reply at once
      const token = drivers[i % drivers.length]?.sessionToken;
      await api.ok('auth.resume', { token });
    };
    await Promise.all(
      Array.from({ length: CONNECT_IN_FLIGHT }, async () => {
        while (next < CLIENTS) await openOne(next++);
      }),
    );
    if (followers.length !== CLIENTS) throw new Error(`${followers.length} of ${CLIENTS} clients`);

    const snapshot = await first.api.ok('switchboard.snapshot');
    const salg = (snapshot.queues as Array<{ id: string; name: string }>).find(
      (q) => q.name === 'Salg',
    );
    if (!salg) throw new Error('no Salg queue');
    for (const d of drivers) await d.api.ok('agent.login', { queueId: salg.id });
    await sleep(QUIET_MS); // login events and their queue.stats are out; the stream is quiet

    base = Number((await first.api.ok('switchboard.snapshot')).seq);
    const behind = followers.filter((f) => f.last !== base).length;
    if (behind > 0) throw new Error(`${behind} clients are not at seq ${base} before the burst`);
    for (const f of followers) f.gaps = f.repeats = 0;

    // The burst: every driver pipelines its pause/unpause pairs at once.
    const perDriver = EVENTS / drivers.length;
    const cpuBefore = await cpuTimeMs(pid);
    const sentAt = Date.now();
    const replies = drivers.flatMap((d) =>
      Array.from({ length: perDriver }, (_, i) =>
        i % 2 === 0
          ? d.api.command('agent.pause', { queueId: salg.id, reason: 'admin' }, DELIVERY_LIMIT_MS)
          : d.api.command('agent.unpause', { queueId: salg.id }, DELIVERY_LIMIT_MS),
      ),
    );
    const failed = (await Promise.all(replies)).filter((r) => !r.ok);
    if (failed.length > 0)
      throw new Error(`${failed.length} commands failed: ${JSON.stringify(failed[0])}`);
    const deadline = Date.now() + DELIVERY_LIMIT_MS;
    while (followers.some((f) => f.states < EVENTS) && Date.now() < deadline) await sleep(20);
    const cpuAfter = await cpuTimeMs(pid);
    const doneAt = Math.max(...followers.map((f) => f.lastAt));

    await sleep(200);
    const end = Number((await first.api.ok('switchboard.snapshot')).seq);
    const published = end - base;
    const statsEvents = published - EVENTS;
    // Count what each client got of (base, end]; later queue.stats frames are not measured.
    let lost = 0;
    let gaps = 0;
    let repeats = 0;
    let short = 0;
    for (const f of followers) {
      const got = new Set(f.seqs.filter((s) => s <= end)).size;
      if (got < published || f.states < EVENTS) short++;
      lost += published - got;
      gaps += f.gaps;
      repeats += f.repeats;
    }
    if (lost > 0 || gaps > 0 || repeats > 0) {
      const worst = followers.find((f) => f.states < EVENTS || f.gaps || f.repeats);
      console.error(
        `fan-out: ${short} clients short, ${lost} events lost, ${gaps} gaps, ${repeats} repeats; ` +
          `e.g. a client at seq ${worst?.last} (window ${base + 1}..${end}) with ${worst?.states} agent.state events`,
      );
    }
    const frames = published * CLIENTS;
    const cpuMs = cpuAfter - cpuBefore;
    return [
      {
        name: 'event fan-out latency p50',
        value: percentile(latencies, 50),
        unit: 'ms',
        note: `${CLIENTS} API clients × ${EVENTS} agent.state events; publish (\`since\`) → received, ms resolution`,
      },
      { name: 'event fan-out latency p95', value: percentile(latencies, 95), unit: 'ms' },
      { name: 'event fan-out latency p99', value: percentile(latencies, 99), unit: 'ms' },
      { name: 'event fan-out latency max', value: percentile(latencies, 100), unit: 'ms' },
      {
        name: 'burst delivered to every client',
        value: doneAt - sentAt,
        unit: 'ms',
        note: `first command sent → last client has all ${EVENTS} events`,
      },
      {
        name: 'frames delivered per second',
        value: frames / ((doneAt - sentAt) / 1000),
        unit: 'frames/s',
        note: `${frames} event frames (${published} events incl. ${statsEvents} queue.stats)`,
      },
      {
        name: 'core CPU per event',
        value: cpuMs / EVENTS,
        unit: 'ms',
        note: `utime+stime ${Math.round(cpuMs)} ms over the burst ÷ ${EVENTS}; includes running the command and replying`,
      },
      {
        name: 'core CPU per delivered frame',
        value: (cpuMs * 1000) / (EVENTS * CLIENTS),
        unit: 'µs',
      },
      {
        name: 'events lost (all clients)',
        value: lost,
        unit: 'events',
        note: `${gaps} seq gaps, ${repeats} repeats, ${short} clients short; seqs ${base + 1}..${end}`,
      },
    ];
  } finally {
    for (const f of followers) f.api.close();
    await sleep(500);
    await core.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
