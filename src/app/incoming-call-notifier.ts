import { msg, str } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallSnapshot } from '../store/call-state.js';
import { logger } from '../store/logger.js';

/** The Notification constructor as far as the notifier uses it (tests pass a fake). */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  new (title: string, options?: NotificationOptions): Notification;
}

/** A worker notification's options: TypeScript's DOM typings leave out `actions`. */
export interface CallNotificationOptions extends NotificationOptions {
  readonly actions?: readonly { readonly action: string; readonly title: string }[];
}

/** The part of a `ServiceWorkerRegistration` the notifier uses (tests pass a fake). */
export interface NotificationRegistration {
  /** The active worker; `showNotification` needs one. */
  readonly active: object | null;
  readonly installing?: Pick<ServiceWorker, 'state' | 'addEventListener'> | null;
  readonly waiting?: Pick<ServiceWorker, 'state' | 'addEventListener'> | null;
  showNotification(title: string, options?: CallNotificationOptions): Promise<void>;
  getNotifications(filter?: { tag?: string }): Promise<readonly Pick<Notification, 'close'>[]>;
}

/** The part of `navigator.serviceWorker` the notifier uses (tests pass a fake). */
export interface ServiceWorkerSource {
  register(url: string): Promise<NotificationRegistration>;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** What the worker posts to the page after a click on the notification. */
export interface NotificationClickMessage {
  readonly type: 'sentral-notification';
  /** Answer or Decline pressed, or `show`: a click on the notification itself. */
  readonly action: 'answer' | 'decline' | 'show';
  readonly callId: string;
}

export interface NotifierOptions {
  /** The call ringing in now (not auto-answered), or null. */
  readonly ringing: () => CallSnapshot | null;
  /** The user clicked the notification: show the call (the window is focused already). */
  readonly onShow: (callId: string) => void;
  /** The user pressed Answer on the notification (the window is focused already). */
  readonly onAnswer: (callId: string) => void;
  /** The user pressed Decline on the notification. */
  readonly onDecline: (callId: string) => void;
  /** Default: the browser's `Notification` when it has one. */
  readonly notifications?: () => NotificationApi | null;
  /** Default: `navigator.serviceWorker` when the browser has one (secure contexts only). */
  readonly serviceWorker?: () => ServiceWorkerSource | null;
  /** The worker script, same origin. Default: {@link SERVICE_WORKER_URL}. */
  readonly workerUrl?: string;
  /** Default: `document`. */
  readonly document?: Pick<
    Document,
    'visibilityState' | 'addEventListener' | 'removeEventListener'
  >;
  /** Default: `window.focus()`. */
  readonly focusWindow?: () => void;
}

/** `public/sentral-sw.js`, served at the root by Vite and from `dist/` by the core. */
export const SERVICE_WORKER_URL = '/sentral-sw.js';

const MESSAGE_TYPE = 'sentral-notification';
const ACTIONS: ReadonlySet<string> = new Set(['answer', 'decline', 'show']);

function browserNotification(): NotificationApi | null {
  return typeof Notification === 'undefined' ? null : Notification;
}

function browserServiceWorker(): ServiceWorkerSource | null {
  // Undefined outside a secure context (plain http on another host than localhost).
  return typeof navigator === 'undefined' ? null : (navigator.serviceWorker ?? null);
}

/** The worker's message, or null for anything else. */
export function notificationClickMessage(data: unknown): NotificationClickMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, action, callId } = data as Record<string, unknown>;
  if (type !== MESSAGE_TYPE || typeof action !== 'string' || !ACTIONS.has(action)) return null;
  if (typeof callId !== 'string' || !callId) return null;
  return { type, action: action as NotificationClickMessage['action'], callId };
}

/** Resolves once the registration has an active worker (a fresh one is still installing). */
function whenActive(registration: NotificationRegistration): Promise<NotificationRegistration> {
  if (registration.active) return Promise.resolve(registration);
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return Promise.reject(new Error('the service worker neither installs nor runs'));
  return new Promise((resolve, reject) => {
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve(registration);
      else if (worker.state === 'redundant') reject(new Error('the service worker failed'));
    });
  });
}

/** One shown notification and how to close it. */
interface Shown {
  readonly callId: string;
  close(): void;
}

/**
 * Raises a system notification for a call that rings in while the tab is hidden (permission
 * asked at the ready step), with Answer and Decline buttons.
 *
 * Action buttons exist only on a service worker's notifications, so once the permission is
 * granted the notifier registers `public/sentral-sw.js` (once per page; no fetch handler, see ADR
 * 0013) and shows the notification through its registration. A click goes to the worker, which
 * focuses the app's window (not for Decline) and posts a {@link NotificationClickMessage} back;
 * the notifier then calls `onAnswer`, `onDecline` or `onShow` — only if that very call still
 * rings here, so a late click on a stale notification does nothing.
 *
 * Until the worker is active (or where there is none: insecure origin, registration failed) it
 * falls back to a plain page notification without buttons, whose click focuses the window and
 * shows the call, where Answer has the keyboard focus. Either kind closes when the call stops
 * ringing or the tab is seen.
 */
export class IncomingCallNotifier implements ReactiveController {
  private shown: Shown | null = null;
  private readonly doc: NonNullable<NotifierOptions['document']>;
  private readonly container: ServiceWorkerSource | null;
  /** The worker's registration once active; null before (or when there is none). */
  private registration: NotificationRegistration | null = null;
  private registering = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: NotifierOptions,
  ) {
    this.doc = options.document ?? document;
    this.container = (options.serviceWorker ?? browserServiceWorker)();
    host.addController(this);
  }

  hostConnected(): void {
    this.doc.addEventListener('visibilitychange', this.check);
    this.container?.addEventListener('message', this.onMessage);
  }

  hostDisconnected(): void {
    this.doc.removeEventListener('visibilitychange', this.check);
    this.container?.removeEventListener('message', this.onMessage);
    this.close();
  }

  hostUpdated(): void {
    this.check();
  }

  private readonly check = (): void => {
    const api = (this.options.notifications ?? browserNotification)();
    if (api?.permission === 'granted') this.register();
    const call = this.options.ringing();
    const callId = call?.callId ?? null;
    if (!call || !callId || this.doc.visibilityState !== 'hidden') {
      this.close();
      return;
    }
    if (this.shown?.callId === callId) return;
    this.close();
    if (!api || api.permission !== 'granted') return;
    const name = call.remote?.displayName || call.remote?.number || msg('Unknown caller');
    const number = call.remote?.displayName ? (call.remote.number ?? '') : '';
    const title = msg(str`Incoming call: ${name}`);
    const tag = `sentral-call-${callId}`;
    if (this.registration) this.showWithActions(this.registration, callId, title, number, tag);
    else this.showPlain(api, callId, title, number, tag);
  };

  /** Registers the worker the first time the permission is seen granted. */
  private register(): void {
    if (this.registering || !this.container) return;
    this.registering = true;
    void this.container
      .register(this.options.workerUrl ?? SERVICE_WORKER_URL)
      .then(whenActive)
      .then(
        (registration) => {
          this.registration = registration;
        },
        (error: unknown) => {
          logger.warn('notifications: no service worker, notifications without buttons', error);
        },
      );
  }

  private showWithActions(
    registration: NotificationRegistration,
    callId: string,
    title: string,
    number: string,
    tag: string,
  ): void {
    const closeTagged = (): void => {
      registration.getNotifications({ tag }).then(
        (notifications) => notifications.forEach((notification) => notification.close()),
        (error: unknown) => logger.warn('notifications: cannot close', error),
      );
    };
    const shown: Shown = { callId, close: closeTagged };
    this.shown = shown;
    registration
      .showNotification(title, {
        body: number
          ? msg(str`${number} — incoming call in Sentral`)
          : msg('Incoming call in Sentral'),
        tag,
        requireInteraction: true,
        actions: [
          { action: 'answer', title: msg('Answer') },
          { action: 'decline', title: msg('Decline') },
        ],
        data: { callId },
      })
      .then(
        // It stopped ringing while the notification was on its way: the close found none.
        () => (this.shown === shown ? undefined : closeTagged()),
        (error: unknown) => logger.warn('notifications: cannot show the incoming call', error),
      );
  }

  private showPlain(
    api: NotificationApi,
    callId: string,
    title: string,
    number: string,
    tag: string,
  ): void {
    try {
      const notification = new api(title, {
        body: number
          ? msg(str`${number} — click to answer in Sentral`)
          : msg('Click to answer in Sentral'),
        tag,
        requireInteraction: true,
      });
      notification.onclick = () => {
        this.focusWindow();
        notification.close();
        this.options.onShow(callId);
      };
      this.shown = { callId, close: () => notification.close() };
    } catch (error) {
      logger.warn('notifications: cannot show the incoming call', error);
    }
  }

  private readonly onMessage = (event: MessageEvent): void => {
    const message = notificationClickMessage(event.data);
    if (!message) return;
    if (this.options.ringing()?.callId !== message.callId) {
      logger.info(`notifications: ${message.action} for a call that no longer rings`);
      return;
    }
    switch (message.action) {
      case 'answer':
        this.focusWindow();
        this.options.onAnswer(message.callId);
        break;
      case 'decline':
        this.options.onDecline(message.callId);
        break;
      case 'show':
        this.focusWindow();
        this.options.onShow(message.callId);
        break;
    }
  };

  private focusWindow(): void {
    (this.options.focusWindow ?? (() => window.focus()))();
  }

  private close(): void {
    this.shown?.close();
    this.shown = null;
  }
}
