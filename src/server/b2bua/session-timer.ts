/**
 * Session timers (RFC 4028), one per leg: each side of the B2BUA is a session of its own, so
 * the caller's refreshes never travel to the callee and vice versa. This module holds the
 * header arithmetic (§7 as UAC, §9 as UAS) and the per-leg timer; the B2BUA decides what a
 * refresh or an expiry means for the call.
 *
 * ```
 *   Idle ──► Running ◄──► Refreshing
 *               │              │
 *               ├──────────────┴──► Expired
 *               └──────────────────► Stopped   (from any state but Expired)
 * ```
 * - Idle: no session interval negotiated (yet, or the peer declined timers).
 * - Running: an interval runs; the core refreshes at half of it when it is the refresher.
 * - Refreshing: the core sent a refresh (UPDATE or re-INVITE) and waits for its answer.
 * - Expired: no refresh came in time; the B2BUA sends BYE on both legs (§10).
 * - Stopped: the leg ended.
 */
import type { Scheduler, SipMessage } from '../sip';

/** The smallest interval the core accepts (the RFC's own floor and default Min-SE). */
export const MIN_SE = 90;
/** What the core asks for on its outgoing legs (RFC 4028 §4 recommends 1800 s). */
export const OFFERED_SESSION_EXPIRES = 1800;

/** Which side sends the refreshes on a leg. */
export type Refresher = 'core' | 'peer';

/** A negotiated session interval of one leg. */
export interface SessionInterval {
  /** Seconds. */
  readonly interval: number;
  readonly refresher: Refresher;
  /** The peer said `Supported: timer` (it may be named refresher and gets `Require: timer`). */
  readonly peerSupports: boolean;
}

/** A Session-Expires value: delta-seconds and the optional `refresher` parameter. */
export interface SessionExpires {
  readonly delta: number;
  readonly refresher: 'uac' | 'uas' | undefined;
}

/** Parses `Session-Expires: 1800;refresher=uac`; undefined when absent or malformed. */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const [deltaText = '', ...params] = value.split(';').map((p) => p.trim());
  if (!/^\d{1,10}$/.test(deltaText)) return undefined;
  let refresher: 'uac' | 'uas' | undefined;
  for (const param of params) {
    const [name = '', v = ''] = param.split('=').map((p) => p.trim().toLowerCase());
    if (name === 'refresher' && (v === 'uac' || v === 'uas')) refresher = v;
  }
  return { delta: Number(deltaText), refresher };
}

/** Parses `Min-SE: 90` (parameters ignored); undefined when absent or malformed. */
export function parseMinSE(value: string | undefined): number | undefined {
  const delta = value?.split(';')[0]?.trim();
  return delta !== undefined && /^\d{1,10}$/.test(delta) ? Number(delta) : undefined;
}

/** The option tags (or methods, for Allow) a message lists in a header, lower-cased. */
export function listedTokens(msg: SipMessage, header: string): Set<string> {
  const out = new Set<string>();
  for (const value of msg.getAll(header)) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) out.add(t);
    }
  }
  return out;
}

/** Whether a peer said it understands session timers. */
export function supportsTimer(msg: SipMessage): boolean {
  return listedTokens(msg, 'Supported').has('timer') || listedTokens(msg, 'Require').has('timer');
}

/** What the core, as UAS of a request, does about its session timer (§9). */
export type UasDecision =
  | { readonly kind: 'reject'; readonly minSE: number }
  | { readonly kind: 'none' }
  | { readonly kind: 'timer'; readonly session: SessionInterval };

/**
 * §9: the core answers `req` (an INVITE, re-INVITE or UPDATE from the peer). An interval below
 * `minSE` is refused with 422; the refresher the peer asked for is kept; when it asked for
 * none, the peer refreshes if it supports timers and the core otherwise. A peer that supports
 * timers but asked for none gets `current`'s interval (or the core's default) in the answer.
 */
export function decideAsUas(
  req: SipMessage,
  current: SessionInterval | undefined,
  minSE = MIN_SE,
): UasDecision {
  const se = parseSessionExpires(req.get('Session-Expires'));
  const peerSupports = supportsTimer(req);
  if (se) {
    if (se.delta < minSE) return { kind: 'reject', minSE };
    let refresher: Refresher;
    if (!peerSupports)
      refresher = 'core'; // it cannot be asked to refresh (§9)
    else if (se.refresher === 'uac') refresher = 'peer';
    else if (se.refresher === 'uas') refresher = 'core';
    else refresher = current?.refresher ?? 'peer';
    return { kind: 'timer', session: { interval: se.delta, refresher, peerSupports } };
  }
  if (current) {
    // A refresh without Session-Expires: keep the interval; only a supporting peer refreshes.
    return {
      kind: 'timer',
      session: { ...current, refresher: peerSupports ? current.refresher : 'core', peerSupports },
    };
  }
  if (!peerSupports) return { kind: 'none' };
  const floor = Math.max(minSE, parseMinSE(req.get('Min-SE')) ?? 0);
  return {
    kind: 'timer',
    session: {
      interval: Math.max(OFFERED_SESSION_EXPIRES, floor),
      refresher: 'peer',
      peerSupports,
    },
  };
}

/** Headers of the core's 2xx carrying `session` (§9: Require only to a supporting peer). */
export function uasHeaders(session: SessionInterval): Record<string, string> {
  const headers: Record<string, string> = {
    'Session-Expires': `${session.interval};refresher=${session.refresher === 'peer' ? 'uac' : 'uas'}`,
  };
  if (session.peerSupports) headers.Require = 'timer';
  return headers;
}

/**
 * Headers of a request the core sends on a leg (§7.1): the current interval and refresher
 * when there is one (the core is the UAC of this transaction), the core's default otherwise.
 */
export function uacHeaders(session: SessionInterval | undefined): Record<string, string> {
  const interval = session?.interval ?? OFFERED_SESSION_EXPIRES;
  const refresher = session ? `;refresher=${session.refresher === 'core' ? 'uac' : 'uas'}` : '';
  return { 'Session-Expires': `${interval}${refresher}`, 'Min-SE': String(MIN_SE) };
}

/**
 * §7.2: the session of a leg after a 2xx to a request the core sent. With Session-Expires the
 * answer rules; without it a timer-aware peer turned timers off, while a peer that never knew
 * timers keeps the core's own refreshes going (they are how the core notices it is gone).
 */
export function decideAsUac(
  res: SipMessage,
  current: SessionInterval | undefined,
): SessionInterval | undefined {
  const se = parseSessionExpires(res.get('Session-Expires'));
  const peerSupports = supportsTimer(res) || current?.peerSupports === true;
  if (se) {
    const refresher: Refresher = se.refresher === 'uas' ? 'peer' : 'core';
    return { interval: Math.max(se.delta, 1), refresher, peerSupports };
  }
  if (current && !current.peerSupports && current.refresher === 'core') return current;
  return undefined;
}

export enum SessionTimerState {
  Idle = 'idle',
  Running = 'running',
  Refreshing = 'refreshing',
  Expired = 'expired',
  Stopped = 'stopped',
}

const ALLOWED: Record<SessionTimerState, readonly SessionTimerState[]> = {
  [SessionTimerState.Idle]: [
    SessionTimerState.Running,
    SessionTimerState.Idle,
    SessionTimerState.Stopped,
  ],
  [SessionTimerState.Running]: [
    SessionTimerState.Running,
    SessionTimerState.Refreshing,
    SessionTimerState.Idle,
    SessionTimerState.Expired,
    SessionTimerState.Stopped,
  ],
  [SessionTimerState.Refreshing]: [
    SessionTimerState.Running,
    SessionTimerState.Idle,
    SessionTimerState.Expired,
    SessionTimerState.Stopped,
  ],
  [SessionTimerState.Expired]: [],
  [SessionTimerState.Stopped]: [],
};

/** Every allowed move, for tests and documentation. */
export const SESSION_TIMER_TRANSITIONS: ReadonlyArray<
  readonly [SessionTimerState, SessionTimerState]
> = Object.entries(ALLOWED).flatMap(([from, tos]) =>
  tos.map((to) => [from as SessionTimerState, to] as const),
);

/** Returns the next state, or throws if the move is not in the diagram above. */
export function transitionSessionTimer(
  from: SessionTimerState,
  to: SessionTimerState,
): SessionTimerState {
  if (!ALLOWED[from].includes(to)) {
    throw new Error(`Illegal session timer transition ${from} → ${to}`);
  }
  return to;
}

/** When the session of `interval` seconds counts as expired without a refresh (§10). */
export function expiryMs(interval: number): number {
  return (interval - Math.min(32, interval / 3)) * 1000;
}

export interface SessionTimerHandlers {
  /** Half the interval passed and the core is the refresher: send a refresh now. */
  refresh(): void;
  /** No refresh came in time: end the session. */
  expired(): void;
}

/** The session timer of one leg. */
export class SessionTimer {
  #state = SessionTimerState.Idle;
  #session: SessionInterval | undefined;
  #refreshHandle: unknown;
  #expiryHandle: unknown;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly handlers: SessionTimerHandlers,
  ) {}

  get state(): SessionTimerState {
    return this.#state;
  }

  get session(): SessionInterval | undefined {
    return this.#session;
  }

  /** A 2xx to a session refresh (or to the INVITE): the interval runs anew, or stops (none). */
  refreshed(session: SessionInterval | undefined): void {
    if (this.#done()) return;
    this.#clear();
    this.#session = session;
    if (!session) {
      this.#move(SessionTimerState.Idle);
      return;
    }
    this.#move(SessionTimerState.Running);
    if (session.refresher === 'core') {
      this.#refreshHandle = this.scheduler.setTimeout(
        () => {
          this.#refreshHandle = undefined;
          if (this.#state !== SessionTimerState.Running) return;
          this.#move(SessionTimerState.Refreshing);
          this.handlers.refresh();
        },
        (session.interval * 1000) / 2,
      );
    }
    this.#expiryHandle = this.scheduler.setTimeout(() => {
      this.#expiryHandle = undefined;
      if (this.#done()) return;
      this.#clear();
      this.#move(SessionTimerState.Expired);
      this.handlers.expired();
    }, expiryMs(session.interval));
  }

  /** The core's refresh was refused for now (491 glare): try again after `ms`. */
  retryIn(ms: number): void {
    if (this.#state !== SessionTimerState.Refreshing) return;
    this.#move(SessionTimerState.Running);
    this.#refreshHandle = this.scheduler.setTimeout(() => {
      this.#refreshHandle = undefined;
      if (this.#state !== SessionTimerState.Running) return;
      this.#move(SessionTimerState.Refreshing);
      this.handlers.refresh();
    }, ms);
  }

  /** The leg ended: no more refreshes or expiry. */
  stop(): void {
    if (this.#done()) return;
    this.#clear();
    this.#move(SessionTimerState.Stopped);
  }

  #done(): boolean {
    return this.#state === SessionTimerState.Stopped || this.#state === SessionTimerState.Expired;
  }

  #clear(): void {
    if (this.#refreshHandle !== undefined) this.scheduler.clearTimeout(this.#refreshHandle);
    if (this.#expiryHandle !== undefined) this.scheduler.clearTimeout(this.#expiryHandle);
    this.#refreshHandle = undefined;
    this.#expiryHandle = undefined;
  }

  #move(next: SessionTimerState): void {
    this.#state = transitionSessionTimer(this.#state, next);
  }
}
