/**
 * Statistics over a realistic history on embedded PGlite: 90 days × 2,000 calls a day
 * for the demo company (queue calls with their offers, overflows, transfers and queue
 * log events; outgoing and internal calls), then each report over the whole range and
 * over one day, median of 5 runs after one warm-up. Target: ≤ 300 ms per report.
 *
 * Run alone: `npx tsx bench/statistics.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/server/store/db';
import { openDatabase } from '../src/server/store/db';
import type { CallOutcome, NewCallRecord, QueueEvent } from '../src/server/store/records';
import { RecordsRepository } from '../src/server/store/records';
import { seedDemoCompany } from '../src/server/store/seed';
import { StatisticsRepository } from '../src/server/store/statistics';
import type { BenchResult } from './stats';
import { median, printResults } from './stats';

const DAYS = 90;
const CALLS_PER_DAY = 2_000;
const BATCH = 5_000;
const RUNS = 5;
const DAY_MS = 86_400_000;

/** Deterministic PRNG (mulberry32), so every run loads the same history. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Company {
  tenantId: string;
  queues: { id: string; members: string[]; weight: number }[];
  overflowQueue: string;
  users: string[];
}

async function loadCompany(db: Db): Promise<Company> {
  const { tenantId } = await seedDemoCompany(db);
  if (!tenantId) throw new Error('no demo tenant');
  const queues = await db.query<{ id: string; name: string; members: string[] }>(
    `SELECT q.id, q.name,
            coalesce((SELECT json_agg(m.user_id ORDER BY m.position)
                        FROM queue_members m WHERE m.queue_id = q.id), '[]'::json) AS members
       FROM queues q WHERE q.tenant_id = $1 ORDER BY q.name`,
    [tenantId],
  );
  const users = await db.query<{ id: string }>(
    'SELECT id FROM users WHERE tenant_id = $1 AND extension IS NOT NULL ORDER BY extension',
    [tenantId],
  );
  const weights: Record<string, number> = { Sentralbord: 0.5, Kundeservice: 0.3, Salg: 0.2 };
  return {
    tenantId,
    queues: queues.map((q) => ({ id: q.id, members: q.members, weight: weights[q.name] ?? 0 })),
    overflowQueue: queues.find((q) => q.name === 'Kundeservice')?.id ?? '',
    users: users.map((u) => u.id),
  };
}

/** Inserts call records in multi-row statements (the bulk path; the core inserts one by one). */
async function insertRecords(db: Db, rows: NewCallRecord[]): Promise<void> {
  await db.query(
    `INSERT INTO call_records (id, tenant_id, call_id, leg, direction, started_at, answered_at,
              ended_at, caller_number, callee_number, user_id, queue_id, wait_ms, talk_ms,
              outcome, transferred_to, transferred_by, overflow_queue_id)
     SELECT gen_random_uuid(), r."tenantId", r."callId", r.leg, r.direction, r."startedAt",
            r."answeredAt", r."endedAt", r."callerNumber", r."calleeNumber", r."userId",
            r."queueId", r."waitMs", r."talkMs", r.outcome, r."transferredTo",
            r."transferredBy", r."overflowQueueId"
       FROM json_to_recordset($1::json) AS r("tenantId" uuid, "callId" text, leg text,
            direction text, "startedAt" timestamptz, "answeredAt" timestamptz,
            "endedAt" timestamptz, "callerNumber" text, "calleeNumber" text, "userId" uuid,
            "queueId" uuid, "waitMs" int, "talkMs" int, outcome text, "transferredTo" text,
            "transferredBy" uuid, "overflowQueueId" uuid)`,
    [JSON.stringify(rows)],
  );
}

/** One day's calls, as call records and queue log events. */
function generateDay(
  company: Company,
  dayStart: number,
  day: number,
  random: () => number,
): { records: NewCallRecord[]; events: QueueEvent[] } {
  const { tenantId } = company;
  const records: NewCallRecord[] = [];
  const events: QueueEvent[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const exp = (mean: number) => Math.round(-Math.log(1 - random()) * mean);
  // Office hours 08–16 carry 90 % of the calls.
  const time = () =>
    dayStart + (random() < 0.9 ? 8 * 3_600_000 + random() * 8 * 3_600_000 : random() * DAY_MS);
  const caller = () =>
    `+47${random() < 0.5 ? '4' : '9'}${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
  const chooseQueue = () => {
    let r = random();
    for (const q of company.queues) {
      r -= q.weight;
      if (r <= 0) return q;
    }
    return company.queues[0] as Company['queues'][number];
  };

  const visit = (
    callId: string,
    number: string,
    start: number,
    queue: Company['queues'][number],
    mayOverflow: boolean,
  ) => {
    const roll = random();
    const outcome: CallOutcome =
      roll < 0.76
        ? 'answered'
        : roll < 0.85
          ? 'transferred'
          : roll < 0.93
            ? 'abandoned'
            : roll < 0.97 && mayOverflow
              ? 'overflow'
              : 'no_answer';
    const answered = outcome === 'answered' || outcome === 'transferred';
    const waitMs =
      outcome === 'overflow' ? 300_000 : Math.min(290_000, exp(answered ? 15_000 : 45_000));
    const talkMs = answered ? exp(180_000) : null;
    const agent = pick(queue.members);
    const answeredAt = answered ? new Date(start + waitMs) : null;
    const endedAt = new Date(start + waitMs + (talkMs ?? 0));
    events.push({
      tenantId,
      event: 'joined',
      at: new Date(start),
      callId,
      queueId: queue.id,
      callerNumber: number,
    });
    // 1–2 offers, the last one answered when the call was.
    const offers = random() < 0.5 ? 1 : 2;
    for (let i = 0; i < offers; i++) {
      const last = i === offers - 1;
      const userId = last && answered ? agent : pick(queue.members);
      const offerOutcome: CallOutcome =
        last && answered ? 'answered' : last && outcome === 'abandoned' ? 'cancelled' : 'no_answer';
      const at = new Date(start + Math.min(waitMs, (i + 1) * 2_000));
      records.push({
        tenantId,
        callId,
        leg: 'outbound',
        direction: 'incoming',
        startedAt: at,
        answeredAt: offerOutcome === 'answered' ? answeredAt : null,
        endedAt,
        callerNumber: number,
        userId,
        queueId: queue.id,
        outcome: offerOutcome,
      });
      events.push({ tenantId, event: 'offered', at, callId, queueId: queue.id, agentId: userId });
      if (offerOutcome === 'no_answer')
        events.push({
          tenantId,
          event: 'no_answer',
          at,
          callId,
          queueId: queue.id,
          agentId: userId,
        });
    }
    const transferredBy = outcome === 'transferred' ? agent : null;
    records.push({
      tenantId,
      callId,
      leg: 'inbound',
      direction: 'incoming',
      startedAt: new Date(start),
      answeredAt,
      endedAt,
      callerNumber: number,
      calleeNumber: '+4721000000',
      userId: answered ? agent : null,
      queueId: queue.id,
      waitMs,
      talkMs,
      outcome,
      transferredBy,
      transferredTo: transferredBy ? String(1001 + Math.floor(random() * 40)) : null,
      overflowQueueId: outcome === 'overflow' ? company.overflowQueue : null,
    });
    events.push({
      tenantId,
      event: answered
        ? 'answered'
        : outcome === 'overflow'
          ? 'overflow'
          : outcome === 'abandoned'
            ? 'abandoned'
            : 'timeout',
      at: answered ? (answeredAt ?? undefined) : endedAt,
      callId,
      queueId: queue.id,
      agentId: answered ? agent : null,
      waitMs,
    });
    if (transferredBy) {
      records.push({
        tenantId,
        callId,
        leg: 'outbound',
        direction: 'incoming',
        startedAt: endedAt,
        answeredAt: endedAt,
        callerNumber: number,
        userId: pick(company.users),
        transferredBy,
        outcome: 'answered',
      });
    }
    return { outcome, endedAt };
  };

  for (let n = 0; n < CALLS_PER_DAY; n++) {
    const callId = `d${day}-${n}`;
    const start = time();
    const kind = random();
    if (kind < 0.7) {
      const number = caller();
      const queue = chooseQueue();
      const first = visit(callId, number, start, queue, queue.id !== company.overflowQueue);
      if (first.outcome === 'overflow') {
        const next = company.queues.find((q) => q.id === company.overflowQueue) ?? queue;
        visit(callId, number, first.endedAt.getTime(), next, false);
      }
    } else {
      const outgoing = kind < 0.9;
      const userId = pick(company.users);
      const talkMs = exp(120_000);
      const startedAt = new Date(start);
      const answeredAt = new Date(start + 8_000);
      const endedAt = new Date(start + 8_000 + talkMs);
      const direction = outgoing ? 'outgoing' : 'internal';
      const callee = outgoing ? caller() : String(1001 + Math.floor(random() * 40));
      records.push({
        tenantId,
        callId,
        leg: 'inbound',
        direction,
        startedAt,
        answeredAt,
        endedAt,
        callerNumber: '1001',
        calleeNumber: callee,
        userId,
        talkMs,
        outcome: 'answered',
      });
      records.push({
        tenantId,
        callId,
        leg: 'outbound',
        direction,
        startedAt,
        answeredAt,
        endedAt,
        callerNumber: '1001',
        calleeNumber: callee,
        userId: outgoing ? null : pick(company.users),
        talkMs,
        outcome: 'answered',
      });
    }
  }
  return { records, events };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function medianOf(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: plan caches, buffer pages
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await time(fn));
  return median(samples);
}

/** What {@link loadHistory} wrote. */
export interface History {
  company: Company;
  /** Start of the first day (UTC midnight). */
  firstDay: number;
  days: number;
  records: number;
  events: number;
  loadMs: number;
}

/**
 * Seeds the demo company into an empty database and loads `days` × 2,000 calls of
 * generated history in multi-row batches (deterministic: the same rows every time).
 */
export async function loadHistory(db: Db, days = DAYS): Promise<History> {
  const company = await loadCompany(db);
  const records = new RecordsRepository(db);
  const random = prng(20250310);
  const firstDay = Date.UTC(2025, 0, 1);
  const loadStart = performance.now();
  let recordCount = 0;
  let eventCount = 0;
  let pendingRecords: NewCallRecord[] = [];
  let pendingEvents: QueueEvent[] = [];
  for (let day = 0; day < days; day++) {
    const { records: r, events: e } = generateDay(company, firstDay + day * DAY_MS, day, random);
    pendingRecords.push(...r);
    pendingEvents.push(...e);
    if (pendingRecords.length >= BATCH || day === days - 1) {
      for (let i = 0; i < pendingRecords.length; i += BATCH) {
        await insertRecords(db, pendingRecords.slice(i, i + BATCH));
      }
      for (let i = 0; i < pendingEvents.length; i += BATCH) {
        await records.appendQueueEvents(pendingEvents.slice(i, i + BATCH));
      }
      recordCount += pendingRecords.length;
      eventCount += pendingEvents.length;
      pendingRecords = [];
      pendingEvents = [];
    }
  }
  return {
    company,
    firstDay,
    days,
    records: recordCount,
    events: eventCount,
    loadMs: performance.now() - loadStart,
  };
}

export async function run(): Promise<BenchResult[]> {
  const db = await openDatabase({ dataDir: 'memory://' });
  try {
    const history = await loadHistory(db);
    const { company, firstDay, records: recordCount, events: eventCount, loadMs } = history;
    const records = new RecordsRepository(db);

    // The core's write path on the full table: insert at start, complete at the end.
    const writeSamples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const id = await records.insertCallRecord({
        tenantId: company.tenantId,
        callId: `w${i}`,
        leg: 'inbound',
        direction: 'incoming',
        startedAt: new Date(firstDay + DAYS * DAY_MS + i * 1000),
        callerNumber: '+4791500000',
        queueId: company.queues[0]?.id ?? null,
      });
      await records.updateCallRecord(company.tenantId, id, {
        answeredAt: new Date(firstDay + DAYS * DAY_MS + i * 1000 + 5000),
        endedAt: new Date(firstDay + DAYS * DAY_MS + i * 1000 + 65_000),
        userId: company.users[0] ?? null,
        waitMs: 5000,
        talkMs: 60_000,
        outcome: 'answered',
      });
      writeSamples.push(performance.now() - t0);
    }

    const stats = new StatisticsRepository(db);
    const whole = { from: new Date(firstDay), to: new Date(firstDay + DAYS * DAY_MS) };
    const oneDay = { from: new Date(firstDay + 45 * DAY_MS), to: new Date(firstDay + 46 * DAY_MS) };
    // The first report after the load also refreshes PGlite's planner statistics (ANALYZE).
    const firstReportMs = await time(() => stats.queueStatistics(company.tenantId, whole));
    const note90 = `${DAYS} days, ${recordCount.toLocaleString('en')} call records, median of ${RUNS}`;
    const results: BenchResult[] = [
      {
        name: 'statistics: load history (multi-row inserts)',
        value: loadMs / 1000,
        unit: 's',
        note: `${recordCount.toLocaleString('en')} call records + ${eventCount.toLocaleString('en')} queue log events, ${Math.round((recordCount + eventCount) / (loadMs / 1000)).toLocaleString('en')} rows/s`,
      },
      {
        name: 'statistics: call record insert + update (core write path)',
        value: median(writeSamples),
        unit: 'ms',
        note: 'median of 200 on the loaded table',
      },
      {
        name: 'statistics: first report after the load',
        value: firstReportMs,
        unit: 'ms',
        note: 'per queue, 90 days, including the ANALYZE it triggers on PGlite',
      },
      {
        name: 'statistics: per queue, 90 days',
        value: await medianOf(() => stats.queueStatistics(company.tenantId, whole)),
        unit: 'ms',
        note: note90,
      },
      {
        name: 'statistics: per agent, 90 days',
        value: await medianOf(() => stats.agentStatistics(company.tenantId, whole)),
        unit: 'ms',
        note: note90,
      },
      {
        name: 'statistics: hourly volume per queue, 90 days',
        value: await medianOf(() => stats.hourlyVolume(company.tenantId, whole, 'Europe/Oslo')),
        unit: 'ms',
        note: note90,
      },
      {
        name: 'statistics: per queue, 1 day',
        value: await medianOf(() => stats.queueStatistics(company.tenantId, oneDay)),
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'statistics: per agent, 1 day',
        value: await medianOf(() => stats.agentStatistics(company.tenantId, oneDay)),
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
      {
        name: 'statistics: hourly volume per queue, 1 day',
        value: await medianOf(() => stats.hourlyVolume(company.tenantId, oneDay, 'Europe/Oslo')),
        unit: 'ms',
        note: `median of ${RUNS}`,
      },
    ];
    return results;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printResults(await run());
}
