import { expect } from '@open-wc/testing';
import {
  IllegalTransitionError,
  RegistrationState,
  canTransitionRegistration,
  initialRegistration,
  reduceRegistration,
  registrationTransition,
  registrationTransitions,
} from '../../src/store/registration-state.js';
import { RegistrationModel } from '../../src/store/registration-model.js';

const S = RegistrationState;

describe('registration state machine', () => {
  const expected: [RegistrationState, RegistrationState][] = [
    [S.Idle, S.Connecting],
    [S.Connecting, S.Registered],
    [S.Connecting, S.Failed],
    [S.Connecting, S.Unregistered],
    [S.Registered, S.Reconnecting],
    [S.Registered, S.Unregistered],
    [S.Registered, S.Failed],
    [S.Reconnecting, S.Registered],
    [S.Reconnecting, S.Failed],
    [S.Reconnecting, S.Unregistered],
    [S.Failed, S.Connecting],
    [S.Failed, S.Unregistered],
    [S.Failed, S.Idle],
    [S.Unregistered, S.Connecting],
    [S.Unregistered, S.Idle],
  ];

  it('allows exactly the moves in the diagram', () => {
    expect(registrationTransitions()).to.have.deep.members(expected);
  });

  for (const [from, to] of expected) {
    it(`moves from ${from} to ${to}`, () => {
      expect(registrationTransition(from, to)).to.equal(to);
    });
  }

  it('throws on an illegal move (idle → registered)', () => {
    expect(() => registrationTransition(S.Idle, S.Registered)).to.throw(
      IllegalTransitionError,
      'idle → registered',
    );
  });

  it('refuses every move not in the diagram', () => {
    const all = Object.values(S);
    for (const from of all) {
      for (const to of all) {
        const allowed = expected.some(([f, t]) => f === from && t === to);
        expect(canTransitionRegistration(from, to), `${from} → ${to}`).to.equal(allowed);
      }
    }
  });
});

describe('registration reducer and model', () => {
  it('keeps the failure reason only while failed', () => {
    const connecting = reduceRegistration(initialRegistration, S.Connecting);
    const failed = reduceRegistration(connecting, S.Failed, '403 Forbidden');
    expect(failed.reason).to.equal('403 Forbidden');
    expect(reduceRegistration(failed, S.Connecting).reason).to.equal(null);
  });

  it('returns the same snapshot for a repeated state (no emission)', () => {
    const registered = reduceRegistration(
      reduceRegistration(initialRegistration, S.Connecting),
      S.Registered,
    );
    expect(reduceRegistration(registered, S.Registered)).to.equal(registered);
  });

  it('updates the reason of a repeated failure', () => {
    const failed = reduceRegistration(
      reduceRegistration(initialRegistration, S.Connecting),
      S.Failed,
      'a',
    );
    expect(reduceRegistration(failed, S.Failed, 'b').reason).to.equal('b');
  });

  it('emits each state change once through its selector', () => {
    const model = new RegistrationModel();
    const seen: RegistrationState[] = [];
    const sub = model.registrationState$.subscribe((s) => seen.push(s));
    model.transition(S.Connecting);
    model.transition(S.Registered);
    model.transition(S.Registered);
    sub.unsubscribe();
    expect(seen).to.deep.equal([S.Idle, S.Connecting, S.Registered]);
  });

  it('throws through the model on an illegal move', () => {
    const model = new RegistrationModel();
    expect(() => model.transition(S.Reconnecting)).to.throw(IllegalTransitionError);
  });
});
