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
  /**
   * The production edge (Kamailio, deploy/kamailio): EDGE_SECRET (auth_ephemeral secret),
   * EDGE_WS_URL (handed to browsers instead of the core's `/sip`) and EDGE_SIP (Kamailio's
   * core-facing listener, `udp:127.0.0.1:5070`). Unset: the embedded profile.
   */
  edge: { secret: string; wsUrl: string; sip: string } | undefined;
  /** rtpengine's ng control address (RTPENGINE_NG, `127.0.0.1:2223`): queue prompts and music. */
  rtpengineNg: string | undefined;
  /** Directory with the generated prompts and hold music (PROMPTS_DIR; scripts/make-prompts.mjs). */
  promptsDir: string;
  /** Address the SIP UDP and TCP listeners bind to (SIP_LISTEN_ADDRESS). Loopback by default. */
  sipListenAddress: string;
  /**
   * SIP over UDP port (SIP_UDP_PORT): 5060 by default, 0 picks a free one (the default when
   * PORT is 0, i.e. tests), `off` disables UDP.
   */
  sipUdpPort: number | undefined;
  /** SIP over TCP port (SIP_TCP_PORT), same rules as {@link sipUdpPort}. */
  sipTcpPort: number | undefined;
  /** Largest SIP message on any transport, bytes (SIP_MAX_MESSAGE_SIZE, default 65536). */
  sipMaxMessageSize: number;
  /** SIP requests per second per source address (SIP_RATE_LIMIT, default 200; 0 = off). */
  sipRateLimit: number;
  /** Source addresses the SIP rate limit leaves alone (SIP_RATE_LIMIT_EXEMPT, comma separated). */
  sipRateLimitExempt: string[];
  /**
   * Seconds a connected call waits for a browser whose SIP WebSocket dropped to come back
   * (CALL_RECONNECT_GRACE_S, default 30; 0 ends such calls at once). ADR 0010.
   */
  callReconnectGraceS: number;
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

function parseEdge(env: NodeJS.ProcessEnv): CoreConfig['edge'] {
  const { EDGE_SECRET: secret, EDGE_WS_URL: wsUrl, EDGE_SIP: sip } = env;
  if (!secret && !wsUrl && !sip) return undefined;
  if (!secret || !wsUrl || !sip) {
    throw new Error('EDGE_SECRET, EDGE_WS_URL and EDGE_SIP go together (the Kamailio edge)');
  }
  return { secret, wsUrl, sip };
}

function parseSipPort(
  value: string | undefined,
  fallback: number,
  name: string,
): number | undefined {
  if (value === 'off') return undefined;
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be an integer 0–65535 or "off", got "${value}"`);
  }
  return port;
}

function parseCount(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0`);
  return n;
}

function parseSeconds(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of seconds ≥ 0`);
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
    edge: parseEdge(env),
    rtpengineNg: env.RTPENGINE_NG || undefined,
    promptsDir: resolve(env.PROMPTS_DIR || './build/prompts'),
    sipListenAddress: env.SIP_LISTEN_ADDRESS || '127.0.0.1',
    // An ephemeral core (PORT=0: tests, benchmarks) takes ephemeral SIP ports too.
    sipUdpPort: parseSipPort(env.SIP_UDP_PORT, env.PORT === '0' ? 0 : 5060, 'SIP_UDP_PORT'),
    sipTcpPort: parseSipPort(env.SIP_TCP_PORT, env.PORT === '0' ? 0 : 5060, 'SIP_TCP_PORT'),
    sipMaxMessageSize: Math.max(
      1024,
      parseCount(env.SIP_MAX_MESSAGE_SIZE, 65536, 'SIP_MAX_MESSAGE_SIZE'),
    ),
    sipRateLimit: parseCount(env.SIP_RATE_LIMIT, 200, 'SIP_RATE_LIMIT'),
    sipRateLimitExempt: (env.SIP_RATE_LIMIT_EXEMPT ?? '127.0.0.1,::1')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    callReconnectGraceS: parseSeconds(env.CALL_RECONNECT_GRACE_S, 30, 'CALL_RECONNECT_GRACE_S'),
    logLevel,
  };
}
