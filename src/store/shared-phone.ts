/**
 * One tab owns the phone (issue 5): of all tabs of the same user, the one holding the Web Lock
 * `sentral-phone:<aor>` has the real {@link Phone} (registers, carries the calls' media); the
 * others mirror its events and send it their commands over a `BroadcastChannel`. When the owner
 * tab closes its lock is released and the next tab takes over: it creates its own phone and
 * registers (the old tab's calls went with it and are ended here).
 *
 * A follower has no media: `remote-media` is not mirrored (streams cannot cross tabs), and
 * `getStats` answers null.
 * @packageDocumentation
 */
import { BehaviorSubject, Subject, distinctUntilChanged, map } from 'rxjs';
import type { Observable } from 'rxjs';
import type { CallOptions, Phone, PhoneEvent, SipRegistrationStatus } from '../sip/phone.js';

/** The part of `navigator.locks` used here (a fake will do in tests). */
export interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

/** The part of a `BroadcastChannel` used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

export enum TabRole {
  /** Waiting for the lock, mirroring whichever tab owns the phone. */
  Follower = 'follower',
  /** This tab has the real phone. */
  Owner = 'owner',
  Disposed = 'disposed',
}

type CommandName =
  | 'call'
  | 'answer'
  | 'reject'
  | 'hangup'
  | 'hold'
  | 'resume'
  | 'mute'
  | 'unmute'
  | 'sendDtmf'
  | 'setMicrophone';

type Message =
  | { readonly kind: 'hello' }
  | { readonly kind: 'event'; readonly event: PhoneEvent }
  | { readonly kind: 'replay'; readonly events: readonly PhoneEvent[] }
  | {
      readonly kind: 'command';
      readonly id: string;
      readonly name: CommandName;
      readonly args: readonly unknown[];
    }
  | { readonly kind: 'result'; readonly id: string; readonly error: string | null };

/** Commands a follower waits this long for the owner's answer. */
const COMMAND_TIMEOUT_MS = 10_000;

export interface SharedPhoneOptions {
  /** The user's AOR: tabs of the same user share one phone. */
  readonly key: string;
  /** Makes the real phone once this tab owns it. */
  readonly create: () => Phone | Promise<Phone>;
  readonly locks: LockManagerLike;
  readonly channel: (name: string) => ChannelLike;
}

/** A {@link Phone} shared by the tabs of one user; see the module comment. */
export class SharedPhone implements Phone {
  private readonly subject = new Subject<PhoneEvent>();
  readonly events$: Observable<PhoneEvent> = this.subject.asObservable();
  private readonly roleSubject = new BehaviorSubject<TabRole>(TabRole.Follower);
  /** True while this tab owns the phone: what the headset follows (ADR 0011). */
  readonly owner$: Observable<boolean> = this.roleSubject.pipe(
    map((role) => role === TabRole.Owner),
    distinctUntilChanged(),
  );
  get role(): TabRole {
    return this.roleSubject.getValue();
  }
  private real: Phone | null = null;
  private readonly channel: ChannelLike;
  private releaseLock: (() => void) | null = null;
  private wantRegistered = false;
  /** What a tab joining later needs: the registration and the events of the live calls. */
  private replayLog: PhoneEvent[] = [];
  /** The owner's registration as last mirrored here. */
  private mirroredRegistration: SipRegistrationStatus | null = null;
  /** Calls mirrored from the owner (ended here when this tab takes over). */
  private readonly mirroredCalls = new Set<string>();
  private readonly pending = new Map<string, (error: string | null) => void>();
  private nextId = 0;
  private readonly tabId = Math.random().toString(36).slice(2);

  constructor(private readonly options: SharedPhoneOptions) {
    this.channel = options.channel(`sentral-phone:${options.key}`);
    this.channel.onmessage = (event) => this.onMessage(event.data as Message);
  }

  async register(): Promise<void> {
    this.wantRegistered = true;
    if (this.real) return this.real.register();
    if (this.releaseLock !== null || this.role === TabRole.Disposed) return;
    this.releaseLock = () => undefined;
    const held = new Promise<void>((resolve) => (this.releaseLock = resolve));
    let granted!: () => void;
    const owned = new Promise<void>((resolve) => (granted = resolve));
    void this.options.locks.request(`sentral-phone:${this.options.key}`, async () => {
      if (this.role === TabRole.Disposed) return;
      await this.takeOver();
      granted();
      await held;
    });
    // Ask a current owner for its state; if there is none the lock comes at once.
    this.post({ kind: 'hello' });
    await Promise.race([owned, new Promise((r) => setTimeout(r, 50))]);
  }

  private async takeOver(): Promise<void> {
    this.roleSubject.next(TabRole.Owner);
    // The previous owner's calls lived in its tab, which is gone.
    for (const callId of this.mirroredCalls) {
      this.subject.next({ type: 'ended', callId, reason: 'failed' });
    }
    this.mirroredCalls.clear();
    // This tab's own registration starts from scratch (the app's machine goes via unregistered).
    if (this.mirroredRegistration !== null && this.mirroredRegistration !== 'unregistered') {
      this.subject.next({ type: 'registration', status: 'unregistered' });
    }
    this.mirroredRegistration = null;
    const real = await this.options.create();
    this.real = real;
    real.events$.subscribe((event) => {
      this.remember(event);
      this.subject.next(event);
      // Streams cannot be posted to another tab.
      if (event.type !== 'remote-media') this.post({ kind: 'event', event });
    });
    if (this.wantRegistered) await real.register();
  }

  async unregister(): Promise<void> {
    this.wantRegistered = false;
    await this.real?.unregister();
  }

  call(target: string, options?: CallOptions): Promise<void> {
    return this.command('call', [target, options ?? {}]);
  }
  answer(callId: string): Promise<void> {
    return this.command('answer', [callId]);
  }
  reject(callId: string): Promise<void> {
    return this.command('reject', [callId]);
  }
  hangup(callId: string): Promise<void> {
    return this.command('hangup', [callId]);
  }
  hold(callId: string): Promise<void> {
    return this.command('hold', [callId]);
  }
  resume(callId: string): Promise<void> {
    return this.command('resume', [callId]);
  }
  mute(callId: string): void {
    void this.command('mute', [callId]).catch(() => undefined);
  }
  unmute(callId: string): void {
    void this.command('unmute', [callId]).catch(() => undefined);
  }
  sendDtmf(callId: string, digit: string): Promise<void> {
    return this.command('sendDtmf', [callId, digit]);
  }
  setMicrophone(deviceId: string | null): Promise<void> {
    // The microphone belongs to the tab that has the media.
    return this.real ? this.real.setMicrophone(deviceId) : Promise.resolve();
  }
  async getStats(callId: string): Promise<RTCStatsReport | null> {
    return this.real ? this.real.getStats(callId) : null;
  }

  async dispose(): Promise<void> {
    if (this.role === TabRole.Disposed) return;
    const real = this.real;
    this.roleSubject.next(TabRole.Disposed);
    this.real = null;
    await real?.dispose();
    this.releaseLock?.();
    this.channel.close();
    for (const settle of this.pending.values()) settle('The phone was closed.');
    this.pending.clear();
    this.subject.complete();
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Runs a command on the real phone: here when this tab owns it, else in the owner tab. */
  private async command(name: CommandName, args: readonly unknown[]): Promise<void> {
    if (this.real) return run(this.real, name, args);
    if (this.role === TabRole.Disposed) throw new Error('This phone has been disposed.');
    const id = `${this.tabId}:${this.nextId++}`;
    const error = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve('The tab with the phone did not answer.');
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
      this.post({ kind: 'command', id, name, args });
    });
    if (error !== null) throw new Error(error);
  }

  private onMessage(message: Message): void {
    switch (message.kind) {
      case 'hello':
        if (this.real) this.post({ kind: 'replay', events: this.replayLog });
        return;
      case 'replay':
        if (!this.real) for (const event of message.events) this.mirror(event);
        return;
      case 'event':
        if (!this.real) this.mirror(message.event);
        return;
      case 'command':
        if (!this.real) return;
        run(this.real, message.name, message.args).then(
          () => this.post({ kind: 'result', id: message.id, error: null }),
          (error: unknown) =>
            this.post({
              kind: 'result',
              id: message.id,
              error: error instanceof Error ? error.message : String(error),
            }),
        );
        return;
      case 'result':
        this.pending.get(message.id)?.(message.error);
        this.pending.delete(message.id);
        return;
    }
  }

  private mirror(event: PhoneEvent): void {
    if (event.type === 'outgoing' || event.type === 'incoming') {
      if (this.mirroredCalls.has(event.callId)) return; // a replay of what we saw already
      this.mirroredCalls.add(event.callId);
    }
    if (event.type === 'ended') this.mirroredCalls.delete(event.callId);
    if (event.type === 'registration') this.mirroredRegistration = event.status;
    this.subject.next(event);
  }

  /** Keeps the replay log short: the last registration and the live calls' events. */
  private remember(event: PhoneEvent): void {
    if (event.type === 'remote-media') return;
    if (event.type === 'registration') {
      this.replayLog = [
        ...registrationPath(event),
        ...this.replayLog.filter((e) => e.type !== 'registration'),
      ];
      return;
    }
    if (event.type === 'ended') {
      this.replayLog = this.replayLog.filter((e) => !('callId' in e) || e.callId !== event.callId);
      return;
    }
    this.replayLog.push(event);
  }

  private post(message: Message): void {
    if (this.role === TabRole.Disposed) return;
    this.channel.postMessage(message);
  }
}

/**
 * Registration events that take a new tab's registration machine (idle) to `last` through
 * allowed moves: idle → connecting → registered → reconnecting, connecting → failed, ….
 */
function registrationPath(last: Extract<PhoneEvent, { type: 'registration' }>): PhoneEvent[] {
  const connecting: PhoneEvent = { type: 'registration', status: 'connecting' };
  switch (last.status) {
    case 'connecting':
      return [last];
    case 'reconnecting':
      return [connecting, { type: 'registration', status: 'registered' }, last];
    default:
      return [connecting, last];
  }
}

function run(phone: Phone, name: CommandName, args: readonly unknown[]): Promise<void> {
  const [a, b] = args as [string, unknown];
  switch (name) {
    case 'call':
      return phone.call(a, b as CallOptions);
    case 'answer':
      return phone.answer(a);
    case 'reject':
      return phone.reject(a);
    case 'hangup':
      return phone.hangup(a);
    case 'hold':
      return phone.hold(a);
    case 'resume':
      return phone.resume(a);
    case 'mute':
      phone.mute(a);
      return Promise.resolve();
    case 'unmute':
      phone.unmute(a);
      return Promise.resolve();
    case 'sendDtmf':
      return phone.sendDtmf(a, b as string);
    case 'setMicrophone':
      return phone.setMicrophone(a);
  }
}
