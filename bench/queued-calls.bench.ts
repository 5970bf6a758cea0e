/**
 * Queued calls (issue 3): ~100 outside callers at a time wait in one queue and are distributed
 * to 20 agent bots, for 60 s of arrivals (or BENCH_QUEUED_MAX_CALLS calls), then drained.
 *
 * The core runs as its own process (bench/support/queue-core.ts): the demo company plus a queue
 * "Bench" (longest-idle, wrap-up 1 s, no auto-pause) whose members are the 20 members of the
 * three demo queues. Each agent logs in through the API (`auth.login`, `agent.login`), registers
 * a scripted phone with its session's SIP credentials, answers every offer after 0.2–1.5 s and
 * hangs up after 2–5 s of talk. Callers arrive whenever fewer than 100 are in the system
 * (waiting, ringing or talking): most are scripted raw-SIP bots with a plain SDP; a sample of
 * five are JsSIP user agents with a real @roamhq/wrtc peer connection and a tone, answered by
 * the agent bot with a real WebRTC answer, whose audio is checked both ways.
 *
 * Counted exactly once per call, three ways: the caller's 200 OKs (distinct To tags), the agent
 * phones' answered-and-ACKed calls (by the caller's number, unique per call), and the tenant's
 * event stream (one `queue.caller_joined` and one `queue.caller_left` reason `answered` per
 * caller). Reported: call setup INVITE → 200 OK p50/p95 (includes the wait in the queue),
 * INVITE → 182 Queued, the B2BUA's relay of the agent's 200 OK to the caller, throughput, the
 * core's CPU per call and its RSS after GC before and after (and the peak without GC).
 * Run: `npx tsx bench/queued-calls.bench.ts` (npm run bench runs it in a loopback-only namespace).
 */
import { fileURLToPath } from 'node:url';
import JsSIP from 'jssip';
import { installNodeGlobals } from '../e2e/node-peer';
import { benchLogin, type BenchApi, type EventFrame } from './support/api';
import { cpuTimeMs, memoryAfterGc, rssNowMiB, sleep } from './support/proc';
import { AgentBot, rawCall, webrtcCall, type AgentCall, type CallerCall } from './support/sip-bots';
import { spawnCore } from './support/spawn-core';
import { percentile, printResults, type BenchResult } from './stats';

const IN_SYSTEM = Number(process.env.BENCH_QUEUED_IN_SYSTEM ?? 100);
const ARRIVALS_MS = Number(process.env.BENCH_QUEUED_ARRIVALS_S ?? 60) * 1000;
const MAX_CALLS = Number(process.env.BENCH_QUEUED_MAX_CALLS ?? 600);
const WEBRTC_SAMPLE = Number(process.env.BENCH_QUEUED_WEBRTC ?? 5);
const WRAP_UP_S = process.env.BENCH_QUEUED_WRAP_UP_S ?? '1';
const QUEUE_NUMBER = '+4721000090';
const ANSWER_DELAY_MS = [200, 1500] as const;
const TALK_MS = [2000, 5000] as const;
/** A caller gives up (CANCEL) after this long without an answer: counted as lost. */
const CALLER_LIMITS = { answerMs: 150_000, talkMs: 30_000 };
const DRAIN_LIMIT_MS = 180_000;
/** Arrival ticks: at most one new caller per tick. */
const TICK_MS = 20;

const t0 = performance.now();
/** Progress lines on stderr with BENCH_DEBUG=1. */
const progress = (what: string) => {
  if (process.env.BENCH_DEBUG)
    console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
};

interface BenchQueue {
  id: string;
  number: string;
  members: string[];
  wrapUpS: number;
  ringTimeoutS: number;
}

export async function run(): Promise<BenchResult[]> {
  installNodeGlobals();
  JsSIP.debug.disable();
  const core = await spawnCore(
    fileURLToPath(new URL('./support/queue-core.ts', import.meta.url)),
    { BENCH_QUEUE_NUMBER: QUEUE_NUMBER, BENCH_QUEUE_WRAP_UP_S: WRAP_UP_S },
    ['--expose-gc'],
  );
  const agents: AgentBot[] = [];
  const apis: BenchApi[] = [];
  progress('core started');
  try {
    const line = /BENCH_QUEUE (\{.*\})/.exec(core.log())?.[1];
    if (!line) throw new Error(`the core did not say its queue:\n${core.log()}`);
    const queue = JSON.parse(line) as BenchQueue;
    const idle = await memoryAfterGc(core.url);

    // An observer (the supervisor) follows the tenant's events and maps ids to usernames.
    const observer = await benchLogin(core.wsUrl, 'ingrid.bakke');
    apis.push(observer.api);
    const joined = new Map<string, string[]>(); // caller number → callIds joined
    const left = new Map<string, string[]>(); // callId → reasons left
    let lastSeq = 0;
    let seqGaps = 0;
    observer.api.onEvent = (frame: EventFrame) => {
      if (lastSeq !== 0 && frame.seq !== lastSeq + 1) seqGaps++;
      lastSeq = frame.seq;
      const d = frame.data;
      if (d.queueId !== queue.id) return;
      if (frame.event === 'queue.caller_joined') {
        const n = String(d.number);
        joined.set(n, [...(joined.get(n) ?? []), String(d.callId)]);
      } else if (frame.event === 'queue.caller_left') {
        const id = String(d.callId);
        left.set(id, [...(left.get(id) ?? []), String(d.reason)]);
      }
    };
    const people = (await observer.api.ok('directory.list')).people as Array<{
      id: string;
      username: string;
    }>;
    const usernames = queue.members.map((id) => people.find((p) => p.id === id)?.username);
    if (usernames.length !== 20 || usernames.some((u) => !u)) {
      throw new Error(`expected 20 queue members, got ${usernames.join(', ')}`);
    }

    // The agents: API login, agent.login to the queue, a registered phone.
    for (const username of usernames as string[]) {
      const login = await benchLogin(core.wsUrl, username);
      apis.push(login.api);
      agents.push(
        await AgentBot.start(core.wsUrl, username, login.sip, {
          answerDelayMs: ANSWER_DELAY_MS,
          talkMs: TALK_MS,
        }),
      );
      await login.api.ok('agent.login', { queueId: queue.id });
    }
    const ready = await memoryAfterGc(core.url);
    progress('agents logged in and registered');

    // Arrivals: keep IN_SYSTEM callers in the system for ARRIVALS_MS, or up to MAX_CALLS.
    const callers: CallerCall[] = [];
    const pending: Array<Promise<void>> = [];
    const webrtcEvery = Math.max(1, Math.floor(IN_SYSTEM / Math.max(1, WEBRTC_SAMPLE)));
    let launched = 0;
    let inSystem = 0;
    let webrtcLaunched = 0;
    let peakRss = 0;
    const occupancy: number[] = [];
    const cpuBefore = await cpuTimeMs(core.pid);
    const started = performance.now();
    const sampler = setInterval(() => {
      if (performance.now() - started < ARRIVALS_MS) occupancy.push(inSystem);
      void rssNowMiB(core.pid).then(
        (r) => (peakRss = Math.max(peakRss, r)),
        () => undefined,
      );
    }, 1000);
    try {
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const open = performance.now() - started < ARRIVALS_MS && launched < MAX_CALLS;
          if (!open) {
            clearInterval(tick);
            resolve();
            return;
          }
          if (inSystem >= IN_SYSTEM) return;
          const index = launched++;
          inSystem++;
          const number = `+4798${String(index).padStart(6, '0')}`;
          const webrtc = webrtcLaunched < WEBRTC_SAMPLE && index % webrtcEvery === 0;
          if (webrtc) webrtcLaunched++;
          pending.push(
            (webrtc ? webrtcCall : rawCall)(core.wsUrl, number, QUEUE_NUMBER, CALLER_LIMITS)
              .then((c) => void callers.push(c))
              .finally(() => inSystem--),
          );
        }, TICK_MS);
      });
      const arrivalsMs = performance.now() - started;
      progress(`arrivals closed after ${launched} calls`);
      let drainTimer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all(pending).then(() => true),
        new Promise<boolean>((r) => (drainTimer = setTimeout(() => r(false), DRAIN_LIMIT_MS))),
      ]);
      clearTimeout(drainTimer);
      const cpuAfter = await cpuTimeMs(core.pid);
      clearInterval(sampler);
      if (!drained)
        console.error(`queued calls: ${inSystem} calls still open after the drain limit`);
      progress('drained');
      await sleep(1500); // last BYEs and events
      const after = await memoryAfterGc(core.url);

      // ── accounting ────────────────────────────────────────────────────────────────
      const agentCalls: AgentCall[] = agents.flatMap((a) => [...a.calls.values()]);
      const answeredByAgents = new Map<string, AgentCall[]>();
      for (const c of agentCalls) {
        if (c.confirmedAt === undefined) continue;
        answeredByAgents.set(c.callerNumber, [...(answeredByAgents.get(c.callerNumber) ?? []), c]);
      }
      const answered = callers.filter((c) => c.outcome === 'answered');
      const lost = callers.filter((c) => c.outcome !== 'answered');
      const dupCaller = callers.filter((c) => c.answerTags.length > 1);
      const dupAgent = [...answeredByAgents].filter(([, cs]) => cs.length > 1);
      const notSeenByAgent = answered.filter((c) => !answeredByAgents.has(c.number));
      const callerNumbers = new Set(answered.map((c) => c.number));
      const orphanAgent = [...answeredByAgents.keys()].filter((n) => !callerNumbers.has(n));
      const unconfirmed = agentCalls.filter((c) => c.okSentAt !== undefined && !c.confirmedAt);
      const whileBusy = agentCalls.filter((c) => c.offeredWhileBusy);
      const wrongQueue = agentCalls.filter(
        (c) => decodeURIComponent(c.queueHeader ?? '') !== 'Bench',
      );
      const agentErrors = agentCalls.filter((c) => c.error);
      const cancelledOffers = agentCalls.filter((c) => c.state === 'cancelled');
      const notJoinedOnce = callers.filter((c) => (joined.get(c.number)?.length ?? 0) !== 1);
      const notLeftAnswered = answered.filter((c) => {
        const ids = joined.get(c.number) ?? [];
        return ids.flatMap((id) => left.get(id) ?? []).filter((r) => r === 'answered').length !== 1;
      });
      const endedByCaller = answered.filter((c) => c.endedBy !== 'remote');

      const problems: string[] = [];
      const show = <T>(what: string, list: readonly T[], fmt: (x: T) => string) => {
        if (list.length === 0) return;
        problems.push(`${list.length} ${what}: ${list.slice(0, 5).map(fmt).join('; ')}`);
      };
      show(
        'calls lost (not answered)',
        lost,
        (c: CallerCall) => `${c.number} ${c.kind} ${c.outcome} ${c.detail ?? ''}`,
      );
      show(
        'callers with several answers',
        dupCaller,
        (c: CallerCall) => `${c.number} tags ${c.answerTags.join(',')}`,
      );
      show(
        'calls answered by several agents',
        dupAgent,
        ([n, cs]: [string, AgentCall[]]) => `${n} by ${cs.map((c) => c.agent).join(',')}`,
      );
      show('answers the agents never saw', notSeenByAgent, (c: CallerCall) => c.number);
      show('agent answers no caller saw', orphanAgent, (n: string) => n);
      show(
        'agent 200 OKs never ACKed',
        unconfirmed,
        (c: AgentCall) => `${c.callerNumber} at ${c.agent}`,
      );
      show(
        'offers to an agent already on a call',
        whileBusy,
        (c: AgentCall) => `${c.callerNumber} to ${c.agent}`,
      );
      show(
        'offers without X-Sentral-Queue: Bench',
        wrongQueue,
        (c: AgentCall) => `${c.callerNumber}: ${c.queueHeader}`,
      );
      show('agent errors', agentErrors, (c: AgentCall) => `${c.callerNumber}: ${c.error}`);
      show(
        'callers not joined exactly once',
        notJoinedOnce,
        (c: CallerCall) => `${c.number} ×${joined.get(c.number)?.length ?? 0}`,
      );
      show(
        'answered callers without exactly one caller_left answered',
        notLeftAnswered,
        (c: CallerCall) => c.number,
      );
      show(
        'answered calls the core did not end (caller hung up)',
        endedByCaller,
        (c: CallerCall) => `${c.number} ${c.detail ?? ''}`,
      );
      if (seqGaps > 0) problems.push(`${seqGaps} seq gaps on the observer's event stream`);
      for (const p of problems) console.error(`queued calls: ${p}`);

      const setup = answered.map((c) => (c.answeredAt as number) - c.invitedAt);
      const queued = callers
        .filter((c) => c.queuedAt !== undefined)
        .map((c) => (c.queuedAt as number) - c.invitedAt);
      const relay = answered
        .map((c) => {
          const a = answeredByAgents.get(c.number)?.[0];
          return a?.okSentAt !== undefined ? (c.answeredAt as number) - a.okSentAt : undefined;
        })
        .filter((v): v is number => v !== undefined);
      const samples = callers.filter((c) => c.kind === 'webrtc');
      const withAudio = samples.filter((c) => {
        const a = answeredByAgents.get(c.number)?.[0];
        return (
          c.outcome === 'answered' && (c.inboundPackets ?? 0) > 20 && (a?.inboundPackets ?? 0) > 20
        );
      });
      if (withAudio.length < samples.length) {
        console.error(
          `queued calls: WebRTC sample audio (caller/agent packets): ${samples
            .map(
              (c) =>
                `${c.number} ${c.outcome} ${c.inboundPackets ?? '-'}/${answeredByAgents.get(c.number)?.[0]?.inboundPackets ?? '-'}`,
            )
            .join('; ')}`,
        );
      }
      const firstInvite = Math.min(...callers.map((c) => c.invitedAt));
      const lastAnswer = Math.max(...answered.map((c) => c.answeredAt as number));
      const meanInSystem = occupancy.length
        ? occupancy.reduce((a, b) => a + b, 0) / occupancy.length
        : 0;
      const duplicates = dupCaller.length + dupAgent.length + orphanAgent.length;
      return [
        {
          name: 'queued calls answered',
          value: answered.length,
          unit: 'calls',
          note:
            `of ${callers.length}; ${IN_SYSTEM} in the system (mean ${Math.round(meanInSystem)}) over ` +
            `${Math.round(arrivalsMs / 1000)} s of arrivals, 20 agents, wrap-up ${queue.wrapUpS} s; ` +
            `${callers.length - samples.length} raw-SIP bots with a plain SDP + ${samples.length} JsSIP/wrtc callers`,
        },
        { name: 'calls lost', value: lost.length, unit: 'calls' },
        {
          name: 'calls duplicated',
          value: duplicates,
          unit: 'calls',
          note: 'several 200 OKs to one caller, one caller answered by several agents, or an answer no caller saw',
        },
        {
          name: 'call setup INVITE → 200 OK p50',
          value: percentile(setup, 50),
          unit: 'ms',
          note: 'caller side; includes the wait in the queue and the agent’s 0.2–1.5 s answer delay',
        },
        { name: 'call setup INVITE → 200 OK p95', value: percentile(setup, 95), unit: 'ms' },
        { name: 'INVITE → 182 Queued p50', value: percentile(queued, 50), unit: 'ms' },
        { name: 'INVITE → 182 Queued p95', value: percentile(queued, 95), unit: 'ms' },
        {
          name: 'agent 200 OK → caller 200 OK p50',
          value: percentile(relay, 50),
          unit: 'ms',
          note: 'the core relaying the answer (same clock, both bots in this process)',
        },
        { name: 'agent 200 OK → caller 200 OK p95', value: percentile(relay, 95), unit: 'ms' },
        {
          name: 'answered calls per second',
          value: answered.length / ((lastAnswer - firstInvite) / 1000),
          unit: 'calls/s',
        },
        {
          name: 'WebRTC sample calls with audio both ways',
          value: withAudio.length,
          unit: `of ${samples.length}`,
          note: 'JsSIP + wrtc caller ↔ wrtc answer at the agent bot; > 20 RTP packets received each way',
        },
        {
          name: 'core CPU per call',
          value: (cpuAfter - cpuBefore) / callers.length,
          unit: 'ms',
          note: `utime+stime ${Math.round(cpuAfter - cpuBefore)} ms from the first arrival to the drain`,
        },
        {
          name: 'core RSS before (after GC)',
          value: ready.rss,
          unit: 'MiB',
          note: `20 agents logged in and registered, no call yet (${Math.round(idle.rss)} MiB just after start-up)`,
        },
        {
          name: 'core RSS after (after GC)',
          value: after.rss,
          unit: 'MiB',
          note: 'drained, agents still registered',
        },
        { name: 'core RSS peak during the load (no GC)', value: peakRss, unit: 'MiB' },
        {
          name: 'core JS heap growth (after GC)',
          value: after.heapUsed - ready.heapUsed,
          unit: 'MiB',
          note: `${Math.round(ready.heapUsed)} → ${Math.round(after.heapUsed)} MiB over ${callers.length} calls`,
        },
        {
          name: 'anomalies (see stderr)',
          value: problems.length,
          unit: 'kinds',
          note: `${cancelledOffers.length} offers cancelled by the core`,
        },
      ];
    } finally {
      clearInterval(sampler);
    }
  } finally {
    for (const a of agents) a.stop();
    for (const api of apis) api.close();
    await sleep(500);
    await core.stop();
    progress('core stopped');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
