import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-call-log.js';
import type { SentralCallLog } from '../../src/app/sentral-call-log.js';
import {
  callLogModelContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import { deleteCallLogDb, openCallLogDb, putCall } from '../../src/store/call-log-db.js';
import type { CallLogRecord } from '../../src/store/call-log-db.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  deepQueryAll,
  kari,
  kariSip,
  mount,
  must,
  settle,
} from './fakes.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const NOW = Date.now();

function call(id: string, endedAt: number, extra: Partial<CallLogRecord> = {}): CallLogRecord {
  return {
    id,
    direction: 'in',
    number: '1002',
    displayName: 'Ola Nordmann',
    startedAt: endedAt - 60_000,
    answeredAt: endedAt - 45_000,
    endedAt,
    endReason: 'remote_hangup',
    answered: true,
    ...extra,
  };
}

describe('sentral-call-log', () => {
  let name: string;
  let phone: FakePhone;
  let services: Services;
  let element: SentralCallLog;
  let cleanup: () => void = () => undefined;

  const rows = () => deepQueryAll(element, '[data-testid=call-log-row]');
  const names = () =>
    deepQueryAll(element, '[data-testid=call-log-name]').map((n) => n.textContent?.trim());

  async function setUp(records: readonly CallLogRecord[]) {
    name = `test-call-log-view-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const db = await openCallLogDb(name);
    for (const r of records) await putCall(db, r);
    db.close();
    phone = new FakePhone();
    const api = new FakeApiClient()
      .on('switchboard.snapshot', () => ({
        seq: 0,
        queues: [],
        callers: [],
        agents: [],
        stats: [],
        parked: [],
      }))
      .on('directory.list', () => ({
        people: [
          {
            id: 'u-per',
            username: 'per.berg',
            displayName: 'Per Berg',
            extension: '1003',
            mobile: null,
            department: null,
            title: null,
          },
        ],
      }));
    services = assembleServices(api, () => phone, { dbName: () => name, pageSize: 3 });
    const mounted = await mount<SentralCallLog>(html`<sentral-call-log></sentral-call-log>`, [
      [callLogModelContext, services.callLog],
      [linesModelContext, services.lines],
      [phoneServiceContext, services.phone],
      [directoryModelContext, services.directory],
    ]);
    await services.directory.load();
    element = mounted.element;
    cleanup = mounted.cleanup;
    services.session.loggedIn(kari, kariSip);
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    await services.callLog.settled();
    await settle(element);
  }

  afterEach(async () => {
    cleanup();
    services.session.loggedOut();
    await services.callLog.settled();
    await deleteCallLogDb(name);
  });

  it('lists the calls newest first as a table with a name, outcome and local time', async () => {
    await setUp([
      call('older', NOW - 3_600_000, { displayName: 'Per Berg', number: '1003' }),
      call('missed', NOW - 60_000, { answered: false, answeredAt: null, endReason: 'cancelled' }),
    ]);
    expect(deepQuery(element, 'table[data-testid=call-log]')).not.to.equal(null);
    expect(deepQueryAll(element, 'th[scope=col]').length).to.equal(3);
    expect(names()).to.deep.equal(['Ola Nordmann', 'Per Berg']);
    const outcomes = deepQueryAll(element, '[data-testid=call-log-outcome]').map((o) =>
      o.textContent?.trim(),
    );
    expect(outcomes).to.deep.equal(['Missed', '00:45']);
    const time = must(deepQuery<HTMLTimeElement>(element, 'time'));
    expect(time.dateTime).to.equal(new Date(NOW - 60_000).toISOString());
    expect(time.textContent).to.equal(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' }).format(
        NOW - 60_000,
      ),
    );
  });

  it('calls the number back when a row is clicked', async () => {
    await setUp([call('c1', NOW - 1000, { displayName: 'Per Berg', number: '1003' })]);
    must(rows()[0]).click();
    await waitUntil(() => phone.commands.includes('call 1003'), 'did not dial 1003');
  });

  it('calls back from the row button too (keyboard users), once', async () => {
    await setUp([call('c1', NOW - 1000, { number: '1002' })]);
    const button = must(deepQuery<HTMLButtonElement>(element, 'button[data-testid=call-log-call]'));
    expect(button.getAttribute('aria-label')).to.equal('Call back Ola Nordmann on 1002');
    button.click();
    await waitUntil(() => phone.commands.includes('call 1002'));
    expect(phone.commands.filter((c) => c.startsWith('call')).length).to.equal(1);
  });

  it('renders a hostile display name as text, never as HTML', async () => {
    await setUp([call('c1', NOW - 1000, { displayName: HOSTILE, number: HOSTILE })]);
    expect(deepQuery(element, 'img')).to.equal(null);
    expect(names()).to.deep.equal([HOSTILE]);
    expect(deepQuery(element, '[data-testid=call-log-number]')?.textContent).to.equal(HOSTILE);
  });

  it('pages with Older and Newer', async () => {
    await setUp(
      Array.from({ length: 5 }, (_, i) =>
        call(`c${i}`, NOW - i * 1000, { displayName: `Caller ${i}` }),
      ),
    );
    expect(names()).to.deep.equal(['Caller 0', 'Caller 1', 'Caller 2']);
    must(deepQuery<HTMLButtonElement>(element, '[data-testid=call-log-older]')).click();
    await waitUntil(() => names()[0] === 'Caller 3');
    expect(names()).to.deep.equal(['Caller 3', 'Caller 4']);
    expect(
      deepQuery<HTMLButtonElement>(element, '[data-testid=call-log-older]')?.disabled,
    ).to.equal(true);
    must(deepQuery<HTMLButtonElement>(element, '[data-testid=call-log-newer]')).click();
    await waitUntil(() => names()[0] === 'Caller 0');
  });

  it('filters by what is typed in the search box', async () => {
    await setUp([
      call('a', NOW - 1000, { displayName: 'Åse Ødegård', number: '1004' }),
      call('b', NOW - 2000, { displayName: 'Per Berg', number: '1003' }),
    ]);
    const input = must(deepQuery<HTMLInputElement>(element, 'input[data-testid=call-log-search]'));
    input.value = 'odegard';
    input.dispatchEvent(new InputEvent('input'));
    await waitUntil(() => names().length === 1);
    expect(names()).to.deep.equal(['Åse Ødegård']);
    input.value = 'zzz';
    input.dispatchEvent(new InputEvent('input'));
    await waitUntil(() => deepQuery(element, '[data-testid=call-log-empty]'));
    expect(deepQuery(element, '[data-testid=call-log-empty]')?.textContent).to.contain(
      'No calls match',
    );
  });

  it('names a call without a display name after the colleague with that extension', async () => {
    await setUp([call('c1', NOW - 1000, { displayName: '', number: '1003' })]);
    expect(names()).to.deep.equal(['Per Berg']);
    expect(deepQuery(element, '[data-testid=call-log-number]')?.textContent).to.equal('1003');
  });

  it('shows a call that just ended', async () => {
    await setUp([]);
    expect(deepQuery(element, '[data-testid=call-log-empty]')).not.to.equal(null);
    phone.emit({
      type: 'outgoing',
      callId: 'new',
      remote: { displayName: '', number: '1005', uri: 'sip:1005@sentral.invalid' },
    });
    phone.emit({ type: 'ended', callId: 'new', reason: 'busy' });
    await waitUntil(() => rows().length === 1, 'the ended call is not listed');
    expect(names()).to.deep.equal(['1005']);
    expect(deepQuery(element, '[data-testid=call-log-outcome]')?.textContent?.trim()).to.equal(
      'Busy',
    );
  });
});
