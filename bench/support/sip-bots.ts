/**
 * SIP bots for the queued-calls benchmark, over the core's SIP WebSocket:
 * - `AgentBot`: a scripted phone (raw SIP, like test/server/support/sip-peer.ts) that registers
 *   with the session's SIP credentials and auto-answers every INVITE after a random delay, then
 *   hangs up after a random talk time. A plain-SDP offer gets a plain SDP answer; a WebRTC offer
 *   (with a DTLS fingerprint) gets a real @roamhq/wrtc answer with a tone, so media flows.
 * - `rawCall`: an outside caller (raw SIP, plain SDP) that calls a queue number and waits.
 * - `webrtcCall`: an outside caller with JsSIP and a real @roamhq/wrtc peer connection.
 * Every wait is bounded; bots record timestamps (performance.now()) for the benchmark.
 */
import JsSIP from 'jssip';
import WebSocket from 'ws';
import { toneStream } from '../../e2e/node-peer';
import {
  DOMAIN,
  SDP,
  inDialog,
  outsideInvite,
  register,
  respond,
  uriOf,
} from '../../test/server/support/scenarios';
import {
  digestAuthorization,
  parseLoosely,
  rand,
  type ReceivedMessage,
} from '../../test/server/support/sip-peer';

const randomBetween = ([min, max]: readonly [number, number]) => min + Math.random() * (max - min);

/** One SIP WebSocket with a message hook and bounded waits for particular messages. */
export class SipSocket {
  readonly host = `${rand()}.invalid`;
  closed = false;
  onMessage: (m: ReceivedMessage) => void = () => undefined;
  readonly #ws: WebSocket;
  readonly #waiters: Array<{
    pred: (m: ReceivedMessage) => boolean;
    done: (m: ReceivedMessage) => void;
  }> = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const m = parseLoosely(data.toString());
      const i = this.#waiters.findIndex((w) => w.pred(m));
      if (i >= 0) {
        this.#waiters.splice(i, 1)[0]?.done(m);
        return;
      }
      this.onMessage(m);
    });
    ws.on('close', () => (this.closed = true));
    ws.on('error', () => undefined);
  }

  static async open(wsUrl: string, timeoutMs = 10_000): Promise<SipSocket> {
    const ws = new WebSocket(`${wsUrl}/sip`, 'sip');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error('SIP WebSocket did not open in time'));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return new SipSocket(ws);
  }

  send(text: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /** The next message matching `pred` (it does not reach `onMessage`). */
  waitFor(pred: (m: ReceivedMessage) => boolean, timeoutMs: number): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        done: (m: ReceivedMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error('no matching SIP message in time'));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  close(): void {
    this.#ws.close();
  }
}

const cseqOf = (m: ReceivedMessage) => m.header('CSeq') ?? '';
const isResponseTo = (m: ReceivedMessage, callId: string, method: string) =>
  m.status !== undefined && m.header('Call-ID') === callId && cseqOf(m).endsWith(` ${method}`);
const tagOf = (value: string | undefined) => /;tag=([^;>\s]+)/.exec(value ?? '')?.[1] ?? '';
/** The user part of the URI in a From/To value (`"x" <sip:+47…@host>` → `+47…`). */
export const userOf = (value: string | undefined) =>
  /sips?:([^@;>]+)@/.exec(value ?? '')?.[1] ?? '';

async function inboundPackets(pc: RTCPeerConnection): Promise<number> {
  const stats = await pc.getStats();
  let n = 0;
  stats.forEach((s: { type: string; packetsReceived?: number }) => {
    if (s.type === 'inbound-rtp') n += s.packetsReceived ?? 0;
  });
  return n;
}

/** A WebRTC answer with a tone as the agent's microphone, ICE gathered (no trickle). */
async function webrtcAnswer(offer: string) {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const tone = toneStream();
  for (const track of tone.stream.getTracks()) pc.addTrack(track, tone.stream);
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }
  return { pc, stop: () => tone.stop(), sdp: pc.localDescription?.sdp ?? '' };
}

/** One call as an agent's phone saw it. */
export interface AgentCall {
  agent: string;
  sipCallId: string;
  /** The caller's number as the core presented it in From. */
  callerNumber: string;
  queueHeader: string | undefined;
  webrtc: boolean;
  state: 'ringing' | 'answered' | 'confirmed' | 'cancelled' | 'ended';
  /** performance.now() when the INVITE arrived, the 200 OK was sent, the ACK arrived. */
  offeredAt: number;
  okSentAt?: number;
  confirmedAt?: number;
  /** Who ended a confirmed call. */
  endedBy?: 'agent' | 'remote';
  /** RTP packets the agent received (WebRTC calls), read just before hanging up. */
  inboundPackets?: number;
  /** The agent was already on a call when this offer came. */
  offeredWhileBusy: boolean;
  error?: string;
}

export interface AgentOptions {
  answerDelayMs: readonly [number, number];
  talkMs: readonly [number, number];
  /** Told when a call ends at this phone (cancelled, hung up by either side, or failed). */
  onCall?(call: AgentCall): void;
  /** REGISTER expiry in seconds (default 600); the bot does not refresh, so outlast the run. */
  expiresS?: number;
}

/** An agent's phone: registers, auto-answers, hangs up; every call is reported. */
export class AgentBot {
  readonly calls = new Map<string, AgentCall>();
  readonly #sock: SipSocket;
  readonly #contactUser = rand();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #media = new Map<string, { pc: RTCPeerConnection; stop(): void }>();
  readonly #invites = new Map<string, ReceivedMessage>();
  readonly #toTags = new Map<string, string>();
  #stopped = false;

  private constructor(
    readonly username: string,
    sock: SipSocket,
    private readonly opts: AgentOptions,
  ) {
    this.#sock = sock;
    sock.onMessage = (m) => this.#onMessage(m);
  }

  /** Opens the phone's socket and registers it with the session's SIP credentials. */
  static async start(
    wsUrl: string,
    username: string,
    sip: { authorizationUsername: string; password: string },
    opts: AgentOptions,
  ): Promise<AgentBot> {
    const sock = await SipSocket.open(wsUrl);
    const bot = new AgentBot(username, sock, opts);
    const base = {
      username,
      host: sock.host,
      contactUser: bot.#contactUser,
      callId: rand(),
      fromTag: rand(),
    };
    sock.send(register({ ...base, cseq: 1, expires: opts.expiresS }));
    const challenge = await sock.waitFor((m) => isResponseTo(m, base.callId, 'REGISTER'), 10_000);
    if (challenge.status !== 401) throw new Error(`REGISTER got ${challenge.status}`);
    const authorization = digestAuthorization({
      challenge: challenge.header('WWW-Authenticate') ?? '',
      username: sip.authorizationUsername,
      password: sip.password,
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
    });
    sock.send(register({ ...base, cseq: 2, authorization, expires: opts.expiresS }));
    const ok = await sock.waitFor((m) => isResponseTo(m, base.callId, 'REGISTER'), 10_000);
    if (ok.status !== 200) throw new Error(`${username}: REGISTER got ${ok.status}`);
    return bot;
  }

  get #contact() {
    return `<sip:${this.#contactUser}@${this.#sock.host};transport=ws>`;
  }

  #later(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, ms);
    this.#timers.add(t);
  }

  #busy(): boolean {
    for (const c of this.calls.values()) {
      if (c.state === 'answered' || c.state === 'confirmed') return true;
    }
    return false;
  }

  #onMessage(m: ReceivedMessage): void {
    if (m.status !== undefined) return; // responses to our BYEs: nothing to do
    const callId = m.header('Call-ID') ?? '';
    const call = this.calls.get(callId);
    switch (m.method) {
      case 'INVITE': {
        if (call) {
          // A re-INVITE (or a retransmission): answer with the same session.
          const invite = this.#invites.get(callId);
          if (invite && call.state !== 'ringing')
            this.#sock.send(
              respond(m, 200, 'OK', {
                toTag: this.#toTags.get(callId),
                contact: this.#contact,
                body: m.body || SDP,
              }),
            );
          return;
        }
        const fresh: AgentCall = {
          agent: this.username,
          sipCallId: callId,
          callerNumber: userOf(m.header('From')),
          queueHeader: m.header('X-Sentral-Queue'),
          webrtc: m.body.includes('a=fingerprint'),
          state: 'ringing',
          offeredAt: performance.now(),
          offeredWhileBusy: this.#busy(),
        };
        const toTag = rand();
        this.calls.set(callId, fresh);
        this.#invites.set(callId, m);
        this.#toTags.set(callId, toTag);
        this.#sock.send(respond(m, 180, 'Ringing', { toTag, contact: this.#contact }));
        this.#later(randomBetween(this.opts.answerDelayMs), () => void this.#answer(fresh, m));
        return;
      }
      case 'ACK':
        if (call?.state === 'answered') {
          call.state = 'confirmed';
          call.confirmedAt = performance.now();
          this.#later(randomBetween(this.opts.talkMs), () => void this.#hangup(call));
        }
        return;
      case 'CANCEL': {
        this.#sock.send(respond(m, 200, 'OK'));
        const invite = this.#invites.get(callId);
        if (call?.state === 'ringing' && invite) {
          call.state = 'cancelled';
          this.#sock.send(
            respond(invite, 487, 'Request Terminated', { toTag: this.#toTags.get(callId) }),
          );
          this.opts.onCall?.(call);
        }
        return;
      }
      case 'BYE':
        this.#sock.send(respond(m, 200, 'OK'));
        if (call && (call.state === 'answered' || call.state === 'confirmed')) {
          call.state = 'ended';
          call.endedBy = 'remote';
          void this.#endMedia(call).then(() => this.opts.onCall?.(call));
        }
        return;
      default:
        this.#sock.send(respond(m, 200, 'OK'));
    }
  }

  async #answer(call: AgentCall, invite: ReceivedMessage): Promise<void> {
    if (call.state !== 'ringing') return;
    let body = SDP.replace('40000', String(41000 + Math.floor(Math.random() * 10000) * 2));
    if (call.webrtc) {
      try {
        const media = await webrtcAnswer(invite.body);
        this.#media.set(call.sipCallId, media);
        body = media.sdp;
      } catch (err) {
        call.state = 'ended';
        call.error = `WebRTC answer failed: ${String(err)}`;
        this.#sock.send(
          respond(invite, 488, 'Not Acceptable Here', { toTag: this.#toTags.get(call.sipCallId) }),
        );
        this.opts.onCall?.(call);
        return;
      }
      if (call.state !== 'ringing') return void this.#endMedia(call);
    }
    call.state = 'answered';
    call.okSentAt = performance.now();
    this.#sock.send(
      respond(invite, 200, 'OK', {
        toTag: this.#toTags.get(call.sipCallId),
        contact: this.#contact,
        body,
      }),
    );
  }

  async #endMedia(call: AgentCall): Promise<void> {
    const media = this.#media.get(call.sipCallId);
    if (!media) return;
    this.#media.delete(call.sipCallId);
    try {
      call.inboundPackets = await inboundPackets(media.pc);
    } finally {
      media.stop();
      media.pc.close();
    }
  }

  async #hangup(call: AgentCall): Promise<void> {
    if (call.state !== 'confirmed') return;
    call.state = 'ended';
    call.endedBy = 'agent';
    await this.#endMedia(call);
    const invite = this.#invites.get(call.sipCallId);
    if (!invite) return;
    this.#sock.send(
      inDialog({
        method: 'BYE',
        host: this.#sock.host,
        requestUri: uriOf(invite.header('Contact')),
        from: `${invite.header('To') ?? ''};tag=${this.#toTags.get(call.sipCallId)}`,
        to: invite.header('From') ?? '',
        callId: call.sipCallId,
        cseq: 1,
      }),
    );
    this.opts.onCall?.(call);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const media of this.#media.values()) {
      media.stop();
      media.pc.close();
    }
    this.#media.clear();
    this.#sock.close();
  }
}

/** One outside call as the caller saw it. */
export interface CallerCall {
  number: string;
  kind: 'raw' | 'webrtc';
  /** performance.now() when the INVITE was sent, 182 Queued and the (first) 200 OK arrived. */
  invitedAt: number;
  queuedAt?: number;
  answeredAt?: number;
  /** Distinct To tags of 200 OKs to the INVITE: more than one is a duplicated answer. */
  answerTags: string[];
  /** 200 OKs repeated with the same To tag (retransmissions). */
  okRepeats: number;
  outcome: 'answered' | 'failed' | 'unanswered' | 'error';
  /** Final status of a failed call, or why it ended badly. */
  detail?: string;
  /** Who ended an answered call: the core's BYE (the agent hung up) or the caller (a limit). */
  endedBy?: 'remote' | 'caller';
  /** RTP packets the caller received (WebRTC calls). */
  inboundPackets?: number;
}

export interface CallerLimits {
  /** Longest wait for an answer before the caller gives up (CANCEL). */
  answerMs: number;
  /** Longest call after the answer before the caller hangs up itself. */
  talkMs: number;
}

/** An outside caller with a plain SDP: INVITE → 182 Queued → 200 OK → ACK → BYE from the core. */
export async function rawCall(
  wsUrl: string,
  number: string,
  to: string,
  limits: CallerLimits,
): Promise<CallerCall> {
  const sock = await SipSocket.open(wsUrl);
  const callId = rand();
  const fromTag = rand();
  const branch = `z9hG4bK${rand()}`;
  const from = `<sip:${number}@outside.invalid>;tag=${fromTag}`;
  const call: CallerCall = {
    number,
    kind: 'raw',
    invitedAt: 0,
    answerTags: [],
    okRepeats: 0,
    outcome: 'unanswered',
  };
  try {
    await new Promise<void>((resolve) => {
      let answeredTo = '';
      let byeSent = false;
      const ackFor = (ok: ReceivedMessage) =>
        inDialog({
          method: 'ACK',
          host: sock.host,
          requestUri: uriOf(ok.header('Contact')),
          from,
          to: ok.header('To') ?? '',
          callId,
          cseq: 1,
        });
      const bye = (toValue: string, contact: string | undefined, cseq: number) =>
        inDialog({
          method: 'BYE',
          host: sock.host,
          requestUri: uriOf(contact),
          from,
          to: toValue,
          callId,
          cseq,
        });
      let answerContact: string | undefined;
      const answerTimer = setTimeout(() => {
        if (call.answeredAt !== undefined) return;
        call.detail = `no answer within ${limits.answerMs} ms`;
        sock.send(
          [
            `CANCEL sip:${to}@${DOMAIN} SIP/2.0`,
            `Via: SIP/2.0/WSS ${sock.host};branch=${branch}`,
            'Max-Forwards: 70',
            `To: <sip:${to}@${DOMAIN}>`,
            `From: ${from}`,
            `Call-ID: ${callId}`,
            'CSeq: 1 CANCEL',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        );
        setTimeout(resolve, 2000);
      }, limits.answerMs);
      let talkTimer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(answerTimer);
        clearTimeout(talkTimer);
        resolve();
      };
      sock.onMessage = (m) => {
        if (m.header('Call-ID') !== callId) return;
        if (m.status !== undefined) {
          if (!cseqOf(m).endsWith(' INVITE')) return; // 200 to CANCEL / BYE
          if (m.status === 182 && call.queuedAt === undefined) call.queuedAt = performance.now();
          if (m.status < 200) return;
          if (m.status < 300) {
            const tag = tagOf(m.header('To'));
            sock.send(ackFor(m));
            if (call.answerTags.includes(tag)) {
              call.okRepeats++;
              return;
            }
            call.answerTags.push(tag);
            if (call.answerTags.length > 1) {
              // A second answer to one call: end that dialog, keep the first.
              sock.send(bye(m.header('To') ?? '', m.header('Contact'), 2));
              return;
            }
            call.answeredAt = performance.now();
            call.outcome = 'answered';
            answeredTo = m.header('To') ?? '';
            answerContact = m.header('Contact');
            clearTimeout(answerTimer);
            talkTimer = setTimeout(() => {
              call.endedBy = 'caller';
              call.detail = `no BYE within ${limits.talkMs} ms of the answer`;
              byeSent = true;
              sock.send(bye(answeredTo, answerContact, 3));
              setTimeout(finish, 2000);
            }, limits.talkMs);
            return;
          }
          // Non-2xx final: ACK on the INVITE's branch (RFC 3261 §17.1.1.3).
          sock.send(
            [
              `ACK sip:${to}@${DOMAIN} SIP/2.0`,
              `Via: SIP/2.0/WSS ${sock.host};branch=${branch}`,
              'Max-Forwards: 70',
              `To: ${m.header('To') ?? ''}`,
              `From: ${from}`,
              `Call-ID: ${callId}`,
              'CSeq: 1 ACK',
              'Content-Length: 0',
              '',
              '',
            ].join('\r\n'),
          );
          if (call.outcome !== 'answered') {
            call.outcome = call.detail ? 'unanswered' : 'failed';
            const status = m.text.split('\r\n')[0]?.slice(8) ?? String(m.status);
            call.detail = call.detail ? `${call.detail}; ${status}` : status;
          }
          finish();
          return;
        }
        if (m.method === 'BYE') {
          sock.send(respond(m, 200, 'OK'));
          if (!byeSent && tagOf(m.header('From')) === tagOf(answeredTo)) {
            call.endedBy = 'remote';
            finish();
          }
          return;
        }
        if (m.method === 'INVITE') {
          sock.send(
            respond(m, 200, 'OK', { contact: `<sip:caller@${sock.host};transport=ws>`, body: SDP }),
          );
          return;
        }
        if (m.method !== 'ACK') sock.send(respond(m, 200, 'OK'));
      };
      call.invitedAt = performance.now();
      sock.send(outsideInvite({ peer: sock, to, fromNumber: number, callId, fromTag, branch }));
    });
  } catch (err) {
    call.outcome = 'error';
    call.detail = String(err);
  } finally {
    sock.close();
  }
  return call;
}

/** An outside caller with JsSIP and a real WebRTC peer connection (a tone as its microphone). */
export async function webrtcCall(
  wsUrl: string,
  number: string,
  to: string,
  limits: CallerLimits,
): Promise<CallerCall> {
  const call: CallerCall = {
    number,
    kind: 'webrtc',
    invitedAt: 0,
    answerTags: [],
    okRepeats: 0,
    outcome: 'unanswered',
  };
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${wsUrl}/sip`)],
    uri: `sip:${number}@outside.invalid`,
    register: false,
  });
  const timers: NodeJS.Timeout[] = [];
  try {
    ua.start();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('JsSIP did not connect')), 10_000);
      ua.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      let peak = 0;
      let poll: NodeJS.Timeout | undefined;
      const session = ua.call(`sip:${to}@${DOMAIN}`, {
        mediaStream: tone.stream,
        pcConfig: { iceServers: [] },
        eventHandlers: {
          sending: () => (call.invitedAt = performance.now()),
          progress: (e: unknown) => {
            const status = (e as { response?: { status_code?: number } }).response?.status_code;
            if (status === 182 && call.queuedAt === undefined) call.queuedAt = performance.now();
          },
          accepted: (e: unknown) => {
            call.answeredAt = performance.now();
            call.outcome = 'answered';
            const res = (e as { response?: { to_tag?: string } }).response;
            call.answerTags.push(res?.to_tag ?? 'jssip');
            poll = setInterval(() => {
              const pc = session.connection as RTCPeerConnection | undefined;
              if (pc)
                void inboundPackets(pc).then(
                  (n) => (peak = Math.max(peak, n)),
                  () => undefined,
                );
            }, 500);
            timers.push(
              setTimeout(() => {
                call.endedBy = 'caller';
                call.detail = `no BYE within ${limits.talkMs} ms of the answer`;
                session.terminate();
              }, limits.talkMs),
            );
          },
          ended: (e: { originator: string; cause: string }) => {
            clearInterval(poll);
            call.endedBy ??= e.originator === 'remote' ? 'remote' : 'caller';
            call.inboundPackets = peak;
            resolve();
          },
          failed: (e: { originator: string; cause: string }) => {
            clearInterval(poll);
            call.outcome = call.detail ? 'unanswered' : 'failed';
            call.detail = `${e.originator}: ${e.cause}`;
            resolve();
          },
        },
      });
      timers.push(
        setTimeout(() => {
          if (call.answeredAt !== undefined) return;
          call.detail = `no answer within ${limits.answerMs} ms`;
          session.terminate();
        }, limits.answerMs),
      );
    });
  } catch (err) {
    call.outcome = 'error';
    call.detail = String(err);
  } finally {
    for (const t of timers) clearTimeout(t);
    ua.stop();
    tone.stop();
  }
  return call;
}
