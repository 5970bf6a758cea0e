/**
 * Queue media through rtpengine: a caller waiting in a queue is answered with rtpengine's
 * session, hears the welcome prompt and then hold music until an agent picks the call; the
 * B2BUA then re-points the caller's media to the agent (the transfer flow of ADR 0005) and
 * rtpengine lets go.
 *
 * rtpengine anchors a call between two parties: the caller's offer goes to it (`offer`), and
 * the "other party" is a sink of ours — a UDP socket that swallows what the caller says — whose
 * plain-RTP answer (`answer`) gives rtpengine's answer for the caller (WebRTC in, DTLS-SRTP and
 * ICE out, as the caller offered). `play media` then plays to the caller.
 *
 * ```
 *   Idle ──► Anchoring ──► Answered ──► Playing ──► Released
 *     │          │            │                        ▲
 *     └──────────┴────────────┴────────────────────────┘ (picked, hung up, or rtpengine failed)
 * ```
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../logger';
import type { Prompts } from './prompts';
import type { RtpengineNg } from './rtpengine-ng';

export enum QueueMediaState {
  Idle = 'idle',
  Anchoring = 'anchoring',
  Answered = 'answered',
  Playing = 'playing',
  Released = 'released',
}

const ALLOWED: Record<QueueMediaState, readonly QueueMediaState[]> = {
  [QueueMediaState.Idle]: [QueueMediaState.Anchoring, QueueMediaState.Released],
  [QueueMediaState.Anchoring]: [QueueMediaState.Answered, QueueMediaState.Released],
  [QueueMediaState.Answered]: [QueueMediaState.Playing, QueueMediaState.Released],
  [QueueMediaState.Playing]: [QueueMediaState.Released],
  [QueueMediaState.Released]: [],
};

export function transitionQueueMedia(from: QueueMediaState, to: QueueMediaState): QueueMediaState {
  if (!ALLOWED[from].includes(to))
    throw new Error(`Illegal queue media transition ${from} → ${to}`);
  return to;
}

/** What queue media needs to see of a B2BUA call (structural, so tests can fake it). */
export interface QueuedCallView {
  readonly id: string;
  /** The call's state as the B2BUA names it (`transferring` once a held caller has ACKed). */
  readonly state: string;
  readonly inbound: {
    readonly invite: { readonly body: string };
    readonly dialog: unknown;
  };
}

/** The B2BUA's side: answer a waiting caller with a session description of our choosing. */
export interface AnswerPort<C extends QueuedCallView> {
  /** 200 OK with `sdp` to a caller nobody has answered; false when it can no longer be. */
  answerWith(call: C, sdp: string): boolean;
}

export interface QueueMediaOptions<C extends QueuedCallView> {
  ng: RtpengineNg;
  prompts: Prompts;
  port: AnswerPort<C>;
  logger: Logger;
  /** Which welcome prompt to play. Default Norwegian. */
  language?: 'nb' | 'en';
  /** How long to wait for the caller's ACK before playing anyway (ms). Default 3000. */
  ackWaitMs?: number;
}

interface Session {
  state: QueueMediaState;
  readonly rtpCallId: string;
  timer?: NodeJS.Timeout;
}

const CALLER_TAG = 'caller';
const SINK_TAG = 'queue';

export class QueueMedia<C extends QueuedCallView> {
  readonly #sessions = new Map<string, Session>();
  readonly #opts: QueueMediaOptions<C>;
  #sink: Socket | undefined;
  #sinkPort: Promise<number> | undefined;

  constructor(opts: QueueMediaOptions<C>) {
    this.#opts = opts;
  }

  /** Number of callers rtpengine currently holds for queues. */
  get size(): number {
    return this.#sessions.size;
  }

  stateOf(callId: string): QueueMediaState | undefined {
    return this.#sessions.get(callId)?.state;
  }

  /**
   * A caller entered a queue: answer it through rtpengine and play the prompts. Callers the
   * core already holds (re-queued) and callers without an offer keep the plain 182.
   */
  queued(call: C): void {
    if (call.inbound.dialog || !call.inbound.invite.body || this.#sessions.has(call.id)) return;
    const session: Session = { state: QueueMediaState.Idle, rtpCallId: `sentral-queue-${call.id}` };
    this.#sessions.set(call.id, session);
    this.#move(session, QueueMediaState.Anchoring);
    this.#anchor(call, session).catch((err: unknown) => {
      this.#opts.logger.warn('queue media failed; the caller keeps 182 Queued', { err });
      void this.release(call.id);
    });
  }

  /** The caller left rtpengine: picked (re-pointed to an agent), hung up or re-routed. */
  async release(callId: string): Promise<void> {
    const session = this.#sessions.get(callId);
    if (!session || session.state === QueueMediaState.Released) return;
    const anchored = session.state !== QueueMediaState.Idle;
    this.#move(session, QueueMediaState.Released);
    clearTimeout(session.timer);
    this.#sessions.delete(callId);
    if (!anchored) return;
    try {
      await this.#opts.ng.delete(session.rtpCallId);
    } catch (err) {
      this.#opts.logger.debug('rtpengine delete failed', { err });
    }
  }

  close(): void {
    for (const id of [...this.#sessions.keys()]) void this.release(id);
    this.#sink?.close();
    this.#sink = undefined;
  }

  async #anchor(call: C, session: Session): Promise<void> {
    const { ng } = this.#opts;
    const towardsSink = await ng.offer({
      'call-id': session.rtpCallId,
      'from-tag': CALLER_TAG,
      sdp: call.inbound.invite.body,
      'transport-protocol': 'RTP/AVP',
      ICE: 'remove',
      DTLS: 'off',
      'rtcp-mux': ['demux'],
      flags: ['trust-address'],
      replace: ['origin', 'session-connection'],
    });
    if (session.state !== QueueMediaState.Anchoring) return this.#drop(session);
    const sinkAnswer = plainAnswer(towardsSink.sdp, await this.#sinkAddress());
    const forCaller = await ng.answer({
      'call-id': session.rtpCallId,
      'from-tag': CALLER_TAG,
      'to-tag': SINK_TAG,
      sdp: sinkAnswer,
      flags: ['trust-address'],
      replace: ['origin', 'session-connection'],
    });
    if (
      session.state !== QueueMediaState.Anchoring ||
      !this.#opts.port.answerWith(call, forCaller.sdp)
    ) {
      // Picked (or gone) while rtpengine was answering: the caller never saw this session.
      return this.release(call.id);
    }
    this.#move(session, QueueMediaState.Answered);
    // Play once the caller has ACKed (its transport comes up meanwhile); the prompt starts
    // with half a second of silence for the DTLS handshake.
    const until = Date.now() + (this.#opts.ackWaitMs ?? 3000);
    const waitAck = () => {
      if (session.state !== QueueMediaState.Answered) return;
      if (call.state === 'transferring' || Date.now() >= until) void this.#play(session);
      else session.timer = setTimeout(waitAck, 50);
    };
    waitAck();
  }

  async #play(session: Session): Promise<void> {
    const { ng, prompts } = this.#opts;
    this.#move(session, QueueMediaState.Playing);
    const welcome = prompts.welcome[this.#opts.language ?? 'nb'];
    const reply = await ng.playMedia({
      'call-id': session.rtpCallId,
      'from-tag': CALLER_TAG,
      file: welcome,
      'repeat-times': 1,
    });
    if (session.state !== QueueMediaState.Playing) return;
    const durationMs = typeof reply.duration === 'number' ? reply.duration : 8000;
    session.timer = setTimeout(() => {
      if (session.state !== QueueMediaState.Playing) return;
      // Hold music until someone picks the call (an hour of loops; the queue ends sooner).
      ng.playMedia({
        'call-id': session.rtpCallId,
        'from-tag': CALLER_TAG,
        file: prompts.holdMusic,
        'repeat-times': 600,
      }).catch((err: unknown) => this.#opts.logger.warn('hold music failed', { err }));
    }, durationMs);
  }

  #drop(session: Session): Promise<void> {
    return this.#opts.ng.delete(session.rtpCallId).then(
      () => undefined,
      () => undefined,
    );
  }

  #move(session: Session, to: QueueMediaState): void {
    session.state = transitionQueueMedia(session.state, to);
  }

  /** A loopback UDP socket that swallows what callers say while they wait. */
  #sinkAddress(): Promise<number> {
    this.#sinkPort ??= new Promise<number>((resolve, reject) => {
      const host = this.#opts.ng.address.host;
      const sink = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sink.on('message', () => undefined);
      sink.once('error', reject);
      sink.bind(0, host, () => resolve(sink.address().port));
      sink.unref();
      this.#sink = sink;
    });
    return this.#sinkPort;
  }
}

/**
 * A plain RTP answer from the sink to rtpengine's offer: one audio stream, PCMU when offered
 * (else the first codec), telephone-event kept out, sendrecv.
 */
export function plainAnswer(offer: string, sinkPort: number): string {
  const lines = offer.split(/\r?\n/);
  const media = lines.find((l) => l.startsWith('m=audio '));
  if (!media) throw new Error('rtpengine offered no audio');
  const formats = media.split(' ').slice(3);
  const rtpmap = (pt: string) => lines.find((l) => l.startsWith(`a=rtpmap:${pt} `));
  const chosen =
    formats.find((pt) => pt === '0') ??
    formats.find((pt) => !/telephone-event|CN\//i.test(rtpmap(pt) ?? '')) ??
    formats[0];
  if (chosen === undefined) throw new Error('rtpengine offered no codec');
  const conn = lines.find((l) => l.startsWith('c=')) ?? 'c=IN IP4 127.0.0.1';
  const address = conn.split(' ')[2] ?? '127.0.0.1';
  const out = [
    'v=0',
    `o=sentral-queue 1 1 IN IP4 ${address}`,
    's=queue',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${sinkPort} RTP/AVP ${chosen}`,
  ];
  const map = rtpmap(chosen);
  if (map) out.push(map);
  const fmtp = lines.find((l) => l.startsWith(`a=fmtp:${chosen} `));
  if (fmtp) out.push(fmtp);
  out.push('a=sendrecv', '');
  return out.join('\r\n');
}
