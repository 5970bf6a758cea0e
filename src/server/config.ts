/**
 * Configuration of the core, read once from the environment. Documented in the README.
 */
import { resolve } from 'node:path';

export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface CoreConfig {
  /** Address the HTTP/WebSocket listener binds to. Loopback by default. */
  host: string;
  /** TCP port for HTTP, `/api` and `/sip`. 0 picks a free port (tests). */
  port: number;
  /** PGlite data directory (embedded profile). `memory://` keeps everything in memory. */
  dataDir: string;
  /** PostgreSQL connection string; when set, PGlite is not used. */
  databaseUrl: string | undefined;
  /** ICE servers handed to browsers. Empty on loopback; a STUN/TURN list in production. */
  iceServers: IceServerConfig[];
  /**
   * Public SIP-over-WebSocket URL handed to browsers. Defaults to the core's own `/sip`
   * on the same host and port the page was loaded from.
   */
  publicSipUrl: string | undefined;
  /** Serve the Vite dev server (HMR) instead of the built `dist/`. */
  dev: boolean;
  /**
   * Other page origins allowed to open `/api` and `/sip` WebSockets (ALLOWED_ORIGINS, comma
   * separated, e.g. `https://switchboard.example.com`); the core's own origin always is.
   */
  allowedOrigins: string[];
  /** HTTP SMS gateway (POST `{ to, from, text }`); unset: messages are only logged. */
  smsGatewayUrl: string | undefined;
  /** Create the demo company on an empty database. */
  seedDemo: boolean;
  /** Seconds a blind transfer rings before it comes back to the transferrer (recall). */
  recallAfterS: number;
  /** Seconds a call may stay parked before it rings its parker again. */
  parkRecallS: number;
  /**
   * Number lookup service (nummeroppslag): URL template with `{number}` (E.164, URL-encoded),
   * answering JSON; fields by `LOOKUP_FIELDS` (JSON `{"name":"…","company":"…","address":"…"}`
   * paths, default the same names at the root). Unset: only the company directory is asked.
   */
  lookupUrlTemplate: string | undefined;
  lookupFields: { name?: string; company?: string; address?: string };
  /** Seconds between calendar sync passes; 0 turns calendar sync off. */
  calendarSyncS: number;
  /** Log level for the core's logger. */
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer 0–65535, got "${value}"`);
  }
  return port;
}

function parseIceServers(value: string | undefined): IceServerConfig[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) throw new Error('not an array');
    return parsed as IceServerConfig[];
  } catch (err) {
    throw new Error(`ICE_SERVERS must be a JSON array of RTCIceServer objects: ${String(err)}`, {
      cause: err,
    });
  }
}

function parseLookupFields(value: string | undefined): CoreConfig['lookupFields'] {
  if (!value) return { name: 'name', company: 'company', address: 'address' };
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as CoreConfig['lookupFields'];
  } catch (err) {
    throw new Error(`LOOKUP_FIELDS must be a JSON object of field paths: ${String(err)}`, {
      cause: err,
    });
  }
}

function parsePositive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} must be a positive number of seconds`);
  return n;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = [],
): CoreConfig {
  const logLevel = (env.LOG_LEVEL ?? 'info') as CoreConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: parsePort(env.PORT, 8080),
    dataDir: env.DATA_DIR === 'memory://' ? 'memory://' : resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    iceServers: parseIceServers(env.ICE_SERVERS),
    publicSipUrl: env.PUBLIC_SIP_URL || undefined,
    dev: argv.includes('--dev') || env.SENTRAL_DEV === '1',
    smsGatewayUrl: env.SMS_GATEWAY_URL || undefined,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    seedDemo: env.SEED_DEMO !== '0',
    recallAfterS: parsePositive(env.RECALL_AFTER_S, 20, 'RECALL_AFTER_S'),
    parkRecallS: parsePositive(env.PARK_RECALL_S, 120, 'PARK_RECALL_S'),
    lookupUrlTemplate: env.LOOKUP_URL_TEMPLATE || undefined,
    calendarSyncS:
      env.CALENDAR_SYNC_S === '0' ? 0 : parsePositive(env.CALENDAR_SYNC_S, 300, 'CALENDAR_SYNC_S'),
    lookupFields: parseLookupFields(env.LOOKUP_FIELDS),
    logLevel,
  };
}
