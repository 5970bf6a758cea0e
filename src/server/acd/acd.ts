/**
 * The ACD (automatic call distribution) engine: queues, agents, answer groups, VIP priority,
 * operator picks and live queue statistics. Pure and deterministic: no SIP, no database, no
 * sockets, no wall clock. The core feeds it facts (a caller joined, an offer was answered, an
 * agent logged in) and carries out its decisions (`onAction`: ring these agents, stop ringing,
 * send the caller elsewhere); `onEvent` reports what the API stream shows.
 *
 * ## Distribution
 * Each queue keeps its callers in two structures keyed by the same effective score (see
 * `priority.ts`): a sorted array of everyone in the queue (positions) and a binary heap of the
 * callers that may be offered now (waiting, not offered, not picked). The agents of a queue who
 * could take an offer right now (available in the queue, reachable, not busy, not ringing,
 * talking or wrapping up anywhere) sit in a sorted array ordered for the queue's strategy:
 * by idle-since for longest-idle, by member order for serial and round-robin. A decision is
 * therefore a peek at the heap and a walk from the front of the agent list — O(log n), no sort.
 *
 * - `longest-idle`: the agent idle longest, where idle-since is the later of the end of the
 *   agent's last call (a queue call, an answer-group call, or a direct call reported through
 *   `agentBusy(…, false)`) and the login to this queue.
 * - `serial`: the first free member in member order, every time from the top.
 * - `round-robin`: the next free member after the one offered last, in member order, wrapping.
 * - `ring-all`: every free member at once; the first to answer wins, the others are cancelled.
 *
 * An offer that is not answered within `ringTimeoutS` is cancelled by the engine's own timer
 * and counts as a miss for every agent it rang. Each caller remembers the agents it was
 * offered to; the next offer goes to an agent it has not had yet. When it has had everyone
 * who is free, it rests for `retryDelayMs` and then starts over — unless an agent it has not
 * had becomes free first. A caller that rests never blocks the callers behind it.
 *
 * Offer outcomes reported by the core (`offerFailed`):
 * - `no_answer` and `rejected` count as misses. Declining counts on purpose: an agent who is
 *   logged in and available but does not want a call should pause; otherwise a declined
 *   call would come straight back to the same desk while other agents are free.
 * - `busy` and `unreachable` are the phone's state, not the agent's choice: the engine moves
 *   on without counting a miss. Lasting facts come through `agentBusy` / `agentReachable`.
 * - `autoPauseAfterMisses` in a row (any queue; an answer or an unpause resets the count)
 *   pauses the agent in all its queues with reason `auto_no_answer`, and an
 *   `agent_auto_paused` event says why.
 *
 * `agentBusy(…, true)` and `agentReachable(…, false)` only stop new offers; an offer already
 * ringing runs until the core reports its outcome. The engine tracks the calls it connected
 * itself; `agentBusy` is for the others (direct calls, outgoing calls, operator picks).
 *
 * ## Operator pick and its races
 * `pick` reserves a caller for one operator. It succeeds for a caller that is waiting or
 * offered (a pending offer is cancelled with `cancel-offer`, reason `picked`, counting no miss).
 * Everything runs in one thread, so the first of two competing calls wins and the second sees
 * its result:
 * - pick, then pick: the second gets `already_connecting`.
 * - pick, then `offerAnswered` for the cancelled offer: `'lost'` (the core drops that leg).
 * - `offerAnswered` (`'connected'`), then pick: `already_connecting` until `callEnded`.
 * - a caller that has left (abandoned, overflowed) or never existed: `not_waiting`.
 * `pickConnected` counts the caller as answered (reason `picked`); `pickFailed` puts it back at
 * its old position. A max wait that expires while a pick is connecting is acted on only if the
 * pick fails.
 *
 * ## Overflow
 * - Max wait (from joining this queue; an overflowed-in caller keeps its original `enteredAt`
 *   for order and waited time) → `overflow` to `overflowTarget` (reason `max_wait`), or a
 *   `timeout` action when the queue has no overflow target.
 * - Joining a queue where nobody is logged in (paused counts as logged in) with a
 *   `noAgentsTarget` → `enqueue` returns `overflow` (reason `no_agents`). When the last agent
 *   logs out, every caller not being picked overflows there too (an `overflow` action each).
 *   Without a `noAgentsTarget` callers wait, and max wait still applies.
 * - A full queue (`maxLength` callers, whatever their state) → `overflow` to `overflowTarget`
 *   (reason `full`) or `rejected`.
 * The "no agents" check comes before the "full" check.
 *
 * ## Output ordering and re-entrancy
 * Actions and events are queued while an operation runs and delivered in order when the
 * outermost call finishes, so the engine is consistent whenever a handler runs. A handler may
 * call back into the engine (for example `offerFailed` for an unreachable phone); that call
 * runs at once and its output is delivered after what was already queued.
 */
import { AgentState, transitionAgent } from './agent-state';
import { AcdError } from './errors';
import { IndexedHeap, type HeapEntry } from './indexed-heap';
import {
  DEFAULT_PRIORITY_BONUSES,
  VipList,
  effectiveScore,
  type PriorityBonuses,
} from './priority';
import { QueueCounters, type QueueDayCounts } from './queue-counters';
import { SortedArray } from './sorted-array';
import type {
  AcdAction,
  AcdEvent,
  AcdOptions,
  AcdSnapshot,
  AcdTimers,
  AgentActivity,
  AgentQueueView,
  AgentStatusView,
  AnswerGroupCallRequest,
  AnswerGroupCallResult,
  AnswerGroupConfig,
  AnswerGroupView,
  CallerLeftReason,
  CallerPriority,
  CallerState,
  CallerView,
  CancelReason,
  ChosenPauseReason,
  EnqueueRequest,
  EnqueueResult,
  OfferFailure,
  PauseReason,
  PickResult,
  QueueConfig,
  QueueStats,
  QueueView,
  Target,
} from './types';

interface QueueRec {
  config: QueueConfig;
  /** Every member, logged in or not, by agent id. */
  memberships: Map<string, Membership>;
  /** Everyone in the queue, in serving order (positions). */
  order: SortedArray<CallerRec>;
  /** Callers that may be offered now. */
  offerable: IndexedHeap<CallerRec>;
  /** Callers that have had every free agent and wait for their retry. */
  resting: Set<CallerRec>;
  /** Members free to take an offer now, in the strategy's order. */
  eligible: SortedArray<Membership>;
  /** Member index of the agent offered last (round-robin). */
  rrLast: number;
  loggedIn: number;
  counters: QueueCounters;
  statsDirty: boolean;
}

interface Membership {
  queue: QueueRec;
  agent: AgentRec;
  memberIndex: number;
  state: AgentState;
  reason: PauseReason | null;
  since: number;
  loginAt: number;
  /** A pause asked for during a call or wrap-up, applied when it is over. */
  pendingPause: PauseReason | null;
  /** In `queue.eligible`. */
  listed: boolean;
  /** Idle-since when listed (the longest-idle key; fixed while listed). */
  idleKey: number;
}

interface AgentRec {
  id: string;
  reachable: boolean;
  busy: boolean;
  offer: OfferRec | null;
  /** A queue or answer-group call the engine connected to this agent. */
  call: ConnectedCall | null;
  wrapUp: { membership: Membership; timer: unknown } | null;
  lastCallEnd: number | null;
  missedInRow: number;
  memberships: Map<string, Membership>;
}

interface CallerRec extends HeapEntry {
  callId: string;
  tenantId: string;
  queue: QueueRec;
  number: string;
  name: string | null;
  priority: CallerPriority;
  enteredAt: number;
  score: number;
  seq: number;
  state: CallerState;
  /** Agents this caller has been offered to in the current round. */
  tried: Set<string>;
  offer: OfferRec | null;
  pickedBy: string | null;
  maxWaitTimer: unknown;
  maxWaitReached: boolean;
  retryTimer: unknown;
}

interface GroupRec {
  config: AnswerGroupConfig;
  calls: Map<string, GroupCallRec>;
}

interface GroupCallRec {
  callId: string;
  tenantId: string;
  group: GroupRec;
  number: string;
  name: string | null;
  startedAt: number;
  offer: OfferRec | null;
  /** Next member to try (serial). */
  nextIndex: number;
}

type OfferOwner = { kind: 'queue'; caller: CallerRec } | { kind: 'group'; call: GroupCallRec };

interface OfferRec {
  id: string;
  callId: string;
  tenantId: string;
  owner: OfferOwner;
  /** Agents still ringing. */
  agentIds: Set<string>;
  timer: unknown;
}

interface ConnectedCall {
  callId: string;
  tenantId: string;
  queueId: string | null;
  agentId: string;
  answeredAt: number;
}

type Output = { action: AcdAction; event?: undefined } | { event: AcdEvent; action?: undefined };

const NO_TIMER: unique symbol = Symbol('no timer');

function compareCallers(a: CallerRec, b: CallerRec): number {
  return a.score - b.score || a.seq - b.seq;
}

function byMemberOrder(a: Membership, b: Membership): number {
  return a.memberIndex - b.memberIndex;
}

function byIdleSince(a: Membership, b: Membership): number {
  return a.idleKey - b.idleKey || a.memberIndex - b.memberIndex;
}

function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export class Acd {
  readonly #now: () => number;
  readonly #timers: AcdTimers;
  readonly #onAction: (action: AcdAction) => void;
  readonly #onEvent: (event: AcdEvent) => void;
  readonly #bonuses: PriorityBonuses;
  readonly #retryDelayMs: number;
  readonly #statsIntervalMs: number;
  readonly #startOfDay: (now: number) => number;

  readonly #queues = new Map<string, QueueRec>();
  readonly #groups = new Map<string, GroupRec>();
  readonly #agents = new Map<string, AgentRec>();
  readonly #vip = new Map<string, VipList>();
  readonly #callers = new Map<string, CallerRec>();
  readonly #groupCalls = new Map<string, GroupCallRec>();
  readonly #offers = new Map<string, OfferRec>();
  readonly #connected = new Map<string, ConnectedCall>();

  #callerSeq = 0;
  #offerSeq = 0;
  #depth = 0;
  #flushing = false;
  readonly #out: Output[] = [];
  #outHead = 0;
  readonly #toDispatch = new Set<QueueRec>();
  #statsTimer: unknown = NO_TIMER;

  constructor(options: AcdOptions) {
    this.#now = options.now;
    this.#timers = options.timers;
    this.#onAction = options.onAction;
    this.#onEvent = options.onEvent;
    this.#bonuses = { ...DEFAULT_PRIORITY_BONUSES, ...options.priorityBonusS };
    this.#retryDelayMs = options.retryDelayMs ?? 5000;
    this.#statsIntervalMs = options.statsIntervalMs ?? 5000;
    this.#startOfDay = options.startOfDay ?? localMidnight;
  }

  // ── configuration ──────────────────────────────────────────────────────────────────────

  /**
   * Creates or updates a queue. On update, members who are no longer listed are logged out
   * (a call in progress goes on), the new order and strategy apply to the next decision, and
   * timers already running keep their duration.
   */
  configureQueue(config: QueueConfig): void {
    validateQueue(config);
    this.#run(() => {
      const existing = this.#queues.get(config.id);
      if (existing && existing.config.tenantId !== config.tenantId) {
        throw new AcdError('invalid_config', `queue ${config.id} belongs to another tenant`);
      }
      const members = [...config.members];
      const q: QueueRec = existing ?? {
        config: { ...config, members },
        memberships: new Map(),
        order: new SortedArray(compareCallers),
        offerable: new IndexedHeap(compareCallers),
        resting: new Set(),
        eligible: new SortedArray(byMemberOrder),
        rrLast: -1,
        loggedIn: 0,
        counters: new QueueCounters(),
        statsDirty: false,
      };
      if (!existing) this.#queues.set(config.id, q);
      q.config = { ...config, members };

      const keep = new Set(members);
      for (const [agentId, m] of [...q.memberships]) {
        if (keep.has(agentId)) continue;
        if (m.state !== AgentState.LoggedOut) this.#logout(m);
        if (m.listed) q.eligible.remove(m);
        q.memberships.delete(agentId);
        m.agent.memberships.delete(q.config.id);
      }
      // Member order or strategy may have changed: rebuild the agent order from scratch.
      q.eligible = new SortedArray(
        config.strategy === 'longest-idle' ? byIdleSince : byMemberOrder,
      );
      members.forEach((agentId, memberIndex) => {
        let m = q.memberships.get(agentId);
        if (!m) {
          const agent = this.#agent(agentId);
          m = {
            queue: q,
            agent,
            memberIndex,
            state: AgentState.LoggedOut,
            reason: null,
            since: this.#now(),
            loginAt: this.#now(),
            pendingPause: null,
            listed: false,
            idleKey: 0,
          };
          q.memberships.set(agentId, m);
          agent.memberships.set(q.config.id, m);
        }
        m.memberIndex = memberIndex;
        m.listed = false;
      });
      for (const m of q.memberships.values()) this.#refresh(m.agent);
      if (existing && q.loggedIn === 0) this.#overflowNoAgents(q);
      this.#toDispatch.add(q);
      this.#markStats(q);
    });
  }

  /**
   * Removes a queue. Its callers go to the overflow target (or the no-agents target) with
   * reason `queue_removed`, or get a `timeout` action when it has neither; its agents are
   * logged out of it.
   */
  removeQueue(queueId: string): void {
    this.#run(() => {
      const q = this.#queue(queueId);
      const target = q.config.overflowTarget ?? q.config.noAgentsTarget;
      for (const c of [...q.order.values()]) {
        if (c.offer) this.#cancelOffer(c.offer, 'removed');
        this.#dismiss(c, target, 'queue_removed');
      }
      for (const m of q.memberships.values()) {
        if (m.state !== AgentState.LoggedOut) this.#logout(m);
        m.agent.memberships.delete(queueId);
      }
      this.#queues.delete(queueId);
      this.#toDispatch.delete(q);
    });
  }

  /** Creates or updates an answer group; calls ringing it now go on with the new settings. */
  configureAnswerGroup(config: AnswerGroupConfig): void {
    validateGroup(config);
    this.#run(() => {
      const existing = this.#groups.get(config.id);
      if (existing && existing.config.tenantId !== config.tenantId) {
        throw new AcdError('invalid_config', `answer group ${config.id} belongs to another tenant`);
      }
      const copy = { ...config, members: [...config.members] };
      if (existing) existing.config = copy;
      else this.#groups.set(config.id, { config: copy, calls: new Map() });
      for (const id of config.members) this.#agent(id);
    });
  }

  /** Removes an answer group; calls ringing it fall back (reason `group_removed`). */
  removeAnswerGroup(groupId: string): void {
    this.#run(() => {
      const g = this.#group(groupId);
      for (const call of [...g.calls.values()]) {
        if (call.offer) this.#cancelOffer(call.offer, 'removed');
        this.#groupFallback(call, 'group_removed');
      }
      this.#groups.delete(groupId);
    });
  }

  /**
   * Replaces a tenant's VIP list: E.164 numbers, or prefixes ending in `*` (`+4799*`).
   * Applies to callers who join from now on.
   */
  setVipList(tenantId: string, entries: readonly string[]): void {
    this.#vip.set(tenantId, new VipList(entries));
  }

  /** Whether a number is on the tenant's VIP list. */
  isVip(tenantId: string, number: string): boolean {
    return this.#vip.get(tenantId)?.matches(number) ?? false;
  }

  // ── agents ─────────────────────────────────────────────────────────────────────────────

  /** Logs a member in to a queue (no-op when already logged in). */
  agentLogin(queueId: string, agentId: string): void {
    this.#run(() => {
      const m = this.#membership(queueId, agentId);
      if (m.state !== AgentState.LoggedOut) return;
      m.loginAt = this.#now();
      this.#setState(m, AgentState.Available);
      this.#refresh(m.agent);
    });
  }

  /**
   * Logs a member out of a queue (no-op when logged out). A ringing offer of this queue is
   * cancelled for the agent (no miss); a call in progress goes on; wrap-up ends.
   */
  agentLogout(queueId: string, agentId: string): void {
    this.#run(() => {
      const m = this.#membership(queueId, agentId);
      if (m.state === AgentState.LoggedOut) return;
      this.#logout(m);
      if (m.queue.loggedIn === 0) this.#overflowNoAgents(m.queue);
    });
  }

  /**
   * Pauses an agent in one queue or, without `queueId`, in every queue it is logged in to.
   * A ringing offer is cancelled for the agent (no miss); on a call or in wrap-up the pause
   * starts when that is over. Pausing again changes the reason.
   */
  agentPause(agentId: string, reason: ChosenPauseReason, queueId?: string): void {
    this.#run(() => {
      const agent = this.#agent(agentId);
      for (const m of this.#loggedInMemberships(agent, queueId)) {
        switch (m.state) {
          case AgentState.Available:
            this.#setState(m, AgentState.Paused, reason);
            break;
          case AgentState.Paused:
            if (m.reason !== reason) {
              m.reason = reason;
              this.#emitAgentState(m);
            }
            break;
          case AgentState.Ringing: {
            const offer = this.#leaveOffer(agent, 'agent_unavailable');
            this.#setState(m, AgentState.Paused, reason);
            if (offer) this.#offerMaybeDone(offer);
            break;
          }
          case AgentState.OnCall:
          case AgentState.WrapUp:
            m.pendingPause = reason;
            break;
          case AgentState.LoggedOut:
            break;
        }
      }
      this.#refresh(agent);
    });
  }

  /**
   * Ends a pause in one queue or, without `queueId`, in all; also drops a pause that was
   * waiting for a call to end, and resets the missed-offer count.
   */
  agentUnpause(agentId: string, queueId?: string): void {
    this.#run(() => {
      const agent = this.#agent(agentId);
      agent.missedInRow = 0;
      for (const m of this.#loggedInMemberships(agent, queueId)) {
        m.pendingPause = null;
        if (m.state === AgentState.Paused) this.#setState(m, AgentState.Available);
      }
      this.#refresh(agent);
    });
  }

  /** Whether the agent's phone is registered. Unreachable agents get no new offers. */
  agentReachable(agentId: string, reachable: boolean): void {
    this.#run(() => {
      const agent = this.#agent(agentId);
      agent.reachable = reachable;
      this.#refresh(agent);
    });
  }

  /**
   * Whether the agent is on a call the engine did not connect (a direct or outgoing call, an
   * operator pick). Busy agents get no new offers; the end of such a call counts as a call end
   * for longest-idle.
   */
  agentBusy(agentId: string, busy: boolean): void {
    this.#run(() => {
      const agent = this.#agent(agentId);
      if (agent.busy && !busy) agent.lastCallEnd = this.#now();
      agent.busy = busy;
      this.#refresh(agent);
    });
  }

  // ── callers ────────────────────────────────────────────────────────────────────────────

  /** A caller arrives at a queue (or is moved into it by an overflow or a recall). */
  enqueue(request: EnqueueRequest): EnqueueResult {
    return this.#run((): EnqueueResult => {
      const q = this.#queue(request.queueId, request.tenantId);
      if (this.#callers.has(request.callId) || this.#groupCalls.has(request.callId)) {
        throw new AcdError('duplicate_call', `call ${request.callId} is already waiting`);
      }
      const now = this.#now();
      const counters = this.#counters(q);
      const cfg = q.config;
      if (q.loggedIn === 0 && cfg.noAgentsTarget) {
        counters.overflowed++;
        this.#markStats(q);
        return { result: 'overflow', target: cfg.noAgentsTarget, reason: 'no_agents' };
      }
      if (cfg.maxLength !== null && q.order.length >= cfg.maxLength) {
        this.#markStats(q);
        if (cfg.overflowTarget) {
          counters.overflowed++;
          return { result: 'overflow', target: cfg.overflowTarget, reason: 'full' };
        }
        counters.rejected++;
        return { result: 'rejected', reason: 'full' };
      }
      const priority =
        request.priority ?? (this.isVip(request.tenantId, request.callerNumber) ? 'vip' : 'normal');
      const enteredAt = request.enteredAt ?? now;
      const c: CallerRec = {
        heapIndex: -1,
        callId: request.callId,
        tenantId: request.tenantId,
        queue: q,
        number: request.callerNumber,
        name: request.callerName,
        priority,
        enteredAt,
        score: effectiveScore(enteredAt, priority, this.#bonuses),
        seq: ++this.#callerSeq,
        state: 'waiting',
        tried: new Set(),
        offer: null,
        pickedBy: null,
        maxWaitTimer: NO_TIMER,
        maxWaitReached: false,
        retryTimer: NO_TIMER,
      };
      const index = q.order.insert(c);
      q.offerable.push(c);
      this.#callers.set(c.callId, c);
      if (cfg.maxWaitS !== null) {
        c.maxWaitTimer = this.#timers.set(
          () => this.#run(() => this.#maxWaitExpired(c)),
          cfg.maxWaitS * 1000,
        );
      }
      this.#emit({
        type: 'caller_joined',
        tenantId: c.tenantId,
        ...this.#callerView(c, index + 1),
      });
      if (index < q.order.length - 1) this.#emitPositions(q);
      this.#toDispatch.add(q);
      this.#markStats(q);
      return { result: 'queued', position: index + 1, priority };
    });
  }

  /** The caller hung up while waiting or ringing; returns its wait, or null if unknown. */
  abandon(callId: string): number | null {
    return this.#run(() => {
      const c = this.#callers.get(callId);
      if (c) {
        if (c.offer) this.#cancelOffer(c.offer, 'abandoned');
        const waitedMs = this.#now() - c.enteredAt;
        this.#counters(c.queue).recordAbandoned(waitedMs, c.queue.config.serviceLevelS * 1000);
        this.#leave(c, 'abandoned', null, null);
        return waitedMs;
      }
      const call = this.#groupCalls.get(callId);
      if (call) {
        if (call.offer) this.#cancelOffer(call.offer, 'abandoned');
        this.#endGroupCall(call, 'abandoned', [], null);
        return this.#now() - call.startedAt;
      }
      return null;
    });
  }

  /**
   * The core moved a waiting caller away itself (e.g. an operator transferred it without
   * picking); it leaves with reason `transferred`. Returns false if unknown.
   */
  callerTransferred(callId: string): boolean {
    return this.#run(() => {
      const c = this.#callers.get(callId);
      if (!c) return false;
      if (c.offer) this.#cancelOffer(c.offer, 'transferred');
      this.#leave(c, 'transferred', null, null);
      return true;
    });
  }

  /** A caller waiting in a queue, with its current position; null if none. */
  caller(callId: string): CallerView | null {
    const c = this.#callers.get(callId);
    return c ? this.#callerView(c, c.queue.order.indexOf(c) + 1) : null;
  }

  // ── offers ─────────────────────────────────────────────────────────────────────────────

  /** An offered agent's phone is ringing. Informational; returns false for an unknown leg. */
  offerRinging(offerId: string, agentId: string): boolean {
    return this.#offers.get(offerId)?.agentIds.has(agentId) ?? false;
  }

  /**
   * An offered agent answered. `'connected'` for the first answer of a live offer (the other
   * agents of a ring-all offer get `cancel-offer`); `'lost'` when the offer is over (answered
   * elsewhere, timed out, cancelled by a pick, an abandon or an overflow): the core then
   * drops that agent's leg.
   */
  offerAnswered(offerId: string, agentId: string): 'connected' | 'lost' {
    return this.#run(() => {
      const offer = this.#offers.get(offerId);
      if (!offer || !offer.agentIds.has(agentId)) return 'lost';
      const agent = this.#agent(agentId);
      this.#closeOffer(offer);
      const others = [...offer.agentIds].filter((id) => id !== agentId);
      if (others.length > 0) {
        this.#emitAction({
          type: 'cancel-offer',
          offerId: offer.id,
          callId: offer.callId,
          tenantId: offer.tenantId,
          agentIds: others,
          reason: 'answered_elsewhere',
        });
        for (const id of others) this.#dropLeg(offer, this.#agent(id), false);
      }
      offer.agentIds.clear();
      agent.offer = null;
      agent.missedInRow = 0;
      const now = this.#now();
      if (offer.owner.kind === 'queue') {
        const c = offer.owner.caller;
        const q = c.queue;
        c.offer = null;
        const call: ConnectedCall = {
          callId: c.callId,
          tenantId: c.tenantId,
          queueId: q.config.id,
          agentId,
          answeredAt: now,
        };
        agent.call = call;
        this.#connected.set(c.callId, call);
        const m = agent.memberships.get(q.config.id);
        if (m?.state === AgentState.Ringing) this.#setState(m, AgentState.OnCall);
        this.#counters(q).recordAnswered(now - c.enteredAt, q.config.serviceLevelS * 1000);
        this.#leave(c, 'answered', agentId, null);
      } else {
        const gc = offer.owner.call;
        gc.offer = null;
        const call: ConnectedCall = {
          callId: gc.callId,
          tenantId: gc.tenantId,
          queueId: null,
          agentId,
          answeredAt: now,
        };
        agent.call = call;
        this.#connected.set(gc.callId, call);
        this.#endGroupCall(gc, 'answered', [agentId], null);
      }
      this.#refresh(agent);
      return 'connected';
    });
  }

  /**
   * An offered agent did not take the call. The engine moves on (next agent, next member,
   * or fallback once nobody is left ringing). Returns false for an unknown leg.
   */
  offerFailed(offerId: string, agentId: string, reason: OfferFailure): boolean {
    return this.#run(() => {
      const offer = this.#offers.get(offerId);
      if (!offer || !offer.agentIds.has(agentId)) return false;
      this.#dropLeg(offer, this.#agent(agentId), reason === 'no_answer' || reason === 'rejected');
      this.#offerMaybeDone(offer);
      return true;
    });
  }

  /**
   * A connected queue or answer-group call ended (either side hung up). The agent goes to
   * wrap-up for the queue's `wrapUpS`, then available (or paused, if asked during the call).
   * Returns false when the engine did not connect that call to that agent.
   */
  callEnded(agentId: string, callId: string): boolean {
    return this.#run(() => {
      const call = this.#connected.get(callId);
      if (!call || call.agentId !== agentId) return false;
      this.#connected.delete(callId);
      const now = this.#now();
      const q = call.queueId === null ? undefined : this.#queues.get(call.queueId);
      if (q) {
        this.#counters(q).recordTalk(now - call.answeredAt);
        this.#markStats(q);
      }
      const agent = this.#agents.get(agentId);
      if (agent?.call === call) {
        agent.call = null;
        agent.lastCallEnd = now;
        const m = q ? agent.memberships.get(q.config.id) : undefined;
        if (m?.state === AgentState.OnCall && q) {
          if (q.config.wrapUpS > 0) {
            this.#setState(m, AgentState.WrapUp);
            const timer = this.#timers.set(
              () => this.#run(() => this.#wrapUpOver(agent, m)),
              q.config.wrapUpS * 1000,
            );
            agent.wrapUp = { membership: m, timer };
          } else {
            this.#afterCall(m);
          }
        }
        this.#refresh(agent);
      }
      return true;
    });
  }

  // ── operator pick ──────────────────────────────────────────────────────────────────────

  /**
   * An operator takes a waiting caller. With `tenantId`, a caller of another tenant is
   * `not_waiting` (indistinguishable from an unknown one).
   */
  pick(callId: string, operatorId: string, tenantId?: string): PickResult {
    return this.#run((): PickResult => {
      const c = this.#callers.get(callId);
      if (!c || (tenantId !== undefined && c.tenantId !== tenantId)) {
        const call = this.#connected.get(callId);
        if (call && (tenantId === undefined || call.tenantId === tenantId)) {
          return { ok: false, code: 'already_connecting' };
        }
        return { ok: false, code: 'not_waiting' };
      }
      if (c.state === 'picked') return { ok: false, code: 'already_connecting' };
      if (c.offer) this.#cancelOffer(c.offer, 'picked');
      this.#unrest(c);
      c.queue.offerable.remove(c);
      c.state = 'picked';
      c.pickedBy = operatorId;
      this.#emitCallerState(c, [operatorId]);
      return { ok: true };
    });
  }

  /** The picking operator is connected: the caller leaves (answered, reason `picked`). */
  pickConnected(callId: string): boolean {
    return this.#run(() => {
      const c = this.#callers.get(callId);
      if (!c || c.state !== 'picked' || c.pickedBy === null) return false;
      const now = this.#now();
      const operatorId = c.pickedBy;
      this.#counters(c.queue).recordAnswered(
        now - c.enteredAt,
        c.queue.config.serviceLevelS * 1000,
      );
      this.#connected.set(callId, {
        callId,
        tenantId: c.tenantId,
        queueId: c.queue.config.id,
        agentId: operatorId,
        answeredAt: now,
      });
      this.#leave(c, 'picked', operatorId, null);
      return true;
    });
  }

  /** The pick did not connect: the caller waits again at its old position. */
  pickFailed(callId: string): boolean {
    return this.#run(() => {
      const c = this.#callers.get(callId);
      if (!c || c.state !== 'picked') return false;
      c.state = 'waiting';
      c.pickedBy = null;
      this.#emitCallerState(c, []);
      if (c.maxWaitReached) {
        this.#maxWaitExpired(c);
      } else {
        c.queue.offerable.push(c);
        this.#toDispatch.add(c.queue);
      }
      return true;
    });
  }

  // ── answer groups ──────────────────────────────────────────────────────────────────────

  /**
   * A caller dials an answer group: members ring (all at once, or one after another), no
   * queueing. Returns `fallback` at once when no member can be rung; later fallbacks come as
   * `fallback` actions.
   */
  ringAnswerGroup(request: AnswerGroupCallRequest): AnswerGroupCallResult {
    return this.#run((): AnswerGroupCallResult => {
      const g = this.#group(request.groupId, request.tenantId);
      if (this.#callers.has(request.callId) || this.#groupCalls.has(request.callId)) {
        throw new AcdError('duplicate_call', `call ${request.callId} is already waiting`);
      }
      const call: GroupCallRec = {
        callId: request.callId,
        tenantId: request.tenantId,
        group: g,
        number: request.callerNumber,
        name: request.callerName,
        startedAt: this.#now(),
        offer: null,
        nextIndex: 0,
      };
      let started: boolean;
      if (g.config.mode === 'parallel') {
        const free = g.config.members.map((id) => this.#agent(id)).filter((a) => this.#isFree(a));
        started = free.length > 0;
        if (started) this.#offerGroupCall(call, free);
      } else {
        started = this.#groupNext(call);
      }
      if (!started) {
        this.#emit({
          type: 'answer_group_call',
          tenantId: call.tenantId,
          groupId: g.config.id,
          callId: call.callId,
          state: 'fallback',
          agentIds: [],
          target: g.config.fallback,
        });
        return { result: 'fallback', target: g.config.fallback, reason: 'no_members' };
      }
      return { result: 'ringing' };
    });
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────

  /** Live counters of one queue since the start of the day. */
  stats(queueId: string): QueueStats {
    return this.#stats(this.#queue(queueId));
  }

  /** Epoch ms of the start of the statistics day that contains now. */
  dayStart(): number {
    return this.#startOfDay(this.#now());
  }

  /**
   * Adds the day so far, as the queue log recorded it, to a queue's live counters: after a core
   * restart the engine starts empty, but the board's "today" must not. Call once per queue,
   * right after loading. False for a queue the engine does not have.
   */
  restoreDay(queueId: string, counts: QueueDayCounts): boolean {
    const q = this.#queues.get(queueId);
    if (!q) return false;
    q.counters.restore(this.dayStart(), counts);
    this.#markStats(q);
    return true;
  }

  /** One agent's state in one queue. */
  agentState(queueId: string, agentId: string): AgentQueueView {
    return this.#agentView(this.#membership(queueId, agentId));
  }

  /** Everything of one tenant, and nothing of any other. */
  snapshot(tenantId: string): AcdSnapshot {
    const queues: QueueView[] = [];
    const agentIds = new Set<string>();
    for (const q of this.#queues.values()) {
      if (q.config.tenantId !== tenantId) continue;
      queues.push({
        id: q.config.id,
        name: q.config.name,
        number: q.config.number,
        strategy: q.config.strategy,
        callers: q.order.values().map((c, i) => this.#callerView(c, i + 1)),
        agents: [...q.memberships.values()].map((m) => this.#agentView(m)),
        stats: this.#stats(q),
      });
      for (const id of q.config.members) agentIds.add(id);
    }
    const answerGroups: AnswerGroupView[] = [];
    for (const g of this.#groups.values()) {
      if (g.config.tenantId !== tenantId) continue;
      answerGroups.push({
        id: g.config.id,
        name: g.config.name,
        number: g.config.number,
        mode: g.config.mode,
        members: [...g.config.members],
        calls: [...g.calls.values()].map((call) => ({
          callId: call.callId,
          number: call.number,
          name: call.name,
          startedAt: call.startedAt,
          ringingAgentIds: call.offer ? [...call.offer.agentIds] : [],
        })),
      });
      for (const id of g.config.members) agentIds.add(id);
    }
    const agents: AgentStatusView[] = [...agentIds].map((id) => this.#statusView(this.#agent(id)));
    return { tenantId, queues, answerGroups, agents };
  }

  // ── internals: distribution ────────────────────────────────────────────────────────────

  #dispatch(q: QueueRec): void {
    while (q.offerable.size > 0 && q.eligible.length > 0) {
      const c = q.offerable.peek() as CallerRec;
      const chosen = this.#choose(q, c);
      if (chosen.length === 0) this.#rest(c);
      else this.#offerQueueCall(q, c, chosen);
    }
  }

  /** The agents to offer `c` to, by the queue's strategy; empty when it has had them all. */
  #choose(q: QueueRec, c: CallerRec): Membership[] {
    const list = q.eligible.values();
    switch (q.config.strategy) {
      case 'ring-all':
        return list.filter((m) => !c.tried.has(m.agent.id));
      case 'longest-idle':
      case 'serial':
        for (const m of list) if (!c.tried.has(m.agent.id)) return [m];
        return [];
      case 'round-robin': {
        const n = list.length;
        const start = q.eligible.firstIndexWhere((m) => m.memberIndex > q.rrLast);
        for (let i = 0; i < n; i++) {
          const m = list[(start + i) % n] as Membership;
          if (!c.tried.has(m.agent.id)) return [m];
        }
        return [];
      }
    }
  }

  #offerQueueCall(q: QueueRec, c: CallerRec, chosen: readonly Membership[]): void {
    const offer = this.#newOffer(c.callId, c.tenantId, { kind: 'queue', caller: c });
    q.offerable.remove(c);
    c.state = 'offered';
    c.offer = offer;
    const agentIds = chosen.map((m) => m.agent.id);
    this.#emitAction({
      type: 'offer',
      offerId: offer.id,
      callId: c.callId,
      tenantId: c.tenantId,
      source: { kind: 'queue', queueId: q.config.id },
      agentIds,
      timeoutMs: q.config.ringTimeoutS * 1000,
      callerNumber: c.number,
      callerName: c.name,
      priority: c.priority,
    });
    for (const m of chosen) {
      offer.agentIds.add(m.agent.id);
      c.tried.add(m.agent.id);
      m.agent.offer = offer;
      this.#setState(m, AgentState.Ringing);
      q.rrLast = m.memberIndex;
    }
    for (const m of chosen) this.#refresh(m.agent);
    this.#startOfferTimer(offer, q.config.ringTimeoutS * 1000);
    this.#emitCallerState(c, agentIds);
  }

  #newOffer(callId: string, tenantId: string, owner: OfferOwner): OfferRec {
    const offer: OfferRec = {
      id: `offer-${++this.#offerSeq}`,
      callId,
      tenantId,
      owner,
      agentIds: new Set(),
      timer: NO_TIMER,
    };
    this.#offers.set(offer.id, offer);
    return offer;
  }

  #startOfferTimer(offer: OfferRec, ms: number): void {
    offer.timer = this.#timers.set(() => this.#run(() => this.#offerTimedOut(offer)), ms);
  }

  #offerTimedOut(offer: OfferRec): void {
    if (!this.#offers.has(offer.id)) return;
    offer.timer = NO_TIMER;
    const agentIds = [...offer.agentIds];
    this.#emitAction({
      type: 'cancel-offer',
      offerId: offer.id,
      callId: offer.callId,
      tenantId: offer.tenantId,
      agentIds,
      reason: 'timeout',
    });
    for (const id of agentIds) this.#dropLeg(offer, this.#agent(id), true);
    this.#offerMaybeDone(offer);
  }

  /** Takes an offer out of play (no more timeout, unknown to late reports). */
  #closeOffer(offer: OfferRec): void {
    this.#offers.delete(offer.id);
    if (offer.timer !== NO_TIMER) this.#timers.clear(offer.timer);
    offer.timer = NO_TIMER;
  }

  /**
   * One agent leaves an offer that did not connect to it. A miss counts toward auto-pause
   * (queue offers only); otherwise the agent is simply free again.
   */
  #dropLeg(offer: OfferRec, agent: AgentRec, miss: boolean): void {
    offer.agentIds.delete(agent.id);
    if (agent.offer === offer) agent.offer = null;
    if (offer.owner.kind === 'queue') {
      const q = offer.owner.caller.queue;
      const m = agent.memberships.get(q.config.id);
      if (m?.state === AgentState.Ringing) {
        const threshold = q.config.autoPauseAfterMisses;
        if (miss) agent.missedInRow++;
        if (miss && threshold !== null && agent.missedInRow >= threshold) {
          this.#autoPause(agent, q);
        } else {
          this.#setState(m, AgentState.Available);
        }
      }
    }
    this.#refresh(agent);
  }

  #autoPause(agent: AgentRec, q: QueueRec): void {
    const missedOffers = agent.missedInRow;
    agent.missedInRow = 0;
    for (const m of agent.memberships.values()) {
      if (m.state === AgentState.Available || m.state === AgentState.Ringing) {
        this.#setState(m, AgentState.Paused, 'auto_no_answer');
      }
    }
    this.#emit({
      type: 'agent_auto_paused',
      tenantId: q.config.tenantId,
      queueId: q.config.id,
      agentId: agent.id,
      missedOffers,
    });
  }

  /** When nobody is left ringing: the caller waits again, or the group moves on. */
  #offerMaybeDone(offer: OfferRec): void {
    if (offer.agentIds.size > 0 || !this.#offers.has(offer.id)) return;
    this.#closeOffer(offer);
    if (offer.owner.kind === 'queue') {
      const c = offer.owner.caller;
      c.offer = null;
      c.state = 'waiting';
      this.#emitCallerState(c, []);
      c.queue.offerable.push(c);
      this.#toDispatch.add(c.queue);
    } else {
      const call = offer.owner.call;
      call.offer = null;
      if (call.group.config.mode === 'serial' && this.#groupNext(call)) return;
      this.#groupFallback(call, 'no_answer');
    }
  }

  /** Cancels every leg of an offer without counting misses (pick, abandon, overflow…). */
  #cancelOffer(offer: OfferRec, reason: CancelReason): void {
    this.#closeOffer(offer);
    const agentIds = [...offer.agentIds];
    if (agentIds.length > 0) {
      this.#emitAction({
        type: 'cancel-offer',
        offerId: offer.id,
        callId: offer.callId,
        tenantId: offer.tenantId,
        agentIds,
        reason,
      });
    }
    for (const id of agentIds) this.#dropLeg(offer, this.#agent(id), false);
    if (offer.owner.kind === 'queue') {
      const c = offer.owner.caller;
      c.offer = null;
      if (c.state === 'offered') c.state = 'waiting';
    } else {
      offer.owner.call.offer = null;
    }
  }

  /** Takes one agent out of its ringing offer (cancel-offer for that agent only). */
  #leaveOffer(agent: AgentRec, reason: CancelReason): OfferRec | null {
    const offer = agent.offer;
    if (!offer) return null;
    this.#emitAction({
      type: 'cancel-offer',
      offerId: offer.id,
      callId: offer.callId,
      tenantId: offer.tenantId,
      agentIds: [agent.id],
      reason,
    });
    offer.agentIds.delete(agent.id);
    agent.offer = null;
    return offer;
  }

  #rest(c: CallerRec): void {
    const q = c.queue;
    q.offerable.remove(c);
    q.resting.add(c);
    c.retryTimer = this.#timers.set(
      () =>
        this.#run(() => {
          c.retryTimer = NO_TIMER;
          if (!q.resting.delete(c)) return;
          c.tried.clear();
          q.offerable.push(c);
          this.#toDispatch.add(q);
        }),
      this.#retryDelayMs,
    );
  }

  #unrest(c: CallerRec): void {
    if (c.retryTimer !== NO_TIMER) this.#timers.clear(c.retryTimer);
    c.retryTimer = NO_TIMER;
    c.queue.resting.delete(c);
  }

  // ── internals: agents ──────────────────────────────────────────────────────────────────

  #agent(agentId: string): AgentRec {
    let agent = this.#agents.get(agentId);
    if (!agent) {
      agent = {
        id: agentId,
        reachable: true,
        busy: false,
        offer: null,
        call: null,
        wrapUp: null,
        lastCallEnd: null,
        missedInRow: 0,
        memberships: new Map(),
      };
      this.#agents.set(agentId, agent);
    }
    return agent;
  }

  #isFree(agent: AgentRec): boolean {
    return (
      agent.reachable &&
      !agent.busy &&
      agent.offer === null &&
      agent.call === null &&
      agent.wrapUp === null
    );
  }

  /**
   * Puts the agent into (or takes it out of) the eligible list of each of its queues. Called
   * after every change to the agent or one of its memberships.
   */
  #refresh(agent: AgentRec): void {
    const free = this.#isFree(agent);
    for (const m of agent.memberships.values()) {
      const q = m.queue;
      const eligible = free && m.state === AgentState.Available;
      if (eligible && !m.listed) {
        m.idleKey = Math.max(m.loginAt, agent.lastCallEnd ?? Number.NEGATIVE_INFINITY);
        q.eligible.insert(m);
        m.listed = true;
        for (const c of q.resting) {
          if (c.tried.has(agent.id)) continue;
          this.#unrest(c);
          q.offerable.push(c);
        }
        this.#toDispatch.add(q);
        this.#markStats(q);
      } else if (!eligible && m.listed) {
        q.eligible.remove(m);
        m.listed = false;
        this.#markStats(q);
      }
    }
  }

  #setState(m: Membership, to: AgentState, reason: PauseReason | null = null): void {
    const from = m.state;
    m.state = transitionAgent(from, to);
    m.reason = to === AgentState.Paused ? reason : null;
    m.since = this.#now();
    if (to === AgentState.LoggedOut) m.queue.loggedIn--;
    else if (from === AgentState.LoggedOut) m.queue.loggedIn++;
    this.#emitAgentState(m);
    this.#markStats(m.queue);
  }

  #logout(m: Membership): void {
    const agent = m.agent;
    m.pendingPause = null;
    if (m.state === AgentState.Ringing) {
      const offer = this.#leaveOffer(agent, 'agent_unavailable');
      this.#setState(m, AgentState.LoggedOut);
      if (offer) this.#offerMaybeDone(offer);
    } else {
      if (m.state === AgentState.WrapUp && agent.wrapUp?.membership === m) {
        this.#timers.clear(agent.wrapUp.timer);
        agent.wrapUp = null;
      }
      this.#setState(m, AgentState.LoggedOut);
    }
    this.#refresh(agent);
  }

  #afterCall(m: Membership): void {
    if (m.pendingPause) {
      const reason = m.pendingPause;
      m.pendingPause = null;
      this.#setState(m, AgentState.Paused, reason);
    } else {
      this.#setState(m, AgentState.Available);
    }
  }

  #wrapUpOver(agent: AgentRec, m: Membership): void {
    if (agent.wrapUp?.membership !== m) return;
    agent.wrapUp = null;
    if (m.state === AgentState.WrapUp) this.#afterCall(m);
    this.#refresh(agent);
  }

  #loggedInMemberships(agent: AgentRec, queueId: string | undefined): Membership[] {
    if (queueId !== undefined) {
      const m = this.#membership(queueId, agent.id);
      if (m.state === AgentState.LoggedOut) {
        throw new AcdError('not_logged_in', `agent ${agent.id} is not logged in to ${queueId}`);
      }
      return [m];
    }
    const all = [...agent.memberships.values()].filter((m) => m.state !== AgentState.LoggedOut);
    if (all.length === 0) {
      throw new AcdError('not_logged_in', `agent ${agent.id} is not logged in to any queue`);
    }
    return all;
  }

  // ── internals: callers leaving ─────────────────────────────────────────────────────────

  #leave(
    c: CallerRec,
    reason: CallerLeftReason,
    agentId: string | null,
    target: Target | null,
  ): void {
    const q = c.queue;
    const index = q.order.remove(c);
    q.offerable.remove(c);
    this.#unrest(c);
    if (c.maxWaitTimer !== NO_TIMER) this.#timers.clear(c.maxWaitTimer);
    c.maxWaitTimer = NO_TIMER;
    this.#callers.delete(c.callId);
    this.#emit({
      type: 'caller_left',
      tenantId: c.tenantId,
      queueId: q.config.id,
      callId: c.callId,
      reason,
      waitedMs: this.#now() - c.enteredAt,
      agentId,
      target,
    });
    if (index >= 0 && index < q.order.length) this.#emitPositions(q);
    this.#markStats(q);
  }

  #maxWaitExpired(c: CallerRec): void {
    c.maxWaitTimer = NO_TIMER;
    if (!this.#callers.has(c.callId)) return;
    if (c.state === 'picked') {
      c.maxWaitReached = true;
      return;
    }
    if (c.offer) this.#cancelOffer(c.offer, 'overflow');
    this.#dismiss(c, c.queue.config.overflowTarget, 'max_wait');
  }

  /** Sends a caller out of the queue: overflow to `target`, or timeout when there is none. */
  #dismiss(c: CallerRec, target: Target | null, reason: 'max_wait' | 'queue_removed'): void {
    const q = c.queue;
    const counters = this.#counters(q);
    const base = { callId: c.callId, tenantId: c.tenantId, queueId: q.config.id };
    if (target) {
      counters.overflowed++;
      this.#emitAction({ type: 'overflow', ...base, target, reason });
      this.#leave(c, 'overflow', null, target);
    } else {
      counters.timedOut++;
      this.#emitAction({ type: 'timeout', ...base, reason });
      this.#leave(c, 'timeout', null, null);
    }
  }

  #overflowNoAgents(q: QueueRec): void {
    const target = q.config.noAgentsTarget;
    if (!target) return;
    for (const c of [...q.order.values()]) {
      if (c.state === 'picked') continue;
      if (c.offer) this.#cancelOffer(c.offer, 'overflow');
      this.#counters(q).overflowed++;
      this.#emitAction({
        type: 'overflow',
        callId: c.callId,
        tenantId: c.tenantId,
        queueId: q.config.id,
        target,
        reason: 'no_agents',
      });
      this.#leave(c, 'overflow', null, target);
    }
  }

  // ── internals: answer groups ───────────────────────────────────────────────────────────

  #offerGroupCall(call: GroupCallRec, agents: readonly AgentRec[]): void {
    const g = call.group;
    if (!this.#groupCalls.has(call.callId)) {
      this.#groupCalls.set(call.callId, call);
      g.calls.set(call.callId, call);
    }
    const offer = this.#newOffer(call.callId, call.tenantId, { kind: 'group', call });
    call.offer = offer;
    const agentIds = agents.map((a) => a.id);
    this.#emitAction({
      type: 'offer',
      offerId: offer.id,
      callId: call.callId,
      tenantId: call.tenantId,
      source: { kind: 'answer-group', groupId: g.config.id },
      agentIds,
      timeoutMs: g.config.ringTimeoutS * 1000,
      callerNumber: call.number,
      callerName: call.name,
      priority: 'normal',
    });
    for (const agent of agents) {
      offer.agentIds.add(agent.id);
      agent.offer = offer;
      this.#refresh(agent);
    }
    this.#startOfferTimer(offer, g.config.ringTimeoutS * 1000);
    this.#emit({
      type: 'answer_group_call',
      tenantId: call.tenantId,
      groupId: g.config.id,
      callId: call.callId,
      state: 'ringing',
      agentIds,
      target: null,
    });
  }

  /** Serial mode: rings the next free member; false when none is left. */
  #groupNext(call: GroupCallRec): boolean {
    const members = call.group.config.members;
    while (call.nextIndex < members.length) {
      const agent = this.#agent(members[call.nextIndex++] as string);
      if (this.#isFree(agent)) {
        this.#offerGroupCall(call, [agent]);
        return true;
      }
    }
    return false;
  }

  #groupFallback(call: GroupCallRec, reason: 'no_answer' | 'group_removed'): void {
    const target = call.group.config.fallback;
    this.#emitAction({
      type: 'fallback',
      callId: call.callId,
      tenantId: call.tenantId,
      groupId: call.group.config.id,
      target,
      reason,
    });
    this.#endGroupCall(call, 'fallback', [], target);
  }

  #endGroupCall(
    call: GroupCallRec,
    state: 'answered' | 'fallback' | 'abandoned',
    agentIds: string[],
    target: Target | null,
  ): void {
    this.#groupCalls.delete(call.callId);
    call.group.calls.delete(call.callId);
    this.#emit({
      type: 'answer_group_call',
      tenantId: call.tenantId,
      groupId: call.group.config.id,
      callId: call.callId,
      state,
      agentIds,
      target,
    });
  }

  // ── internals: lookups, views, statistics ──────────────────────────────────────────────

  #queue(queueId: string, tenantId?: string): QueueRec {
    const q = this.#queues.get(queueId);
    if (!q || (tenantId !== undefined && q.config.tenantId !== tenantId)) {
      throw new AcdError('unknown_queue', `no queue ${queueId}`);
    }
    return q;
  }

  #group(groupId: string, tenantId?: string): GroupRec {
    const g = this.#groups.get(groupId);
    if (!g || (tenantId !== undefined && g.config.tenantId !== tenantId)) {
      throw new AcdError('unknown_answer_group', `no answer group ${groupId}`);
    }
    return g;
  }

  #membership(queueId: string, agentId: string): Membership {
    const m = this.#queue(queueId).memberships.get(agentId);
    if (!m) throw new AcdError('not_member', `${agentId} is not a member of ${queueId}`);
    return m;
  }

  #counters(q: QueueRec): QueueCounters {
    q.counters.roll(this.#startOfDay(this.#now()));
    return q.counters;
  }

  #callerView(c: CallerRec, position: number): CallerView {
    return {
      callId: c.callId,
      queueId: c.queue.config.id,
      number: c.number,
      name: c.name,
      priority: c.priority,
      enteredAt: c.enteredAt,
      rank: c.score,
      position,
      state: c.state,
    };
  }

  #agentView(m: Membership): AgentQueueView {
    return {
      queueId: m.queue.config.id,
      agentId: m.agent.id,
      state: m.state,
      reason: m.reason,
      since: m.since,
      idleSince:
        m.state === AgentState.LoggedOut
          ? null
          : Math.max(m.loginAt, m.agent.lastCallEnd ?? Number.NEGATIVE_INFINITY),
    };
  }

  #statusView(agent: AgentRec): AgentStatusView {
    let activity: AgentActivity = 'idle';
    if (agent.call) activity = 'on_call';
    else if (agent.offer) activity = 'ringing';
    else if (agent.wrapUp) activity = 'wrap_up';
    else if (agent.busy) activity = 'busy';
    else if (!agent.reachable) activity = 'unreachable';
    return {
      agentId: agent.id,
      reachable: agent.reachable,
      busy: agent.busy,
      activity,
      missedInRow: agent.missedInRow,
    };
  }

  #stats(q: QueueRec): QueueStats {
    const counters = this.#counters(q);
    const now = this.#now();
    let longestWaitMs = 0;
    for (const c of q.order.values()) longestWaitMs = Math.max(longestWaitMs, now - c.enteredAt);
    let paused = 0;
    for (const m of q.memberships.values()) if (m.state === AgentState.Paused) paused++;
    return {
      queueId: q.config.id,
      tenantId: q.config.tenantId,
      waiting: q.order.length,
      longestWaitMs,
      answered: counters.answered,
      abandoned: counters.abandoned,
      overflowed: counters.overflowed,
      timedOut: counters.timedOut,
      rejected: counters.rejected,
      answeredWithinServiceLevel: counters.answeredWithinSl,
      abandonedAfterServiceLevel: counters.abandonedAfterSl,
      serviceLevel: counters.serviceLevel(),
      averageWaitMs: counters.averageWaitMs(),
      averageTalkMs: counters.averageTalkMs(),
      agentsLoggedIn: q.loggedIn,
      agentsAvailable: q.eligible.length,
      agentsPaused: paused,
    };
  }

  #markStats(q: QueueRec): void {
    q.statsDirty = true;
    this.#armStats();
  }

  #armStats(): void {
    if (this.#statsTimer === NO_TIMER) {
      this.#statsTimer = this.#timers.set(
        () => this.#run(() => this.#statsTick()),
        this.#statsIntervalMs,
      );
    }
  }

  /** Every interval: stats of each queue that changed or has callers (their wait grows). */
  #statsTick(): void {
    this.#statsTimer = NO_TIMER;
    let waiting = false;
    for (const q of this.#queues.values()) {
      if (!q.statsDirty && q.order.length === 0) continue;
      q.statsDirty = false;
      if (q.order.length > 0) waiting = true;
      this.#emit({ type: 'queue_stats', tenantId: q.config.tenantId, stats: this.#stats(q) });
    }
    if (waiting) this.#armStats();
  }

  // ── internals: output ──────────────────────────────────────────────────────────────────

  #emit(event: AcdEvent): void {
    this.#out.push({ event });
  }

  #emitAction(action: AcdAction): void {
    this.#out.push({ action });
  }

  #emitAgentState(m: Membership): void {
    this.#emit({
      type: 'agent_state',
      tenantId: m.queue.config.tenantId,
      queueId: m.queue.config.id,
      agentId: m.agent.id,
      state: m.state,
      reason: m.reason,
      since: m.since,
    });
  }

  #emitCallerState(c: CallerRec, agentIds: string[]): void {
    this.#emit({
      type: 'caller_state',
      tenantId: c.tenantId,
      queueId: c.queue.config.id,
      callId: c.callId,
      state: c.state,
      agentIds,
    });
  }

  #emitPositions(q: QueueRec): void {
    this.#emit({
      type: 'positions_changed',
      tenantId: q.config.tenantId,
      queueId: q.config.id,
      callIds: q.order.values().map((c) => c.callId),
    });
  }

  /**
   * Runs one operation: decisions are taken once its facts are in (dispatch), then the queued
   * output is delivered — only by the outermost call, so handlers always see a settled engine.
   */
  #run<T>(operation: () => T): T {
    this.#depth++;
    let result: T;
    try {
      result = operation();
      if (this.#depth === 1) {
        for (const q of this.#toDispatch) {
          this.#toDispatch.delete(q);
          if (this.#queues.get(q.config.id) === q) this.#dispatch(q);
        }
      }
    } finally {
      this.#depth--;
    }
    if (this.#depth === 0) this.#flush();
    return result;
  }

  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#outHead < this.#out.length) {
        const item = this.#out[this.#outHead++] as Output;
        if (item.action) this.#onAction(item.action);
        else this.#onEvent(item.event);
      }
      this.#out.length = 0;
      this.#outHead = 0;
    } finally {
      this.#flushing = false;
    }
  }
}

function validateQueue(config: QueueConfig): void {
  const bad = (why: string): never => {
    throw new AcdError('invalid_config', `queue ${config.id}: ${why}`);
  };
  if (!config.id) bad('id is empty');
  if (!(config.ringTimeoutS > 0)) bad('ringTimeoutS must be positive');
  if (!(config.wrapUpS >= 0)) bad('wrapUpS must not be negative');
  if (config.maxWaitS !== null && !(config.maxWaitS > 0)) bad('maxWaitS must be positive');
  if (config.maxLength !== null && !(config.maxLength >= 1)) bad('maxLength must be at least 1');
  if (!(config.serviceLevelS >= 0)) bad('serviceLevelS must not be negative');
  if (config.autoPauseAfterMisses !== null && !(config.autoPauseAfterMisses >= 1)) {
    bad('autoPauseAfterMisses must be at least 1');
  }
  if (new Set(config.members).size !== config.members.length) bad('members repeat');
}

function validateGroup(config: AnswerGroupConfig): void {
  const bad = (why: string): never => {
    throw new AcdError('invalid_config', `answer group ${config.id}: ${why}`);
  };
  if (!config.id) bad('id is empty');
  if (!(config.ringTimeoutS > 0)) bad('ringTimeoutS must be positive');
  if (new Set(config.members).size !== config.members.length) bad('members repeat');
}
