/**
 * Builds the switchboard core (embedded profile): HTTP for the app, the JSON API at `/api`, SIP
 * over WebSocket at `/sip`, the registrar and the B2BUA, over PGlite or PostgreSQL. Building
 * does not listen; `listen()` does (tests build cores on port 0, main.ts on PORT).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { API_PATH, SIP_PATH } from '../../shared/protocol';
import type { CoreConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { openDatabase, type Db } from '../store/db';
import { UserRepository } from '../store/users';
import { seedDemoCompany } from '../store/seed';
import { ApiServer } from '../api/api-server';
import { TenantEventBus } from '../events/event-bus';
import { Switchboard } from '../switchboard/switchboard';
import { QueueRepository } from '../store/queues';
import { RecordsRepository } from '../store/records';
import { QueueDayRepository } from '../store/queue-day';
import { AbsenceRepository } from '../store/absences';
import { ForwardingRepository } from '../store/forwarding';
import { AuditRepository } from '../store/audit';
import { SessionRepository } from '../store/sessions';
import { isScanner, originAllowed } from '../http/edge-guard';
import { DialogEventSubscriptions } from '../people/dialog-events';
import { HttpSmsGateway, LoggingSmsGateway, type SmsGateway } from '../people/sms-gateway';
import { RetentionRepository } from '../store/retention';
import { CallerHistoryRepository } from '../store/caller-history';
import { TwoFactorRepository } from '../store/two-factor';
import { PrivacyRepository } from '../store/privacy';
import { CalendarSync } from '../people/calendar-sync';
import { exportPeopleCsv, importPeople, parsePeopleCsv, personRow } from '../store/people-csv';
import { IcsCalendarSource } from '../people/calendar';
import { StatisticsRepository } from '../store/statistics';
import { SipCredentialStore } from '../api/sip-credentials';
import { DigestAuthenticator } from '../registrar/authenticator';
import { Registrar } from '../registrar/registrar';
import { B2bua } from '../b2bua/b2bua';
import { SipTransports, TransactionLayer, sipWebSocketProtocols, type Flow } from '../sip';
import { devWebApp, staticWebApp, type WebApp } from '../http/web-app';
import { People } from './people';
import { SipRouter } from './sip-router';
import { Trunks } from '../trunks/trunks';
import { DigestClient } from '../trunks/digest-client';
import { TrunkRepository } from '../store/trunks';
import { QueueAdmin } from '../switchboard/queue-admin';
import { DepartmentRepository } from '../store/departments';
import {
  DepartmentAdmin,
  DepartmentNumbers,
  DepartmentRoutingQueues,
} from '../people/department-admin';
import { Edge, parseEdgeTarget } from '../edge/edge';
import { createQueueMedia } from '../media';

export const USER_AGENT = 'Sentral/0.1';

export interface Core {
  readonly config: CoreConfig;
  readonly http: Server;
  readonly db: Db;
  readonly people: People;
  readonly registrar: Registrar;
  readonly b2bua: B2bua;
  readonly switchboard: Switchboard;
  /** Desk phones' busy-lamp subscriptions. */
  readonly dialogEvents: DialogEventSubscriptions;
  /** Where SMS go (the logging gateway keeps the last ones, for tests and demos). */
  readonly sms: SmsGateway;
  readonly api: ApiServer;
  readonly transactions: TransactionLayer;
  /** WebSocket, UDP and TCP; `flowTo()` reaches trunks and edge proxies. */
  readonly sipTransports: SipTransports;
  /** Bound SIP UDP/TCP ports once listening (undefined: off or the port was taken). */
  readonly sipPorts: { udp: number | undefined; tcp: number | undefined };
  readonly logger: Logger;
  /** Starts listening; resolves with the base URL (`http://127.0.0.1:8080`). */
  listen(): Promise<string>;
  /** Stops accepting, ends calls, closes sockets and the database. */
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Serve no web app (SIP/API-only cores in tests and benchmarks). */
  withoutWebApp?: boolean;
  logger?: Logger;
}

export async function createCore(config: CoreConfig, options: CoreOptions = {}): Promise<Core> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (config.seedDemo) await seedDemoCompany(db);
  const people = new People(db, new UserRepository(db));
  await people.refreshTenants();

  // With the Kamailio edge, browsers get ephemeral credentials it can check (src/server/edge).
  const sipCredentials = new SipCredentialStore(undefined, undefined, config.edge?.secret);
  const authenticator = new DigestAuthenticator({ credentials: sipCredentials });
  const late: { router?: SipRouter; switchboard?: Switchboard } = {};
  const registrar = new Registrar({
    onChange: (aor, bindings) => late.switchboard?.registrationChanged(aor, bindings),
  });
  const sweep = setInterval(() => registrar.sweep(), 10_000);
  sweep.unref();

  const http = createServer();
  let address: AddressInfo | undefined;
  const sentBy = () => `${config.host}:${address?.port ?? config.port}`;

  // The router and switchboard are created after the layers that call them.
  const transactions = new TransactionLayer({
    onRequest: (req, tx) => late.router?.onRequest(req, tx, tx.flow),
    onAck: (ack, flow) => late.router?.onAck(ack, flow),
  });
  // WebSocket, UDP and TCP. Flows only close after listen(), when everything below exists.
  const sipLog = logger.child('transport');
  const sipTransports = new SipTransports({
    onMessage: (msg, flow) => {
      if (isScanner(msg)) return; // dropped unanswered (see edge-guard.ts)
      transactions.receive(msg, flow);
    },
    onFlowClosed: (flow) => {
      transactions.flowClosed(flow);
      registrar.flowClosed(flow);
      b2bua.flowClosed(flow);
      dialogEvents.flowClosed(flow);
    },
    onError: (err, flow) => sipLog.debug('SIP transport error', { err, flow: flow?.id }),
    onListenError: (transport, err) =>
      sipLog.warn(`SIP over ${transport} is off: cannot listen`, {
        address: config.sipListenAddress,
        port: transport === 'UDP' ? config.sipUdpPort : config.sipTcpPort,
        err,
      }),
    listenAddress: config.sipListenAddress,
    udpPort: config.sipUdpPort,
    tcpPort: config.sipTcpPort,
    maxMessageSize: config.sipMaxMessageSize,
    rateLimit: config.sipRateLimit,
    rateLimitExempt: [
      ...config.sipRateLimitExempt,
      ...(config.edge ? [parseEdgeTarget(config.edge.sip).host] : []), // every browser's requests
    ],
  });
  const edge = config.edge
    ? new Edge({ ...config.edge, sip: parseEdgeTarget(config.edge.sip) }, (target) =>
        sipTransports.flowTo(target),
      )
    : undefined;
  // Via/Contact per flow: UDP/TCP flows carry the SIP listener's address, WebSocket the HTTP one.
  const viaFor = (flow: Flow) => sipTransports.via(flow, sentBy());
  const contactFor = (flow: Flow) => sipTransports.contact(flow, sentBy());
  // Trunks to carriers: a carrier's digest challenge to a request on its flow is answered in
  // front of the transaction layer (src/server/trunks).
  const trunks = new Trunks({
    repository: new TrunkRepository(db),
    flows: () => sipTransports,
    logger: logger.child('trunks'),
  });
  await trunks.load();
  const b2bua = new B2bua({
    transactions: new DigestClient(transactions, (flow) => trunks.credentialsFor(flow)),
    lookup: (aor) => registrar.lookup(aor),
    resolve: (tenantId, dialled) => people.resolveCallee(tenantId, dialled),
    onRefer: (call, leg, req, tx) => late.switchboard?.onRefer(call, leg, req, tx),
    onLegChange: (leg, call) => {
      late.switchboard?.legChanged(leg, call);
      // An agent answered a caller rtpengine was holding: the caller is re-pointed to them.
      if (leg.answeredAt) void queueMedia?.release(call.id);
    },
    onCallEnded: (call) => {
      late.switchboard?.callEnded(call);
      void queueMedia?.release(call.id);
    },
    via: viaFor,
    contact: contactFor,
    reconnectGraceS: config.callReconnectGraceS,
    logger: logger.child('b2bua'),
  });
  const queueMedia = await createQueueMedia({
    ng: config.rtpengineNg,
    promptsDir: config.promptsDir,
    port: b2bua,
    logger: logger.child('media'),
  });
  const events = new TenantEventBus();
  const sms = config.smsGatewayUrl
    ? new HttpSmsGateway(config.smsGatewayUrl, logger.child('sms'))
    : new LoggingSmsGateway(logger.child('sms'));
  // Department numbers with a target route like queue numbers (people/department-admin.ts).
  const departments = new DepartmentRepository(db);
  const departmentNumbers = new DepartmentNumbers(departments);
  await departmentNumbers.reload();
  const switchboard = new Switchboard({
    b2bua,
    sms,
    people,
    queues: new DepartmentRoutingQueues(db, departmentNumbers),
    records: new RecordsRepository(db),
    queueDay: new QueueDayRepository(db),
    absences: new AbsenceRepository(db),
    forwarding: new ForwardingRepository(db),
    events,
    logger: logger.child('switchboard'),
    recallAfterS: config.recallAfterS,
    ...(queueMedia ? { queueMedia } : {}),
    parkRecallS: config.parkRecallS,
    trunks,
    ...(config.lookupUrlTemplate
      ? { lookup: { urlTemplate: config.lookupUrlTemplate, fields: config.lookupFields } }
      : {}),
  });
  await switchboard.load();
  late.switchboard = switchboard;
  const dialogEvents = new DialogEventSubscriptions({
    transactions,
    events,
    presence: (userId) => switchboard.presence.get(userId),
    via: viaFor,
    contact: contactFor,
    logger: logger.child('blf'),
  });
  late.router = new SipRouter({
    dialogEvents,
    people,
    registrar,
    authenticator,
    b2bua,
    switchboard,
    findInviteServerTransaction: (cancel) => transactions.findInviteServerTransaction(cancel),
    logger: logger.child('sip'),
    userAgent: USER_AGENT,
    trunks,
    ...(edge ? { edge } : {}),
  });

  const absences = new AbsenceRepository(db);
  const calendarSync = new CalendarSync({
    source: new IcsCalendarSource(),
    absences,
    presence: switchboard.presence,
    tenants: () => people.tenants(),
    logger: logger.child('calendar'),
  });
  if (config.calendarSyncS > 0) calendarSync.start(config.calendarSyncS * 1000);
  // Retention: a daily deletion run (the first a minute after start), each run logged.
  const retention = new RetentionRepository(db);
  const retentionLog = logger.child('retention');
  const runRetention = () => {
    retention.run().then(
      (runs) => retentionLog.info('retention run', { runs }),
      (err: unknown) => retentionLog.error('retention run failed', { err }),
    );
  };
  const firstRetention = setTimeout(runRetention, 60_000);
  firstRetention.unref();
  const dailyRetention = setInterval(runRetention, 24 * 3600_000);
  dailyRetention.unref();
  const privacy = new PrivacyRepository(db);
  const api = new ApiServer({
    audit: new AuditRepository(db),
    callerHistory: new CallerHistoryRepository(db),
    twoFactor: new TwoFactorRepository(db),
    privacy: {
      exportPerson: (tenantId, userId) => privacy.exportPerson(tenantId, userId),
      deletePerson: async (tenantId, userId) => {
        const deleted = await privacy.deletePerson(tenantId, userId);
        if (deleted) await switchboard.load(); // queues, directory and presence forget them
        return deleted;
      },
    },
    retention,
    trunks,
    queues: new QueueAdmin(new QueueRepository(db), switchboard),
    departments: new DepartmentAdmin(departments, departmentNumbers, () => switchboard.load()),
    statistics: new StatisticsRepository(db),
    peopleCsv: {
      import: async (tenantId, csv) => {
        const result = await importPeople(db, tenantId, parsePeopleCsv(csv));
        await switchboard.load(); // directory, presence and agents see the new people
        return result;
      },
      export: (tenantId) => exportPeopleCsv(db, tenantId),
      save: async (tenantId, person) => {
        const result = await importPeople(db, tenantId, [personRow(person)]);
        await switchboard.load();
        return result;
      },
      setPassword: (tenantId, userId, password) =>
        new UserRepository(db).setPassword(tenantId, userId, password),
    },
    calendars: {
      setFeed: async (tenantId, userId, url) => {
        if (!(await absences.setCalendarUrl(tenantId, userId, url))) return false;
        if (url) await calendarSync.syncPerson(tenantId, userId, url);
        else {
          await absences.replaceCalendarAbsences(tenantId, userId, []);
          await switchboard.presence.reload(tenantId, userId);
        }
        return true;
      },
    },
    people,
    events,
    switchboard,
    sipCredentials,
    sessions: new SessionRepository(db),
    iceServers: config.iceServers,
    publicSipUrl: config.edge?.wsUrl ?? config.publicSipUrl,
    logger: logger.child('api'),
  });
  // Sessions from before a restart resume, and their phones register with what they have.
  const restored = await api.restoreSessions();
  if (restored > 0) logger.info('sessions restored', { sessions: restored });

  const apiWss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  apiWss.on('connection', (ws, req) => api.handleConnection(ws, req));
  const sipWss = new WebSocketServer({
    noServer: true,
    // Above the limit so the transport sees oversized frames and answers 413; far larger
    // frames are cut off by ws itself (close 1009).
    maxPayload: config.sipMaxMessageSize * 2,
    handleProtocols: sipWebSocketProtocols,
  });
  sipWss.on('connection', (ws, req) => sipTransports.ws.handleConnection(ws, req));

  let webApp: WebApp | undefined;
  if (!options.withoutWebApp) webApp = config.dev ? await devWebApp(http) : staticWebApp();

  // How late the event loop runs (a stalled loop delays every call's SIP): in /healthz.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  http.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      // `?gc=1` collects garbage first when the process runs with --expose-gc (benchmarks).
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && req.url?.includes('gc=1')) gc();
      const mem = process.memoryUsage();
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          ok: true,
          calls: b2bua.activeCalls,
          registrations: registrar.size,
          memory: { rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external },
          // Since start or the last `?reset=1` (benchmarks read it per step).
          eventLoopDelayMs: {
            p50: loopDelay.percentile(50) / 1e6,
            p99: loopDelay.percentile(99) / 1e6,
            max: loopDelay.max / 1e6,
          },
        }),
      );
      if (req.url?.includes('reset=1')) loopDelay.reset();
      return;
    }
    if (!webApp) {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    webApp.handle(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (
      (path === API_PATH || path === SIP_PATH) &&
      !originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nOrigin not allowed\r\n');
      return;
    }
    if (path === API_PATH) {
      apiWss.handleUpgrade(req, socket, head, (ws) => apiWss.emit('connection', ws, req));
    } else if (path === SIP_PATH) {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim().toLowerCase());
      if (!offered.includes('sip')) {
        // RFC 7118 §4.1: SIP over WebSocket requires the "sip" subprotocol.
        socket.end(
          'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nWebSocket subprotocol "sip" required\r\n',
        );
        return;
      }
      sipWss.handleUpgrade(req, socket, head, (ws) => sipWss.emit('connection', ws, req));
    } else if (!config.dev) {
      socket.destroy();
    }
    // In dev mode Vite's HMR listener handles its own path.
  });

  return {
    config,
    http,
    db,
    people,
    registrar,
    b2bua,
    switchboard,
    dialogEvents,
    sms,
    api,
    transactions,
    sipTransports,
    get sipPorts() {
      return sipTransports.ports;
    },
    logger,
    listen: async () => {
      const url = await new Promise<string>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          address = http.address() as AddressInfo;
          resolve(`http://${config.host}:${address.port}`);
        });
      });
      const ports = await sipTransports.listen();
      if (ports.udp !== undefined || ports.tcp !== undefined) {
        sipLog.info('SIP over UDP/TCP', { address: config.sipListenAddress, ...ports });
      }
      return url;
    },
    close: async () => {
      clearInterval(sweep);
      loopDelay.disable();
      b2bua.close();
      queueMedia?.close();
      api.close();
      await switchboard.flush();
      calendarSync.stop();
      clearTimeout(firstRetention);
      clearInterval(dailyRetention);
      switchboard.presence.close();
      switchboard.lookup.close();
      for (const ws of sipWss.clients) ws.close(1001, 'core shutting down');
      await sipTransports.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await webApp?.close();
      await db.close();
    },
  };
}
