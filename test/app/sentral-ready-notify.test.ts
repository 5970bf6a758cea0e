/**
 * The explicit "ready for calls" step (unlocks audio, asks for notification permission) and the
 * system notification for a call ringing in while the tab is hidden. Notification and
 * document.visibilityState are stubbed on the test page.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { AudioOutput } from '../../src/app/audio-output.js';
import type { NotificationPermissionSource } from '../../src/app/audio-output.js';
import {
  audioOutputContext,
  linesModelContext,
  phoneServiceContext,
  registrationModelContext,
  sessionModelContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import { NOTIFIER_LOADER } from '../../src/app/sentral-softphone.js';
import type { NotifierLoader, SentralSoftphone } from '../../src/app/sentral-softphone.js';
import type { Party } from '../../src/sip/phone.js';
import { FakeApiClient, FakePhone, deepQuery, kariSip, mount, must, settle } from './fakes.js';
import { mountSoftphone } from './softphone-fixture.js';

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

/** Every notification the page raised, newest last. */
const raised: FakeNotification[] = [];

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  /** The user allows notifications when asked. */
  static requestPermission = () => {
    FakeNotification.permission = 'granted';
    return Promise.resolve(FakeNotification.permission);
  };
  onclick: ((this: Notification, ev: Event) => unknown) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions = {},
  ) {
    raised.push(this);
  }
  close(): void {
    this.closed = true;
  }
  click(): void {
    this.onclick?.call(this as unknown as Notification, new Event('click'));
  }
}

/** The softphone's own notifier loader, watched: how often it was called, and when it is in. */
function watchedLoader() {
  const watch = { calls: 0, loaded: false };
  const load: NotifierLoader = async () => {
    watch.calls++;
    const module = await NOTIFIER_LOADER();
    watch.loaded = true;
    return module;
  };
  return { watch, load };
}

describe('ready step', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  async function mountWith(output: AudioOutput) {
    const phone = new FakePhone();
    const services = assembleServices(new FakeApiClient(), () => phone);
    const mounted = await mountSoftphone(services, [[audioOutputContext, output]]);
    cleanup = () => {
      mounted.cleanup();
      output.stop();
    };
    return mounted.element;
  }

  it('shows "Ready for calls" until pressed; pressing unlocks both outputs and asks for notifications', async () => {
    const asked: string[] = [];
    const permissions: NotificationPermissionSource = {
      permission: 'default',
      requestPermission: () => {
        asked.push('notifications');
        return Promise.resolve('granted');
      },
    };
    const output = new AudioOutput(() => permissions);
    const element = await mountWith(output);
    const button = must(deepQuery<HTMLButtonElement>(element, '[data-testid=ready-button]'));
    expect(button.textContent?.trim()).to.equal('Ready for calls');
    expect(output.tones.running).to.equal(false); // no AudioContext yet

    button.click();
    await waitUntil(() => output.isReady, 'not ready');
    await settle(element);

    expect(asked).to.deep.equal(['notifications']);
    expect(output.tones.running).to.equal(true);
    expect(output.ringer.running).to.equal(true);
    expect(deepQuery(element, '[data-testid=ready-button]')).to.equal(null);
  });

  it('does not ask again when the user already decided about notifications', async () => {
    let asked = 0;
    const output = new AudioOutput(() => ({
      permission: 'denied',
      requestPermission: () => {
        asked++;
        return Promise.resolve('denied');
      },
    }));
    expect(await output.ready()).to.equal('denied');
    expect(asked).to.equal(0);
    output.stop();
  });
});

describe('incoming-call notification while the tab is hidden', () => {
  let services: Services;
  let notifier: ReturnType<typeof watchedLoader>;
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
    window.Notification = FakeNotification as unknown as typeof Notification;
    window.focus = () => void focused++;
  });

  after(() => {
    delete (document as unknown as { visibilityState?: unknown }).visibilityState;
    window.Notification = realNotification;
    window.focus = realFocus;
  });

  beforeEach(async () => {
    raised.length = 0;
    focused = 0;
    visibility = 'visible';
    FakeNotification.permission = 'granted';
    phone = new FakePhone();
    services = assembleServices(new FakeApiClient(), () => phone);
    notifier = watchedLoader();
    const mounted = await mount<SentralSoftphone>(
      html`<sentral-softphone .loadNotifier=${notifier.load}></sentral-softphone>`,
      [
        [registrationModelContext, services.registration],
        [linesModelContext, services.lines],
        [phoneServiceContext, services.phone],
        [sessionModelContext, services.session],
      ],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    // Permission granted: the notifier is fetched at connect; it is in place after a render.
    await waitUntil(() => notifier.watch.loaded, 'the notifier was not loaded');
    await settle(element);
  });

  afterEach(() => cleanup());

  async function ring(callId = 'c1', autoAnswer = false) {
    phone.emit({ type: 'incoming', callId, remote: ola, autoAnswer });
    await settle(element);
  }

  it('raises one notification naming the caller; a click focuses the window and puts the focus on Answer', async () => {
    setVisibility('hidden');
    await ring();
    expect(raised).to.have.length(1);
    const notification = must(raised[0]);
    expect(notification.title).to.equal('Incoming call: Ola Nordmann');
    expect(notification.options.body).to.equal('1002 — click to answer in Sentral');
    expect(notification.options.requireInteraction).to.equal(true);
    expect(notification.options.tag).to.equal('sentral-call-c1');

    await settle(element); // another render raises no second notification
    expect(raised).to.have.length(1);

    notification.click();
    await settle(element);
    expect(focused).to.equal(1);
    expect(notification.closed).to.equal(true);
    const card = must(deepQuery(element, 'sentral-incoming-call'));
    expect(card.shadowRoot?.activeElement?.getAttribute('data-testid')).to.equal('answer');
  });

  it('closes the notification when the call stops ringing', async () => {
    setVisibility('hidden');
    await ring();
    phone.emit({ type: 'ended', callId: 'c1', reason: 'cancelled' });
    await settle(element);
    expect(must(raised[0]).closed).to.equal(true);
  });

  it('notifies when the tab is hidden while a call rings, and closes it when the tab is seen again', async () => {
    await ring();
    expect(raised).to.have.length(0); // visible: the card and the ringtone are enough
    setVisibility('hidden');
    expect(raised).to.have.length(1);
    setVisibility('visible');
    expect(must(raised[0]).closed).to.equal(true);
  });

  it('raises nothing without permission, or for an auto-answered call', async () => {
    FakeNotification.permission = 'denied';
    setVisibility('hidden');
    await ring();
    expect(raised).to.have.length(0);
    phone.emit({ type: 'ended', callId: 'c1', reason: 'cancelled' });
    FakeNotification.permission = 'granted';
    await ring('c2', true);
    expect(raised).to.have.length(0);
  });
});

describe('the notifier is fetched only once notifications are allowed', () => {
  let phone: FakePhone;
  let element: SentralSoftphone;
  let cleanup: () => void = () => undefined;
  let visibility: DocumentVisibilityState = 'visible';
  const realNotification = window.Notification;

  function setVisibility(state: DocumentVisibilityState): void {
    visibility = state;
    document.dispatchEvent(new Event('visibilitychange'));
  }

  before(() => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
    window.Notification = FakeNotification as unknown as typeof Notification;
  });

  after(() => {
    delete (document as unknown as { visibilityState?: unknown }).visibilityState;
    window.Notification = realNotification;
  });

  afterEach(() => cleanup());

  async function start(loadNotifier: NotifierLoader): Promise<void> {
    raised.length = 0;
    visibility = 'visible';
    phone = new FakePhone();
    const services = assembleServices(new FakeApiClient(), () => phone);
    const output = new AudioOutput(); // asks the page's (fake) Notification
    const mounted = await mount<SentralSoftphone>(
      html`<sentral-softphone .loadNotifier=${loadNotifier}></sentral-softphone>`,
      [
        [registrationModelContext, services.registration],
        [linesModelContext, services.lines],
        [phoneServiceContext, services.phone],
        [sessionModelContext, services.session],
        [audioOutputContext, output],
      ],
    );
    element = mounted.element;
    cleanup = () => {
      mounted.cleanup();
      output.stop();
    };
    await services.phone.start(kariSip);
    phone.emit({ type: 'registration', status: 'connecting' });
    phone.emit({ type: 'registration', status: 'registered' });
    await settle(element);
  }

  async function ring(callId: string) {
    phone.emit({ type: 'incoming', callId, remote: ola, autoAnswer: false });
    await settle(element);
  }

  it('is not fetched before the permission; once Ready grants it, a call ringing in a hidden tab notifies', async () => {
    FakeNotification.permission = 'default';
    const notifier = watchedLoader();
    await start(notifier.load);

    setVisibility('hidden');
    await ring('c1');
    expect(notifier.watch.calls).to.equal(0);
    expect(raised).to.have.length(0);
    phone.emit({ type: 'ended', callId: 'c1', reason: 'cancelled' });
    setVisibility('visible');
    await settle(element);

    must(deepQuery<HTMLButtonElement>(element, '[data-testid=ready-button]')).click();
    await waitUntil(() => notifier.watch.loaded, 'the notifier was not loaded after Ready');
    await settle(element);
    expect(FakeNotification.permission).to.equal('granted');
    expect(notifier.watch.calls).to.equal(1);

    setVisibility('hidden');
    await ring('c2');
    expect(raised.map((n) => n.title)).to.deep.equal(['Incoming call: Ola Nordmann']);
  });

  it('a failed fetch leaves the phone working and is tried again', async () => {
    FakeNotification.permission = 'granted';
    const notifier = watchedLoader();
    let failures = 1;
    await start(() =>
      failures-- > 0 ? Promise.reject(new TypeError('chunk failed')) : notifier.load(),
    );

    await ring('c1'); // the next render tries again
    await waitUntil(() => notifier.watch.loaded, 'the notifier was not fetched again');
    await settle(element);
    expect(deepQuery(element, 'sentral-incoming-call')).not.to.equal(null); // still rings

    setVisibility('hidden');
    expect(raised.map((n) => n.title)).to.deep.equal(['Incoming call: Ola Nordmann']);
  });
});
