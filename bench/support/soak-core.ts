/**
 * A core for the soak benchmark, run as its own process (its RSS and file descriptors are its
 * own): the demo company in memory plus two queues, "Soak A" (BENCH_SOAK_NUMBER_A, default
 * +4721000091) and "Soak B" (BENCH_SOAK_NUMBER_B, default +4721000092), longest-idle, wrap-up
 * BENCH_SOAK_WRAP_UP_S (default 1 s), no automatic pause, no size or wait limit. The 20 members
 * of the three demo queues are dealt alternately to the two. Like bench/support/queue-core.ts
 * (one queue there); prints `BENCH_QUEUES [json]` and `running at <url>`; stops on SIGTERM.
 */
import { loadConfig } from '../../src/server/config';
import { createCore } from '../../src/server/core/core';
import { createLogger } from '../../src/server/logger';
import { QueueRepository } from '../../src/server/store/queues';

const config = loadConfig({
  ...process.env,
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: 'memory://',
  SEED_DEMO: '1',
});
const logger = createLogger(config.logLevel);

try {
  const core = await createCore(config, { withoutWebApp: true, logger });
  const tenant = core.people.tenants()[0];
  if (!tenant) throw new Error('no demo tenant');
  const repo = new QueueRepository(core.db);
  const members = [...new Set((await repo.list(tenant.id)).flatMap((q) => q.members))];
  const numbers = [
    process.env.BENCH_SOAK_NUMBER_A ?? '+4721000091',
    process.env.BENCH_SOAK_NUMBER_B ?? '+4721000092',
  ];
  const queues = [];
  for (const [i, number] of numbers.entries()) {
    const queue = await repo.create(tenant.id, {
      name: `Soak ${'AB'[i]}`,
      number,
      strategy: 'longest-idle',
      ringTimeoutS: 15,
      wrapUpS: Number(process.env.BENCH_SOAK_WRAP_UP_S ?? 1),
      maxWaitS: null,
      maxLength: null,
      autoPauseAfterMisses: null,
      members: members.filter((_, j) => j % numbers.length === i),
    });
    queues.push({ id: queue.id, name: queue.name, number: queue.number, members: queue.members });
  }
  await core.switchboard.load();
  const url = await core.listen();
  process.stdout.write(`BENCH_QUEUES ${JSON.stringify(queues)}\nrunning at ${url}\n`);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    core.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (err) {
  logger.error('the soak core failed to start', { err });
  process.exit(1);
}
