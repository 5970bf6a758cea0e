/**
 * ACD distribution decision cost (issue 3): one queue with 1,000 waiting callers and 500
 * agents, all agents talking. Measured, one event at a time:
 * - an agent finishes a call → the engine offers the best waiting caller to it;
 * - a normal caller joins the back of the queue;
 * - a VIP caller joins near the front (every caller behind it moves: a positions event);
 * - an offer is answered (bookkeeping, for reference).
 * The cycle (finish, normal join, finish, VIP join) keeps 1,000 waiting and 500 talking.
 * Budget: ≤ 1 ms per decision at p99. Run: `npx tsx bench/acd-distribution.bench.ts`.
 */
import { Acd, type AcdAction } from '../src/server/acd';
import { percentile, printResults, type BenchResult } from './stats';

const AGENTS = 500;
const WAITING = 1000;
const WARM_UP_CYCLES = 500;
const CYCLES = 2500; // × 4 timed events

type Offer = Extract<AcdAction, { type: 'offer' }>;

function build() {
  let now = Date.UTC(2025, 0, 6, 9, 0, 0);
  let nextTimer = 1;
  const timers = new Map<number, () => void>();
  let lastOffer: Offer | null = null;
  let events = 0;
  const acd = new Acd({
    now: () => now,
    timers: {
      set: (fn) => {
        const id = nextTimer++;
        timers.set(id, fn);
        return id;
      },
      clear: (handle) => void timers.delete(handle as number),
    },
    onAction: (action) => {
      if (action.type === 'offer') lastOffer = action;
    },
    onEvent: () => {
      events++;
    },
  });
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
  acd.configureQueue({
    id: 'main',
    tenantId: 'bench',
    name: 'Main number',
    number: '+4722000000',
    strategy: 'longest-idle',
    ringTimeoutS: 20,
    wrapUpS: 0,
    maxWaitS: null,
    maxLength: null,
    overflowTarget: null,
    noAgentsTarget: null,
    serviceLevelS: 20,
    autoPauseAfterMisses: 3,
    members: agentIds,
  });
  acd.setVipList('bench', ['+4799*']);
  for (const id of agentIds) acd.agentLogin('main', id);

  let callSeq = 0;
  /** Which call each agent is on. */
  const talking = new Map<string, string>();
  const join = (vip: boolean) => {
    const n = ++callSeq;
    acd.enqueue({
      callId: `call-${n}`,
      tenantId: 'bench',
      queueId: 'main',
      callerNumber: vip
        ? `+4799${String(n).padStart(6, '0')}`
        : `+4740${String(n).padStart(6, '0')}`,
      callerName: null,
    });
  };
  const answerLastOffer = () => {
    const offer = lastOffer as Offer | null;
    if (!offer) throw new Error('expected an offer');
    const agentId = offer.agentIds[0] as string;
    if (acd.offerAnswered(offer.offerId, agentId) !== 'connected') throw new Error('lost');
    talking.set(agentId, offer.callId);
    lastOffer = null;
  };
  // Every agent on a call, then 1,000 waiting behind them.
  for (let i = 0; i < AGENTS; i++) {
    join(false);
    answerLastOffer();
  }
  for (let i = 0; i < WAITING; i++) {
    now += 50;
    join(false);
  }
  if (acd.stats('main').waiting !== WAITING) throw new Error('setup: wrong queue length');

  /** Agents in the order they started talking: the one on the longest call finishes first. */
  const finishOrder = [...agentIds];
  let finishIndex = 0;
  const finish = () => {
    const agentId = finishOrder[finishIndex++ % finishOrder.length] as string;
    const callId = talking.get(agentId) as string;
    talking.delete(agentId);
    acd.callEnded(agentId, callId);
  };

  return {
    acd,
    tick: (ms: number) => {
      now += ms;
    },
    finish,
    join,
    answerLastOffer,
    events: () => events,
  };
}

function timed(samples: number[], fn: () => void): void {
  const start = performance.now();
  fn();
  samples.push((performance.now() - start) * 1000);
}

export async function run(): Promise<BenchResult[]> {
  const b = build();
  const agentAvailable: number[] = [];
  const callerJoins: number[] = [];
  const vipJoins: number[] = [];
  const answers: number[] = [];
  const cycle = (measure: boolean) => {
    const sink: number[] = [];
    for (const vip of [false, true]) {
      b.tick(250);
      timed(measure ? agentAvailable : sink, b.finish);
      timed(measure ? answers : sink, b.answerLastOffer);
      b.tick(250);
      timed(measure ? (vip ? vipJoins : callerJoins) : sink, () => b.join(vip));
    }
  };
  for (let i = 0; i < WARM_UP_CYCLES; i++) cycle(false);
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < CYCLES; i++) cycle(true);

  const stats = b.acd.stats('main');
  if (stats.waiting !== WAITING || stats.agentsLoggedIn !== AGENTS) {
    throw new Error(`queue drifted: ${stats.waiting} waiting, ${stats.agentsLoggedIn} agents`);
  }
  const decisions = [...agentAvailable, ...callerJoins, ...vipJoins];
  const shape = `${WAITING} waiting × ${AGENTS} agents, longest-idle`;
  const row = (name: string, samples: number[], p: number, note?: string): BenchResult => ({
    name,
    value: percentile(samples, p),
    unit: 'µs',
    ...(note ? { note } : {}),
  });
  return [
    row('acd.decision.p50', decisions, 50, `${decisions.length} decisions, ${shape}`),
    row('acd.decision.p99', decisions, 99, 'budget 1,000 µs'),
    row('acd.agent-available.p50', agentAvailable, 50, 'call ends → offer to that agent'),
    row('acd.agent-available.p99', agentAvailable, 99),
    row('acd.caller-joins.p50', callerJoins, 50, 'normal caller, nobody free'),
    row('acd.caller-joins.p99', callerJoins, 99),
    row('acd.vip-joins.p50', vipJoins, 50, 'VIP near the front: positions event of 1,000 ids'),
    row('acd.vip-joins.p99', vipJoins, 99),
    row('acd.offer-answered.p50', answers, 50, 'bookkeeping, not a decision'),
    row('acd.offer-answered.p99', answers, 99),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
