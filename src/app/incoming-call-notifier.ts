import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallSnapshot } from '../store/call-state.js';
import { logger } from '../store/logger.js';

/** The Notification constructor as far as the notifier uses it (tests pass a fake). */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  new (title: string, options?: NotificationOptions): Notification;
}

export interface NotifierOptions {
  /** The call ringing in now (not auto-answered), or null. */
  readonly ringing: () => CallSnapshot | null;
  /** The user clicked the notification: show the call (the window is focused already). */
  readonly onShow: (callId: string) => void;
  /** Default: the browser's `Notification` when it has one. */
  readonly notifications?: () => NotificationApi | null;
  /** Default: `document`. */
  readonly document?: Pick<
    Document,
    'visibilityState' | 'addEventListener' | 'removeEventListener'
  >;
  /** Default: `window.focus()`. */
  readonly focusWindow?: () => void;
}

function browserNotification(): NotificationApi | null {
  return typeof Notification === 'undefined' ? null : Notification;
}

/**
 * Raises a system notification for a call that rings in while the tab is hidden (permission
 * asked at the ready step). A page can only show a plain notification (action buttons need a
 * service worker), so a click focuses the window and shows the incoming call, where Answer has
 * the keyboard focus; the notification closes when the call stops ringing or the tab is seen.
 */
export class IncomingCallNotifier implements ReactiveController {
  private shown: { callId: string; notification: Notification } | null = null;
  private readonly doc: NonNullable<NotifierOptions['document']>;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: NotifierOptions,
  ) {
    this.doc = options.document ?? document;
    host.addController(this);
  }

  hostConnected(): void {
    this.doc.addEventListener('visibilitychange', this.check);
  }

  hostDisconnected(): void {
    this.doc.removeEventListener('visibilitychange', this.check);
    this.close();
  }

  hostUpdated(): void {
    this.check();
  }

  private readonly check = (): void => {
    const call = this.options.ringing();
    const callId = call?.callId ?? null;
    if (!call || !callId || this.doc.visibilityState !== 'hidden') {
      this.close();
      return;
    }
    if (this.shown?.callId === callId) return;
    this.close();
    const api = (this.options.notifications ?? browserNotification)();
    if (!api || api.permission !== 'granted') return;
    const name = call.remote?.displayName || call.remote?.number || 'Unknown caller';
    const number = call.remote?.displayName ? (call.remote.number ?? '') : '';
    try {
      const notification = new api(`Incoming call: ${name}`, {
        body: number ? `${number} — click to answer in Sentral` : 'Click to answer in Sentral',
        tag: `sentral-call-${callId}`,
        requireInteraction: true,
      });
      notification.onclick = () => {
        (this.options.focusWindow ?? (() => window.focus()))();
        notification.close();
        this.options.onShow(callId);
      };
      this.shown = { callId, notification };
    } catch (error) {
      logger.warn('notifications: cannot show the incoming call', error);
    }
  };

  private close(): void {
    this.shown?.notification.close();
    this.shown = null;
  }
}
