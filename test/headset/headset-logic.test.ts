/**
 * The headset's pure logic: input reports → actions (duplicates filtered, absolute vs toggle,
 * the host's lights moving an absolute control), actions → phone commands, lines → lights,
 * and the link machine's guarded moves.
 */
import { describe, expect, it } from 'vitest';
import type { Party } from '../../src/sip/phone.js';
import { CallState, initialCall } from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { commandFor, isOffHook, ledsFor } from '../../src/store/headset/headset-calls.js';
import { EMPTY_MEMORY, hostSet, interpretReport } from '../../src/store/headset/headset-input.js';
import type { HeadsetAction, InputMemory } from '../../src/store/headset/headset-input.js';
import {
  HeadsetLink,
  headsetLinkTransitions,
  headsetLinked,
  initialHeadset,
} from '../../src/store/headset/headset-link-state.js';
import { LEDS_OFF, parseTelephony } from '../../src/store/headset/telephony-descriptor.js';
import type {
  OutputControl,
  TelephonyLayout,
} from '../../src/store/headset/telephony-descriptor.js';
import type { LinesSnapshot } from '../../src/store/lines-state.js';
import { IllegalTransitionError } from '../../src/store/registration-state.js';
import { ARRAY_LIKE, JABRA_LIKE, POLY_LIKE } from './descriptors.js';
import type { Buttons, HeadsetFixture } from './descriptors.js';

function layoutOf(fixture: HeadsetFixture): TelephonyLayout {
  const layout = parseTelephony(fixture.collections);
  if (!layout) throw new Error(`no layout for ${fixture.name}`);
  return layout;
}

/** Feeds reports through the interpreter; the actions of each, in order. */
function feed(fixture: HeadsetFixture, reports: Buttons[], start: InputMemory = EMPTY_MEMORY) {
  const layout = layoutOf(fixture);
  let memory = start;
  const out: HeadsetAction[][] = [];
  for (const buttons of reports) {
    const { reportId, data } = fixture.input(buttons);
    const result = interpretReport(layout, memory, reportId, new DataView(data.buffer));
    memory = result.memory;
    out.push([...result.actions]);
  }
  return { actions: out, memory };
}

describe('interpretReport', () => {
  it('absolute hook switch (Jabra-like): off and on on change only; the same report again is nothing', () => {
    const { actions } = feed(JABRA_LIKE, [{ hook: true }, { hook: true }, {}, {}, { hook: true }]);
    expect(actions).toEqual([['hook-off'], [], ['hook-on'], [], ['hook-off']]);
  });

  it('relative mute (Jabra-like): each press toggles, the release and a repeated press report do not', () => {
    const { actions } = feed(JABRA_LIKE, [
      { mute: true },
      { mute: true },
      {},
      { mute: true },
      {},
      {},
    ]);
    expect(actions).toEqual([['mute-toggle'], [], [], ['mute-toggle'], [], []]);
  });

  it('a press of mute while off hook is not a hook change', () => {
    const { actions } = feed(JABRA_LIKE, [
      { hook: true },
      { hook: true, mute: true },
      { hook: true },
    ]);
    expect(actions).toEqual([['hook-off'], ['mute-toggle'], []]);
  });

  it('absolute mute (Poly-like): the bit is the state', () => {
    const { actions } = feed(POLY_LIKE, [{ mute: true }, { mute: true }, {}, { hook: true }]);
    expect(actions).toEqual([['mute-on'], [], ['mute-off'], ['hook-off']]);
  });

  it('Flash and Line Busy Tone act on the press', () => {
    expect(feed(JABRA_LIKE, [{ flash: true }, {}, { busy: true }, {}]).actions).toEqual([
      ['flash'],
      [],
      ['busy'],
      [],
    ]);
  });

  it('relative hook switch in an array item (Array-like): each press toggles', () => {
    const { actions } = feed(ARRAY_LIKE, [{ hook: true }, {}, { hook: true, mute: true }, {}]);
    expect(actions).toEqual([['hook-toggle'], [], ['hook-toggle', 'mute-toggle'], []]);
  });

  it('keeps the same memory object for a duplicate (nothing to store)', () => {
    const first = feed(JABRA_LIKE, [{ hook: true }]).memory;
    const layout = layoutOf(JABRA_LIKE);
    const { reportId, data } = JABRA_LIKE.input({ hook: true });
    expect(interpretReport(layout, first, reportId, new DataView(data.buffer)).memory).toBe(first);
  });
});

describe('hostSet', () => {
  const all = new Set<OutputControl>(['offHook', 'ring', 'mute', 'hold']);

  it('the Off-Hook light moves an absolute hook switch: its echo is no action, a later press is', () => {
    const layout = layoutOf(JABRA_LIKE);
    // Answered from the screen: the app lights Off-Hook; the headset echoes hook = 1.
    const lit = hostSet(layout, EMPTY_MEMORY, { ...LEDS_OFF, offHook: true }, all);
    expect(feed(JABRA_LIKE, [{ hook: true }], lit).actions).toEqual([[]]);
    // The far end hangs up: light off. The next press sends hook = 1 — the very bytes of the
    // echo — and now picks up.
    const dark = hostSet(layout, { hook: true }, LEDS_OFF, all);
    expect(feed(JABRA_LIKE, [{ hook: true }], dark).actions).toEqual([['hook-off']]);
  });

  it('moves an absolute mute with the Mute light, leaves a relative one alone', () => {
    expect(hostSet(layoutOf(POLY_LIKE), EMPTY_MEMORY, { ...LEDS_OFF, mute: true }, all)).toEqual({
      mute: true,
    });
    const jabra = hostSet(layoutOf(JABRA_LIKE), EMPTY_MEMORY, { ...LEDS_OFF, mute: true }, all);
    expect(jabra.mute).toBeUndefined();
  });

  it('only for lights actually written', () => {
    const memory = { hook: true };
    expect(hostSet(layoutOf(JABRA_LIKE), memory, LEDS_OFF, new Set(['mute']))).toBe(memory);
  });
});

const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };

function line(callId: string, state: CallState, patch: Partial<CallSnapshot> = {}): CallSnapshot {
  return { ...initialCall, callId, state, remote: ola, direction: 'inbound', ...patch };
}

const lines = (...l: CallSnapshot[]): LinesSnapshot => ({ lines: l });

describe('commandFor and ledsFor', () => {
  const ringing = lines(line('c1', CallState.Incoming));
  const talking = lines(line('c1', CallState.Established));
  const muted = lines(line('c1', CallState.Established, { muted: true }));
  const waiting = lines(line('c1', CallState.Established), line('c2', CallState.Incoming));
  const swappable = lines(line('c1', CallState.Held), line('c2', CallState.Established));

  it('hook off answers the ringing call; hook on hangs up the line in front', () => {
    expect(commandFor('hook-off', ringing)).toEqual({ kind: 'answer', callId: 'c1' });
    expect(commandFor('hook-off', lines())).toBeNull();
    expect(commandFor('hook-on', talking)).toEqual({ kind: 'hangup', callId: 'c1' });
    expect(commandFor('hook-on', swappable)).toEqual({ kind: 'hangup', callId: 'c2' });
    expect(commandFor('hook-on', ringing)).toBeNull();
    expect(commandFor('hook-on', lines(line('c9', CallState.Outgoing)))).toEqual({
      kind: 'hangup',
      callId: 'c9',
    });
  });

  it('a hook toggle picks up when on hook and hangs up when off hook', () => {
    expect(commandFor('hook-toggle', ringing)).toEqual({ kind: 'answer', callId: 'c1' });
    expect(commandFor('hook-toggle', talking)).toEqual({ kind: 'hangup', callId: 'c1' });
    expect(commandFor('hook-toggle', waiting)).toEqual({ kind: 'hangup', callId: 'c1' });
  });

  it('mute toggles the line in front; absolute mute only when it differs', () => {
    expect(commandFor('mute-toggle', talking)).toEqual({ kind: 'toggleMute', callId: 'c1' });
    expect(commandFor('mute-toggle', lines())).toBeNull();
    expect(commandFor('mute-on', talking)).toEqual({ kind: 'toggleMute', callId: 'c1' });
    expect(commandFor('mute-on', muted)).toBeNull();
    expect(commandFor('mute-off', muted)).toEqual({ kind: 'toggleMute', callId: 'c1' });
    expect(commandFor('mute-off', talking)).toBeNull();
  });

  it('Flash answers a waiting call, swaps two lines, holds or resumes one; busy rejects', () => {
    expect(commandFor('flash', waiting)).toEqual({ kind: 'answer', callId: 'c2' });
    expect(commandFor('flash', swappable)).toEqual({ kind: 'swap' });
    expect(commandFor('flash', talking)).toEqual({ kind: 'toggleHold', callId: 'c1' });
    expect(commandFor('flash', ringing)).toBeNull();
    expect(commandFor('busy', ringing)).toEqual({ kind: 'reject', callId: 'c1' });
    expect(commandFor('busy', talking)).toBeNull();
  });

  it('lights: ring while ringing in, off-hook while a call is up, mute and hold of the line in front', () => {
    expect(ledsFor(lines())).toEqual(LEDS_OFF);
    expect(ledsFor(ringing)).toEqual({ ...LEDS_OFF, ring: true });
    expect(ledsFor(talking)).toEqual({ ...LEDS_OFF, offHook: true });
    expect(ledsFor(muted)).toEqual({ ...LEDS_OFF, offHook: true, mute: true });
    expect(ledsFor(waiting)).toEqual({ ...LEDS_OFF, offHook: true, ring: true });
    expect(ledsFor(lines(line('c1', CallState.Held)))).toEqual({
      ...LEDS_OFF,
      offHook: true,
      hold: true,
    });
    expect(ledsFor(lines(line('c1', CallState.Ended)))).toEqual(LEDS_OFF);
    expect(isOffHook(lines(line('c1', CallState.Incoming, { autoAnswer: true })))).toBe(true);
  });
});

describe('the headset link machine', () => {
  it('allows exactly the moves of the diagram', () => {
    const L = HeadsetLink;
    expect(headsetLinkTransitions()).toEqual(
      expect.arrayContaining([
        [L.Unpaired, L.Opening],
        [L.Opening, L.Ready],
        [L.Ready, L.Released],
        [L.Released, L.Opening],
        [L.Ready, L.Unplugged],
        [L.Unplugged, L.Opening],
        [L.Opening, L.Error],
        [L.Error, L.Opening],
      ]),
    );
    expect(headsetLinkTransitions()).toHaveLength(22);
    expect(headsetLinkTransitions().some(([from]) => from === L.Unsupported)).toBe(false);
  });

  it('throws on an illegal move; staying is no move; unpaired forgets the device', () => {
    const start = initialHeadset(true);
    expect(() => headsetLinked(start, HeadsetLink.Ready)).toThrow(IllegalTransitionError);
    expect(() => headsetLinked(initialHeadset(false), HeadsetLink.Opening)).toThrow(
      IllegalTransitionError,
    );
    expect(headsetLinked(start, HeadsetLink.Unpaired)).toBe(start);
    const device = { name: 'Jabra', vendorId: 1, productId: 2 };
    const opening = headsetLinked(start, HeadsetLink.Opening, { device, inputs: ['hook'] });
    const failed = headsetLinked(opening, HeadsetLink.Error, { reason: 'busy' });
    expect(failed).toMatchObject({ link: 'error', device, reason: 'busy', inputs: ['hook'] });
    expect(headsetLinked(failed, HeadsetLink.Opening).reason).toBeNull();
    expect(headsetLinked(failed, HeadsetLink.Unpaired)).toEqual(start);
  });
});
