/**
 * Calls per second (issue 6): sipp UAC → core (B2BUA) → sipp UAS over UDP on loopback, the rate
 * stepped up (BENCH_CPS_STEPS, default 25,50,100,200,300,500,700,1000,1500 calls/s,
 * BENCH_CPS_STEP_S seconds each, default 10) until the first step with a failed call; then, in
 * the same run, the same scenario through Kamailio as a plain stateful proxy
 * (bench/kamailio-proxy.cfg). Reported: the last clean rate of each, their ratio, and per step
 * sipp's own counts and the core's CPU.
 *
 * The scenario (test/sipp/uac-basic.xml, uas-answer.xml): INVITE, 407, ACK, INVITE with digest,
 * 100/180/200, ACK, 300 ms of call, BYE, 200 — so every call pays the digest challenge, at the
 * core (a user logged in through the API for SIP credentials, calling another user whose
 * registered contact is the sipp UAS) and at Kamailio (pv_proxy_authorize against a fixed
 * password). Failed calls are sipp's own FailedCall counters of both UAC and UAS, a non-zero
 * exit, or fewer successful calls than started; a message not received within 10 s fails a call.
 *
 * CPUs: the core (every Node thread) is pinned to CPU 0; sipp (UAC and UAS) and Kamailio share
 * CPU 1 (taskset). On a machine with one CPU nothing is pinned.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startCore, type RunningCore } from '../e2e/core-process';
import { DOMAIN } from '../test/server/support/scenarios';
import { freeUdpPort, haveSipp, killAllSipp, runSipp } from '../test/server/sipp/sipp-runner';
import { benchLogin, type BenchApi } from './support/api';
import { startKamailioProxy, haveKamailio, type KamailioProxy } from './support/kamailio-proxy';
import { killPid } from './support/limits';
import { cpuTimeMs, sleep } from './support/proc';
import {
  killAllSippLoads,
  pinToCpu,
  startSippLoad,
  type SippLoadResult,
} from './support/sipp-load';
import { parseRates, stepUp, type StepOutcome, type SteppedResult } from './support/stepping';
import { printResults, type BenchResult } from './stats';

const RATES = parseRates(process.env.BENCH_CPS_STEPS ?? '25,50,100,200,300,500,700,1000,1500');
const STEP_S = Number(process.env.BENCH_CPS_STEP_S ?? 10);
/** Wall-time budget per system: no step starts after it (the whole suite stays < 6 min). */
const BUDGET_MS = 140_000;
const RECV_TIMEOUT_MS = 10_000;
/** Calls before the first measured step, to warm the core up (each system gets the same). */
const WARM_UP_RATE = 50;
const WARM_UP_S = 2;
const SCENARIOS = fileURLToPath(new URL('../test/sipp/', import.meta.url));
const PINNED = cpus().length >= 2 && process.env.BENCH_CPS_PIN !== '0';
const CORE_CPU = PINNED ? 0 : undefined;
const LOAD_CPU = PINNED ? 1 : undefined;
const CALLER = 'lars.johansen';
const CALLEE = 'martin.andersen'; // extension 1011
const KAMAILIO_PASSWORD = 'bench-password';

const t0 = performance.now();
const progress = (what: string) => {
  if (process.env.BENCH_DEBUG)
    console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${what}`);
};

interface Target {
  name: string;
  remote: string;
  uasPort: number;
  auth: { username: string; password: string };
  /** The process whose CPU time is measured per step (core or Kamailio main). */
  cpuPid?: number;
  /** Resolves once the system holds no calls (the core's /healthz). */
  drained?: () => Promise<boolean>;
  /** The core's event-loop delay since the last call (p99 / max ms; /healthz?reset=1). */
  loopDelay?: () => Promise<{ p99: number; max: number }>;
}

interface StepDetail extends StepOutcome {
  retransmissions: number;
  uacElapsedS: number;
  /** CPU time of the measured process during the step, as a share of one CPU. */
  cpuShare?: number;
  /** The core's event-loop delay during the step, ms (a late loop delays every message). */
  loop?: { p99: number; max: number };
}

function describeFailures(side: string, r: SippLoadResult): string[] {
  const c = r.counters;
  const problems: string[] = [];
  if (!c) problems.push(`${side}: no statistics (exit ${r.code ?? r.signal}) ${r.log}`);
  else {
    const reasons = Object.entries(c.failures).map(([k, v]) => `${k} ${v}`);
    if (c.failed > 0) problems.push(`${side}: ${c.failed} failed (${reasons.join(', ')})`);
  }
  if (r.code !== 0) problems.push(`${side}: exit ${r.code ?? r.signal}`);
  return problems;
}

async function runStep(target: Target, rate: number, seconds = STEP_S): Promise<StepDetail> {
  const calls = Math.round(rate * seconds);
  const timeoutS = seconds + 40;
  const uas = await startSippLoad({
    scenario: `${SCENARIOS}uas-answer.xml`,
    port: target.uasPort,
    calls,
    limit: 10_000,
    timeoutS,
    recvTimeoutMs: RECV_TIMEOUT_MS,
    cpu: LOAD_CPU,
  });
  await sleep(300);
  const cpuBefore = target.cpuPid ? await cpuTimeMs(target.cpuPid) : 0;
  await target.loopDelay?.();
  const uacStarted = performance.now();
  const uac = await startSippLoad({
    scenario: `${SCENARIOS}uac-basic.xml`,
    port: await freeUdpPort(),
    remote: target.remote,
    rate,
    calls,
    limit: 10_000,
    service: '1011',
    keys: { user: CALLER, domain: DOMAIN },
    auth: target.auth,
    timeoutS,
    recvTimeoutMs: RECV_TIMEOUT_MS,
    cpu: LOAD_CPU,
  });
  const uacResult = await uac.done;
  const wallS = (performance.now() - uacStarted) / 1000;
  const cpuShare = target.cpuPid ? (await cpuTimeMs(target.cpuPid)) - cpuBefore : undefined;
  const loop = await target.loopDelay?.();
  let uasResult = await Promise.race([uas.done, sleep(5000).then(() => undefined)]);
  if (!uasResult) {
    uas.kill();
    uasResult = await uas.done;
  }
  const problems = [...describeFailures('UAC', uacResult), ...describeFailures('UAS', uasResult)];
  const uasOk = uasResult.counters?.successful ?? 0;
  if (uasResult.counters && uasOk !== calls)
    problems.push(`UAS: ${uasOk} of ${calls} calls completed`);
  if (target.drained && !(await target.drained())) problems.push('calls left in the core');
  const c = uacResult.counters;
  const outcome: StepDetail = {
    rate,
    attempted: c?.created ?? 0,
    successful: c?.successful ?? 0,
    failed: c?.failed ?? 0,
    problems,
    retransmissions: (c?.retransmissions ?? 0) + (uasResult.counters?.retransmissions ?? 0),
    uacElapsedS: c?.elapsedS ?? wallS,
    ...(cpuShare !== undefined ? { cpuShare: cpuShare / 1000 / wallS } : {}),
    ...(loop ? { loop } : {}),
  };
  if (outcome.attempted !== calls) problems.push(`UAC started ${outcome.attempted} of ${calls}`);
  progress(
    `${target.name} ${rate}/s: ${outcome.successful}/${calls} ok, ${outcome.failed} failed, ` +
      `${outcome.retransmissions} retrans, ${wallS.toFixed(1)} s` +
      (outcome.cpuShare !== undefined ? `, CPU ${(outcome.cpuShare * 100).toFixed(0)} %` : '') +
      (loop ? `, loop delay p99 ${loop.p99.toFixed(0)} / max ${loop.max.toFixed(0)} ms` : '') +
      (problems.length ? `; ${problems.join('; ')}` : ''),
  );
  if (problems.length && process.env.BENCH_DEBUG)
    console.error(`UAC log:\n${uacResult.log}\nUAS log:\n${uasResult.log}`);
  return outcome;
}

function stepLines(name: string, r: SteppedResult): BenchResult[] {
  return (r.steps as StepDetail[]).map((s) => ({
    name: `${name} step ${s.rate} calls/s`,
    value: s.successful,
    unit: `of ${s.attempted} calls ok`,
    note:
      `${s.failed} failed, ${s.retransmissions} retransmissions, sipp ${s.uacElapsedS.toFixed(1)} s` +
      (s.cpuShare !== undefined
        ? `, ${name} CPU ${Math.round(s.cpuShare * 100)} % of one core`
        : '') +
      (s.loop
        ? `, event-loop delay p99 ${s.loop.p99.toFixed(0)} ms / max ${s.loop.max.toFixed(0)} ms`
        : '') +
      (s.problems.length ? `; ${s.problems.join('; ')}` : ''),
  }));
}

function summary(name: string, r: SteppedResult): BenchResult {
  return {
    name: `${name}: last clean rate`,
    value: r.lastClean ?? 0,
    unit: 'calls/s',
    note: r.ceilingReached
      ? `every step clean up to the top step (${RATES[RATES.length - 1]}): a floor, not the limit`
      : r.firstFailed
        ? `first failed call at ${r.firstFailed.rate} calls/s`
        : 'time budget reached before the top step',
  };
}

export async function run(): Promise<BenchResult[]> {
  if (!haveSipp) throw new Error('sipp-cps needs /usr/bin/sipp (Debian sip-tester)');
  if (!haveKamailio) throw new Error('sipp-cps needs /usr/sbin/kamailio');
  const udpPort = await freeUdpPort();
  let core: RunningCore | undefined;
  let kamailio: KamailioProxy | undefined;
  const apis: BenchApi[] = [];
  try {
    // ── the core as a B2BUA ─────────────────────────────────────────────────────────
    core = await startCore(
      { LOG_LEVEL: 'warn', SIP_UDP_PORT: String(udpPort), SIP_TCP_PORT: 'off' },
      // BENCH_CORE_PROF=<dir>: a V8 CPU profile of the core for the whole run.
      process.env.BENCH_CORE_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CORE_PROF}`]
        : [],
    );
    const corePid = core.process.pid ?? 0;
    // Should this process die before `finally`, neither the core nor a sipp may outlive it.
    process.once('exit', () => {
      killPid(corePid);
      killAllSippLoads();
    });
    if (CORE_CPU !== undefined) await pinToCpu(corePid, CORE_CPU);
    const caller = await benchLogin(core.wsUrl, CALLER);
    const callee = await benchLogin(core.wsUrl, CALLEE);
    apis.push(caller.api, callee.api);
    const uasPort = await freeUdpPort();
    const reg = await runSipp({
      scenario: 'register.xml',
      port: uasPort,
      remote: `127.0.0.1:${udpPort}`,
      calls: 1,
      keys: { user: CALLEE, domain: DOMAIN },
      auth: { username: callee.sip.authorizationUsername, password: callee.sip.password },
      timeoutS: 10,
    });
    if (reg.code !== 0 || reg.successful !== 1)
      throw new Error(`UAS registration failed: ${reg.log}`);
    const coreUrl = core.url;
    const coreTarget: Target = {
      name: 'core',
      remote: `127.0.0.1:${udpPort}`,
      uasPort,
      auth: { username: caller.sip.authorizationUsername, password: caller.sip.password },
      cpuPid: corePid,
      drained: async () => {
        for (let i = 0; i < 40; i++) {
          const h = (await (await fetch(`${coreUrl}/healthz`)).json()) as { calls: number };
          if (h.calls === 0) return true;
          await sleep(250);
        }
        return false;
      },
      loopDelay: async () => {
        const h = (await (await fetch(`${coreUrl}/healthz?reset=1`)).json()) as {
          eventLoopDelayMs: { p99: number; max: number };
        };
        return h.eventLoopDelayMs;
      },
    };
    progress('core ready');
    // Warm-up, not counted: the first calls compile the call path (V8, tsx) and fill the memos.
    await runStep(coreTarget, WARM_UP_RATE, WARM_UP_S);
    const coreResult = await stepUp(RATES, (rate) => runStep(coreTarget, rate), BUDGET_MS);
    for (const api of apis.splice(0)) api.close();
    await core.stop();
    core = undefined;

    // ── Kamailio as a stateful proxy ────────────────────────────────────────────────
    const kamUasPort = await freeUdpPort();
    kamailio = await startKamailioProxy({
      uasPort: kamUasPort,
      realm: DOMAIN,
      password: KAMAILIO_PASSWORD,
      cpu: LOAD_CPU,
    });
    progress('kamailio ready');
    const kamResult = await stepUp(
      RATES,
      (rate) =>
        runStep(
          {
            name: 'kamailio',
            remote: `127.0.0.1:${kamailio?.port ?? 0}`,
            uasPort: kamUasPort,
            auth: { username: CALLER, password: KAMAILIO_PASSWORD },
          },
          rate,
        ),
      BUDGET_MS,
    );

    const ratio =
      coreResult.lastClean && kamResult.lastClean ? coreResult.lastClean / kamResult.lastClean : 0;
    const pinning = PINNED
      ? 'core on CPU 0; sipp UAC + UAS and Kamailio share CPU 1'
      : 'one CPU: nothing pinned';
    return [
      {
        ...summary('core (B2BUA)', coreResult),
        note: `${summary('core (B2BUA)', coreResult).note}; ${STEP_S} s per step, every call challenged (407 + digest); ${pinning}`,
      },
      summary('Kamailio (stateful proxy)', kamResult),
      {
        name: 'core / Kamailio last clean rate',
        value: ratio,
        unit: '×',
        note: 'same sipp scenario and steps; Kamailio shares its CPU with both sipps',
      },
      {
        name: 'core sustains ≥ 500 calls/s with zero failures',
        value: (coreResult.lastClean ?? 0) >= 500 ? 1 : 0,
        unit: '(1 = yes)',
      },
      ...stepLines('core', coreResult),
      ...stepLines('Kamailio', kamResult),
    ];
  } finally {
    killAllSippLoads();
    killAllSipp();
    for (const api of apis) api.close();
    await core?.stop();
    await kamailio?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
