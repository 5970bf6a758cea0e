import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-directory.js';
import type { SentralDirectory } from '../../src/app/sentral-directory.js';
import {
  apiClientContext,
  directoryModelContext,
  linesModelContext,
  phoneServiceContext,
  sessionModelContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { DirectoryEntry } from '../../src/shared/protocol.js';
import type { Presence } from '../../src/shared/switchboard.js';
import {
  initialPresence,
  presenceChanged,
  presenceListed,
  presenceOf,
} from '../../src/store/presence-model.js';
import { FakeApiClient, FakePhone, deepQueryAll, kari, kariSip, mount } from './fakes.js';

function presence(userId: string, state: Presence['state'], since: number): Presence {
  return { userId, state, absence: null, since } as Presence;
}

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

describe('presence reducers', () => {
  it('a change replaces an older state and is ignored when older than what we have', () => {
    const one = presenceChanged(initialPresence, presence('ola', 'free', 10));
    const two = presenceChanged(one, presence('ola', 'busy', 20));
    expect(presenceOf(two, 'ola')).to.equal('busy');
    expect(presenceChanged(two, presence('ola', 'free', 15))).to.equal(two);
    expect(presenceOf(two, 'nobody')).to.equal(null);
  });

  it('a list replaces everything, except a newer event that came while it travelled', () => {
    const evented = presenceChanged(initialPresence, presence('ola', 'busy', 30));
    const listed = presenceListed(evented, [
      presence('ola', 'free', 20),
      presence('kari', 'free', 5),
    ]);
    expect(presenceOf(listed, 'ola')).to.equal('busy');
    expect(presenceOf(listed, 'kari')).to.equal('free');
    const gone = presenceListed(listed, [presence('kari', 'offline', 40)]);
    expect(presenceOf(gone, 'ola')).to.equal(null);
  });
});

describe('sentral-directory presence', () => {
  let services: Services;
  let api: FakeApiClient;
  let element: SentralDirectory;
  let cleanup: () => void = () => undefined;
  let seq = 0;

  const stateOf = (id: string) =>
    deepQueryAll(element, `[data-id="${id}"] [data-testid=presence]`)[0];

  beforeEach(async () => {
    api = new FakeApiClient()
      .on('directory.list', () => ({
        people: [person('ola', 'Ola Hansen', '1007'), person('per', 'Per Berg', '1003')],
      }))
      .on('presence.list', () => ({
        people: [presence('ola', 'free', 1), presence('per', 'absent', 1)],
      }));
    services = assembleServices(api, () => new FakePhone());
    await services.directory.load();
    services.session.loggedIn(kari, kariSip);
    const mounted = await mount<SentralDirectory>(html`<sentral-directory></sentral-directory>`, [
      [directoryModelContext, services.directory],
      [phoneServiceContext, services.phone],
      [linesModelContext, services.lines],
      [apiClientContext, api],
      [sessionModelContext, services.session],
    ]);
    element = mounted.element;
    cleanup = mounted.cleanup;
  });

  afterEach(() => cleanup());

  it('shows each colleague free / busy / absent as a word with an icon, following events', async () => {
    await waitUntil(() => stateOf('ola')?.textContent?.trim() === 'Free');
    expect(stateOf('ola')?.getAttribute('data-state')).to.equal('free');
    expect(stateOf('ola')?.querySelector('svg[aria-hidden=true]')).to.not.equal(null);
    expect(stateOf('per')?.textContent?.trim()).to.equal('Absent');

    api.eventsSubject.next({
      type: 'event',
      event: 'presence.changed',
      seq: ++seq,
      data: presence('ola', 'busy', Date.now()),
    });
    await waitUntil(() => stateOf('ola')?.getAttribute('data-state') === 'busy');
    expect(stateOf('ola')?.textContent?.trim()).to.equal('Busy');
    await expect(element).shadowDom.to.be.accessible();
  });

  it('loads presence again when the API connection comes back', async () => {
    await waitUntil(() => stateOf('ola') !== undefined);
    const lists = () => api.sent.filter((s) => s.type === 'presence.list').length;
    const before = lists();
    api.on('presence.list', () => ({ people: [presence('ola', 'ringing', Date.now())] }));
    api.connection.next('reconnecting');
    api.connection.next('open');
    await waitUntil(() => stateOf('ola')?.getAttribute('data-state') === 'ringing');
    expect(lists()).to.equal(before + 1);
    expect(stateOf('per')).to.equal(undefined);
  });
});
