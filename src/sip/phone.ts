/**
 * The phone as the rest of the app sees it: plain typed events out, plain commands in.
 *
 * Nothing here imports sip.js; {@link ../sip/sip-phone.ts | SipPhone} is the implementation
 * over SIP.js and tests use in-memory fakes of the same interface.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { RecallReason } from './recall.js';

export type { RecallReason } from './recall.js';

/**
 * Why a call ended, as a category the UI can word:
 * - `busy`: 486 Busy Here / 600 Busy Everywhere
 * - `not_found`: 404 Not Found / 604 Does Not Exist Anywhere / 484 Address Incomplete
 * - `rejected`: 603 Decline (or we rejected an incoming call)
 * - `unavailable`: 480 Temporarily Unavailable
 * - `cancelled`: we cancelled our outgoing call, or the caller cancelled before we answered
 * - `no_answer`: 408 Request Timeout / 487 Request Terminated when we did not cancel
 * - `failed`: anything else (other 4xx–6xx, transport error, no microphone)
 * - `local_hangup`: we sent BYE on an established call
 * - `remote_hangup`: the other party sent BYE
 */
export type EndReason =
  | 'busy'
  | 'not_found'
  | 'rejected'
  | 'unavailable'
  | 'cancelled'
  | 'no_answer'
  | 'failed'
  | 'local_hangup'
  | 'remote_hangup';

/** Who is on the other end, as plain text taken from P-Asserted-Identity or From / To. */
export interface Party {
  /** Display name; empty when the far end sent none. Untrusted text: never render as HTML. */
  readonly displayName: string;
  /** The user part of the URI (usually a number or extension). Untrusted text. */
  readonly number: string;
  /** The full SIP URI, for logs and call-backs. */
  readonly uri: string;
}

/** Registration as the SIP layer reports it. */
export type SipRegistrationStatus =
  'connecting' | 'registered' | 'reconnecting' | 'unregistered' | 'failed';

/**
 * The SIP WebSocket while logged in (ADR 0010): `lost` when it dropped, `reconnecting` before
 * each new try (`attempt` counts from 1), `recovered` once it is back, re-registered and every
 * live call got its ICE-restart re-INVITE, `failed` when the server refused us on return
 * (`reason`; the phone keeps trying).
 */
export type SipConnectionEvent = 'lost' | 'reconnecting' | 'recovered' | 'failed';

/** Everything the phone tells the app. `callId` is the SIP Call-ID of the session. */
export type PhoneEvent =
  | {
      readonly type: 'registration';
      readonly status: SipRegistrationStatus;
      readonly reason?: string;
    }
  | { readonly type: 'outgoing'; readonly callId: string; readonly remote: Party }
  | {
      readonly type: 'incoming';
      readonly callId: string;
      readonly remote: Party;
      /**
       * The INVITE asked to be answered at once (`Call-Info: ...;answer-after=0`, RFC 5373):
       * the phone answers it by itself, without ringing.
       */
      readonly autoAnswer: boolean;
      /** The core brings back a call nobody took (`X-Sentral-Recall`), and why. */
      readonly recall?: RecallReason;
      /**
       * A call for an absent colleague that came to the switchboard: their extension, as the
       * core says it in `X-Sentral-For` (text, never HTML).
       */
      readonly absentFor?: string;
    }
  /** The callee is alerting (180 Ringing, 182 Queued, 183 Session Progress). */
  | { readonly type: 'ringing'; readonly callId: string; readonly statusCode: number }
  | { readonly type: 'established'; readonly callId: string }
  /** Our hold request was accepted (`held: true`) or our resume was (`held: false`). */
  | { readonly type: 'hold'; readonly callId: string; readonly held: boolean }
  /** The other party put us on hold (sendonly / inactive offer) or took us off it. */
  | { readonly type: 'remote-hold'; readonly callId: string; readonly held: boolean }
  | { readonly type: 'mute'; readonly callId: string; readonly muted: boolean }
  | { readonly type: 'dtmf'; readonly callId: string; readonly digit: string }
  /** The stream to play through the app's `<audio>` element; null when the call is gone. */
  | { readonly type: 'remote-media'; readonly callId: string; readonly stream: MediaStream | null }
  | {
      readonly type: 'connection';
      readonly state: SipConnectionEvent;
      readonly attempt?: number;
      readonly reason?: string;
    }
  /**
   * No audio packets arrived for more than 3 s on a live call that nobody holds (`degraded:
   * true`), or they arrive again (`false`).
   */
  | { readonly type: 'audio-degraded'; readonly callId: string; readonly degraded: boolean }
  | {
      readonly type: 'ended';
      readonly callId: string;
      readonly reason: EndReason;
      /** Final SIP status when a response ended the call. */
      readonly statusCode?: number;
    };

/** How many calls the phone keeps at once; one more incoming call is answered 486 Busy Here. */
export const MAX_LINES = 2;

/**
 * The commands. The phone has {@link MAX_LINES} lines: a second incoming call while one is up
 * is offered (call waiting) and a third is answered 486 Busy Here. Commands name the call by
 * its `callId`; a command for a call the phone does not have does nothing.
 */
export interface CallOptions {
  /** E.164 number to show to the called party (sent as P-Preferred-Identity, RFC 3325). */
  readonly presentAs?: string;
}

export interface Phone {
  readonly events$: Observable<PhoneEvent>;
  /** Connect the SIP WebSocket and REGISTER. Resolves when the attempt finished (either way). */
  register(): Promise<void>;
  unregister(): Promise<void>;
  /**
   * Dial a number, extension or SIP URI (only while no other call is up). `presentAs` asks the
   * core to show that number (one the user may present) on a call to an external number.
   */
  call(target: string, options?: CallOptions): Promise<void>;
  /**
   * Answer a ringing incoming call. Any other established call that is not on hold is held
   * first (answer-and-hold), so only one line talks at a time.
   */
  answer(callId: string): Promise<void>;
  /** Reject a ringing incoming call with 486 Busy Here. */
  reject(callId: string): Promise<void>;
  /** Cancel, reject or BYE, whichever fits the call's state. */
  hangup(callId: string): Promise<void>;
  /** re-INVITE with a hold offer, and stop sending media (no RTP while held). */
  hold(callId: string): Promise<void>;
  resume(callId: string): Promise<void>;
  /** Disable the microphone track (RTP keeps flowing, with silence). */
  mute(callId: string): void;
  unmute(callId: string): void;
  /** Send one DTMF digit (0-9, *, #, A-D) as SIP INFO application/dtmf-relay. */
  sendDtmf(callId: string, digit: string): Promise<void>;
  /**
   * Use this microphone (`deviceId`; null = the browser's default) for new calls, and move the
   * live calls to it at once (`RTCRtpSender.replaceTrack`: no re-INVITE, the call stays up; a
   * held call gets it on resume). Rejects when the device cannot be opened (the old one stays).
   */
  setMicrophone(deviceId: string | null): Promise<void>;
  /** The call's WebRTC statistics (`RTCPeerConnection.getStats`); null without media. */
  getStats(callId: string): Promise<RTCStatsReport | null>;
  /** Hang up, unregister and close the transport. The phone cannot be used afterwards. */
  dispose(): Promise<void>;
}
