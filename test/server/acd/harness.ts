/**
 * Test harness for the ACD: a fake clock with fake timers, an engine wired to it, and the
 * actions and events it produced, plus small builders for queue and group configuration.
 */
import { Acd } from '../../../src/server/acd';
import type {
  AcdAction,
  AcdEvent,
  AcdOptions,
  AnswerGroupConfig,
  QueueConfig,
} from '../../../src/server/acd';

/** Monday 6 January 2025, 09:00 UTC. */
export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

export const utcMidnight = (now: number): number => now - (now % 86_400_000);

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that moves only when told; timers fire in due order as it moves. */
export class FakeClock {
  now: number;
  readonly #timers = new Map<number, FakeTimer>();
  #nextId = 1;

  constructor(start = T0) {
    this.now = start;
  }

  set = (fn: () => void, ms: number): number => {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.now + ms, fn });
    return id;
  };

  clear = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) {
          next = t;
        }
      }
      if (!next) break;
      this.#timers.delete(next.id);
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
    this.now = end;
  }

  advanceS(seconds: number): void {
    this.advance(seconds * 1000);
  }

  get pending(): number {
    return this.#timers.size;
  }
}

export type OfferAction = Extract<AcdAction, { type: 'offer' }>;
export type CancelAction = Extract<AcdAction, { type: 'cancel-offer' }>;

export function queueConfig(overrides: Partial<QueueConfig> = {}): QueueConfig {
  return {
    id: 'sales',
    tenantId: 'acme',
    name: 'Sales',
    number: '+4722000100',
    strategy: 'longest-idle',
    ringTimeoutS: 15,
    wrapUpS: 0,
    maxWaitS: null,
    maxLength: null,
    overflowTarget: null,
    noAgentsTarget: null,
    serviceLevelS: 20,
    autoPauseAfterMisses: null,
    members: ['anna', 'bjorn', 'cecilie'],
    ...overrides,
  };
}

export function groupConfig(overrides: Partial<AnswerGroupConfig> = {}): AnswerGroupConfig {
  return {
    id: 'it-support',
    tenantId: 'acme',
    name: 'IT support',
    number: '+4722000200',
    mode: 'parallel',
    ringTimeoutS: 20,
    members: ['anna', 'bjorn', 'cecilie'],
    fallback: { kind: 'queue', id: 'sales' },
    ...overrides,
  };
}

export function setup(options: Partial<AcdOptions> = {}) {
  const clock = new FakeClock();
  const actions: AcdAction[] = [];
  const events: AcdEvent[] = [];
  const acd = new Acd({
    now: () => clock.now,
    timers: { set: clock.set, clear: clock.clear },
    onAction: (action) => actions.push(action),
    onEvent: (event) => events.push(event),
    startOfDay: utcMidnight,
    ...options,
  });

  let seen = 0;
  const h = {
    clock,
    acd,
    actions,
    events,
    /** Every offer so far. */
    offers: (): OfferAction[] => actions.filter((a): a is OfferAction => a.type === 'offer'),
    cancels: (): CancelAction[] =>
      actions.filter((a): a is CancelAction => a.type === 'cancel-offer'),
    /** The most recent offer (fails the test when there is none). */
    lastOffer(): OfferAction {
      const offers = h.offers();
      const last = offers[offers.length - 1];
      if (!last) throw new Error('no offer was made');
      return last;
    },
    /** Actions since the previous call of `newActions`. */
    newActions(): AcdAction[] {
      const fresh = actions.slice(seen);
      seen = actions.length;
      return fresh;
    },
    eventsOf<T extends AcdEvent['type']>(type: T): Extract<AcdEvent, { type: T }>[] {
      return events.filter((e): e is Extract<AcdEvent, { type: T }> => e.type === type);
    },
    /** Enqueues a normal caller into `sales` of `acme`. */
    call(callId: string, extra: Partial<Parameters<Acd['enqueue']>[0]> = {}) {
      return acd.enqueue({
        callId,
        tenantId: 'acme',
        queueId: 'sales',
        callerNumber: `+47400${callId.replace(/\D/g, '').padStart(5, '0')}`,
        callerName: null,
        ...extra,
      });
    },
    /** Answers the last offer with its first (or the given) agent. */
    answer(agentId?: string) {
      const offer = h.lastOffer();
      return acd.offerAnswered(offer.offerId, agentId ?? (offer.agentIds[0] as string));
    },
    loginAll(queueId = 'sales', agentIds: readonly string[] = ['anna', 'bjorn', 'cecilie']) {
      for (const id of agentIds) acd.agentLogin(queueId, id);
    },
  };
  return h;
}
