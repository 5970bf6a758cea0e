/**
 * {@link Phone} over SIP.js: a `UserAgent`, a `Registerer` and at most {@link MAX_LINES}
 * `Inviter` / `Invitation` sessions (lines), turned into plain {@link PhoneEvent}s. The only
 * module of the front end that imports sip.js (a lint rule keeps it that way).
 *
 * Lines:
 * - A second incoming call while one is up is offered (call waiting); a third gets 486.
 * - Answering while another line talks holds that line first (answer-and-hold).
 * - An INVITE with `Call-Info: ...;answer-after=0` is answered at once, with no ringing, and
 *   leaves the other line alone: the core holds it with its own re-INVITE, and one from us at
 *   the same time would collide (491). Such INVITEs may carry no SDP (the consultation's second
 *   line, ADR 0006): we offer in the 200 and take the answer from the ACK.
 *
 * Media decisions:
 * - ICE servers always come from the login result (never SIP.js's public STUN default), and
 *   ICE gathering waits at most `iceGatheringTimeoutMs` (loopback gathers host candidates at once).
 * - Hold is a re-INVITE with the hold modifier **and** the microphone track taken off the RTP
 *   sender: replaced by hold music when the app gives some (the held party hears music, never
 *   the room), otherwise by nothing (`replaceTrack(null)`: a disabled track would still send
 *   silence packets).
 * - Mute only disables the track (`enabled = false`): packets keep flowing, by design.
 * - DTMF goes out as SIP INFO `application/dtmf-relay` so the core sees it; incoming INFO with
 *   DTMF becomes a `dtmf` event.
 * @packageDocumentation
 */
import { msg } from '@lit/localize';
import { Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  Web,
} from 'sip.js';
import type { Core, Info, NameAddrHeader, URI, UserAgentOptions } from 'sip.js';
import type { SipCredentials } from '../shared/protocol.js';
import { DTMF_RELAY_CONTENT_TYPE, formatDtmfRelay, isDtmfDigit, parseDtmfInfo } from './dtmf.js';
import { endReasonForStatus } from './end-reason.js';
import { asksForAutoAnswer } from './auto-answer.js';
import { absentForOf, recallReasonOf } from './recall.js';
import { MAX_LINES } from './phone.js';
import type {
  CallOptions,
  EndReason,
  Party,
  Phone,
  PhoneEvent,
  SipRegistrationStatus,
} from './phone.js';
import { offerHoldsUs } from './sdp.js';
import { domainOf, toTargetUri } from './target.js';

/** Where the phone writes what it has to say (the app's logger). */
export interface PhoneLogger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

export interface SipPhoneOptions {
  credentials: SipCredentials;
  logger: PhoneLogger;
  /** Microphone source; defaults to `getUserMedia`. */
  microphone?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /**
   * Music the held party hears while we hold a call (a track per hold, stopped on resume).
   * Without it, hold sends nothing at all.
   */
  holdMusic?: () => Promise<MediaStreamTrack | null>;
  /** Default 500 ms. */
  iceGatheringTimeoutMs?: number;
  /** First SIP transport reconnect delay, doubling up to `maxReconnectDelayMs`. Default 0.5 s. */
  initialReconnectDelayMs?: number;
  /** Default 10 s. */
  maxReconnectDelayMs?: number;
  /** How often live calls are checked for arriving audio (`audio-degraded`). Default 1 s. */
  audioWatchIntervalMs?: number;
  /** No audio packets for this long on a live, unheld call is `audio-degraded`. Default 3 s. */
  audioStallMs?: number;
  /** REGISTER expiry in seconds. Default 300. */
  registerExpires?: number;
  /**
   * Test seam: a SIP.js transport class to use instead of the WebSocket transport (component
   * tests pair two phones over an in-memory network). The app never sets it.
   */
  transportConstructor?: UserAgentOptions['transportConstructor'];
}

const AUDIO_ONLY: MediaStreamConstraints = { audio: true, video: false };
/** A REGISTER that got no final answer in this time counts as failed. */
const REGISTER_TIMEOUT_MS = 32_000;

/** Everything the phone tracks about one call (line). Never leaves this module. */
interface ActiveCall {
  readonly session: Inviter | Invitation;
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  established: boolean;
  ended: boolean;
  /** We sent CANCEL. */
  cancelled: boolean;
  /** We rejected the incoming INVITE. */
  rejected: boolean;
  /** We sent BYE. */
  localBye: boolean;
  /** The other party sent BYE. */
  remoteBye: boolean;
  /** The caller sent CANCEL before we answered. */
  remoteCancelled: boolean;
  /** Our answer could not be completed (no microphone, SDP failure). */
  failed: boolean;
  /** Final non-2xx response to our INVITE. */
  finalStatus: number | null;
  held: boolean;
  muted: boolean;
  audioSender: RTCRtpSender | null;
  micTrack: MediaStreamTrack | null;
  /** The hold music playing to the other party while we hold (stopped on resume / end). */
  musicTrack: MediaStreamTrack | null;
  /** Settles a pending hold / resume when the call ends under it. */
  onEnd: (() => void) | null;
  /** Tail of the DTMF INFO chain (one INFO in flight at a time). */
  dtmfQueue: Promise<void>;
}

/** What {@link SipPhone} knows about a call's arriving audio. */
interface AudioWatch {
  /** Audio packets received so far (-1 before the first sample). */
  packets: number;
  /** When `packets` last changed (or a hold restarted the clock). */
  changedAt: number;
  degraded: boolean;
  /** The other party holds us (nothing arrives by design). */
  remoteHeld: boolean;
  /** A getStats is in flight. */
  sampling: boolean;
}

/** Read through a function so the compiler does not keep an earlier narrowing of `state`. */
function isTerminated(session: Inviter | Invitation): boolean {
  return session.state === SessionState.Terminated;
}

/** Display name without surrounding quotes and quoted-pair escapes. Plain text, never HTML. */
export function cleanDisplayName(raw: string | undefined): string {
  if (!raw) return '';
  let name = raw.trim();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) {
    name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return name.trim();
}

function partyOf(identity: NameAddrHeader | undefined, fallback: URI): Party {
  const uri = identity?.uri ?? fallback;
  let number = uri.user ?? '';
  try {
    number = decodeURIComponent(number);
  } catch {
    // Not percent-encoded after all; keep it as it came.
  }
  return {
    displayName: cleanDisplayName(identity?.displayName),
    number,
    uri: uri.toString(),
  };
}

export class SipPhone implements Phone {
  private readonly subject = new Subject<PhoneEvent>();
  readonly events$: Observable<PhoneEvent> = this.subject.asObservable();

  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  private readonly log: PhoneLogger;
  private readonly domain: string;
  private readonly initialReconnectDelayMs: number;
  private readonly holdMusic: (() => Promise<MediaStreamTrack | null>) | undefined;
  private readonly maxReconnectDelayMs: number;
  private readonly microphone: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** The chosen microphone (null: the browser's default). */
  private microphoneId: string | null = null;

  /** The lines, by Call-ID, in the order they started. */
  private readonly calls = new Map<string, ActiveCall>();
  private status: SipRegistrationStatus | null = null;
  private started = false;
  private wantRegistered = false;
  private unregistering = false;
  private disposed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** The transport dropped and has not been recovered yet (ADR 0010). */
  private connectionLost = false;
  private readonly audioWatchIntervalMs: number;
  private readonly audioStallMs: number;
  /** Per live call: arriving audio, for `audio-degraded` (see {@link watchAudio}). */
  private readonly audioWatches = new Map<string, AudioWatch>();
  private audioWatchTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: SipPhoneOptions) {
    const { credentials } = options;
    this.log = options.logger;
    this.domain = domainOf(credentials.aor);
    this.initialReconnectDelayMs = options.initialReconnectDelayMs ?? 500;
    this.holdMusic = options.holdMusic;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 10_000;
    this.audioWatchIntervalMs = options.audioWatchIntervalMs ?? 1000;
    this.audioStallMs = options.audioStallMs ?? 3000;
    const uri = UserAgent.makeURI(credentials.aor);
    if (!uri) throw new Error(`Invalid SIP address of record: ${credentials.aor}`);
    const microphone = options.microphone;
    this.microphone =
      microphone ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints));
    const sdhFactoryOptions: Web.SessionDescriptionHandlerConfiguration = {
      peerConnectionConfiguration: { iceServers: credentials.iceServers },
      iceGatheringTimeout: options.iceGatheringTimeoutMs ?? 500,
    };
    this.ua = new UserAgent({
      uri,
      displayName: credentials.displayName,
      authorizationUsername: credentials.authorizationUsername,
      authorizationPassword: credentials.password,
      transportOptions: { server: credentials.wsServer },
      ...(options.transportConstructor
        ? { transportConstructor: options.transportConstructor }
        : {}),
      sessionDescriptionHandlerFactory: Web.defaultSessionDescriptionHandlerFactory(
        microphone ? (constraints) => microphone(constraints) : undefined,
      ),
      sessionDescriptionHandlerFactoryOptions: sdhFactoryOptions,
      userAgentString: 'Sentral',
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        if (level === 'error') this.log.error(`sip.js ${category}: ${content}`);
        else if (level === 'warn') this.log.warn(`sip.js ${category}: ${content}`);
      },
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onDisconnect: (error) => this.onTransportDisconnect(error),
      },
    });
    this.registerer = new Registerer(this.ua, { expires: options.registerExpires ?? 300 });
    this.registerer.stateChange.addListener((state) => {
      if (state !== RegistererState.Unregistered) return;
      // A refresh failed or the registrar dropped us. Our own REGISTER's onReject runs right after
      // this listener and reports a better reason, so look again once it has had its say.
      queueMicrotask(() => {
        if (this.status === 'registered' && !this.unregistering && !this.disposed) {
          this.setStatus('failed', msg('Registration lost'));
        }
      });
    });
  }

  // ---- registration -------------------------------------------------------------------------

  async register(): Promise<void> {
    this.assertUsable();
    this.wantRegistered = true;
    this.cancelReconnect();
    this.setStatus('connecting');
    try {
      if (!this.started) {
        this.started = true;
        await this.ua.start();
      } else if (!this.ua.isConnected()) {
        await this.ua.reconnect();
      }
    } catch (error) {
      this.log.warn('sip: cannot connect the SIP WebSocket', error);
      this.setStatus('failed', msg('Cannot reach the SIP server'));
      this.scheduleReconnect();
      return;
    }
    await this.sendRegister();
  }

  async unregister(): Promise<void> {
    this.wantRegistered = false;
    this.cancelReconnect();
    if (this.registerer.state !== RegistererState.Registered) {
      if (this.status !== null && this.status !== 'unregistered') this.setStatus('unregistered');
      return;
    }
    this.unregistering = true;
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.registerer
          .unregister({ requestDelegate: { onAccept: done, onReject: done } })
          .catch((error: unknown) => {
            this.log.warn('sip: unregister failed', error);
            done();
          });
      });
    } finally {
      this.unregistering = false;
      this.setStatus('unregistered');
    }
  }

  private sendRegister(): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (status: SipRegistrationStatus, reason?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.setStatus(status, reason);
        resolve();
      };
      const timer = setTimeout(
        () => settle('failed', msg('Registration timed out')),
        REGISTER_TIMEOUT_MS,
      );
      this.registerer
        .register({
          requestDelegate: {
            onAccept: () => settle('registered'),
            onReject: (response) => {
              const { statusCode, reasonPhrase } = response.message;
              settle('failed', `${statusCode} ${reasonPhrase}`.trim());
            },
          },
        })
        .catch((error: unknown) => {
          this.log.warn('sip: REGISTER could not be sent', error);
          settle(
            'failed',
            error instanceof Error ? error.message : msg('REGISTER could not be sent'),
          );
        });
    });
  }

  private onTransportDisconnect(error?: Error): void {
    if (this.disposed || !error) return; // no error: we closed it ourselves
    this.log.warn('sip: SIP WebSocket lost', error);
    if (this.status === 'registered')
      this.setStatus('reconnecting', msg('Connection to the server lost'));
    // SIP.js keeps the sessions (reconnectionAttempts is 0, so it never gives up on them): the
    // core holds the calls for a grace period while we come back (ADR 0010).
    this.connectionLost = true;
    this.emit({ type: 'connection', state: 'lost' });
    if (this.wantRegistered) this.scheduleReconnect();
  }

  /** Reconnect the transport with exponential backoff, for as long as we want to be registered. */
  private scheduleReconnect(): void {
    if (this.disposed || !this.wantRegistered || this.reconnectTimer !== null) return;
    const base = Math.min(
      this.maxReconnectDelayMs,
      this.initialReconnectDelayMs * 2 ** this.reconnectAttempt,
    );
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.reconnectAttempt++;
    if (this.connectionLost) {
      this.emit({ type: 'connection', state: 'reconnecting', attempt: this.reconnectAttempt });
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnectOnce();
    }, delay);
  }

  private async reconnectOnce(): Promise<void> {
    if (this.disposed || !this.wantRegistered) return;
    try {
      if (!this.ua.isConnected()) await this.ua.reconnect();
    } catch (error) {
      this.log.debug('sip: reconnect attempt failed', error);
      this.scheduleReconnect();
      return;
    }
    // After a failure the badge shows the new attempt; while reconnecting it stays as it is.
    if (this.status === 'failed') this.setStatus('connecting');
    await this.sendRegister();
    await this.afterReconnect();
  }

  /**
   * Back on a new WebSocket: once registered again, every live call gets a re-INVITE with an
   * ICE restart (its media path may have changed with the network), and the app hears
   * `recovered`. A refused REGISTER is `failed`, and we keep trying with the backoff.
   */
  private async afterReconnect(): Promise<void> {
    if (this.disposed || !this.wantRegistered) return;
    if (this.status !== 'registered') {
      if (this.connectionLost) {
        this.emit({ type: 'connection', state: 'failed', reason: msg('Registration failed') });
      }
      this.scheduleReconnect();
      return;
    }
    this.reconnectAttempt = 0;
    if (!this.connectionLost) return;
    this.connectionLost = false;
    const live = [...this.calls.values()].filter((call) => call.established && !call.ended);
    await Promise.all(live.map((call) => this.restartIce(call)));
    this.emit({ type: 'connection', state: 'recovered' });
  }

  /** re-INVITE with `iceRestart` (RFC 8445 §4.4); hold stays as it was. Never throws. */
  private async restartIce(call: ActiveCall): Promise<void> {
    const { session } = call;
    const previous: Web.SessionDescriptionHandlerOptions =
      session.sessionDescriptionHandlerOptionsReInvite;
    const restart: Web.SessionDescriptionHandlerOptions = {
      ...previous,
      offerOptions: { ...previous.offerOptions, iceRestart: true },
    };
    try {
      await new Promise<void>((resolve, reject) => {
        session
          .invite({
            sessionDescriptionHandlerOptions: restart,
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (response) =>
                reject(new Error(`ICE restart rejected: ${response.message.statusCode}`)),
            },
          })
          .catch(reject);
      });
    } catch (error) {
      // A 481 means the core gave up on the call meanwhile: SIP.js ends the session itself.
      this.log.warn('sip: ICE restart failed', error);
    } finally {
      // Later re-INVITEs (hold, resume) must not restart ICE again.
      session.sessionDescriptionHandlerOptionsReInvite = previous;
    }
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.reconnectAttempt = 0;
  }

  private setStatus(status: SipRegistrationStatus, reason?: string): void {
    if (this.status === status && status !== 'failed') return;
    this.status = status;
    this.emit(
      reason === undefined
        ? { type: 'registration', status }
        : { type: 'registration', status, reason },
    );
  }

  // ---- calls --------------------------------------------------------------------------------

  async call(target: string, options: CallOptions = {}): Promise<void> {
    this.assertUsable();
    if (this.calls.size > 0) throw new Error('A call is already in progress.');
    const uriString = toTargetUri(target, this.domain);
    const uri = uriString ? UserAgent.makeURI(uriString) : undefined;
    if (!uri) throw new Error(`Cannot dial ${JSON.stringify(target)}`);
    // Only digits and + reach the header: the number comes from the session, but a header is
    // no place to trust a string.
    const presentAs = options.presentAs?.replace(/[^+0-9]/g, '');
    const inviter = new Inviter(this.ua, uri, {
      sessionDescriptionHandlerOptions: { constraints: this.constraints() },
      ...(presentAs
        ? { extraHeaders: [`P-Preferred-Identity: <sip:${presentAs}@${this.domain}>`] }
        : {}),
    });
    const call = this.track(inviter, 'outbound');
    this.emit({ type: 'outgoing', callId: call.callId, remote: partyOf(undefined, uri) });
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            const code = response.message.statusCode ?? 0;
            if (code > 100 && code < 200 && !call.ended && !call.established) {
              this.emit({ type: 'ringing', callId: call.callId, statusCode: code });
            }
          },
          onReject: (response) => {
            call.finalStatus = response.message.statusCode ?? null;
          },
        },
      });
    } catch (error) {
      this.log.warn('sip: INVITE failed', error);
      this.finish(call, 'failed');
    }
  }

  async answer(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || !(call.session instanceof Invitation) || call.established) return;
    for (const other of this.calls.values()) {
      if (other === call || !other.established || other.held || other.ended) continue;
      try {
        await this.setHold(other, true);
      } catch (error) {
        // Still answer: the user asked for this call, and can hold the other one again.
        this.log.warn('sip: could not hold the other line before answering', error);
      }
    }
    await this.accept(call);
  }

  /** Sends the 200 (with our answer, or with our offer when the INVITE had no SDP). */
  private async accept(call: ActiveCall): Promise<void> {
    const session = call.session;
    if (!(session instanceof Invitation) || call.ended) return;
    // Answered already (or the caller gave up) while the other line was being held.
    if (session.state !== SessionState.Initial) return;
    try {
      await session.accept({
        sessionDescriptionHandlerOptions: { constraints: this.constraints() },
      });
    } catch (error) {
      this.log.error('sip: could not answer', error);
      call.failed = true;
      if (isTerminated(session)) this.finish(call, 'failed');
    }
  }

  async reject(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || !(call.session instanceof Invitation)) return;
    if (call.session.state !== SessionState.Initial) return;
    call.rejected = true;
    try {
      // 486 Busy Here: what desk phones send for "reject", so the caller hears busy and the
      // core may forward on busy. (603 Decline, from other phones, still maps to 'rejected'.)
      await call.session.reject({ statusCode: 486, reasonPhrase: 'Busy Here' });
    } catch (error) {
      this.log.warn('sip: reject failed', error);
      this.finish(call, 'rejected');
    }
  }

  async hangup(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call) return;
    const { session } = call;
    try {
      switch (session.state) {
        case SessionState.Initial:
        case SessionState.Establishing:
          if (session instanceof Inviter) {
            call.cancelled = true;
            await session.cancel();
          } else {
            await this.reject(call.callId);
          }
          break;
        case SessionState.Established:
          call.localBye = true;
          await session.bye();
          break;
        default:
          break;
      }
    } catch (error) {
      this.log.warn('sip: hangup failed', error);
      // Whatever SIP.js thinks, the user wants this call gone.
      this.finish(call, call.established ? 'local_hangup' : 'cancelled');
    }
  }

  async hold(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (call) await this.setHold(call, true);
  }

  async resume(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (call) await this.setHold(call, false);
  }

  private async setHold(call: ActiveCall, hold: boolean): Promise<void> {
    if (!call.established || call.ended || call.held === hold) return;
    const { session } = call;
    const previous: Web.SessionDescriptionHandlerOptions =
      session.sessionDescriptionHandlerOptionsReInvite;
    const next: Web.SessionDescriptionHandlerOptions = { ...previous, hold };
    session.sessionDescriptionHandlerOptionsReInvite = next;
    // Stop sending before the re-INVITE leaves: no RTP may flow while held.
    if (hold) await this.sendMicrophone(call, false);
    const undo = async () => {
      session.sessionDescriptionHandlerOptionsReInvite = previous;
      if (hold) await this.sendMicrophone(call, true);
    };
    await new Promise<void>((resolve, reject) => {
      call.onEnd = resolve;
      session
        .invite({
          requestDelegate: {
            onAccept: () => {
              call.held = hold;
              const restore = hold ? Promise.resolve() : this.sendMicrophone(call, true);
              void restore.finally(() => {
                this.emit({ type: 'hold', callId: call.callId, held: hold });
                resolve();
              });
            },
            onReject: (response) => {
              void undo().finally(() =>
                reject(new Error(`Hold request rejected: ${response.message.statusCode}`)),
              );
            },
          },
        })
        .catch((error: unknown) => {
          void undo().finally(() =>
            reject(error instanceof Error ? error : new Error(String(error))),
          );
        });
    });
  }

  /**
   * Put the microphone track on the audio sender, or take it off: while held the sender plays
   * hold music when there is some, and otherwise sends nothing (`replaceTrack(null)`).
   */
  private async sendMicrophone(call: ActiveCall, send: boolean): Promise<void> {
    const sender = call.audioSender;
    if (!sender) return;
    try {
      if (send) {
        await sender.replaceTrack(call.micTrack);
        call.musicTrack?.stop();
        call.musicTrack = null;
      } else {
        call.musicTrack ??= (await this.holdMusic?.()) ?? null;
        await sender.replaceTrack(call.musicTrack);
      }
    } catch (error) {
      this.log.warn('sip: replaceTrack failed', error);
    }
  }

  mute(callId: string): void {
    this.setMuted(callId, true);
  }

  unmute(callId: string): void {
    this.setMuted(callId, false);
  }

  private setMuted(callId: string, muted: boolean): void {
    const call = this.calls.get(callId);
    if (!call) return;
    call.muted = muted;
    if (call.micTrack) call.micTrack.enabled = !muted;
    this.emit({ type: 'mute', callId: call.callId, muted });
  }

  /**
   * Digits go out one INFO at a time, each after the previous one's final response, so they
   * arrive in the order they were pressed however fast the keys are hit.
   */
  sendDtmf(callId: string, digit: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || !call.established) return Promise.resolve();
    if (!isDtmfDigit(digit)) {
      return Promise.reject(new Error(`Not a DTMF digit: ${JSON.stringify(digit)}`));
    }
    const send = () => (call.ended ? Promise.resolve() : this.sendInfoDtmf(call, digit));
    const result = call.dtmfQueue.then(send, send);
    call.dtmfQueue = result.catch(() => undefined);
    return result;
  }

  private sendInfoDtmf(call: ActiveCall, digit: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      call.session
        .info({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) =>
              reject(new Error(`DTMF INFO rejected: ${response.message.statusCode}`)),
          },
          requestOptions: {
            body: {
              contentDisposition: 'render',
              contentType: DTMF_RELAY_CONTENT_TYPE,
              content: formatDtmfRelay(digit),
            },
          },
        })
        .catch(reject);
    });
  }

  /**
   * New calls ask for the chosen microphone as `ideal` (a device that went away must not fail
   * the call: the default is taken instead); a switch asks for it `exact`.
   */
  private constraints(exact = false): MediaStreamConstraints {
    if (!this.microphoneId) return AUDIO_ONLY;
    const deviceId = exact ? { exact: this.microphoneId } : { ideal: this.microphoneId };
    return { audio: { deviceId }, video: false };
  }

  async setMicrophone(deviceId: string | null): Promise<void> {
    this.microphoneId = deviceId || null;
    for (const call of this.calls.values()) {
      if (!call.established || call.ended || !call.audioSender) continue;
      const stream = await this.microphone(this.constraints(true));
      const track = stream.getAudioTracks()[0] ?? null;
      if (!track) throw new Error('The microphone gave no audio track.');
      if (call.ended) {
        track.stop();
        continue;
      }
      track.enabled = !call.muted;
      const old = call.micTrack;
      // While held the sender plays music (or nothing): the new microphone goes on at resume.
      if (!call.held) await call.audioSender.replaceTrack(track);
      call.micTrack = track;
      if (old !== track) old?.stop();
    }
  }

  async getStats(callId: string): Promise<RTCStatsReport | null> {
    const call = this.calls.get(callId);
    const sdh = call?.session.sessionDescriptionHandler;
    if (!call?.established || !(sdh instanceof Web.SessionDescriptionHandler)) return null;
    return (await sdh.peerConnection?.getStats()) ?? null;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.cancelReconnect();
    if (this.audioWatchTimer !== null) clearInterval(this.audioWatchTimer);
    this.audioWatchTimer = null;
    await Promise.all(
      [...this.calls.keys()].map((callId) => this.hangup(callId).catch(() => undefined)),
    );
    if (this.ua.isConnected()) await this.unregister().catch(() => undefined);
    this.wantRegistered = false;
    this.disposed = true;
    try {
      await this.ua.stop();
    } catch (error) {
      this.log.warn('sip: stopping the user agent failed', error);
    }
    this.subject.complete();
  }

  // ---- session plumbing ---------------------------------------------------------------------

  private onInvite(invitation: Invitation): void {
    if (this.disposed) {
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      return;
    }
    if (this.calls.size >= MAX_LINES) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const autoAnswer = asksForAutoAnswer(invitation.request.getHeaders('call-info'));
    const call = this.track(invitation, 'inbound');
    // The core asserts who is calling (RFC 3325); From is the fallback.
    const from = invitation.remoteIdentity;
    const asserted = invitation.assertedIdentity;
    const remote = partyOf(asserted ?? from, from.uri);
    const displayName = remote.displayName || cleanDisplayName(from.displayName);
    const recall = recallReasonOf(invitation.request.getHeader('x-sentral-recall'));
    const absentFor = absentForOf(invitation.request.getHeader('x-sentral-for'));
    this.emit({
      type: 'incoming',
      callId: call.callId,
      remote: { ...remote, displayName },
      autoAnswer,
      ...(recall ? { recall } : {}),
      ...(absentFor ? { absentFor } : {}),
    });
    if (autoAnswer) void this.accept(call);
  }

  private track(session: Inviter | Invitation, direction: 'inbound' | 'outbound'): ActiveCall {
    const call: ActiveCall = {
      session,
      callId: session.request.callId,
      direction,
      established: false,
      ended: false,
      cancelled: false,
      rejected: false,
      localBye: false,
      remoteBye: false,
      remoteCancelled: false,
      failed: false,
      finalStatus: null,
      held: false,
      muted: false,
      audioSender: null,
      micTrack: null,
      musicTrack: null,
      onEnd: null,
      dtmfQueue: Promise.resolve(),
    };
    this.calls.set(call.callId, call);
    session.delegate = {
      onBye: (bye) => {
        call.remoteBye = true;
        void bye.accept().catch((error: unknown) => this.log.warn('sip: BYE accept failed', error));
      },
      onCancel: () => {
        call.remoteCancelled = true;
      },
      onInfo: (info) => this.onInfo(call, info),
      onInvite: (request, _response, statusCode) => this.onReInvite(call, request, statusCode),
    };
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established) this.onEstablished(call);
      else if (state === SessionState.Terminated) this.onTerminated(call);
    });
    return call;
  }

  private onEstablished(call: ActiveCall): void {
    if (call.ended) return;
    call.established = true;
    const sdh = call.session.sessionDescriptionHandler;
    if (sdh instanceof Web.SessionDescriptionHandler) {
      const sender = sdh.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
      call.audioSender = sender ?? null;
      call.micTrack = sender?.track ?? null;
      this.emit({ type: 'remote-media', callId: call.callId, stream: sdh.remoteMediaStream });
    }
    this.emit({ type: 'established', callId: call.callId });
    this.watchAudio(call);
  }

  private onTerminated(call: ActiveCall): void {
    // SIP.js moves an Inviter to Terminated before it calls our onReject with the final
    // response: decide the reason once that has run.
    queueMicrotask(() => this.finish(call, this.endReason(call), call.finalStatus ?? undefined));
  }

  private endReason(call: ActiveCall): EndReason {
    if (call.established) {
      if (call.localBye) return 'local_hangup';
      if (call.remoteBye) return 'remote_hangup';
      return call.failed ? 'failed' : 'remote_hangup';
    }
    if (call.direction === 'outbound') {
      if (call.finalStatus !== null) return endReasonForStatus(call.finalStatus, call.cancelled);
      return call.cancelled ? 'cancelled' : 'failed';
    }
    if (call.rejected) return 'rejected';
    if (call.failed) return 'failed';
    return call.remoteCancelled ? 'cancelled' : 'no_answer';
  }

  private finish(call: ActiveCall, reason: EndReason, statusCode?: number): void {
    if (call.ended) return;
    call.ended = true;
    call.musicTrack?.stop();
    call.musicTrack = null;
    call.onEnd?.();
    this.unwatchAudio(call.callId);
    if (this.calls.get(call.callId) === call) this.calls.delete(call.callId);
    if (call.established) this.emit({ type: 'remote-media', callId: call.callId, stream: null });
    this.emit(
      statusCode === undefined
        ? { type: 'ended', callId: call.callId, reason }
        : { type: 'ended', callId: call.callId, reason, statusCode },
    );
  }

  private onInfo(call: ActiveCall, info: Info): void {
    const request = info.request;
    const digit = parseDtmfInfo(request.getHeader('content-type'), request.body);
    if (digit === null) {
      void info.reject({ statusCode: 415 }).catch(() => undefined);
      return;
    }
    void info.accept().catch((error: unknown) => this.log.warn('sip: INFO accept failed', error));
    this.emit({ type: 'dtmf', callId: call.callId, digit });
  }

  private onReInvite(
    call: ActiveCall,
    request: Core.IncomingRequestMessage,
    statusCode: number,
  ): void {
    if (statusCode !== 200 || !request.body) return;
    const held = offerHoldsUs(request.body);
    const watch = this.audioWatches.get(call.callId);
    if (watch) watch.remoteHeld = held;
    this.emit({ type: 'remote-hold', callId: call.callId, held });
  }

  // ---- arriving audio (audio-degraded) ------------------------------------------------------

  /**
   * Watches a live call's inbound audio: one timer for all calls samples `getStats` and
   * reports `audio-degraded` when no packet arrived for {@link audioStallMs} on a call that
   * neither side holds, and again when packets come back.
   */
  private watchAudio(call: ActiveCall): void {
    this.audioWatches.set(call.callId, {
      packets: -1,
      changedAt: Date.now(),
      degraded: false,
      remoteHeld: false,
      sampling: false,
    });
    this.audioWatchTimer ??= setInterval(() => void this.sampleAudio(), this.audioWatchIntervalMs);
  }

  private unwatchAudio(callId: string): void {
    this.audioWatches.delete(callId);
    if (this.audioWatches.size === 0 && this.audioWatchTimer !== null) {
      clearInterval(this.audioWatchTimer);
      this.audioWatchTimer = null;
    }
  }

  private async sampleAudio(): Promise<void> {
    for (const [callId, watch] of this.audioWatches) {
      const call = this.calls.get(callId);
      if (!call || watch.sampling) continue;
      watch.sampling = true;
      try {
        const report = await this.getStats(callId);
        if (!report) continue;
        let packets = 0;
        report.forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived ?? 0;
        });
        const now = Date.now();
        if (packets !== watch.packets) {
          watch.packets = packets;
          watch.changedAt = now;
        }
        // Held either way, nothing is supposed to arrive: not degraded, and the clock restarts.
        if (call.held || watch.remoteHeld) watch.changedAt = now;
        const degraded = now - watch.changedAt > this.audioStallMs;
        if (degraded !== watch.degraded && this.audioWatches.get(callId) === watch) {
          watch.degraded = degraded;
          this.emit({ type: 'audio-degraded', callId, degraded });
        }
      } catch (error) {
        this.log.debug('sip: getStats failed', error);
      } finally {
        watch.sampling = false;
      }
    }
  }

  private emit(event: PhoneEvent): void {
    this.subject.next(event);
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('This phone has been disposed.');
  }
}
