/**
 * From input reports to headset actions, with duplicates filtered out. Pure.
 *
 * The memory is the last level seen of each control. A control acts only when its level
 * changes, so a report sent again with the same state does nothing:
 *
 * - an absolute hook switch or mute acts on every change (`hook-off` / `hook-on`,
 *   `mute-on` / `mute-off`): the field *is* the state;
 * - a relative one (a toggle button) acts on the press only, 0 → 1 (`hook-toggle`,
 *   `mute-toggle`); the release and a repeated 1 do nothing;
 * - Flash and Line Busy Tone are momentary buttons whatever their flags: the press acts.
 *
 * Writing the lights moves an absolute control's remembered state too ({@link hostSet}):
 * a headset whose hook switch follows the Off-Hook light echoes it back, and that echo is not a
 * new action, while a later press that sends the very same bytes as an earlier report is.
 * @packageDocumentation
 */
import { readInputs } from './telephony-descriptor.js';
import type {
  InputControl,
  LedState,
  OutputControl,
  TelephonyLayout,
} from './telephony-descriptor.js';

export type HeadsetAction =
  /** Absolute hook switch went off hook (pick up). */
  | 'hook-off'
  /** Absolute hook switch went on hook (hang up). */
  | 'hook-on'
  /** Relative hook switch pressed: pick up when on hook, hang up when off hook. */
  | 'hook-toggle'
  /** Absolute mute: the headset is now muted / unmuted. */
  | 'mute-on'
  | 'mute-off'
  /** Relative mute pressed: toggle. */
  | 'mute-toggle'
  /** Flash pressed (call waiting: answer and hold, or swap). */
  | 'flash'
  /** Line Busy Tone pressed (reject a ringing call). */
  | 'busy';

/** The last level seen of each control; a control never seen counts as 0. */
export type InputMemory = Readonly<Partial<Record<InputControl, boolean>>>;

export const EMPTY_MEMORY: InputMemory = {};

export interface InputResult {
  readonly memory: InputMemory;
  readonly actions: readonly HeadsetAction[];
}

const ORDER: readonly InputControl[] = ['hook', 'mute', 'flash', 'busy'];

/** Decodes one input report against the memory: the actions it means and the new memory. */
export function interpretReport(
  layout: TelephonyLayout,
  memory: InputMemory,
  reportId: number,
  data: DataView,
): InputResult {
  const levels = readInputs(layout, reportId, data);
  const actions: HeadsetAction[] = [];
  const next: Partial<Record<InputControl, boolean>> = { ...memory };
  let changed = false;
  for (const control of ORDER) {
    const level = levels[control];
    if (level === undefined) continue;
    const before = memory[control] ?? false;
    if (level === before) continue; // the same state sent again
    next[control] = level;
    changed = true;
    const absolute = layout.inputs[control]?.absolute ?? false;
    const action = actionOf(control, absolute, level);
    if (action) actions.push(action);
  }
  return { memory: changed ? next : memory, actions };
}

function actionOf(control: InputControl, absolute: boolean, level: boolean): HeadsetAction | null {
  switch (control) {
    case 'hook':
      if (absolute) return level ? 'hook-off' : 'hook-on';
      return level ? 'hook-toggle' : null;
    case 'mute':
      if (absolute) return level ? 'mute-on' : 'mute-off';
      return level ? 'mute-toggle' : null;
    case 'flash':
      return level ? 'flash' : null;
    case 'busy':
      return level ? 'busy' : null;
  }
}

/**
 * The host wrote the lights `leds` (the reports holding the controls in `written`): an absolute
 * hook switch (or mute) that has the matching light follows it, so that is its state now.
 * Relative controls are buttons and keep their level.
 */
export function hostSet(
  layout: TelephonyLayout,
  memory: InputMemory,
  leds: LedState,
  written: ReadonlySet<OutputControl>,
): InputMemory {
  let next = memory;
  if (
    layout.inputs.hook?.absolute &&
    written.has('offHook') &&
    (memory.hook ?? false) !== leds.offHook
  ) {
    next = { ...next, hook: leds.offHook };
  }
  if (layout.inputs.mute?.absolute && written.has('mute') && (memory.mute ?? false) !== leds.mute) {
    next = { ...next, mute: leds.mute };
  }
  return next;
}
