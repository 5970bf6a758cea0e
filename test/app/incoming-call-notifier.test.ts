/**
 * The incoming-call notification with Answer and Decline, shown through a service worker's
 * registration. The softphone runs with a fake `navigator.serviceWorker` (its registration
 * records the notifications; tests post the worker's messages), a fake `Notification` and a
 * stubbed `document.visibilityState`. The last block registers the real worker file.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type {
  CallNotificationOptions,
  NotificationRegistration,
  ServiceWorkerSource,
} from '../../src/app/incoming-call-notifier.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import '../../src/app/sentral-softphone.js';
import type { SentralSoftphone } from '../../src/app/sentral-softphone.js';
import type { Party } from '../../src/sip/phone.js';
import { FakeApiClient, FakePhone, deepQuery, kariSip, must, settle } from './fakes.js';
import { mountSoftphone } from './softphone-fixture.js';

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

interface WorkerNotification {
  readonly title: string;
  readonly options: CallNotificationOptions;
  closed: boolean;
}

/** A registration whose worker is active; it keeps the notifications it was asked to show. */
class FakeRegistration implements NotificationRegistration {
  readonly active = {};
  readonly shown: WorkerNotification[] = [];

  showNotification(title: string, options: CallNotificationOptions = {}): Promise<void> {
    this.shown.push({ title, options, closed: false });
    return Promise.resolve();
  }

  getNotifications(filter: { tag?: string } = {}) {
    const open = this.shown.filter(
      (n) => !n.closed && (filter.tag === undefined || n.options.tag === filter.tag),
    );
    return Promise.resolve(open.map((n) => ({ close: () => void (n.closed = true) })));
  }
}

/** `navigator.serviceWorker` as far as the notifier uses it; `post` plays the worker. */
class FakeContainer implements ServiceWorkerSource {
  readonly registration = new FakeRegistration();
  readonly listeners = new Set<(event: MessageEvent) => void>();
  readonly registered: string[] = [];
  /** Set to make `register` fail (no worker file, insecure origin...). */
  failing = false;

  register(url: string): Promise<NotificationRegistration> {
    this.registered.push(url);
    return this.failing
      ? Promise.reject(new TypeError('cannot register'))
      : Promise.resolve(this.registration);
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.delete(listener);
  }

  post(data: unknown): void {
    const event = new MessageEvent('message', { data });
    for (const listener of this.listeners) listener(event);
  }
}

/** Plain page notifications (the fallback), newest last. */
const plain: { title: string; closed: boolean }[] = [];

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  onclick: (() => void) | null = null;
  private readonly entry: { title: string; closed: boolean };
  constructor(title: string) {
    this.entry = { title, closed: false };
    plain.push(this.entry);
  }
  close(): void {
    this.entry.closed = true;
  }
}

describe('incoming-call notification with Answer and Decline (service worker)', () => {
  let container: FakeContainer;
  let services: Services;
  let phone: FakePhone;
  let element: SentralSoftphone;
  let cleanup: () => void = () => undefined;
  let visibility: DocumentVisibilityState = 'visible';
  let focused = 0;
  const realNotification = window.Notification;
  const realFocus = window.focus.bind(window);

  function setVisibility(state: DocumentVisibilityState): void {
    visibility = state;
    document.dispatchEvent(new Event('visibilitychange'));
  }

  before(() => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
    Object.defineProperty(navigator, 'serviceWorker', {
      configurable: true,
      get: () => container,
    });
    window.Notification = FakeNotification as unknown as typeof Notification;
    window.focus = () => void focused++;
  });

  after(() => {
    delete (document as unknown as { visibilityState?: unknown }).visibilityState;
    delete (navigator as unknown as { serviceWorker?: unknown }).serviceWorker;
    window.Notification = realNotification;
    window.focus = realFocus;
  });

  async function start(options: { failing?: boolean } = {}): Promise<void> {
    container = new FakeContainer();
    container.failing = options.failing ?? false;
    phone = new FakePhone();
    services = assembleServices(new FakeApiClient(), () => phone);
    const mounted = await mountSoftphone(services);
    element = mounted.element;
    cleanup = mounted.cleanup;
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    if (FakeNotification.permission === 'granted') {
      await waitUntil(() => container.registered.length > 0, 'the worker was not registered');
    }
    await settle(element); // the registration resolves
  }

  beforeEach(() => {
    plain.length = 0;
    focused = 0;
    visibility = 'visible';
    FakeNotification.permission = 'granted';
  });

  afterEach(() => cleanup());

  async function ring(callId = 'c1') {
    phone.emit({ type: 'incoming', callId, remote: ola, autoAnswer: false });
    await settle(element);
  }

  it('registers /sentral-sw.js once and shows the notification through it, with Answer, Decline and the call id', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    await settle(element);

    expect(container.registered).to.deep.equal(['/sentral-sw.js']);
    expect(plain).to.have.length(0);
    expect(container.registration.shown).to.have.length(1);
    const shown = must(container.registration.shown[0]);
    expect(shown.title).to.equal('Incoming call: Ola Nordmann');
    expect(shown.options.body).to.equal('1002 — incoming call in Sentral');
    expect(shown.options.tag).to.equal('sentral-call-c1');
    expect(shown.options.requireInteraction).to.equal(true);
    expect(shown.options.actions).to.deep.equal([
      { action: 'answer', title: 'Answer' },
      { action: 'decline', title: 'Decline' },
    ]);
    expect(shown.options.data).to.deep.equal({ callId: 'c1' });
  });

  it('closes the notification when the call stops ringing', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    phone.emit({ type: 'ended', callId: 'c1', reason: 'cancelled' });
    await settle(element);
    expect(must(container.registration.shown[0]).closed).to.equal(true);
  });

  it('closes the notification when the tab is seen again', async () => {
    await start();
    await ring();
    expect(container.registration.shown).to.have.length(0); // visible: the card is enough
    setVisibility('hidden');
    expect(container.registration.shown).to.have.length(1);
    setVisibility('visible');
    await settle(element);
    expect(must(container.registration.shown[0]).closed).to.equal(true);
  });

  it('Answer on the notification answers that call and focuses the window', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    container.post({ type: 'sentral-notification', action: 'answer', callId: 'c1' });
    await settle(element);
    expect(phone.commands).to.include('answer c1');
    expect(focused).to.equal(1);
  });

  it('a message for a call that no longer rings does nothing', async () => {
    await start();
    setVisibility('hidden');
    await ring('c2');
    container.post({ type: 'sentral-notification', action: 'answer', callId: 'c1' });
    container.post({ type: 'sentral-notification', action: 'decline', callId: 'c1' });
    container.post({ type: 'something-else', action: 'answer', callId: 'c2' });
    await settle(element);
    expect(phone.commands.filter((c) => /^(answer|reject)/.test(c))).to.deep.equal([]);
    expect(focused).to.equal(0);
  });

  it('Decline on the notification rejects the call without focusing the window', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    container.post({ type: 'sentral-notification', action: 'decline', callId: 'c1' });
    await settle(element);
    expect(phone.commands).to.include('reject c1');
    expect(phone.commands).not.to.include('answer c1');
    expect(focused).to.equal(0);
  });

  it('a click on the notification itself focuses the window and puts the focus on Answer', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    container.post({ type: 'sentral-notification', action: 'show', callId: 'c1' });
    await settle(element);
    expect(focused).to.equal(1);
    expect(phone.commands).not.to.include('answer c1');
    const card = must(deepQuery(element, 'sentral-incoming-call'));
    expect(card.shadowRoot?.activeElement?.getAttribute('data-testid')).to.equal('answer');
  });

  it('stops listening and closes its notification when the softphone leaves the page', async () => {
    await start();
    setVisibility('hidden');
    await ring();
    expect(container.listeners.size).to.equal(1);
    cleanup();
    await settle();
    expect(container.listeners.size).to.equal(0);
    expect(must(container.registration.shown[0]).closed).to.equal(true);
  });

  it('falls back to a plain notification when the worker cannot be registered', async () => {
    await start({ failing: true });
    setVisibility('hidden');
    await ring();
    expect(container.registration.shown).to.have.length(0);
    expect(plain.map((n) => n.title)).to.deep.equal(['Incoming call: Ola Nordmann']);
  });

  it('registers nothing and shows nothing without notification permission', async () => {
    FakeNotification.permission = 'denied';
    await start();
    setVisibility('hidden');
    await ring();
    expect(container.registered).to.deep.equal([]);
    expect(container.registration.shown).to.have.length(0);
    expect(plain).to.have.length(0);
  });
});

describe('the real service worker file', () => {
  // The test server serves the repo root, so the worker is at /public/ here (at / in the app);
  // its own folder is the widest scope it may take.
  const scope = new URL('/public/', location.href).href;

  afterEach(async () => {
    const registration = await navigator.serviceWorker.getRegistration(scope);
    await registration?.unregister();
  });

  it('registers in this Chromium and becomes active', async () => {
    const registration = await navigator.serviceWorker.register('/public/sentral-sw.js', {
      scope,
    });
    const worker = registration.installing ?? registration.waiting ?? registration.active;
    await waitUntil(() => worker?.state === 'activated', 'the worker did not activate', {
      timeout: 5000,
    });
    expect(registration.active?.scriptURL).to.equal(new URL('/public/sentral-sw.js', scope).href);
  });
});
