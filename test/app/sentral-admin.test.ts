import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-admin.js';
import '../../src/app/sentral-statistics.js';
import { apiClientContext } from '../../src/app/contexts.js';
import { FakeApiClient, deepQuery, deepQueryAll, mount, must } from './fakes.js';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('sentral-statistics', () => {
  it('shows queue and agent figures from the core, and asks again for another period', async function () {
    this.timeout(40_000); // axe on a loaded machine
    const api = new FakeApiClient()
      .on('stats.queues', () => ({
        queues: [
          {
            queueId: 'q1',
            queueName: 'Sentralbord',
            serviceLevelS: 20,
            offered: 12,
            answered: 10,
            answeredWithinServiceLevel: 9,
            unanswered: 2,
            abandoned: 2,
            overflowed: 0,
            transferred: 4,
            recalls: 1,
            answerRate: 10 / 12,
            serviceLevel: 0.75,
            averageWaitMs: 14_000,
            longestWaitMs: 95_000,
            averageTalkMs: 150_000,
          },
        ],
      }))
      .on('stats.agents', () => ({
        agents: [
          {
            userId: 'u1',
            displayName: '<i>Kari</i> Nordmann',
            offered: 8,
            answered: 7,
            answerRate: 0.875,
            averageWaitMs: null,
            longestWaitMs: null,
            averageTalkMs: 120_000,
            talkMs: 840_000,
            transferred: 3,
            outgoing: 2,
          },
        ],
      }))
      .on('stats.hourly', () => ({
        hours: [
          { queueId: 'q1', hour: Date.UTC(2026, 11, 1, 8), offered: 4, answered: 3, abandoned: 1 },
          { queueId: 'q2', hour: Date.UTC(2026, 11, 2, 8), offered: 2, answered: 2, abandoned: 0 },
          { queueId: 'q1', hour: Date.UTC(2026, 11, 1, 13), offered: 1, answered: 1, abandoned: 0 },
        ],
      }));
    const m = await mount(html`<sentral-statistics></sentral-statistics>`, [
      [apiClientContext, api],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=stats-queues] tbody tr'));
    expect(text(deepQuery(m.element, '[data-testid=stats-queues] tbody tr'))).to.equal(
      'Sentralbord 12 10 2 83 % 75 % 00:14 01:35 02:30 4',
    );
    expect(text(deepQuery(m.element, '[data-testid=stats-agents] tbody th'))).to.equal(
      '<i>Kari</i> Nordmann',
    );
    expect(deepQuery(m.element, 'i')).to.equal(null);
    const first = api.sent.find((s) => s.type === 'stats.queues')?.params as {
      from: number;
      to: number;
    };
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=range-7d]')).click();
    await waitUntil(() => api.sent.filter((s) => s.type === 'stats.queues').length === 2);
    const second = api.sent.filter((s) => s.type === 'stats.queues')[1]?.params as { from: number };
    expect(first.from - second.from).to.be.closeTo(6 * 86_400_000, 3_600_000);

    // Calls by hour of the day, summed over days and queues, in the browser's time zone.
    const hourly = api.sent.find((s) => s.type === 'stats.hourly')?.params as { timeZone: string };
    expect(hourly.timeZone).to.equal(Intl.DateTimeFormat().resolvedOptions().timeZone);
    await waitUntil(() => deepQuery(m.element, '[data-testid=stats-hourly]'));
    const chart = must(deepQuery(m.element, '[data-testid=stats-hourly]'));
    const hourOf = (ms: number) =>
      Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23' }).format(ms));
    const morning = hourOf(Date.UTC(2026, 11, 1, 8));
    await waitUntil(() => deepQuery(chart, `g[data-hour="${morning}"] title`));
    await expect(m.element).shadowDom.to.be.accessible();
    await expect(chart).shadowDom.to.be.accessible();
    expect(text(deepQuery(chart, `g[data-hour="${morning}"] title`))).to.equal(
      `${String(morning).padStart(2, '0')}:00 — 6 offered, 5 answered, 1 abandoned`,
    );
  });

  it('asks for a chosen period of whole days, and refuses one that ends before it starts', async () => {
    const api = new FakeApiClient()
      .on('stats.queues', () => ({ queues: [] }))
      .on('stats.agents', () => ({ agents: [] }))
      .on('stats.hourly', () => ({ hours: [] }));
    const m = await mount(html`<sentral-statistics></sentral-statistics>`, [
      [apiClientContext, api],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => api.sent.length === 3);
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=range-custom]'));
    (form.elements.namedItem('from') as HTMLInputElement).value = '2026-11-02';
    (form.elements.namedItem('to') as HTMLInputElement).value = '2026-11-03';
    form.requestSubmit();
    await waitUntil(() => api.sent.filter((s) => s.type === 'stats.queues').length === 2);
    const asked = api.sent.filter((s) => s.type === 'stats.queues')[1]?.params as {
      from: number;
      to: number;
    };
    expect(asked.from).to.equal(new Date(2026, 10, 2).getTime());
    expect(asked.to).to.equal(new Date(2026, 10, 4).getTime());

    (form.elements.namedItem('from') as HTMLInputElement).value = '2026-11-05';
    form.requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[role=alert]'));
    expect(text(deepQuery(m.element, '[role=alert]'))).to.equal(
      'The period must start before it ends.',
    );
    expect(api.sent.filter((s) => s.type === 'stats.queues')).to.have.length(2);
  });
});

describe('statistics CSV', () => {
  it('quotes names with commas, quotes and line breaks, and leaves missing figures empty', async () => {
    const { toCsv } = await import('../../src/app/stats-csv.js');
    expect(
      toCsv(
        ['agent', 'answered', 'average_talk_s'],
        [
          ['Berg, "Sofie"', 3, null],
          ['Ola\nHansen', 0, 12],
        ],
      ),
    ).to.equal('agent,answered,average_talk_s\r\n"Berg, ""Sofie""",3,\r\n"Ola\nHansen",0,12\r\n');
  });
});

describe('sentral-admin', () => {
  it('adds a person through people.save and says so', async () => {
    const api = new FakeApiClient().on('people.save', () => ({ created: 1, updated: 0 }));
    const m = await mount(html`<sentral-admin></sentral-admin>`, [[apiClientContext, api]]);
    cleanup = m.cleanup;
    const form = must(deepQuery<HTMLFormElement>(m.element, '[data-testid=person-form]'));
    (form.elements.namedItem('first_name') as HTMLInputElement).value = 'Åshild';
    (form.elements.namedItem('last_name') as HTMLInputElement).value = 'Øverby';
    (form.elements.namedItem('extension') as HTMLInputElement).value = '1041';
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=person-save]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=admin-note]'));
    expect(api.sent.find((s) => s.type === 'people.save')?.params).to.deep.equal({
      first_name: 'Åshild',
      last_name: 'Øverby',
      extension: '1041',
      role: 'agent',
    });
  });

  it('shows why an import was refused, line by line', async () => {
    const api = new FakeApiClient().fail(
      'people.import',
      'bad_request',
      'Nothing was imported: line 3 (mobile): not a phone number; line 7 (first_name): markup is not allowed',
    );
    const m = await mount(html`<sentral-admin></sentral-admin>`, [[apiClientContext, api]]);
    cleanup = m.cleanup;
    const input = must(deepQuery<HTMLInputElement>(m.element, '[data-testid=csv-import]'));
    const file = new File(['first_name,last_name\nA,B\n'], 'people.csv', { type: 'text/csv' });
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
    await waitUntil(() => deepQuery(m.element, '[data-testid=admin-error]'));
    expect(text(deepQuery(m.element, '[data-testid=admin-error]'))).to.contain('line 3 (mobile)');
  });

  it('shows the retention setting the server has, and saves a new one', async () => {
    const api = new FakeApiClient()
      .on('retention.get', () => ({ days: 45 }))
      .on('retention.set', () => ({}));
    const m = await mount(html`<sentral-admin></sentral-admin>`, [[apiClientContext, api]]);
    cleanup = m.cleanup;
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=admin-tab-security]')).click();
    await waitUntil(
      () => deepQuery<HTMLInputElement>(m.element, '[data-testid=retention-days]')?.value === '45',
    );
    const days = must(deepQuery<HTMLInputElement>(m.element, '[data-testid=retention-days]'));
    days.value = '30';
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=retention-save]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=admin-note]'));
    expect(api.sent.find((s) => s.type === 'retention.set')?.params).to.deep.equal({ days: 30 });
    expect(text(deepQuery(m.element, '[data-testid=admin-note]'))).to.equal('Retention saved.');
  });

  it('requires two-factor login for everyone and lists the audit log', async () => {
    const api = new FakeApiClient()
      .on('twofactor.require', () => ({}))
      .on('audit.list', () => ({
        entries: [
          {
            id: 2,
            at: Date.now(),
            actor: 'Administrator',
            action: 'twofactor.require',
            target: null,
            details: null,
          },
          {
            id: 1,
            at: Date.now() - 1000,
            actor: 'Administrator',
            action: 'people.import',
            target: null,
            details: null,
          },
        ],
      }));
    const m = await mount(html`<sentral-admin></sentral-admin>`, [[apiClientContext, api]]);
    cleanup = m.cleanup;
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=admin-tab-security]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=require-2fa]'));
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=require-2fa]')).click();
    await waitUntil(() => api.sent.some((s) => s.type === 'twofactor.require'));
    expect(api.sent.find((s) => s.type === 'twofactor.require')?.params).to.deep.equal({
      required: true,
    });
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=admin-tab-audit]')).click();
    await waitUntil(() => deepQueryAll(m.element, '[data-testid=audit-log] tbody tr').length === 2);
    expect(text(deepQueryAll(m.element, '[data-testid=audit-log] tbody tr')[0] ?? null)).to.contain(
      'twofactor.require',
    );
  });
});
