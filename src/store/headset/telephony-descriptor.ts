/**
 * The headset's buttons and lights, read from its HID descriptor (the Telephony usage page of
 * the USB HID Usage Tables, not any vendor's protocol): where each control sits in which report,
 * and whether a button reports a state (absolute) or a press (relative, a toggle).
 *
 * Pure: no WebHID calls, so the parsing and the bit-level decoding are unit-tested in Node.
 *
 * - Inputs (Telephony page 0x0B): Hook Switch 0x20, Flash 0x21, Phone Mute 0x2F,
 *   Line Busy Tone 0x97 (what several headsets send to reject a ringing call).
 * - Outputs (LED page 0x08): Mute 0x09, Off-Hook 0x17, Ring 0x18, Hold 0x20; and the Telephony
 *   page's Ringer 0x9E, which some headsets use instead of the Ring LED to ring in the ear.
 *
 * Offsets: a report's data (without its report ID byte) is the concatenation of its items'
 * fields in descriptor order, `reportSize × reportCount` bits per item, least significant bit
 * first; padding items (constant, no usage) take their room too.
 * @packageDocumentation
 */
import { TELEPHONY_PAGE } from './hid.js';
import type { HidCollectionInfo, HidReportInfo, HidReportItem } from './hid.js';

export { TELEPHONY_PAGE };
export const LED_PAGE = 0x08;

/** Telephony page usages (HUT §14). */
export const TelephonyUsage = {
  Phone: 0x01,
  Headset: 0x05,
  HookSwitch: 0x20,
  Flash: 0x21,
  PhoneMute: 0x2f,
  LineBusyTone: 0x97,
  Ringer: 0x9e,
} as const;

/** LED page usages (HUT §11). */
export const LedUsage = {
  Mute: 0x09,
  OffHook: 0x17,
  Ring: 0x18,
  Hold: 0x20,
} as const;

/** `(page << 16) | id`, as WebHID reports usages. */
export function usage(page: number, id: number): number {
  return ((page & 0xffff) << 16) | (id & 0xffff);
}

/** The buttons the app acts on. */
export type InputControl = 'hook' | 'mute' | 'flash' | 'busy';
/** The lights (and the ringer) the app drives. */
export type OutputControl = 'offHook' | 'ring' | 'mute' | 'hold';

const INPUT_USAGES: ReadonlyMap<number, InputControl> = new Map([
  [usage(TELEPHONY_PAGE, TelephonyUsage.HookSwitch), 'hook'],
  [usage(TELEPHONY_PAGE, TelephonyUsage.PhoneMute), 'mute'],
  [usage(TELEPHONY_PAGE, TelephonyUsage.Flash), 'flash'],
  [usage(TELEPHONY_PAGE, TelephonyUsage.LineBusyTone), 'busy'],
]);

const OUTPUT_USAGES: ReadonlyMap<number, OutputControl> = new Map([
  [usage(LED_PAGE, LedUsage.OffHook), 'offHook'],
  [usage(LED_PAGE, LedUsage.Ring), 'ring'],
  [usage(TELEPHONY_PAGE, TelephonyUsage.Ringer), 'ring'],
  [usage(LED_PAGE, LedUsage.Mute), 'mute'],
  [usage(LED_PAGE, LedUsage.Hold), 'hold'],
]);

/** Where one control lives in a report. */
export interface ControlField {
  readonly reportId: number;
  /** First bit of the field in the report's data (report ID byte excluded). */
  readonly bitOffset: number;
  readonly bitSize: number;
}

export interface InputField extends ControlField {
  readonly control: InputControl;
  /**
   * True: the field carries the control's state (a hook switch that reads 1 while off hook).
   * False (relative): it reads 1 while the button is pressed and each press toggles.
   */
  readonly absolute: boolean;
  /**
   * For an array item: the value a slot holds when this control is pressed, and how many
   * slots the item has (`bitOffset` is the first slot). Null for a variable (bit) field.
   */
  readonly selector: { readonly value: number; readonly slots: number } | null;
}

export interface OutputField extends ControlField {
  readonly control: OutputControl;
}

/** The telephony controls of one device. */
export interface TelephonyLayout {
  /** The usage of the telephony collection (0x05 Headset, 0x01 Phone, …). */
  readonly collectionUsage: number;
  /** One field per input control, the first the descriptor declares. */
  readonly inputs: Readonly<Partial<Record<InputControl, InputField>>>;
  /** Every output field the app drives (a headset may have both a Ring LED and a Ringer). */
  readonly outputs: readonly OutputField[];
  /** Length in bytes of each output report that holds one of `outputs` (written whole). */
  readonly outputReportBytes: ReadonlyMap<number, number>;
}

/** The state of the lights, as the app wants them. */
export type LedState = Readonly<Record<OutputControl, boolean>>;

export const LEDS_OFF: LedState = { offHook: false, ring: false, mute: false, hold: false };

/**
 * The telephony controls of a device, or null when it has no telephony collection with a
 * control the app uses. Collections with the Headset usage come first, then Phone, then any
 * other top-level collection on the Telephony page.
 */
export function parseTelephony(collections: readonly HidCollectionInfo[]): TelephonyLayout | null {
  const rank = (c: HidCollectionInfo) =>
    c.usage === TelephonyUsage.Headset ? 0 : c.usage === TelephonyUsage.Phone ? 1 : 2;
  const telephony = collections
    .filter((c) => c.usagePage === TELEPHONY_PAGE)
    .sort((a, b) => rank(a) - rank(b));
  for (const collection of telephony) {
    const layout = layoutOf(collection);
    if (layout) return layout;
  }
  return null;
}

/** Whether a device has controls the app can use (for choosing among granted devices). */
export function hasTelephonyControls(collections: readonly HidCollectionInfo[]): boolean {
  return parseTelephony(collections) !== null;
}

function layoutOf(collection: HidCollectionInfo): TelephonyLayout | null {
  const inputs: Partial<Record<InputControl, InputField>> = {};
  for (const report of collection.inputReports ?? []) {
    for (const field of inputFields(report)) inputs[field.control] ??= field;
  }
  const outputs: OutputField[] = [];
  const outputReportBytes = new Map<number, number>();
  for (const report of collection.outputReports ?? []) {
    const fields = outputFields(report);
    if (fields.length === 0) continue;
    outputs.push(...fields);
    outputReportBytes.set(report.reportId ?? 0, Math.ceil(reportBits(report) / 8));
  }
  if (Object.keys(inputs).length === 0 && outputs.length === 0) return null;
  return { collectionUsage: collection.usage ?? 0, inputs, outputs, outputReportBytes };
}

/** Total bits of a report's data. */
function reportBits(report: HidReportInfo): number {
  return (report.items ?? []).reduce((bits, item) => bits + itemBits(item), 0);
}

function itemBits(item: HidReportItem): number {
  return (item.reportSize ?? 0) * (item.reportCount ?? 0);
}

/** The usage of field `index` of a variable item (HID 1.11 §6.2.2.8: the last usage repeats). */
function fieldUsage(item: HidReportItem, index: number): number | null {
  const usages = item.usages ?? [];
  if (item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined) {
    const u = item.usageMinimum + index;
    return u <= item.usageMaximum ? u : item.usageMaximum;
  }
  if (usages.length === 0) return null;
  return usages[Math.min(index, usages.length - 1)] ?? null;
}

/** The usages an array item's slots select from, in selector order. */
function arrayUsages(item: HidReportItem): readonly number[] {
  if (item.isRange && item.usageMinimum !== undefined && item.usageMaximum !== undefined) {
    const out: number[] = [];
    for (let u = item.usageMinimum; u <= item.usageMaximum && out.length < 4096; u++) out.push(u);
    return out;
  }
  return item.usages ?? [];
}

function inputFields(report: HidReportInfo): InputField[] {
  const reportId = report.reportId ?? 0;
  const out: InputField[] = [];
  let offset = 0;
  for (const item of report.items ?? []) {
    const size = item.reportSize ?? 0;
    const count = item.reportCount ?? 0;
    const absolute = item.isAbsolute ?? true;
    if (!item.isConstant && size > 0 && size <= 32) {
      if (item.isArray) {
        // Each slot holds the selector of a pressed control: logicalMinimum is the first usage.
        const selectable = arrayUsages(item);
        const min = item.logicalMinimum ?? 0;
        selectable.forEach((u, index) => {
          const control = INPUT_USAGES.get(u);
          if (!control) return;
          out.push({
            control,
            reportId,
            bitOffset: offset,
            bitSize: size,
            absolute,
            selector: { value: min + index, slots: count },
          });
        });
      } else {
        for (let i = 0; i < count; i++) {
          const u = fieldUsage(item, i);
          const control = u === null ? undefined : INPUT_USAGES.get(u);
          if (!control || out.some((f) => f.control === control)) continue;
          out.push({
            control,
            reportId,
            bitOffset: offset + i * size,
            bitSize: size,
            absolute,
            selector: null,
          });
        }
      }
    }
    offset += size * count;
  }
  return out;
}

/**
 * Output fields of variable items (array outputs are not used for telephony lights), the first
 * field of each usage: a Ring LED and a Ringer in one report are both driven.
 */
function outputFields(report: HidReportInfo): OutputField[] {
  const reportId = report.reportId ?? 0;
  const out: OutputField[] = [];
  const seen = new Set<number>();
  let offset = 0;
  for (const item of report.items ?? []) {
    const size = item.reportSize ?? 0;
    const count = item.reportCount ?? 0;
    if (!item.isConstant && !item.isArray && size > 0 && size <= 32) {
      for (let i = 0; i < count; i++) {
        const u = fieldUsage(item, i);
        const control = u === null ? undefined : OUTPUT_USAGES.get(u);
        if (u === null || !control || seen.has(u)) continue;
        seen.add(u);
        out.push({ control, reportId, bitOffset: offset + i * size, bitSize: size });
      }
    }
    offset += size * count;
  }
  return out;
}

/** Reads `size` bits (≤ 32) at bit `offset`, least significant bit first; missing bytes read 0. */
export function readBits(data: DataView, offset: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) {
    const bit = offset + i;
    const byteIndex = bit >> 3;
    if (byteIndex >= data.byteLength) break;
    if ((data.getUint8(byteIndex) >> (bit & 7)) & 1) value += 2 ** i;
  }
  return value;
}

/** Writes the low `size` bits of `value` at bit `offset` into `bytes`. */
export function writeBits(bytes: Uint8Array, offset: number, size: number, value: number): void {
  for (let i = 0; i < size; i++) {
    const bit = offset + i;
    const byteIndex = bit >> 3;
    if (byteIndex >= bytes.length) return;
    const mask = 1 << (bit & 7);
    const on = Math.floor(value / 2 ** i) % 2 === 1;
    bytes[byteIndex] = on ? (bytes[byteIndex] ?? 0) | mask : (bytes[byteIndex] ?? 0) & ~mask;
  }
}

/** The raw levels of the input controls carried by one input report (pressed / on = true). */
export function readInputs(
  layout: TelephonyLayout,
  reportId: number,
  data: DataView,
): Partial<Record<InputControl, boolean>> {
  const levels: Partial<Record<InputControl, boolean>> = {};
  for (const field of Object.values(layout.inputs)) {
    if (field.reportId !== reportId) continue;
    if (field.selector) {
      let on = false;
      for (let slot = 0; slot < field.selector.slots; slot++) {
        const offset = field.bitOffset + slot * field.bitSize;
        if (readBits(data, offset, field.bitSize) === field.selector.value) on = true;
      }
      levels[field.control] = on;
    } else {
      levels[field.control] = readBits(data, field.bitOffset, field.bitSize) !== 0;
    }
  }
  return levels;
}

/** One output report to write: `data` without the report ID byte. */
export interface OutputReport {
  readonly reportId: number;
  readonly data: Uint8Array<ArrayBuffer>;
}

/**
 * The output reports that set the lights to `leds`, one per report ID holding a light, in
 * report ID order. Other fields of those reports are written as 0.
 */
export function encodeOutputs(layout: TelephonyLayout, leds: LedState): OutputReport[] {
  const reports = new Map<number, Uint8Array<ArrayBuffer>>();
  for (const field of layout.outputs) {
    let bytes = reports.get(field.reportId);
    if (!bytes) {
      bytes = new Uint8Array(layout.outputReportBytes.get(field.reportId) ?? 0);
      reports.set(field.reportId, bytes);
    }
    writeBits(bytes, field.bitOffset, field.bitSize, leds[field.control] ? 1 : 0);
  }
  return [...reports.entries()]
    .sort(([a], [b]) => a - b)
    .map(([reportId, data]) => ({ reportId, data }));
}

/** What the settings show: the controls found, in a fixed order. */
export function controlsOf(layout: TelephonyLayout): {
  inputs: InputControl[];
  outputs: OutputControl[];
} {
  const inputOrder: InputControl[] = ['hook', 'mute', 'flash', 'busy'];
  const outputOrder: OutputControl[] = ['offHook', 'ring', 'mute', 'hold'];
  return {
    inputs: inputOrder.filter((c) => layout.inputs[c] !== undefined),
    outputs: outputOrder.filter((c) => layout.outputs.some((f) => f.control === c)),
  };
}
