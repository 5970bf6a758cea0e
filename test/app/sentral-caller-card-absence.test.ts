import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-caller-card.js';
import type { SentralCallerCard } from '../../src/app/sentral-caller-card.js';
import { backText } from '../../src/app/absence-text.js';
import {
  apiClientContext,
  directoryModelContext,
  sessionModelContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { AbsenceInfo, Presence } from '../../src/shared/switchboard.js';
import { FakeApiClient, FakePhone, deepQuery, kari, kariSip, mount } from './fakes.js';

const XSS = '<img src=x onerror=alert(1)>';

describe('sentral-caller-card: a call for an absent colleague', () => {
  let services: Services;
  let api: FakeApiClient;
  let element: SentralCallerCard;
  let cleanup: () => void = () => undefined;
  const until = Date.now() + 45 * 60_000;
  let olaAbsence: AbsenceInfo | null;

  const line = () => deepQuery(element, '[data-testid=card-absent-for]');
  const text = () => line()?.textContent?.replace(/\s+/g, ' ').trim();

  async function start(absentFor: string | null): Promise<void> {
    api = new FakeApiClient()
      .on('directory.list', () => ({
        people: [
          {
            id: 'ola',
            username: 'ola',
            displayName: `Ola ${XSS}`,
            extension: '1007',
            mobile: null,
            department: null,
            title: null,
          },
        ],
      }))
      .on('presence.list', () => ({
        people: [
          {
            userId: 'ola',
            state: olaAbsence ? 'absent' : 'free',
            absence: olaAbsence,
            since: 1,
          } satisfies Presence,
        ],
      }))
      .on('caller.history', ({ number }) => ({ number, calls: [], notes: [] }));
    services = assembleServices(api, () => new FakePhone());
    await services.directory.load();
    services.session.loggedIn(kari, kariSip);
    const mounted = await mount<SentralCallerCard>(
      html`<sentral-caller-card
        number="+4790000001"
        name=${XSS}
        .absentFor=${absentFor}
      ></sentral-caller-card>`,
      [
        [apiClientContext, api],
        [directoryModelContext, services.directory],
        [sessionModelContext, services.session],
      ],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
  }

  beforeEach(() => {
    olaAbsence = {
      reason: 'lunch',
      from: Date.now() - 60_000,
      until,
      message: `Back after lunch ${XSS}`,
      callHandling: 'switchboard',
      forwardNumber: null,
      source: 'self',
    };
  });

  afterEach(() => cleanup());

  it('says whom the call was for, why they are away, when they are back and their message', async () => {
    await start('1007');
    await waitUntil(() => text()?.includes('Lunch'));
    expect(text()).to.equal(
      // ("back at 14:30", or with the day when 45 minutes from now is tomorrow)
      `For Ola ${XSS} — absent: Lunch, ${backText(until, Date.now())}: Back after lunch ${XSS}`,
    );
    expect(element.shadowRoot?.querySelector('img')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('still says whom it was for when their absence is not known (or already over)', async () => {
    olaAbsence = null;
    await start('1007');
    await waitUntil(() => line() !== null);
    expect(text()).to.equal(`For Ola ${XSS} — absent`);
  });

  it('says nothing of the sort for an ordinary call', async () => {
    await start(null);
    await waitUntil(() => deepQuery(element, '[data-testid=card-no-calls]') !== null);
    expect(line()).to.equal(null);
  });
});
