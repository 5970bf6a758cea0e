/**
 * Entry point: reads the configuration, builds the core and listens. Everything else is built
 * in core/core.ts so tests can create cores without this file.
 */
import { loadConfig } from './config';
import { createCore } from './core/core';
import { createLogger } from './logger';
import { DEMO_PASSWORD } from './store/seed';

const config = loadConfig(process.env, process.argv.slice(2));
const logger = createLogger(config.logLevel);

try {
  const core = await createCore(config, { logger });
  const url = await core.listen();
  const db = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir}`;
  process.stdout.write(
    `\nSentral switchboard is running at ${url}\n` +
      `  database: ${db}\n` +
      `  SIP over WebSocket: ${url.replace(/^http/, 'ws')}/sip\n` +
      (config.seedDemo
        ? `  demo logins: kari.nordmann / ${DEMO_PASSWORD} (see README for all)\n`
        : '') +
      `Press Ctrl+C to stop.\n\n`,
  );
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('shutting down', { signal });
    core.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  logger.error('the core failed to start', { err });
  process.exit(1);
}
