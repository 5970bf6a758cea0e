/**
 * The softphone service: owns the current {@link Phone}, feeds its events into the
 * registration and call models, and offers the commands the views need.
 *
 * The phone only exists while someone is logged in (it needs the session's SIP credentials), so
 * this service is the stable object views hold through context; it creates the phone on
 * {@link PhoneService.start} and disposes of it on {@link PhoneService.stop}.
 * @packageDocumentation
 */
import { BehaviorSubject } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { Phone, PhoneEvent, SipRegistrationStatus } from '../sip/phone.js';
import type { SipCredentials } from '../shared/protocol.js';
import type { CallModel } from './call-model.js';
import { CallState, isCallActive } from './call-state.js';
import { logger } from './logger.js';
import type { RegistrationModel } from './registration-model.js';
import { RegistrationState } from './registration-state.js';

/** Makes the phone for a session; async so the SIP stack can load as a separate chunk. */
export type PhoneFactory = (credentials: SipCredentials) => Phone | Promise<Phone>;

export class PhoneService {
  private phone: Phone | null = null;
  private subscription: Subscription | null = null;
  private readonly remoteStreamSubject = new BehaviorSubject<MediaStream | null>(null);

  /** The far end's audio for the app's `<audio>` element; null when there is no call media. */
  readonly remoteStream$: Observable<MediaStream | null> = this.remoteStreamSubject.asObservable();

  constructor(
    private readonly createPhone: PhoneFactory,
    private readonly registration: RegistrationModel,
    private readonly call: CallModel,
  ) {}

  /** Creates the phone for these credentials and registers it. */
  async start(credentials: SipCredentials): Promise<void> {
    await this.stop();
    const phone = await this.createPhone(credentials);
    this.phone = phone;
    this.registration.setAor(credentials.aor);
    this.subscription = phone.events$.subscribe((event) => this.apply(event));
    await phone.register();
  }

  /** Hangs up, unregisters and forgets the phone; the models return to their initial state. */
  async stop(): Promise<void> {
    const phone = this.phone;
    this.phone = null;
    if (phone) {
      try {
        await phone.dispose();
      } catch (error) {
        logger.warn('phone: dispose failed', error);
      }
    }
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.remoteStreamSubject.next(null);
    this.registration.reset();
    this.call.reset();
  }

  /** Dials `target` unless a call is already in progress. Returns false if nothing was dialled. */
  async dial(target: string): Promise<boolean> {
    const phone = this.phone;
    if (!phone || target.trim() === '' || isCallActive(this.call.state.state)) return false;
    try {
      await phone.call(target);
      return true;
    } catch (error) {
      logger.warn('phone: dial failed', error);
      return false;
    }
  }

  async answer(): Promise<void> {
    if (this.call.state.state !== CallState.Incoming) return;
    await this.run('answer', (p) => p.answer());
  }

  async reject(): Promise<void> {
    if (this.call.state.state !== CallState.Incoming) return;
    await this.run('reject', (p) => p.reject());
  }

  async hangup(): Promise<void> {
    if (!isCallActive(this.call.state.state)) return;
    await this.run('hangup', (p) => p.hangup());
  }

  /** Hold if established, resume if held. */
  async toggleHold(): Promise<void> {
    const state = this.call.state.state;
    if (state === CallState.Established) await this.run('hold', (p) => p.hold());
    else if (state === CallState.Held) await this.run('resume', (p) => p.resume());
  }

  toggleMute(): void {
    const { state, muted } = this.call.state;
    if (!isCallActive(state)) return;
    if (muted) this.phone?.unmute();
    else this.phone?.mute();
  }

  async sendDtmf(digit: string): Promise<void> {
    if (this.call.state.state !== CallState.Established) return;
    await this.run('dtmf', async (p) => {
      await p.sendDtmf(digit);
      this.call.dtmfSent(digit);
    });
  }

  /** Clears the "call ended" view. */
  dismiss(): void {
    if (this.call.state.state === CallState.Ended) this.call.dismiss();
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
    }
  }

  private reduce(event: PhoneEvent): void {
    const current = this.call.state;
    const sameCall = 'callId' in event && event.callId === current.callId;
    switch (event.type) {
      case 'registration':
        this.registration.transition(toRegistrationState(event.status), event.reason ?? null);
        return;
      case 'outgoing':
        this.call.started('outbound', event.callId, event.remote);
        return;
      case 'incoming':
        this.call.started('inbound', event.callId, event.remote);
        return;
      case 'remote-media':
        if (sameCall) this.remoteStreamSubject.next(event.stream);
        return;
      default:
        break;
    }
    if (!sameCall) return; // a late event of a call we no longer show
    switch (event.type) {
      case 'ringing':
        if (current.state === CallState.Outgoing || current.state === CallState.Ringing) {
          this.call.ringing();
        }
        return;
      case 'established':
        this.call.established();
        return;
      case 'hold':
        this.call.held(event.held);
        return;
      case 'remote-hold':
        this.call.remoteHold(event.held);
        return;
      case 'mute':
        this.call.muted(event.muted);
        return;
      case 'dtmf':
        this.call.dtmfReceived(event.digit);
        return;
      case 'ended':
        if (current.state !== CallState.Ended)
          this.call.ended(event.reason, event.statusCode ?? null);
        this.remoteStreamSubject.next(null);
        return;
    }
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
