/**
 * Soak (issue 6): 200 calls at a time cycling through two queues for SOAK_MINUTES (default 10),
 * then drained; afterwards the core must hold no more memory or open handles than before.
 *
 * The core runs as its own process (bench/support/soak-core.ts): the demo company plus queues
 * "Soak A" and "Soak B" (longest-idle, wrap-up 1 s), the 20 members of the demo queues dealt to
 * the two. Each agent logs in through the API (`auth.login`, `agent.login` to its queue) and
 * registers a scripted phone (bench/support/sip-bots.ts AgentBot) that answers after 0.2–1 s and
 * hangs up after 1–3 s of talk. Callers from outside arrive whenever fewer than
 * BENCH_SOAK_CALLS (default 200) are in the system (waiting in a queue, ringing or talking),
 * alternating between the queue numbers; with 20 agents most of the 200 wait in a queue. Most
 * callers are raw-SIP bots with a plain SDP; one in BENCH_SOAK_WEBRTC_EVERY (default 100, at
 * most 3 at a time) is a JsSIP user agent with a real @roamhq/wrtc peer connection and a tone,
 * answered with a real WebRTC answer, its audio counted both ways.
 *
 * Failed calls: a caller not answered (a final error, a CANCEL after 4 minutes of waiting, a
 * socket error), answered twice, or not hung up by the core's BYE; an agent phone's error; a
 * WebRTC sample without audio both ways. Memory and handles: the core's RSS and heapUsed after a
 * forced GC (/healthz?gc=1) and its open file descriptors (/proc/<pid>/fd: sockets, files,
 * pipes) before the first call, at peak (sampled every 5 s, RSS without GC) and after the drain.
 */
import { fileURLToPath } from 'node:url';
import JsSIP from 'jssip';
import { installNodeGlobals } from '../e2e/node-peer';
import { benchLogin, type BenchApi } from './support/api';
import { killPid, openFds } from './support/limits';
import { cpuTimeMs, memoryAfterGc, rssNowMiB, sleep } from './support/proc';
import { AgentBot, rawCall, webrtcCall, type AgentCall, type CallerCall } from './support/sip-bots';
import { spawnCore } from './support/spawn-core';
import { printResults, type BenchResult } from './stats';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
if (!(MINUTES > 0 && MINUTES <= 50))
  throw new Error('SOAK_MINUTES must be 0–50 (registrations last an hour)');
const IN_SYSTEM = Number(process.env.BENCH_SOAK_CALLS ?? 200);
const WEBRTC_EVERY = Number(process.env.BENCH_SOAK_WEBRTC_EVERY ?? 100);
const WEBRTC_AT_ONCE = 3;
const ANSWER_DELAY_MS = [200, 1000] as const;
const TALK_MS = [1000, 3000] as const;
const CALLER_LIMITS = { answerMs: 240_000, talkMs: 30_000 };
const DRAIN_LIMIT_MS = 240_000;
const TICK_MS = 10;
const SAMPLE_MS = 5000;
/** Open descriptors the core may hold after the drain beyond its count before the soak. */
const FD_SLACK = 5;

const t0 = performance.now();
const progress = (what: string) => {
  if (process.env.BENCH_DEBUG)
    console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
};

interface SoakQueue {
  id: string;
  name: string;
  number: string;
  members: string[];
}

export async function run(): Promise<BenchResult[]> {
  installNodeGlobals();
  JsSIP.debug.disable();
  const core = await spawnCore(
    fileURLToPath(new URL('./support/soak-core.ts', import.meta.url)),
    {},
    ['--expose-gc'],
  );
  // Should this process die without reaching `finally`, the core must not outlive it.
  const killCore = () => killPid(core.pid);
  process.once('exit', killCore);
  const agents: AgentBot[] = [];
  const apis: BenchApi[] = [];
  try {
    const line = /BENCH_QUEUES (\[.*\])/.exec(core.log())?.[1];
    if (!line) throw new Error(`the core did not say its queues:\n${core.log()}`);
    const queues = JSON.parse(line) as SoakQueue[];

    const admin = await benchLogin(core.wsUrl, 'ingrid.bakke');
    apis.push(admin.api);
    const people = (await admin.api.ok('directory.list')).people as Array<{
      id: string;
      username: string;
    }>;
    for (const queue of queues) {
      for (const member of queue.members) {
        const username = people.find((p) => p.id === member)?.username;
        if (!username) throw new Error(`no user for member ${member}`);
        const login = await benchLogin(core.wsUrl, username);
        apis.push(login.api);
        agents.push(
          await AgentBot.start(core.wsUrl, username, login.sip, {
            answerDelayMs: ANSWER_DELAY_MS,
            talkMs: TALK_MS,
            // The registrar's longest (an hour): the bots do not refresh, and the soak with its
            // drain outlasts the default 600 s, after which every agent would be unreachable.
            expiresS: 3600,
          }),
        );
        await login.api.ok('agent.login', { queueId: queue.id });
      }
    }
    progress(`${agents.length} agents in ${queues.map((q) => q.name).join(', ')}`);
    await sleep(2000);
    const before = await memoryAfterGc(core.url);
    const fdsBefore = openFds(core.pid);

    const callers: CallerCall[] = [];
    const pending = new Set<Promise<void>>();
    let launched = 0;
    let inSystem = 0;
    let webrtcNow = 0;
    let peakRss = 0;
    let peakFds = 0;
    let peakInSystem = 0;
    /** heapUsed after a forced GC once a minute while calls flow: a leak grows it steadily. */
    const heapSeries: number[] = [];
    let heapBusy = false;
    const cpuBefore = await cpuTimeMs(core.pid);
    const started = performance.now();
    const soakMs = MINUTES * 60_000;
    const heapSampler = setInterval(() => {
      if (heapBusy) return;
      heapBusy = true;
      memoryAfterGc(core.url)
        .then((m) => void heapSeries.push(m.heapUsed))
        .catch(() => undefined)
        .finally(() => (heapBusy = false));
    }, 60_000);
    const sampler = setInterval(() => {
      peakInSystem = Math.max(peakInSystem, inSystem);
      try {
        peakFds = Math.max(peakFds, openFds(core.pid));
      } catch {
        // The core is gone; the run fails below.
      }
      void rssNowMiB(core.pid).then(
        (r) => (peakRss = Math.max(peakRss, r)),
        () => undefined,
      );
      progress(
        `${callers.length} calls done, ${inSystem} in the system, ${webrtcNow} WebRTC, ` +
          `${callers.filter((c) => c.outcome !== 'answered').length} failed`,
      );
    }, SAMPLE_MS);
    let arrivalsMs = 0;
    let drained = false;
    try {
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          if (performance.now() - started >= soakMs) {
            clearInterval(tick);
            resolve();
            return;
          }
          // Up to a few arrivals per tick so the system refills quickly after a burst of answers.
          for (let k = 0; k < 5 && inSystem < IN_SYSTEM; k++) {
            const index = launched++;
            const queue = queues[index % queues.length] as SoakQueue;
            const number = `+4798${String(index).padStart(6, '0')}`;
            const webrtc = index % WEBRTC_EVERY === WEBRTC_EVERY - 1 && webrtcNow < WEBRTC_AT_ONCE;
            inSystem++;
            if (webrtc) webrtcNow++;
            const p = (webrtc ? webrtcCall : rawCall)(
              core.wsUrl,
              number,
              queue.number,
              CALLER_LIMITS,
            )
              // rawCall opens its WebSocket before its own error handling: a socket that does
              // not open is a failed call, not a crash of the soak.
              .catch((err: unknown): CallerCall => ({
                number,
                kind: webrtc ? 'webrtc' : 'raw',
                invitedAt: 0,
                answerTags: [],
                okRepeats: 0,
                outcome: 'error',
                detail: String(err),
              }))
              .then((c) => void callers.push(c))
              .finally(() => {
                inSystem--;
                if (webrtc) webrtcNow--;
                pending.delete(p);
              });
            pending.add(p);
          }
        }, TICK_MS);
      });
      arrivalsMs = performance.now() - started;
      progress(`arrivals closed after ${launched} calls`);
      let drainTimer: NodeJS.Timeout | undefined;
      drained = await Promise.race([
        Promise.all([...pending]).then(() => true),
        new Promise<boolean>((r) => (drainTimer = setTimeout(() => r(false), DRAIN_LIMIT_MS))),
      ]);
      clearTimeout(drainTimer);
    } finally {
      clearInterval(sampler);
      clearInterval(heapSampler);
    }
    const cpuMs = (await cpuTimeMs(core.pid)) - cpuBefore;
    const wallMs = performance.now() - started;
    progress(drained ? 'drained' : `${inSystem} calls still open after the drain limit`);
    // Agents' last BYEs, wrap-up and the callers' sockets closing.
    await sleep(5000);
    const after = await memoryAfterGc(core.url);
    const fdsAfter = openFds(core.pid);
    const health = (await (await fetch(`${core.url}/healthz`)).json()) as { calls: number };

    // ── accounting ────────────────────────────────────────────────────────────────────
    const agentCalls: AgentCall[] = agents.flatMap((a) => [...a.calls.values()]);
    const byNumber = new Map<string, AgentCall[]>();
    for (const c of agentCalls) {
      if (c.confirmedAt === undefined) continue;
      byNumber.set(c.callerNumber, [...(byNumber.get(c.callerNumber) ?? []), c]);
    }
    const answered = callers.filter((c) => c.outcome === 'answered');
    const notAnswered = callers.filter((c) => c.outcome !== 'answered');
    const twice = callers.filter((c) => c.answerTags.length > 1);
    const notEndedByCore = answered.filter((c) => c.endedBy !== 'remote');
    const agentErrors = agentCalls.filter((c) => c.error);
    const samples = callers.filter((c) => c.kind === 'webrtc');
    const silent = samples.filter(
      (c) =>
        !(
          c.outcome === 'answered' &&
          (c.inboundPackets ?? 0) > 20 &&
          (byNumber.get(c.number)?.[0]?.inboundPackets ?? 0) > 20
        ),
    );
    const failed = new Set([
      ...notAnswered,
      ...twice,
      ...notEndedByCore,
      ...silent,
      ...callers.filter((c) => byNumber.get(c.number)?.some((a) => a.error)),
    ]);
    const problems: string[] = [];
    const show = <T>(what: string, list: readonly T[], fmt: (x: T) => string) => {
      if (list.length > 0)
        problems.push(`${list.length} ${what}: ${list.slice(0, 5).map(fmt).join('; ')}`);
    };
    show(
      'not answered',
      notAnswered,
      (c) => `${c.number} ${c.kind} ${c.outcome} ${c.detail ?? ''}`,
    );
    show('answered twice', twice, (c) => `${c.number} ${c.answerTags.join(',')}`);
    show('not ended by the core', notEndedByCore, (c) => `${c.number} ${c.detail ?? ''}`);
    show('agent errors', agentErrors, (c) => `${c.callerNumber} at ${c.agent}: ${c.error}`);
    show(
      'WebRTC samples without audio both ways (caller/agent packets)',
      silent,
      (c) =>
        `${c.number} ${c.inboundPackets ?? '-'}/${byNumber.get(c.number)?.[0]?.inboundPackets ?? '-'}`,
    );
    if (!drained) problems.push(`${inSystem} calls still open after ${DRAIN_LIMIT_MS} ms`);
    if (health.calls !== 0) problems.push(`${health.calls} calls left in the core's B2BUA`);
    for (const p of problems) console.error(`soak: ${p}`);

    const minutes = arrivalsMs / 60_000;
    const fdsGrew = fdsAfter - fdsBefore;
    return [
      {
        name: 'soak calls completed',
        value: callers.length,
        unit: 'calls',
        note:
          `${Math.round(minutes * 10) / 10} min of arrivals, up to ${IN_SYSTEM} in the system ` +
          `(peak ${peakInSystem}), 2 queues, ${agents.length} agents, ` +
          `${samples.length} with real WebRTC media`,
      },
      {
        name: 'soak failed calls',
        value: failed.size,
        unit: 'calls',
        note: failed.size === 0 ? 'none' : problems.join(' | ').slice(0, 400),
      },
      {
        name: 'soak answered calls per second',
        value: answered.length / (arrivalsMs / 1000),
        unit: 'calls/s',
        note: 'bounded by 20 agents, 0.2–1 s to answer, 1–3 s of talk, 1 s wrap-up',
      },
      {
        name: 'soak WebRTC samples with audio both ways',
        value: samples.length - silent.length,
        unit: `of ${samples.length}`,
      },
      {
        name: 'core RSS before / after (after GC)',
        value: after.rss,
        unit: 'MiB after',
        note: `${Math.round(before.rss)} MiB before; peak ${Math.round(peakRss)} MiB without GC`,
      },
      {
        name: 'core JS heap before / after (after GC)',
        value: after.heapUsed,
        unit: 'MiB after',
        note: `${Math.round(before.heapUsed * 10) / 10} MiB before (growth ${Math.round((after.heapUsed - before.heapUsed) * 10) / 10} MiB)`,
      },
      {
        name: 'core JS heap each minute under load (after GC)',
        value: heapSeries.length ? Math.max(...heapSeries) : after.heapUsed,
        unit: 'MiB max',
        note: heapSeries.length
          ? heapSeries.map((h) => Math.round(h * 10) / 10).join(', ')
          : 'soak shorter than a minute',
      },
      {
        name: 'core open file descriptors before / after',
        value: fdsAfter,
        unit: 'fds after',
        note: `${fdsBefore} before, peak ${peakFds}; ${fdsGrew <= FD_SLACK ? 'back to the start' : `${fdsGrew} more than before`}`,
      },
      {
        name: 'core CPU during the soak',
        value: (cpuMs / wallMs) * 100,
        unit: '% of one core',
        note: `${Math.round(cpuMs / Math.max(1, callers.length))} ms CPU per call`,
      },
    ];
  } finally {
    for (const a of agents) a.stop();
    for (const api of apis) api.close();
    await sleep(500);
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
