/**
 * HID descriptors of telephony headsets, as WebHID presents them (`HIDDevice.collections`: the
 * top-level collections with every report's items in descriptor order, extended 32-bit usages),
 * modelled on real layouts; with each, the input reports its buttons send and a decoder of the
 * output reports for its lights, written out bit by bit (independent of the parser under test).
 *
 * - {@link JABRA_LIKE}: one report ID (2) for buttons and lights; hook switch absolute, mute and
 *   flash relative (toggles); Line Busy Tone to reject; the ring in the Ring LED *and* a Ringer
 *   in a report of its own (3); a consumer-control collection (volume) beside it.
 * - {@link POLY_LIKE}: a 16-bit vendor field before the buttons (they start at byte 2), mute
 *   and hook switch absolute (mute first), the mute light alone in report 9 and the off-hook,
 *   ring and hold lights in report 10 after a vendor byte.
 * - {@link ARRAY_LIKE}: no report IDs; buttons as an array item (selectors 1…3).
 */
import type { HidCollectionInfo, HidReportItem } from '../../src/store/headset/hid.js';

const TEL = 0x0b;
const LED = 0x08;
const u = (page: number, id: number) => ((page << 16) | id) >>> 0;

/** A report item with Chromium's defaults for what is not given. */
export function item(partial: Partial<HidReportItem>): HidReportItem {
  return {
    isAbsolute: true,
    isArray: false,
    isConstant: false,
    isRange: false,
    hasNull: false,
    usages: [],
    usageMinimum: 0,
    usageMaximum: 0,
    reportSize: 1,
    reportCount: 1,
    logicalMinimum: 0,
    logicalMaximum: 1,
    ...partial,
  };
}

const pad = (bits: number) => item({ isConstant: true, reportCount: bits });

export interface Lights {
  offHook: boolean;
  ring: boolean;
  mute: boolean;
  hold: boolean;
}

export interface Buttons {
  hook?: boolean;
  mute?: boolean;
  flash?: boolean;
  busy?: boolean;
}

export interface HeadsetFixture {
  readonly name: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly collections: HidCollectionInfo[];
  /** The input report the headset sends with these buttons down / states on. */
  input(buttons: Buttons): { reportId: number; data: Uint8Array<ArrayBuffer> };
  /** The lights set by the latest of each output report written (reportId → bytes). */
  lights(latest: ReadonlyMap<number, Uint8Array>): Lights;
  /** Whether the hook switch / mute report a state (absolute) or a press (relative). */
  readonly absolute: { readonly hook: boolean; readonly mute: boolean };
}

const bit = (bytes: Uint8Array | undefined, index: number) =>
  bytes !== undefined && ((bytes[index >> 3] ?? 0) >> (index & 7)) % 2 === 1;

export const JABRA_LIKE: HeadsetFixture = {
  name: 'Jabra-like Evolve',
  vendorId: 0x0b0e,
  productId: 0x0305,
  collections: [
    {
      usagePage: 0x0c,
      usage: 0x01,
      type: 1,
      children: [],
      inputReports: [
        {
          reportId: 1,
          items: [
            item({ usages: [u(0x0c, 0xe9), u(0x0c, 0xea)], reportCount: 2, isAbsolute: false }),
            pad(6),
          ],
        },
      ],
      outputReports: [],
      featureReports: [],
    },
    {
      usagePage: TEL,
      usage: 0x05,
      type: 1,
      children: [],
      inputReports: [
        {
          reportId: 2,
          items: [
            // bit 0 Hook Switch, bit 1 Line Busy Tone (absolute)
            item({ usages: [u(TEL, 0x20), u(TEL, 0x97)], reportCount: 2 }),
            // bit 2 Phone Mute (relative: a toggle button)
            item({ usages: [u(TEL, 0x2f)], isAbsolute: false }),
            // bit 3 Flash (relative), bit 4 Redial (not used by the app)
            item({ usages: [u(TEL, 0x21), u(TEL, 0x24)], reportCount: 2, isAbsolute: false }),
            pad(3),
          ],
        },
      ],
      outputReports: [
        {
          reportId: 2,
          items: [
            // bit 0 Off-Hook, bit 1 Mute, bit 2 Ring, bit 3 Hold
            item({
              usages: [u(LED, 0x17), u(LED, 0x09), u(LED, 0x18), u(LED, 0x20)],
              reportCount: 4,
            }),
            pad(4),
          ],
        },
        { reportId: 3, items: [item({ usages: [u(TEL, 0x9e)] }), pad(7)] },
      ],
      featureReports: [],
    },
  ],
  input(b) {
    const byte = (b.hook ? 1 : 0) | (b.busy ? 2 : 0) | (b.mute ? 4 : 0) | (b.flash ? 8 : 0);
    return { reportId: 2, data: new Uint8Array([byte]) };
  },
  lights(latest) {
    const r2 = latest.get(2);
    return {
      offHook: bit(r2, 0),
      mute: bit(r2, 1),
      ring: bit(r2, 2) && bit(latest.get(3), 0),
      hold: bit(r2, 3),
    };
  },
  absolute: { hook: true, mute: false },
};

export const POLY_LIKE: HeadsetFixture = {
  name: 'Poly-like Blackwire',
  vendorId: 0x047f,
  productId: 0xc056,
  collections: [
    {
      usagePage: TEL,
      usage: 0x05,
      type: 1,
      children: [
        // A nested collection: Chromium lists its items in the parent's reports too.
        { usagePage: 0xffa0, usage: 0x01, type: 2, children: [] },
      ],
      inputReports: [
        {
          reportId: 8,
          items: [
            // bytes 0-1: a vendor-specific 16-bit value
            item({ usages: [u(0xffa0, 0x01)], reportSize: 16, logicalMaximum: 0xffff }),
            // bit 16 Phone Mute, bit 17 Hook Switch (both absolute)
            item({ usages: [u(TEL, 0x2f), u(TEL, 0x20)], reportCount: 2 }),
            // bit 18 Flash
            item({ usages: [u(TEL, 0x21)] }),
            pad(5),
          ],
        },
      ],
      outputReports: [
        { reportId: 9, items: [item({ usages: [u(LED, 0x09)] }), pad(7)] },
        {
          reportId: 10,
          items: [
            item({ usages: [u(0xffa0, 0x02)], reportSize: 8, logicalMaximum: 255 }),
            // bit 8 Off-Hook, bit 9 Ring, bit 10 Hold
            item({ usages: [u(LED, 0x17), u(LED, 0x18), u(LED, 0x20)], reportCount: 3 }),
            pad(5),
          ],
        },
      ],
      featureReports: [],
    },
  ],
  input(b) {
    const byte = (b.mute ? 1 : 0) | (b.hook ? 2 : 0) | (b.flash ? 4 : 0);
    return { reportId: 8, data: new Uint8Array([0x34, 0x12, byte]) };
  },
  lights(latest) {
    const r10 = latest.get(10);
    return {
      mute: bit(latest.get(9), 0),
      offHook: bit(r10, 8),
      ring: bit(r10, 9),
      hold: bit(r10, 10),
    };
  },
  absolute: { hook: true, mute: true },
};

export const ARRAY_LIKE: HeadsetFixture = {
  name: 'Array-like Speakerphone',
  vendorId: 0x6993,
  productId: 0xb001,
  collections: [
    {
      usagePage: TEL,
      usage: 0x01, // Phone, not Headset
      type: 1,
      children: [],
      inputReports: [
        {
          reportId: 0,
          items: [
            // Two slots of 4 bits, each 0 (none) or a selector 1…3.
            item({
              isArray: true,
              isAbsolute: false,
              usages: [u(TEL, 0x20), u(TEL, 0x2f), u(TEL, 0x21)],
              reportSize: 4,
              reportCount: 2,
              logicalMinimum: 1,
              logicalMaximum: 3,
            }),
          ],
        },
      ],
      outputReports: [
        {
          reportId: 0,
          items: [
            item({
              isRange: true,
              usageMinimum: u(LED, 0x17),
              usageMaximum: u(LED, 0x18),
              reportCount: 2,
            }),
            pad(6),
          ],
        },
      ],
      featureReports: [],
    },
  ],
  input(b) {
    const pressed = [b.hook ? 1 : 0, b.mute ? 2 : 0, b.flash ? 3 : 0].filter((v) => v !== 0);
    return { reportId: 0, data: new Uint8Array([(pressed[0] ?? 0) | ((pressed[1] ?? 0) << 4)]) };
  },
  lights(latest) {
    const r0 = latest.get(0);
    return { offHook: bit(r0, 0), ring: bit(r0, 1), mute: false, hold: false };
  },
  absolute: { hook: false, mute: false },
};
