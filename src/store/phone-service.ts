/**
 * The softphone service: owns the current {@link Phone}, feeds its events into the
 * registration and lines models, and offers the commands the views need.
 *
 * The phone only exists while someone is logged in (it needs the session's SIP credentials), so
 * this service is the stable object views hold through context; it creates the phone on
 * {@link PhoneService.start} and disposes of it on {@link PhoneService.stop}.
 * @packageDocumentation
 */
import { BehaviorSubject, Subject, distinctUntilChanged, of } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type {
  CallOptions,
  Phone,
  PhoneEvent,
  SipConnectionEvent,
  SipRegistrationStatus,
} from '../sip/phone.js';
import type { SipCredentials } from '../shared/protocol.js';
import { CallState, isCallActive } from './call-state.js';
import { ConnectionModel } from './connection-model.js';
import type { LinesModel } from './lines-model.js';
import { isBusy, swapPair } from './lines-state.js';
import { logger } from './logger.js';
import type { RegistrationModel } from './registration-model.js';
import { RegistrationState } from './registration-state.js';

/** Makes the phone for a session; async so the SIP stack can load as a separate chunk. */
export type PhoneFactory = (credentials: SipCredentials) => Phone | Promise<Phone>;

/** Each line's far-end audio, by Call-ID. */
export type RemoteStreams = ReadonlyMap<string, MediaStream>;

const NO_STREAMS: RemoteStreams = new Map();

/** How long the "connection restored" notice stays before the banner goes away. */
export const RECOVERED_NOTICE_MS = 5000;

export class PhoneService {
  private phone: Phone | null = null;
  private microphoneId: string | null = null;
  private subscription: Subscription | null = null;
  private readonly remoteStreamsSubject = new BehaviorSubject<RemoteStreams>(NO_STREAMS);

  /**
   * The far end's audio of every line that has media, for one `<audio>` element each (a held
   * line simply gets no packets). A line without media has no entry.
   */
  readonly remoteStreams$: Observable<RemoteStreams> = this.remoteStreamsSubject.asObservable();

  private readonly appliedSubject = new Subject<PhoneEvent>();

  /**
   * Every phone event once the models have taken it (an event they refused is not passed on):
   * what the call log records finished calls from.
   */
  readonly applied$: Observable<PhoneEvent> = this.appliedSubject.asObservable();

  private recoveredTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly ownerSubject = new BehaviorSubject<boolean>(false);
  private ownerSubscription: Subscription | null = null;

  /**
   * True while this tab has the real phone: a phone of its own, or the shared phone's owner tab
   * (ADR 0010). The headset is opened only then (ADR 0011).
   */
  readonly owner$: Observable<boolean> = this.ownerSubject.pipe(distinctUntilChanged());

  constructor(
    private readonly createPhone: PhoneFactory,
    private readonly registration: RegistrationModel,
    private readonly lines: LinesModel,
    /** Connection trouble and degraded audio, for the connection banner (ADR 0010). */
    readonly connection: ConnectionModel = new ConnectionModel(),
  ) {}

  /** Creates the phone for these credentials and registers it. */
  async start(credentials: SipCredentials): Promise<void> {
    await this.stop();
    const phone = await this.createPhone(credentials);
    this.phone = phone;
    if (this.microphoneId) await phone.setMicrophone(this.microphoneId);
    this.registration.setAor(credentials.aor);
    this.subscription = phone.events$.subscribe((event) => this.apply(event));
    const owner$ = (phone as Partial<{ owner$: Observable<boolean> }>).owner$ ?? of(true);
    this.ownerSubscription = owner$.subscribe((owner) => this.ownerSubject.next(owner));
    await phone.register();
  }

  /** Hangs up, unregisters and forgets the phone; the models return to their initial state. */
  async stop(): Promise<void> {
    const phone = this.phone;
    this.phone = null;
    this.ownerSubscription?.unsubscribe();
    this.ownerSubscription = null;
    this.ownerSubject.next(false);
    if (phone) {
      try {
        await phone.dispose();
      } catch (error) {
        logger.warn('phone: dispose failed', error);
      }
    }
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.remoteStreamsSubject.next(NO_STREAMS);
    this.registration.reset();
    this.lines.reset();
    this.clearRecoveredTimer();
    this.connection.reset();
  }

  /** Dials `target` unless a call is already in progress. Returns false if nothing was dialled. */
  async dial(target: string, options: CallOptions = {}): Promise<boolean> {
    const phone = this.phone;
    if (!phone || target.trim() === '' || isBusy(this.lines.state)) return false;
    try {
      await phone.call(target, options);
      return true;
    } catch (error) {
      logger.warn('phone: dial failed', error);
      return false;
    }
  }

  /** Answers a ringing call; a line that talks is held first (answer-and-hold, in the phone). */
  async answer(callId: string): Promise<void> {
    if (this.stateOf(callId) !== CallState.Incoming) return;
    await this.run('answer', (p) => p.answer(callId));
  }

  async reject(callId: string): Promise<void> {
    if (this.stateOf(callId) !== CallState.Incoming) return;
    await this.run('reject', (p) => p.reject(callId));
  }

  async hangup(callId: string): Promise<void> {
    const state = this.stateOf(callId);
    if (!state || !isCallActive(state)) return;
    await this.run('hangup', (p) => p.hangup(callId));
  }

  /**
   * Hold if established, resume if held. Resuming while the other line talks is a swap: that
   * line is held first, so only one line talks at a time.
   */
  async toggleHold(callId: string): Promise<void> {
    const state = this.stateOf(callId);
    if (state === CallState.Established) {
      await this.run('hold', (p) => p.hold(callId));
    } else if (state === CallState.Held) {
      const pair = swapPair(this.lines.state);
      if (pair?.resume === callId) await this.swap();
      else await this.run('resume', (p) => p.resume(callId));
    }
  }

  /** Holds the line that talks, then resumes the held one (both lines up, one held). */
  async swap(): Promise<void> {
    const pair = swapPair(this.lines.state);
    if (!pair) return;
    await this.run('swap', async (p) => {
      await p.hold(pair.hold);
      await p.resume(pair.resume);
    });
  }

  toggleMute(callId: string): void {
    const line = this.lines.line(callId);
    if (!line || !isCallActive(line.state)) return;
    if (line.muted) this.phone?.unmute(callId);
    else this.phone?.mute(callId);
  }

  async sendDtmf(callId: string, digit: string): Promise<void> {
    if (this.stateOf(callId) !== CallState.Established) return;
    await this.run('dtmf', async (p) => {
      await p.sendDtmf(callId, digit);
      this.lines.dtmfSent(callId, digit);
    });
  }

  /**
   * The microphone for new calls, and for the live ones at once (their calls stay up). The
   * choice is remembered for a phone started later. Returns false when the device could not be
   * opened (the calls keep the microphone they had).
   */
  async setMicrophone(deviceId: string | null): Promise<boolean> {
    this.microphoneId = deviceId;
    const phone = this.phone;
    if (!phone) return true;
    try {
      await phone.setMicrophone(deviceId);
      return true;
    } catch (error) {
      logger.warn('phone: cannot switch the microphone', error);
      return false;
    }
  }

  /** The live call's WebRTC statistics, for the call-quality estimate; null without media. */
  async stats(callId: string): Promise<RTCStatsReport | null> {
    const phone = this.phone;
    if (!phone) return null;
    try {
      return await phone.getStats(callId);
    } catch (error) {
      logger.debug('phone: getStats failed', error);
      return null;
    }
  }

  /** Clears the "call ended" view. */
  dismiss(): void {
    this.lines.dismiss();
  }

  private stateOf(callId: string): CallState | undefined {
    return this.lines.line(callId)?.state;
  }

  private async run(what: string, command: (phone: Phone) => Promise<void>): Promise<void> {
    const phone = this.phone;
    if (!phone) return;
    try {
      await command(phone);
    } catch (error) {
      logger.warn(`phone: ${what} failed`, error);
    }
  }

  /** Phone event → model update. Exposed for tests; the service calls it for every event. */
  apply(event: PhoneEvent): void {
    try {
      this.reduce(event);
    } catch (error) {
      // An illegal transition is a bug in the phone or the machine: make it loud, keep running.
      logger.error(`phone: cannot apply ${event.type} event`, error);
      return;
    }
    this.appliedSubject.next(event);
  }

  private reduce(event: PhoneEvent): void {
    switch (event.type) {
      case 'registration':
        this.registration.transition(toRegistrationState(event.status), event.reason ?? null);
        return;
      case 'outgoing':
        this.lines.started('outbound', event.callId, event.remote);
        return;
      case 'incoming':
        this.lines.started(
          'inbound',
          event.callId,
          event.remote,
          event.autoAnswer,
          event.recall ?? null,
          event.absentFor ?? null,
        );
        return;
      case 'remote-media':
        this.setStream(event.callId, event.stream);
        return;
      case 'connection':
        this.applyConnection(event.state, event.attempt, event.reason);
        return;
      case 'audio-degraded':
        // Only for calls we show; the end of a call clears it below.
        if (this.lines.line(event.callId)) {
          this.connection.audioDegraded(event.callId, event.degraded);
        }
        return;
      default:
        break;
    }
    const line = this.lines.line(event.callId);
    if (!line) return; // a late event of a call we no longer show
    switch (event.type) {
      case 'ringing':
        if (line.state === CallState.Outgoing || line.state === CallState.Ringing) {
          this.lines.ringing(event.callId);
        }
        return;
      case 'established':
        this.lines.established(event.callId);
        return;
      case 'hold':
        this.lines.held(event.callId, event.held);
        return;
      case 'remote-hold':
        this.lines.remoteHold(event.callId, event.held);
        return;
      case 'mute':
        this.lines.muted(event.callId, event.muted);
        return;
      case 'dtmf':
        this.lines.dtmfReceived(event.callId, event.digit);
        return;
      case 'ended':
        this.setStream(event.callId, null);
        this.connection.audioDegraded(event.callId, false);
        if (line.state !== CallState.Ended) {
          this.lines.ended(event.callId, event.reason, event.statusCode ?? null);
        }
        return;
    }
  }

  private applyConnection(
    state: SipConnectionEvent,
    attempt: number | undefined,
    reason: string | undefined,
  ): void {
    this.clearRecoveredTimer();
    switch (state) {
      case 'lost':
        this.connection.reconnecting(0);
        return;
      case 'reconnecting':
        this.connection.reconnecting(attempt ?? this.connection.state.attempt + 1);
        return;
      case 'failed':
        this.connection.failed(reason ?? null);
        return;
      case 'recovered':
        this.connection.recovered();
        this.recoveredTimer = setTimeout(() => {
          this.recoveredTimer = null;
          this.connection.settle();
        }, RECOVERED_NOTICE_MS);
        return;
    }
  }

  private clearRecoveredTimer(): void {
    if (this.recoveredTimer !== null) clearTimeout(this.recoveredTimer);
    this.recoveredTimer = null;
  }

  private setStream(callId: string, stream: MediaStream | null): void {
    const current = this.remoteStreamsSubject.getValue();
    if ((current.get(callId) ?? null) === stream) return;
    const next = new Map(current);
    if (stream) {
      // Media of a call we do not (or no longer) show is not played.
      if (!this.lines.line(callId)) return;
      next.set(callId, stream);
    } else {
      next.delete(callId);
    }
    this.remoteStreamsSubject.next(next);
  }
}

function toRegistrationState(status: SipRegistrationStatus): RegistrationState {
  switch (status) {
    case 'connecting':
      return RegistrationState.Connecting;
    case 'registered':
      return RegistrationState.Registered;
    case 'reconnecting':
      return RegistrationState.Reconnecting;
    case 'unregistered':
      return RegistrationState.Unregistered;
    case 'failed':
      return RegistrationState.Failed;
  }
}
