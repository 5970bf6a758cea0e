/**
 * A core for the queued-calls benchmark, run as its own process (so its CPU and RSS are its
 * own): the demo company in memory plus one extra queue, "Bench", whose members are the 20
 * members of the three demo queues (Sentralbord 3, Salg 8, Kundeservice 9), longest-idle, no
 * automatic pause. Created through the store, then the switchboard reloads its configuration.
 * Prints `BENCH_QUEUE {json}` and `running at <url>` like main.ts; stops on SIGTERM.
 *
 * Environment: BENCH_QUEUE_NUMBER (default +4721000090), BENCH_QUEUE_WRAP_UP_S (default 1),
 * BENCH_QUEUE_RING_S (default 15), LOG_LEVEL.
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
  const queue = await repo.create(tenant.id, {
    name: 'Bench',
    number: process.env.BENCH_QUEUE_NUMBER ?? '+4721000090',
    strategy: 'longest-idle',
    ringTimeoutS: Number(process.env.BENCH_QUEUE_RING_S ?? 15),
    wrapUpS: Number(process.env.BENCH_QUEUE_WRAP_UP_S ?? 1),
    maxWaitS: null,
    autoPauseAfterMisses: null,
    members,
  });
  await core.switchboard.load();
  const url = await core.listen();
  process.stdout.write(
    `BENCH_QUEUE ${JSON.stringify({
      id: queue.id,
      number: queue.number,
      members: queue.members,
      wrapUpS: queue.wrapUpS,
      ringTimeoutS: queue.ringTimeoutS,
    })}\nrunning at ${url}\n`,
  );
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
  logger.error('the bench core failed to start', { err });
  process.exit(1);
}
