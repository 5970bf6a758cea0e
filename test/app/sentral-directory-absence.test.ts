import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-directory.js';
import type { SentralDirectory } from '../../src/app/sentral-directory.js';
import { clockTime } from '../../src/app/absence-text.js';
import {
  apiClientContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
  sessionModelContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { DirectoryEntry, SessionUser } from '../../src/shared/protocol.js';
import type { AbsenceInfo, Presence } from '../../src/shared/switchboard.js';
import { absenceInForce, initialPresence, presenceListed } from '../../src/store/presence-model.js';
import { FakeApiClient, FakePhone, deepQuery, kari, kariSip, mount, settle } from './fakes.js';

const XSS = '<img src=x onerror=alert(1)>';

function person(id: string, displayName: string, extension: string): DirectoryEntry {
  return {
    id,
    username: id,
    displayName,
    extension,
    mobile: null,
    department: null,
    title: null,
  };
}

function absence(over: Partial<AbsenceInfo>): AbsenceInfo {
  return {
    reason: 'lunch',
    from: Date.now() - 60_000,
    until: null,
    message: null,
    callHandling: 'switchboard',
    forwardNumber: null,
    source: 'self',
    ...over,
  };
}

function presence(userId: string, a: AbsenceInfo | null): Presence {
  return { userId, state: a ? 'absent' : 'free', absence: a, since: 1 };
}

/** Today at hh:mm (a time later than now today, when the test runs before 23:00). */
function laterToday(): number {
  const d = new Date();
  return Math.max(
    Date.now() + 60_000,
    new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 30).getTime(),
  );
}

describe('absenceInForce', () => {
  it('is the absence that has started and not ended; a later one is not in force yet', () => {
    const now = 1_000_000;
    const snapshot = presenceListed(initialPresence, [
      presence('a', absence({ from: now - 10, until: now + 10 })),
      presence('b', absence({ from: now + 10, until: null })),
      presence('c', absence({ from: now - 20, until: now })),
      presence('d', null),
    ]);
    expect(absenceInForce(snapshot, 'a', now)?.reason).to.equal('lunch');
    expect(absenceInForce(snapshot, 'b', now)).to.equal(null);
    expect(absenceInForce(snapshot, 'c', now)).to.equal(null);
    expect(absenceInForce(snapshot, 'd', now)).to.equal(null);
  });
});

describe('sentral-directory absences', () => {
  let services: Services;
  let api: FakeApiClient;
  let element: SentralDirectory;
  let cleanup: () => void = () => undefined;
  const until = laterToday();
  const nextWeek = Date.now() + 7 * 24 * 3600_000;

  const row = (id: string) => deepQuery(element, `[data-id="${id}"]`);
  const within = (id: string, testid: string) =>
    row(id)?.querySelector(`[data-testid=${testid}]`) ?? null;

  async function start(user: SessionUser = kari): Promise<void> {
    api = new FakeApiClient()
      .on('directory.list', () => ({
        people: [
          person('ola', 'Ola Hansen', '1007'),
          person('per', 'Per Berg', '1003'),
          person('eva', 'Eva Li', '1004'),
          person('siv', 'Siv Dahl', '1005'),
        ],
      }))
      .on('presence.list', () => ({
        people: [
          presence('ola', absence({ reason: 'meeting', until, message: XSS })),
          presence('per', absence({ reason: 'vacation', until: nextWeek })),
          presence('eva', absence({ reason: 'sick', until: null })),
          presence('siv', absence({ reason: 'course', from: Date.now() + 3600_000 })),
        ],
      }))
      .on('absence.set', (p) => ({ absence: absence({ reason: p.reason }) }));
    services = assembleServices(api, () => new FakePhone());
    await services.directory.load();
    services.session.loggedIn(user, kariSip);
    const mounted = await mount<SentralDirectory>(html`<sentral-directory></sentral-directory>`, [
      [directoryModelContext, services.directory],
      [phoneServiceContext, services.phone],
      [linesModelContext, services.lines],
      [apiClientContext, api],
      [sessionModelContext, services.session],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
    await waitUntil(() => within('ola', 'absence') !== null);
  }

  afterEach(() => cleanup());

  it('shows the reason, when they are back and the message (as text) of absent colleagues', async () => {
    await start();
    expect(within('ola', 'absence-reason')?.textContent).to.equal('Meeting');
    expect(within('ola', 'absence-back')?.textContent).to.equal(`back at ${clockTime(until)}`);
    expect(within('ola', 'absence-message')?.textContent).to.equal(XSS);
    expect(row('ola')?.querySelector('img')).to.equal(null);

    expect(within('per', 'absence-reason')?.textContent).to.equal('Vacation');
    const back = within('per', 'absence-back')?.textContent ?? '';
    expect(back).to.match(/^back \S+ .*\d.* at \d\d[:.]\d\d$/);
    expect(within('per', 'absence-message')).to.equal(null);

    expect(within('eva', 'absence-back')?.textContent).to.equal('until further notice');
    expect(within('siv', 'absence')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('follows presence events: an absence that is cleared leaves the row', async () => {
    await start();
    api.eventsSubject.next({
      type: 'event',
      event: 'presence.changed',
      seq: 1,
      data: { userId: 'ola', state: 'free', absence: null, since: Date.now() },
    });
    await waitUntil(() => within('ola', 'absence') === null);
    expect(within('per', 'absence')).to.not.equal(null);
  });

  it('lets an operator set a colleague’s absence from their row, in a dialog', async () => {
    await start();
    const button = within('per', 'directory-absence') as HTMLButtonElement | null;
    expect(button?.textContent?.trim()).to.equal('Set absence…');
    button?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-dialog]') !== null);
    const dialog = deepQuery<HTMLDialogElement>(element, '[data-testid=absence-dialog]');
    expect(dialog?.open).to.equal(true);
    expect(dialog?.textContent).to.contain('Absence for Per Berg');
    const form = deepQuery(element, 'sentral-absence-form');
    await settle(form ?? undefined);
    // It starts from Per's current absence.
    const reason = form?.shadowRoot?.querySelector<HTMLSelectElement>(
      '[data-testid=absence-reason]',
    );
    expect(reason?.value).to.equal('vacation');
    await expect(element).shadowDom.to.be.accessible();
    deepQuery(element, '[data-testid=absence-save]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-dialog]') === null);
    expect(api.sent.find((s) => s.type === 'absence.set')?.params).to.include({
      userId: 'per',
      reason: 'vacation',
    });
    expect(deepQuery(element, '[data-testid=directory-result]')?.textContent?.trim()).to.equal(
      'Absence saved for Per Berg.',
    );
    expect(element.shadowRoot?.activeElement).to.equal(button);
  });

  it('closes the dialog on Cancel without saving', async () => {
    await start();
    (within('ola', 'directory-absence') as HTMLElement | null)?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-cancel]') !== null);
    deepQuery(element, '[data-testid=absence-cancel]')?.click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-dialog]') === null);
    expect(api.sent.some((s) => s.type === 'absence.set')).to.equal(false);
  });

  it('offers no "Set absence…" to a user who is not an operator', async () => {
    await start({ ...kari, role: 'user' });
    expect(within('ola', 'absence')).to.not.equal(null);
    expect(within('ola', 'directory-absence')).to.equal(null);
  });
});
