import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { FORWARDING_LOADERS } from '../../src/app/sentral-forwarding-settings.js';
import type { SentralForwardingSettings } from '../../src/app/sentral-forwarding-settings.js';
import { apiClientContext, sessionModelContext } from '../../src/app/contexts.js';
import type { ForwardingSettings } from '../../src/shared/protocol.js';
import { ApiCallError } from '../../src/store/api-error.js';
import { SessionModel } from '../../src/store/session-model.js';
import { FakeApiClient, deepQuery, kari, kariSip, mount } from './fakes.js';

describe('sentral-forwarding-settings', () => {
  let api: FakeApiClient;
  let element: SentralForwardingSettings;
  let cleanup: () => void = () => undefined;
  let stored: ForwardingSettings;

  const summary = () => deepQuery(element, '[data-testid=forwarding-summary]')?.textContent?.trim();
  const input = (id: string) => deepQuery<HTMLInputElement>(element, `[data-testid=${id}]`);
  const type = (id: string, value: string) => {
    const el = input(id);
    if (!el) throw new Error(`no ${id}`);
    el.value = value;
    el.dispatchEvent(new Event('input'));
  };
  const tick = (id: string) => {
    const el = input(id);
    if (!el) throw new Error(`no ${id}`);
    el.checked = !el.checked;
    el.dispatchEvent(new Event('change'));
  };

  beforeEach(async () => {
    stored = {
      busyEnabled: false,
      busyNumber: null,
      noAnswerEnabled: false,
      noAnswerNumber: null,
      ringTimeS: 20,
    };
    api = new FakeApiClient()
      .on('forwarding.get', () => ({ forwarding: stored }))
      .on('forwarding.set', (p) => {
        if (p.busyNumber === '<b>x</b>')
          throw new ApiCallError('invalid_number', 'busyNumber: Not a phone number', {
            code: 'invalid_number',
            message: 'busyNumber: Not a phone number',
          });
        stored = {
          busyEnabled: p.busyEnabled,
          busyNumber: p.busyNumber === '900 00 057' ? '+4790000057' : p.busyNumber,
          noAnswerEnabled: p.noAnswerEnabled,
          noAnswerNumber: p.noAnswerNumber,
          ringTimeS: p.ringTimeS,
        };
        return { forwarding: stored };
      });
    const session = new SessionModel();
    session.loggedIn(kari, kariSip);
    const mounted = await mount<SentralForwardingSettings>(
      html`<sentral-forwarding-settings></sentral-forwarding-settings>`,
      [
        [apiClientContext, api],
        [sessionModelContext, session],
      ],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
  });

  afterEach(() => cleanup());

  it('sets your own busy and no-answer forwarding and then says where calls go', async () => {
    await waitUntil(() => summary() === 'No call forwarding');
    const button = deepQuery<HTMLButtonElement>(element, '[data-testid=forwarding-button]');
    expect(button?.getAttribute('aria-expanded')).to.equal('false');
    button?.click();
    await waitUntil(() => input('forwarding-busy-number') !== null);
    expect(button?.getAttribute('aria-expanded')).to.equal('true');
    await expect(element).shadowDom.to.be.accessible();
    tick('forwarding-busy-enabled');
    type('forwarding-busy-number', '900 00 057');
    tick('forwarding-no-answer-enabled');
    type('forwarding-no-answer-number', '1008');
    type('forwarding-ring-time', '15');
    deepQuery(element, '[data-testid=forwarding-save]')?.click();
    await waitUntil(() => input('forwarding-busy-number') === null);
    const sent = api.sent.find((s) => s.type === 'forwarding.set')?.params;
    expect(sent).to.deep.equal({
      busyEnabled: true,
      busyNumber: '900 00 057',
      noAnswerEnabled: true,
      noAnswerNumber: '1008',
      ringTimeS: 15,
    });
    expect(summary()).to.equal(
      'Calls forwarded when busy to +4790000057; after 15 s without answer to 1008',
    );
    expect(element.shadowRoot?.activeElement).to.equal(button);
  });

  it("reads and sets a colleague's forwarding when given their id (the admin's people view)", async () => {
    element.userId = 'u-ola';
    await waitUntil(() =>
      api.sent.some(
        (s) => s.type === 'forwarding.get' && (s.params as { userId?: string }).userId === 'u-ola',
      ),
    );
    await waitUntil(() => summary() === 'No call forwarding');
    deepQuery<HTMLButtonElement>(element, '[data-testid=forwarding-button]')?.click();
    await waitUntil(() => input('forwarding-busy-number') !== null);
    tick('forwarding-busy-enabled');
    type('forwarding-busy-number', '1008');
    deepQuery(element, '[data-testid=forwarding-save]')?.click();
    await waitUntil(() => input('forwarding-busy-number') === null);
    const sent = api.sent.find((s) => s.type === 'forwarding.set')?.params;
    expect(sent).to.include({ userId: 'u-ola', busyEnabled: true, busyNumber: '1008' });
  });

  it('shows a refused number as text beside its field and keeps the form open', async () => {
    await waitUntil(() => summary() !== undefined);
    deepQuery(element, '[data-testid=forwarding-button]')?.click();
    await waitUntil(() => input('forwarding-busy-number') !== null);
    tick('forwarding-busy-enabled');
    type('forwarding-busy-number', '<b>x</b>');
    deepQuery(element, '[data-testid=forwarding-save]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=forwarding-error]') !== null);
    expect(input('forwarding-busy-number')?.getAttribute('aria-invalid')).to.equal('true');
    expect(input('forwarding-busy-number')?.getAttribute('aria-describedby')).to.equal(
      'forwarding-error',
    );
    expect(deepQuery(element, 'b')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();
    expect(summary()).to.equal('No call forwarding');
  });

  it('refuses a ring time outside 5–120 s without asking the server', async () => {
    await waitUntil(() => summary() !== undefined);
    deepQuery(element, '[data-testid=forwarding-button]')?.click();
    await waitUntil(() => input('forwarding-ring-time') !== null);
    type('forwarding-ring-time', '200');
    deepQuery(element, '[data-testid=forwarding-save]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=forwarding-error]') !== null);
    expect(deepQuery(element, '[data-testid=forwarding-error]')?.textContent).to.contain('5–120');
    expect(input('forwarding-ring-time')?.getAttribute('aria-invalid')).to.equal('true');
    expect(api.sent.some((s) => s.type === 'forwarding.set')).to.equal(false);
  });

  it('says so when the form cannot be fetched, and Try again opens it', async () => {
    let attempts = 0;
    element.loaders = {
      editor: () =>
        ++attempts === 1
          ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
          : FORWARDING_LOADERS.editor(),
    };
    await waitUntil(() => summary() === 'No call forwarding');
    deepQuery<HTMLButtonElement>(element, '[data-testid=forwarding-button]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=view-load-failed]') !== null);
    const alert = deepQuery(element, '[data-testid=view-load-failed]');
    expect(alert?.getAttribute('role')).to.equal('alert');
    expect(alert?.textContent).to.contain('Could not load the forwarding form');
    expect(input('forwarding-busy-number')).to.equal(null);

    deepQuery<HTMLButtonElement>(element, '[data-testid=view-retry]')?.click();
    await waitUntil(() => input('forwarding-busy-number') !== null, 'no form after retry');
    expect(attempts).to.equal(2);
    expect(deepQuery(element, '[data-testid=view-load-failed]')).to.equal(null);
  });
});
