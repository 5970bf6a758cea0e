/**
 * The headset link: whether the app holds the paired HID device open.
 *
 * ```txt
 *                pair, or a granted headset found          opened
 *   unpaired ─────────────────────────────────► opening ─────────► ready
 *                                                │ ▲                  │
 *                                    open failed │ │ this tab owns    │ another tab owns the
 *                                                ▼ │ the phone again, │ phone (or nobody is
 *                                           error ─┤ plugged in again,│ signed in): released;
 *                                        released ─┤ try again        │ unplugged: unplugged
 *                                       unplugged ─┘                  ▼
 *                                                              released | unplugged
 *
 *   unpaired ──► released | unplugged: a headset found while another tab has the phone, or
 *                remembered but not plugged in
 *   forget: any of them ──► unpaired        unsupported: no WebHID in this browser, no moves
 * ```
 *
 * Allowed moves (everything else throws):
 * - unpaired → opening | released | unplugged
 * - opening → ready | error | released | unplugged | unpaired
 * - ready → opening | released | unplugged | unpaired
 * - released → opening | unplugged | unpaired
 * - unplugged → opening | released | unpaired
 * - error → opening | released | unplugged | unpaired
 * - unsupported → (none)
 *
 * `ready → opening` is pairing another headset while one is in use.
 * @packageDocumentation
 */
import { IllegalTransitionError } from '../registration-state.js';
import type { InputControl, OutputControl } from './telephony-descriptor.js';

export enum HeadsetLink {
  /** This browser has no WebHID (Firefox, Safari, mobile): the headset's buttons cannot reach us. */
  Unsupported = 'unsupported',
  /** No headset chosen (or it was forgotten). */
  Unpaired = 'unpaired',
  /** Opening the device. */
  Opening = 'opening',
  /** Open: buttons act on the calls, the lights follow them. */
  Ready = 'ready',
  /** Paired but closed: this tab does not own the phone (another tab does, or nobody is signed in). */
  Released = 'released',
  /** Paired but not plugged in; opens again when it comes back. */
  Unplugged = 'unplugged',
  /** Opening failed; see the reason. */
  Error = 'error',
}

const ALLOWED: Readonly<Record<HeadsetLink, readonly HeadsetLink[]>> = {
  [HeadsetLink.Unsupported]: [],
  [HeadsetLink.Unpaired]: [HeadsetLink.Opening, HeadsetLink.Released, HeadsetLink.Unplugged],
  [HeadsetLink.Opening]: [
    HeadsetLink.Ready,
    HeadsetLink.Error,
    HeadsetLink.Released,
    HeadsetLink.Unplugged,
    HeadsetLink.Unpaired,
  ],
  [HeadsetLink.Ready]: [
    HeadsetLink.Opening,
    HeadsetLink.Released,
    HeadsetLink.Unplugged,
    HeadsetLink.Unpaired,
  ],
  [HeadsetLink.Released]: [HeadsetLink.Opening, HeadsetLink.Unplugged, HeadsetLink.Unpaired],
  [HeadsetLink.Unplugged]: [HeadsetLink.Opening, HeadsetLink.Released, HeadsetLink.Unpaired],
  [HeadsetLink.Error]: [
    HeadsetLink.Opening,
    HeadsetLink.Released,
    HeadsetLink.Unplugged,
    HeadsetLink.Unpaired,
  ],
};

/** Every move the link machine allows, for tests and documentation. */
export function headsetLinkTransitions(): [HeadsetLink, HeadsetLink][] {
  return Object.entries(ALLOWED).flatMap(([from, tos]) =>
    tos.map((to): [HeadsetLink, HeadsetLink] => [from as HeadsetLink, to]),
  );
}

export function canTransitionHeadsetLink(from: HeadsetLink, to: HeadsetLink): boolean {
  return ALLOWED[from].includes(to);
}

/** The guarded transition: returns `to`, or throws {@link IllegalTransitionError}. */
export function headsetLinkTransition(from: HeadsetLink, to: HeadsetLink): HeadsetLink {
  if (!canTransitionHeadsetLink(from, to)) {
    throw new IllegalTransitionError('headset link', from, to);
  }
  return to;
}

/** The paired device as the settings show it. */
export interface HeadsetDevice {
  readonly name: string;
  readonly vendorId: number;
  readonly productId: number;
}

/** The headset slice of the store. */
export interface HeadsetSnapshot {
  readonly link: HeadsetLink;
  /** The paired headset; null while unpaired. */
  readonly device: HeadsetDevice | null;
  /** The buttons and lights found in its descriptor (empty until it was opened once). */
  readonly inputs: readonly InputControl[];
  readonly outputs: readonly OutputControl[];
  /** Why the link is in `error`; null otherwise. */
  readonly reason: string | null;
}

const NO_INPUTS: readonly InputControl[] = [];
const NO_OUTPUTS: readonly OutputControl[] = [];

export function initialHeadset(supported: boolean): HeadsetSnapshot {
  return {
    link: supported ? HeadsetLink.Unpaired : HeadsetLink.Unsupported,
    device: null,
    inputs: NO_INPUTS,
    outputs: NO_OUTPUTS,
    reason: null,
  };
}

/**
 * Pure reducer: moves the link to `to` (guarded; staying is no move) with the device and
 * controls given, keeping the reason only in `error`. Unpaired forgets the device.
 */
export function headsetLinked(
  snapshot: HeadsetSnapshot,
  to: HeadsetLink,
  patch: Partial<Pick<HeadsetSnapshot, 'device' | 'inputs' | 'outputs' | 'reason'>> = {},
): HeadsetSnapshot {
  const link = snapshot.link === to ? to : headsetLinkTransition(snapshot.link, to);
  const unpaired = link === HeadsetLink.Unpaired;
  const next: HeadsetSnapshot = {
    link,
    device: unpaired ? null : (patch.device ?? snapshot.device),
    inputs: unpaired ? NO_INPUTS : (patch.inputs ?? snapshot.inputs),
    outputs: unpaired ? NO_OUTPUTS : (patch.outputs ?? snapshot.outputs),
    reason: link === HeadsetLink.Error ? (patch.reason ?? snapshot.reason) : null,
  };
  const same =
    next.link === snapshot.link &&
    next.device === snapshot.device &&
    next.inputs === snapshot.inputs &&
    next.outputs === snapshot.outputs &&
    next.reason === snapshot.reason;
  return same ? snapshot : next;
}
