import { expect, waitUntil } from '@open-wc/testing';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { Party } from '../../src/sip/phone.js';
import {
  CALL_LOG_DB_VERSION,
  callLogDbName,
  deleteCallLogDb,
  deleteCallsEndedBefore,
  openCallLogDb,
  putCall,
} from '../../src/store/call-log-db.js';
import type { CallLogRecord } from '../../src/store/call-log-db.js';
import { DAY_MS } from '../../src/store/call-log-model.js';
import { callLogMatcher, emptyTracker, trackCall } from '../../src/store/call-log-state.js';
import { FakeApiClient, FakePhone, kari, kariSip } from './fakes.js';

const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

/** An API that answers the switchboard's snapshot (every login loads one) with an empty one. */
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

let dbCount = 0;
function uniqueDbName(): string {
  dbCount++;
  return `test-call-log-${Date.now()}-${dbCount}-${Math.random().toString(36).slice(2)}`;
}

function call(id: string, endedAt: number, extra: Partial<CallLogRecord> = {}): CallLogRecord {
  return {
    id,
    direction: 'in',
    number: '1002',
    displayName: 'Ola Nordmann',
    startedAt: endedAt - 60_000,
    answeredAt: endedAt - 50_000,
    endedAt,
    endReason: 'remote_hangup',
    answered: true,
    ...extra,
  };
}

async function seed(name: string, records: readonly CallLogRecord[]): Promise<void> {
  const db = await openCallLogDb(name);
  for (const r of records) await putCall(db, r);
  db.close();
}

async function allIds(name: string): Promise<string[]> {
  const db = await openCallLogDb(name);
  const keys = await db.getAllKeys('calls');
  db.close();
  return keys.sort();
}

describe('call log database', () => {
  let name: string;
  beforeEach(() => {
    name = uniqueDbName();
  });
  afterEach(() => deleteCallLogDb(name));

  it('is named after the user', () => {
    expect(callLogDbName('kari')).to.equal('sentral-call-log-kari');
  });

  it('creates the calls store keyed by id with an endedAt index on first open (version 2)', async () => {
    const db = await openCallLogDb(name);
    try {
      expect(db.version).to.equal(CALL_LOG_DB_VERSION).and.to.equal(2);
      expect([...db.objectStoreNames]).to.deep.equal(['calls']);
      const store = db.transaction('calls').store;
      expect(store.keyPath).to.equal('id');
      expect([...store.indexNames]).to.deep.equal(['endedAt']);
      expect(store.index('endedAt').keyPath).to.equal('endedAt');
    } finally {
      db.close();
    }
  });

  it('deletes exactly the calls that ended before the cutoff, by key range on endedAt', async () => {
    const cutoff = NOW - 30 * DAY_MS;
    await seed(name, [
      call('a-31-days', NOW - 31 * DAY_MS),
      call('b-just-over', cutoff - 1),
      call('c-at-cutoff', cutoff),
      call('d-29-days', NOW - 29 * DAY_MS),
      call('e-an-hour', NOW - 3_600_000),
    ]);
    const db = await openCallLogDb(name);
    const deleted = await deleteCallsEndedBefore(db, cutoff);
    db.close();
    expect(deleted).to.equal(2);
    expect(await allIds(name)).to.deep.equal(['c-at-cutoff', 'd-29-days', 'e-an-hour']);
  });
});

describe('call log tracker and search (pure)', () => {
  it('turns outgoing → established → ended into one answered record', () => {
    let t = trackCall(emptyTracker, { type: 'outgoing', callId: 'c1', remote: ola }, 1000);
    t = trackCall(t.tracker, { type: 'ringing', callId: 'c1', statusCode: 180 }, 2000);
    t = trackCall(t.tracker, { type: 'established', callId: 'c1' }, 3000);
    expect(t.finished).to.equal(null);
    t = trackCall(t.tracker, { type: 'ended', callId: 'c1', reason: 'local_hangup' }, 9000);
    expect(t.finished).to.deep.equal({
      id: 'c1',
      direction: 'out',
      number: '1002',
      displayName: 'Ola Nordmann',
      startedAt: 1000,
      answeredAt: 3000,
      endedAt: 9000,
      endReason: 'local_hangup',
      answered: true,
    });
    expect(t.tracker.size).to.equal(0);
  });

  it('ignores an ended event of a call it never saw start', () => {
    const t = trackCall(emptyTracker, { type: 'ended', callId: 'x', reason: 'failed' }, 1);
    expect(t.finished).to.equal(null);
  });

  it('matches names accent- and case-insensitively and numbers by digits', () => {
    const match = (q: string) => callLogMatcher(q);
    const odegard = call('1', NOW, { displayName: 'Åse Ødegård', number: '+47 22 33 44 55' });
    expect(match('')).to.equal(null);
    expect(match('odegard')?.(odegard)).to.equal(true);
    expect(match('ASE')?.(odegard)).to.equal(true);
    expect(match('4722334455')?.(odegard)).to.equal(true);
    expect(match('22 33')?.(odegard)).to.equal(true);
    expect(match('berg')?.(odegard)).to.equal(false);
  });
});

describe('CallLogModel', () => {
  let name: string;
  let clock: number;
  let phone: FakePhone;
  let services: Services;

  function build(options: { purgeEveryMs?: number; pageSize?: number } = {}) {
    phone = new FakePhone();
    services = assembleServices(quietApi(), () => phone, {
      dbName: () => name,
      now: () => clock,
      ...options,
    });
  }

  beforeEach(() => {
    name = uniqueDbName();
    clock = NOW;
  });

  afterEach(async () => {
    services.session.loggedOut();
    await services.callLog.settled();
    await deleteCallLogDb(name);
  });

  async function login() {
    services.session.loggedIn(kari, kariSip);
    await services.phone.start(kariSip);
    await services.callLog.settled();
  }

  it('records a finished call with who, direction, times, end reason and answered', async () => {
    build();
    await login();
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    clock = NOW + 4000;
    phone.emit({ type: 'established', callId: 'c1' });
    clock = NOW + 64_000;
    phone.emit({ type: 'ended', callId: 'c1', reason: 'remote_hangup' });
    phone.emit({ type: 'incoming', callId: 'c2', remote: ola, autoAnswer: false });
    clock = NOW + 70_000;
    phone.emit({ type: 'ended', callId: 'c2', reason: 'cancelled' });
    await services.callLog.settled();

    const rows = services.callLog.state.rows;
    expect(rows.map((r) => r.id)).to.deep.equal(['c2', 'c1']);
    expect(rows[1]).to.deep.equal({
      id: 'c1',
      direction: 'in',
      number: '1002',
      displayName: 'Ola Nordmann',
      startedAt: NOW,
      answeredAt: NOW + 4000,
      endedAt: NOW + 64_000,
      endReason: 'remote_hangup',
      answered: true,
    });
    expect(rows[0]).to.include({ answered: false, answeredAt: null, endReason: 'cancelled' });
    expect(await allIds(name)).to.deep.equal(['c1', 'c2']);
  });

  it('stores nothing secret (no password, token or SIP URI)', async () => {
    build();
    await login();
    phone.emit({ type: 'outgoing', callId: 'c1', remote: ola });
    phone.emit({ type: 'ended', callId: 'c1', reason: 'busy' });
    await services.callLog.settled();
    const stored = JSON.stringify(services.callLog.state.rows);
    expect(stored).not.to.contain(kariSip.password);
    expect(stored).not.to.contain('sip:');
  });

  it('lists 20 calls a page, newest first, with next and previous', async () => {
    build();
    await seed(
      name,
      Array.from({ length: 45 }, (_, i) =>
        call(`c${String(i).padStart(2, '0')}`, NOW - i * 60_000),
      ),
    );
    await login();
    const ids = () => services.callLog.state.rows.map((r) => r.id);
    expect(ids()).to.have.length(20);
    expect(ids()[0]).to.equal('c00');
    expect(ids()[19]).to.equal('c19');
    expect(services.callLog.state.hasNext).to.equal(true);

    await services.callLog.nextPage();
    expect(ids()[0]).to.equal('c20');
    await services.callLog.nextPage();
    expect(ids()).to.deep.equal(['c40', 'c41', 'c42', 'c43', 'c44']);
    expect(services.callLog.state.hasNext).to.equal(false);
    await services.callLog.nextPage();
    expect(services.callLog.state.page).to.equal(2);

    await services.callLog.previousPage();
    expect(services.callLog.state.page).to.equal(1);
    expect(ids()[0]).to.equal('c20');
  });

  it('searches by name or number, and pages within the matches', async () => {
    build({ pageSize: 2 });
    await seed(name, [
      call('ase', NOW - 1000, { displayName: 'Åse Ødegård', number: '+4722334455' }),
      call('per1', NOW - 2000, { displayName: 'Per Berg', number: '1003' }),
      call('anon', NOW - 3000, { displayName: '', number: '90000021' }),
      call('per2', NOW - 4000, { displayName: 'Per Berg', number: '1003' }),
      call('per3', NOW - 5000, { displayName: 'Per Berg', number: '1003' }),
    ]);
    await login();
    const ids = () => services.callLog.state.rows.map((r) => r.id);

    await services.callLog.search('ODEGARD');
    expect(ids()).to.deep.equal(['ase']);
    await services.callLog.search('9000');
    expect(ids()).to.deep.equal(['anon']);
    await services.callLog.search('per berg');
    expect(ids()).to.deep.equal(['per1', 'per2']);
    expect(services.callLog.state.hasNext).to.equal(true);
    await services.callLog.nextPage();
    expect(ids()).to.deep.equal(['per3']);
    await services.callLog.search('nobody');
    expect(ids()).to.deep.equal([]);
    await services.callLog.search('');
    expect(ids()).to.deep.equal(['ase', 'per1']);
  });

  it('deletes calls older than 30 days when it opens', async () => {
    build();
    await seed(name, [
      call('old', NOW - 30 * DAY_MS - 1),
      call('older', NOW - 90 * DAY_MS),
      call('recent', NOW - 30 * DAY_MS + 1000),
    ]);
    await login();
    expect(services.callLog.state.rows.map((r) => r.id)).to.deep.equal(['recent']);
    expect(await allIds(name)).to.deep.equal(['recent']);
  });

  it('deletes calls as they pass 30 days while it stays open (the daily purge)', async () => {
    build({ purgeEveryMs: 30 });
    await seed(name, [call('yesterday', NOW - DAY_MS), call('today', NOW - 1000)]);
    await login();
    // The 30 ms purge may list again before the first page lands: wait for the two rows.
    await waitUntil(() => services.callLog.state.rows.length === 2, 'rows not listed');
    clock = NOW + 29 * DAY_MS + 1; // "yesterday" is now 30 days and 1 ms old
    await waitUntil(() => services.callLog.state.rows.length === 1, 'not purged');
    expect(services.callLog.state.rows.map((r) => r.id)).to.deep.equal(['today']);
    expect(await allIds(name)).to.deep.equal(['today']);
  });

  it('closes the database at logout (it can be deleted at once) and forgets the rows', async () => {
    build();
    await seed(name, [call('c1', NOW)]);
    await login();
    expect(services.callLog.state.status).to.equal('ready');
    services.session.loggedOut();
    await services.callLog.settled();
    expect(services.callLog.state).to.include({ status: 'closed' });
    expect(services.callLog.state.rows).to.deep.equal([]);
    let blocked = false;
    const { deleteDB } = await import('idb');
    await deleteDB(name, { blocked: () => (blocked = true) });
    expect(blocked).to.equal(false);
  });
});
