import { expect } from '@open-wc/testing';
import { BehaviorSubject, Subject } from 'rxjs';
import type {
  CommandParams,
  CommandResult,
  CommandType,
  EventFrame,
} from '../../src/shared/protocol.js';
import type { SwitchboardSnapshot, WaitingCaller } from '../../src/shared/switchboard.js';
import type { ApiClient, ConnectionState } from '../../src/store/api-client.js';
import { SessionModel } from '../../src/store/session-model.js';
import { SwitchboardModel } from '../../src/store/switchboard-model.js';
import {
  connectionLost,
  eventReceived,
  initialSwitchboard,
  mergedCallers,
  snapshotLoaded,
} from '../../src/store/switchboard-state.js';

const caller = (callId: string, queueId: string, rank: number, position = 1): WaitingCaller => ({
  callId,
  queueId,
  number: `+47900000${callId}`,
  name: null,
  priority: 'normal',
  enteredAt: rank,
  rank,
  position,
  state: 'waiting',
});

const snapshot = (seq: number, callers: WaitingCaller[] = []): SwitchboardSnapshot => ({
  seq,
  queues: [
    {
      id: 'q1',
      name: 'Sentralbord',
      number: '+4721000000',
      strategy: 'ring-all',
      serviceLevelS: 20,
    },
    { id: 'q2', name: 'Salg', number: '+4721000020', strategy: 'round-robin', serviceLevelS: 20 },
  ] as unknown as SwitchboardSnapshot['queues'],
  callers,
  agents: [],
  stats: [],
  parked: [],
});

const frame = (seq: number, event: string, data: unknown): EventFrame => ({
  type: 'event',
  seq,
  event,
  data,
});

describe('switchboard state (snapshot + gap-free events)', () => {
  it('applies events that follow the snapshot seq and ignores ones it already contains', () => {
    let s = snapshotLoaded(initialSwitchboard, snapshot(10, [caller('1', 'q1', 100)]));
    s = eventReceived(s, frame(9, 'queue.caller_joined', caller('old', 'q1', 1)), 'me');
    expect(s.callers.map((c) => c.callId)).to.deep.equal(['1']);
    s = eventReceived(s, frame(11, 'queue.caller_joined', caller('2', 'q2', 50)), 'me');
    expect(s.seq).to.equal(11);
    expect(s.status).to.equal('live');
    s = eventReceived(
      s,
      frame(12, 'queue.caller_left', {
        callId: '1',
        queueId: 'q1',
        reason: 'answered',
        waitedMs: 5,
        agentId: null,
      }),
      'me',
    );
    expect(s.callers.map((c) => c.callId)).to.deep.equal(['2']);
  });

  it('marks the state resync on a gap, and stays there until a snapshot', () => {
    let s = snapshotLoaded(initialSwitchboard, snapshot(3));
    s = eventReceived(s, frame(5, 'queue.caller_joined', caller('x', 'q1', 1)), 'me');
    expect(s.status).to.equal('resync');
    expect(s.callers).to.have.length(0);
    s = eventReceived(s, frame(6, 'queue.caller_joined', caller('y', 'q1', 1)), 'me');
    expect(s.callers).to.have.length(0);
    s = snapshotLoaded(s, snapshot(6, [caller('x', 'q1', 1), caller('y', 'q1', 2, 2)]));
    expect(s.status).to.equal('live');
    expect(s.callers).to.have.length(2);
  });

  it('merges the queues in the engine order: rank, then position', () => {
    const s = snapshotLoaded(
      initialSwitchboard,
      snapshot(1, [
        caller('late', 'q1', 300),
        caller('vip', 'q2', 100),
        caller('mid', 'q1', 200, 2),
      ]),
    );
    expect(mergedCallers(s, null).map((c) => c.callId)).to.deep.equal(['vip', 'mid', 'late']);
    expect(mergedCallers(s, new Set(['q1'])).map((c) => c.callId)).to.deep.equal(['mid', 'late']);
  });

  it("keeps only the signed-in user's consultation, until it completes or ends", () => {
    let s = snapshotLoaded(initialSwitchboard, snapshot(0));
    const consult = (seq: number, operatorId: string, state: string) =>
      frame(seq, 'call.consult', {
        callId: 'c',
        operatorId,
        target: { userId: 'u2', extension: '1007', name: 'Ola Hansen' },
        state,
        talkingTo: 'target',
      });
    s = eventReceived(s, consult(1, 'someone-else', 'ringing'), 'me');
    expect(s.consultation).to.equal(null);
    s = eventReceived(s, consult(2, 'me', 'talking'), 'me');
    expect(s.consultation?.state).to.equal('talking');
    s = eventReceived(s, consult(3, 'me', 'completed'), 'me');
    expect(s.consultation).to.equal(null);
  });

  it('a lost connection keeps what is shown but marks it stale', () => {
    const s = connectionLost(
      snapshotLoaded(initialSwitchboard, snapshot(1, [caller('1', 'q1', 1)])),
    );
    expect(s.status).to.equal('resync');
    expect(s.callers).to.have.length(1);
  });
});

/** An API that answers `switchboard.snapshot` from a queue of snapshots and pushes events. */
class FakeApi implements ApiClient {
  readonly events = new Subject<EventFrame>();
  readonly connection = new BehaviorSubject<ConnectionState>('open');
  readonly events$ = this.events.asObservable();
  readonly connectionState$ = this.connection.asObservable();
  snapshots: SwitchboardSnapshot[] = [];
  calls: string[] = [];
  async call<T extends CommandType>(type: T, _params: CommandParams<T>): Promise<CommandResult<T>> {
    this.calls.push(type);
    if (type !== 'switchboard.snapshot') return {} as CommandResult<T>;
    const next = this.snapshots.shift();
    if (!next) throw new Error('no snapshot');
    return next as CommandResult<T>;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('SwitchboardModel', () => {
  it('loads on login, applies events, and reloads a snapshot after a gap', async () => {
    const api = new FakeApi();
    const session = new SessionModel();
    const model = new SwitchboardModel(api, session);
    api.snapshots.push(snapshot(4, [caller('1', 'q1', 1)]));
    session.loggedIn(
      {
        id: 'me',
        username: 'kari',
        displayName: 'Kari',
        extension: '1001',
        role: 'operator',
        tenantId: 't',
      },
      {
        aor: '',
        authorizationUsername: '',
        password: '',
        wsServer: '',
        iceServers: [],
        displayName: '',
      } as never,
    );
    await settle();
    expect(model.state.status).to.equal('live');
    api.events.next(frame(5, 'queue.caller_joined', caller('2', 'q1', 2, 2)));
    expect(model.state.callers).to.have.length(2);

    api.snapshots.push(snapshot(9, [caller('3', 'q2', 3)]));
    api.events.next(frame(8, 'queue.caller_joined', caller('gap', 'q1', 9)));
    await settle();
    expect(api.calls.filter((c) => c === 'switchboard.snapshot')).to.have.length(2);
    expect(model.state.status).to.equal('live');
    expect(model.state.callers.map((c) => c.callId)).to.deep.equal(['3']);
    expect(model.state.seq).to.equal(9);

    session.loggedOut();
    expect(model.state.status).to.equal('idle');
  });

  it('goes stale when the API connection drops and resyncs when it is back', async () => {
    const api = new FakeApi();
    const session = new SessionModel();
    const model = new SwitchboardModel(api, session);
    api.snapshots.push(snapshot(1), snapshot(7, [caller('new', 'q1', 1)]));
    session.loggedIn(
      {
        id: 'me',
        username: 'kari',
        displayName: 'Kari',
        extension: '1001',
        role: 'operator',
        tenantId: 't',
      },
      {} as never,
    );
    await settle();
    api.connection.next('reconnecting');
    expect(model.state.status).to.equal('resync');
    api.connection.next('open');
    await settle();
    expect(model.state.status).to.equal('live');
    expect(model.state.seq).to.equal(7);
  });
});
