import { expect } from '@open-wc/testing';
import {
  CONNECTION_TRANSITIONS,
  ConnectionState,
  initialConnection,
  reduceConnection,
  transitionConnection,
  withDegradedCall,
} from '../../src/store/connection-state.js';

describe('connection state machine', () => {
  for (const [from, to] of CONNECTION_TRANSITIONS) {
    it(`allows ${from} → ${to}`, () => {
      expect(transitionConnection(from, to)).to.equal(to);
    });
  }

  it('throws on a move outside the diagram', () => {
    expect(() =>
      transitionConnection(ConnectionState.Connected, ConnectionState.Recovered),
    ).to.throw(/Illegal connection state transition connected → recovered/);
    expect(() =>
      transitionConnection(ConnectionState.Connected, ConnectionState.Connected),
    ).to.throw(/Illegal/);
  });

  it('counts attempts while reconnecting and forgets them once recovered', () => {
    let s = reduceConnection(initialConnection, ConnectionState.Reconnecting, { attempt: 0 });
    s = reduceConnection(s, ConnectionState.Reconnecting);
    s = reduceConnection(s, ConnectionState.Reconnecting, { attempt: 7 });
    expect(s.attempt).to.equal(7);
    s = reduceConnection(s, ConnectionState.Recovered);
    expect(s).to.deep.equal({ ...initialConnection, state: ConnectionState.Recovered });
  });

  it('lists degraded calls once each', () => {
    let s = withDegradedCall(initialConnection, 'c1', true);
    s = withDegradedCall(s, 'c1', true);
    s = withDegradedCall(s, 'c2', true);
    expect(s.degradedCalls).to.deep.equal(['c1', 'c2']);
    expect(withDegradedCall(s, 'c1', false).degradedCalls).to.deep.equal(['c2']);
  });
});
