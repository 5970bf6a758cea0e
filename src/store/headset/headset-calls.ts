/**
 * The headset and the phone's lines, both ways. Pure.
 *
 * - {@link ledsFor}: the lights the lines call for — Ring while a call rings in, Off-Hook while a
 *   call is up (dialling, talking or held), Mute and Hold after the line in front.
 * - {@link commandFor}: what a headset action does to the lines — picking up answers the
 *   ringing call, hanging up ends the line in front, mute toggles it, Flash answers a waiting
 *   call (the talking one is held) or swaps, Line Busy Tone rejects.
 * @packageDocumentation
 */
import { CallState } from '../call-state.js';
import { activeLine, liveLines, ringingIn, swapPair } from '../lines-state.js';
import type { LinesSnapshot } from '../lines-state.js';
import type { HeadsetAction } from './headset-input.js';
import type { LedState } from './telephony-descriptor.js';

export type HeadsetCommand =
  | { readonly kind: 'answer'; readonly callId: string }
  | { readonly kind: 'reject'; readonly callId: string }
  | { readonly kind: 'hangup'; readonly callId: string }
  | { readonly kind: 'toggleMute'; readonly callId: string }
  | { readonly kind: 'toggleHold'; readonly callId: string }
  | { readonly kind: 'swap' };

/** True while a call is up: any live line except one that only rings in. */
export function isOffHook(lines: LinesSnapshot): boolean {
  return liveLines(lines).some((line) => line.state !== CallState.Incoming || line.autoAnswer);
}

export function ledsFor(lines: LinesSnapshot): LedState {
  const active = activeLine(lines);
  return {
    offHook: isOffHook(lines),
    ring: ringingIn(lines) !== null,
    mute: active?.muted ?? false,
    hold: active?.state === CallState.Held,
  };
}

/** The command for `action` given the lines now; null when it means nothing (nothing rings…). */
export function commandFor(action: HeadsetAction, lines: LinesSnapshot): HeadsetCommand | null {
  const ringing = ringingIn(lines)?.callId ?? null;
  const active = activeLine(lines);
  const activeId = active?.callId ?? null;
  switch (action) {
    case 'hook-off':
      return ringing ? { kind: 'answer', callId: ringing } : null;
    case 'hook-on':
      return activeId ? { kind: 'hangup', callId: activeId } : null;
    case 'hook-toggle':
      return commandFor(isOffHook(lines) ? 'hook-on' : 'hook-off', lines);
    case 'mute-toggle':
      return activeId ? { kind: 'toggleMute', callId: activeId } : null;
    case 'mute-on':
    case 'mute-off':
      if (!active || !activeId || active.muted === (action === 'mute-on')) return null;
      return { kind: 'toggleMute', callId: activeId };
    case 'flash': {
      if (ringing && isOffHook(lines)) return { kind: 'answer', callId: ringing };
      if (swapPair(lines)) return { kind: 'swap' };
      const connected = active?.state === CallState.Established || active?.state === CallState.Held;
      return connected && activeId ? { kind: 'toggleHold', callId: activeId } : null;
    }
    case 'busy':
      return ringing ? { kind: 'reject', callId: ringing } : null;
  }
}
