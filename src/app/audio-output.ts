/**
 * Where the softphone's own sounds go: ringback and the call-waiting tone on the speaker (the
 * device the call is heard on), the ringtone on the ringer device (ring on the speakers, talk on
 * the headset), each through its own AudioContext so each can have its own `setSinkId`.
 *
 * Also the explicit "ready for calls" step: browsers only let audio start after a user gesture
 * (autoplay policy), so the first call of the day would ring silently. {@link AudioOutput.ready}
 * runs from the softphone's Ready button: it unlocks both contexts and asks for permission to
 * show system notifications (incoming calls while the tab is hidden).
 * @packageDocumentation
 */
import { BehaviorSubject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { AudioSettings } from '../store/audio-settings-state.js';
import { logger } from '../store/logger.js';
import { ToneGenerator } from './tones.js';
import type { ToneKind } from './tones.js';

/** The part of the Notification API the ready step uses (tests stub it). */
export interface NotificationPermissionSource {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

function browserNotifications(): NotificationPermissionSource | null {
  return typeof Notification === 'undefined' ? null : Notification;
}

export class AudioOutput {
  /** Ringback and call-waiting: on the speaker. */
  readonly tones = new ToneGenerator();
  /** The ringtone: on the ringer device. */
  readonly ringer = new ToneGenerator();

  private readonly readySubject = new BehaviorSubject(false);
  /** The user went through the ready step in this page (audio unlocked by them). */
  readonly ready$: Observable<boolean> = this.readySubject.asObservable();

  constructor(
    private readonly notifications: () => NotificationPermissionSource | null = browserNotifications,
  ) {}

  get isReady(): boolean {
    return this.readySubject.getValue();
  }

  /** The generator a tone plays on. */
  generatorFor(kind: ToneKind): ToneGenerator {
    return kind === 'ringtone' ? this.ringer : this.tones;
  }

  /** Unlock on any user gesture (the shell calls this on the first click or key). */
  unlock(): void {
    this.tones.unlock();
    this.ringer.unlock();
  }

  /**
   * The ready step, from a user gesture: unlocks both outputs and asks for notification
   * permission when the user has not decided yet. Resolves with the permission (null: the
   * browser has no notifications).
   */
  async ready(): Promise<NotificationPermission | null> {
    const notifications = this.notifications();
    // Ask first: the permission prompt needs the gesture's transient activation, which the
    // awaits below could outlive.
    const permission =
      notifications?.permission === 'default'
        ? notifications.requestPermission().catch((error: unknown) => {
            logger.warn('notifications: permission request failed', error);
            return 'default' as NotificationPermission;
          })
        : Promise.resolve(notifications?.permission ?? null);
    await Promise.all([this.tones.unlockNow(), this.ringer.unlockNow()]);
    this.readySubject.next(true);
    return permission;
  }

  /** Puts each sound on its device (null: the default). */
  async applyDevices(devices: AudioSettings): Promise<void> {
    await Promise.all([
      this.tones.setSinkId(devices.speakerId),
      this.ringer.setSinkId(devices.ringerId),
    ]);
  }

  stop(): void {
    this.tones.stop();
    this.ringer.stop();
  }
}
