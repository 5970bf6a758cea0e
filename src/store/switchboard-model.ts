/**
 * The switchboard slice: queues, waiting callers, agent states, live statistics, the parked
 * list and the user's consultation, as one snapshot kept current by the tenant's event stream
 * (reducers in `switchboard-state.ts`). It loads when someone logs in, resyncs from a new
 * snapshot after a gap in `seq` or a reconnect, and offers the switchboard commands.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { CommandParams, EventFrame } from '../shared/protocol.js';
import type { ParkedCall, QueueInfo } from '../shared/switchboard.js';
import type { ApiClient } from './api-client.js';
import { logger } from './logger.js';
import { Model } from './model.js';
import type { SessionModel } from './session-model.js';
import {
  connectionLost,
  eventReceived,
  initialSwitchboard,
  snapshotLoaded,
  switchboardLoading,
} from './switchboard-state.js';
import type {
  Consultation,
  MyCall,
  SwitchboardState,
  SwitchboardStatus,
} from './switchboard-state.js';

/** How long to wait before asking for a snapshot again after a failed attempt. */
const RETRY_MS = 2000;

export class SwitchboardModel extends Model<SwitchboardState> {
  readonly status$: Observable<SwitchboardStatus> = this.select((s) => s.status);
  readonly queues$: Observable<readonly QueueInfo[]> = this.select((s) => s.queues);
  readonly parked$: Observable<readonly ParkedCall[]> = this.select((s) => s.parked);
  readonly consultation$: Observable<Consultation | null> = this.select((s) => s.consultation);
  readonly consultationEnded$: Observable<Consultation | null> = this.select(
    (s) => s.consultationEnded,
  );
  readonly myCall$: Observable<MyCall | null> = this.select((s) => s.myCall);

  private me: string | null = null;
  /** Events that arrived while a snapshot was on its way (applied after it, by seq). */
  private buffered: EventFrame[] = [];
  private loading: Promise<void> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: ApiClient,
    session: SessionModel,
  ) {
    super(initialSwitchboard);
    session.user$.subscribe((user) => {
      if (user && user.id !== this.me) this.start(user.id);
      else if (!user && this.me) this.stop();
    });
    api.events$.subscribe((frame) => this.onEvent(frame));
    api.connectionState$.subscribe((state) => {
      if (!this.me) return;
      if (state === 'reconnecting') this.setState(connectionLost(this.state));
      else if (state === 'open' && this.state.status === 'resync') void this.refresh();
    });
  }

  /** The signed-in user's id (agent states and consultations are matched against it). */
  get userId(): string | null {
    return this.me;
  }

  private start(userId: string): void {
    this.me = userId;
    this.setState(switchboardLoading(initialSwitchboard));
    void this.refresh();
  }

  private stop(): void {
    this.me = null;
    this.buffered = [];
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.setState(initialSwitchboard);
  }

  private onEvent(frame: EventFrame): void {
    const me = this.me;
    if (!me) return;
    if (this.state.status !== 'live') {
      this.buffered.push(frame);
      return;
    }
    const next = eventReceived(this.state, frame, me);
    this.setState(next);
    if (next.status === 'resync') {
      logger.warn(`switchboard: missed events before seq ${frame.seq}; reloading`);
      void this.refresh();
    }
  }

  /** Fetches a snapshot and continues from its seq (one request at a time). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const me = this.me;
    if (!me) return;
    try {
      const snapshot = await this.api.call('switchboard.snapshot', {});
      if (this.me !== me) return;
      let state = snapshotLoaded(this.state, snapshot);
      const buffered = this.buffered.sort((a, b) => a.seq - b.seq);
      this.buffered = [];
      for (const frame of buffered) state = eventReceived(state, frame, me);
      this.setState(state);
      if (state.status === 'resync') this.scheduleRetry();
    } catch (error) {
      logger.warn('switchboard: snapshot failed', error);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retry || !this.me) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.refresh();
    }, RETRY_MS);
  }

  // ── commands (each rejects with an ApiCallError carrying a stable code) ──────

  async pick(callId: string): Promise<void> {
    await this.api.call('queue.pick', { callId });
  }

  async agentLogin(queueId: string): Promise<void> {
    await this.api.call('agent.login', { queueId });
  }

  async agentLogout(queueId: string): Promise<void> {
    await this.api.call('agent.logout', { queueId });
  }

  async pause(
    queueId: string | undefined,
    reason: CommandParams<'agent.pause'>['reason'],
  ): Promise<void> {
    const params: CommandParams<'agent.pause'> =
      queueId === undefined ? { reason } : { queueId, reason };
    await this.api.call('agent.pause', params);
  }

  async unpause(queueId: string | undefined): Promise<void> {
    await this.api.call('agent.unpause', queueId === undefined ? {} : { queueId });
  }

  async park(): Promise<string> {
    return (await this.api.call('park.park', {})).slot;
  }

  async pickup(slot: string): Promise<void> {
    await this.api.call('park.pickup', { slot });
  }

  async transferBlind(target: string): Promise<void> {
    await this.api.call('transfer.blind', { target });
  }

  async consult(target: string): Promise<void> {
    await this.api.call('transfer.consult', { target });
  }

  async completeTransfer(): Promise<void> {
    await this.api.call('transfer.complete', {});
  }

  async cancelConsult(): Promise<void> {
    await this.api.call('transfer.cancel', {});
  }

  async swap(): Promise<'target' | 'caller'> {
    return (await this.api.call('transfer.swap', {})).talkingTo;
  }
}
