import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-my-absence.js';
import type { SentralMyAbsence } from '../../src/app/sentral-my-absence.js';
import { clockTime } from '../../src/app/absence-text.js';
import { apiClientContext, sessionModelContext } from '../../src/app/contexts.js';
import type { AbsenceInfo } from '../../src/shared/switchboard.js';
import { SessionModel } from '../../src/store/session-model.js';
import { FakeApiClient, deepQuery, kari, kariSip, mount } from './fakes.js';

describe('sentral-my-absence', () => {
  let api: FakeApiClient;
  let element: SentralMyAbsence;
  let cleanup: () => void = () => undefined;
  const until = Date.now() + 30 * 60_000;
  let mine: AbsenceInfo | null;

  beforeEach(async () => {
    mine = null;
    api = new FakeApiClient()
      .on('presence.list', () => ({
        people: [{ userId: kari.id, state: mine ? 'absent' : 'free', absence: mine, since: 1 }],
      }))
      .on('absence.set', (p) => {
        mine = {
          reason: p.reason,
          from: Date.now() - 1000,
          until: p.until ?? null,
          message: p.message ?? null,
          callHandling: p.callHandling ?? 'switchboard',
          forwardNumber: p.forwardNumber ?? null,
          source: 'self',
        };
        api.eventsSubject.next({
          type: 'event',
          event: 'presence.changed',
          seq: 1,
          data: { userId: kari.id, state: 'absent', absence: mine, since: Date.now() },
        });
        return { absence: mine };
      });
    const session = new SessionModel();
    session.loggedIn(kari, kariSip);
    const mounted = await mount<SentralMyAbsence>(html`<sentral-my-absence></sentral-my-absence>`, [
      [apiClientContext, api],
      [sessionModelContext, session],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
  });

  afterEach(() => cleanup());

  it('sets your own absence and then says you are absent and until when', async () => {
    const status = () => deepQuery(element, '[data-testid=my-absence]')?.textContent?.trim();
    await waitUntil(() => status() === 'Not marked absent');
    const button = deepQuery<HTMLButtonElement>(element, '[data-testid=my-absence-button]');
    expect(button?.getAttribute('aria-expanded')).to.equal('false');
    button?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-save]') !== null);
    expect(button?.getAttribute('aria-expanded')).to.equal('true');
    await expect(element).shadowDom.to.be.accessible();
    const untilInput = deepQuery<HTMLInputElement>(element, '[data-testid=absence-until]');
    const d = new Date(until);
    const pad = (n: number) => String(n).padStart(2, '0');
    if (untilInput) {
      untilInput.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      untilInput.dispatchEvent(new Event('input'));
    }
    deepQuery(element, '[data-testid=absence-save]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-save]') === null);
    const saved = api.sent.find((s) => s.type === 'absence.set')?.params as Record<string, unknown>;
    expect(saved).to.not.have.property('userId');
    const minute = Math.floor(until / 60_000) * 60_000;
    await waitUntil(() => status()?.startsWith('Absent:'));
    expect(status()).to.contain(`Meeting, `);
    expect(status()).to.contain(clockTime(minute));
    expect(element.shadowRoot?.activeElement).to.equal(button);
  });
});
