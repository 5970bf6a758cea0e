/**
 * A real core for integration tests: in-process, port 0 on loopback, in-memory PGlite with the
 * demo company, no web app.
 */
import { loadConfig } from '../../../src/server/config';
import { createCore, type Core } from '../../../src/server/core/core';
import { createLogger } from '../../../src/server/logger';

export interface TestCore {
  core: Core;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startTestCore(env: Record<string, string> = {}): Promise<TestCore> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: 'memory://', ...env });
  const core = await createCore(config, {
    withoutWebApp: true,
    logger: createLogger((process.env.CORE_LOG_LEVEL as 'debug' | undefined) ?? 'silent'),
  });
  const url = await core.listen();
  return { core, url, wsUrl: url.replace(/^http/, 'ws'), close: () => core.close() };
}
