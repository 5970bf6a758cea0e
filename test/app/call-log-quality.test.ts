/**
 * The call's estimated quality in the local call log: schema version 2 (records from version 1
 * survive the upgrade), the model stores the worst / average MOS of a call that talked, and the
 * list says it in words.
 */
import { expect } from '@open-wc/testing';
import { openDB } from 'idb';
import { html } from 'lit';
import { callQualityText } from '../../src/app/sentral-call-log.js';
import '../../src/app/sentral-call-log.js';
import type { SentralCallLog } from '../../src/app/sentral-call-log.js';
import {
  callLogModelContext,
  linesModelContext,
  phoneServiceContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { Party } from '../../src/sip/phone.js';
import {
  CALL_LOG_DB_VERSION,
  deleteCallLogDb,
  openCallLogDb,
  putCall,
} from '../../src/store/call-log-db.js';
import type { CallLogRecord } from '../../src/store/call-log-db.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  kari,
  kariSip,
  mount,
  must,
  settle,
} from './fakes.js';

const NOW = Date.now();
const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

function uniqueName(): string {
  return `test-call-log-quality-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function record(id: string, extra: Partial<CallLogRecord> = {}): CallLogRecord {
  return {
    id,
    direction: 'in',
    number: '1002',
    displayName: 'Ola Nordmann',
    startedAt: NOW - 60_000,
    answeredAt: NOW - 50_000,
    endedAt: NOW,
    endReason: 'remote_hangup',
    answered: true,
    ...extra,
  };
}

function quietApi(): FakeApiClient {
  return new FakeApiClient().on('switchboard.snapshot', () => ({
    seq: 0,
    queues: [],
    callers: [],
    agents: [],
    stats: [],
    parked: [],
  }));
}

function statsReport(packetsReceived: number, packetsLost: number): RTCStatsReport {
  return new Map<string, unknown>([
    ['in', { type: 'inbound-rtp', kind: 'audio', packetsReceived, packetsLost, jitter: 0.004 }],
    ['rin', { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.04 }],
  ]) as unknown as RTCStatsReport;
}

describe('call quality in the call log', () => {
  let name: string;
  let services: Services | null = null;
  let cleanup: () => void = () => undefined;

  beforeEach(() => {
    name = uniqueName();
  });
  afterEach(async () => {
    cleanup();
    cleanup = () => undefined;
    services?.session.loggedOut();
    await services?.callLog.settled();
    services = null;
    await deleteCallLogDb(name);
  });

  it('upgrades a version-1 database to version 2 and keeps its calls', async () => {
    expect(CALL_LOG_DB_VERSION).to.equal(2);
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('calls', { keyPath: 'id' }).createIndex('endedAt', 'endedAt');
      },
    });
    await v1.put('calls', record('old'));
    v1.close();
    const db = await openCallLogDb(name);
    try {
      expect(db.version).to.equal(2);
      expect(await db.get('calls', 'old')).to.deep.equal(record('old'));
    } finally {
      db.close();
    }
  });

  it('stores the worst and average MOS of a call that talked, and none for a missed call', async () => {
    const phone = new FakePhone();
    const s = assembleServices(quietApi(), () => phone, { dbName: () => name });
    services = s;
    s.session.loggedIn(kari, kariSip);
    await s.phone.start(kariSip);
    await s.callLog.settled();

    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    phone.stats.set('c1', statsReport(1000, 0));
    await s.quality.sample();
    phone.stats.set('c1', statsReport(1900, 100)); // 10 % of the interval lost
    await s.quality.sample();
    expect(s.quality.state.get('c1')?.rating).to.equal('poor');
    phone.emit({ type: 'ended', callId: 'c1', reason: 'remote_hangup' });
    phone.emit({ type: 'incoming', callId: 'c2', remote: ola, autoAnswer: false });
    phone.emit({ type: 'ended', callId: 'c2', reason: 'cancelled' });
    await s.callLog.settled();

    const rows = s.callLog.state.rows;
    const talked = must(rows.find((r) => r.id === 'c1'));
    // Le = 20 + 8 + 10 = 38 ms: R 92.25 → MOS 4.38 clean; with 10 % loss R 67.25 → 3.47.
    expect(talked.quality).to.deep.equal({ worstMos: 3.47, averageMos: 3.93, samples: 2 });
    expect(must(rows.find((r) => r.id === 'c2')).quality).to.equal(undefined);
  });

  it('says the quality in words in the list (not colour alone)', async () => {
    const quality = { worstMos: 3.46, averageMos: 3.92, samples: 2 };
    expect(callQualityText(record('a', { quality }))).to.equal(
      'Poor quality · MOS 3.9 average, 3.5 worst',
    );
    expect(callQualityText(record('b'))).to.equal('');

    const db = await openCallLogDb(name);
    await putCall(db, record('a', { quality: { worstMos: 4.2, averageMos: 4.3, samples: 12 } }));
    db.close();
    const phone = new FakePhone();
    const s = assembleServices(quietApi(), () => phone, { dbName: () => name });
    services = s;
    const mounted = await mount<SentralCallLog>(html`<sentral-call-log></sentral-call-log>`, [
      [callLogModelContext, s.callLog],
      [linesModelContext, s.lines],
      [phoneServiceContext, s.phone],
    ]);
    cleanup = mounted.cleanup;
    s.session.loggedIn(kari, kariSip);
    await s.callLog.settled();
    await settle(mounted.element);
    expect(
      deepQuery(mounted.element, '[data-testid=call-log-quality]')?.textContent?.trim(),
    ).to.equal('Good quality · MOS 4.3 average, 4.2 worst');
  });
});
