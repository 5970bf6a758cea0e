/**
 * The headset's controls from its HID descriptor, and the bits of its reports: report IDs,
 * bit offsets (after padding and vendor fields), absolute vs relative, array items, ranges.
 */
import { describe, expect, it } from 'vitest';
import {
  LEDS_OFF,
  controlsOf,
  encodeOutputs,
  parseTelephony,
  readBits,
  readInputs,
  writeBits,
} from '../../src/store/headset/telephony-descriptor.js';
import type { TelephonyLayout } from '../../src/store/headset/telephony-descriptor.js';
import { ARRAY_LIKE, JABRA_LIKE, POLY_LIKE, item } from './descriptors.js';
import type { HeadsetFixture, Lights } from './descriptors.js';

function layoutOf(fixture: HeadsetFixture): TelephonyLayout {
  const layout = parseTelephony(fixture.collections);
  if (!layout) throw new Error(`no layout for ${fixture.name}`);
  return layout;
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Encodes `lights` and reads them back with the fixture's own bit map. */
function roundTrip(fixture: HeadsetFixture, lights: Lights): Lights {
  const latest = new Map(encodeOutputs(layoutOf(fixture), lights).map((r) => [r.reportId, r.data]));
  return fixture.lights(latest);
}

describe('parseTelephony', () => {
  it('finds the Jabra-like layout: report 2, hook absolute, mute and flash relative', () => {
    const layout = layoutOf(JABRA_LIKE);
    expect(layout.collectionUsage).toBe(0x05);
    expect(layout.inputs.hook).toMatchObject({
      reportId: 2,
      bitOffset: 0,
      bitSize: 1,
      absolute: true,
    });
    expect(layout.inputs.busy).toMatchObject({ reportId: 2, bitOffset: 1, absolute: true });
    expect(layout.inputs.mute).toMatchObject({ reportId: 2, bitOffset: 2, absolute: false });
    expect(layout.inputs.flash).toMatchObject({ reportId: 2, bitOffset: 3, absolute: false });
    // The consumer-control collection (volume, report 1) is not the headset's call control.
    expect(Object.values(layout.inputs).every((f) => f.reportId === 2)).toBe(true);
    expect(layout.outputs.map((f) => [f.control, f.reportId, f.bitOffset])).toEqual([
      ['offHook', 2, 0],
      ['mute', 2, 1],
      ['ring', 2, 2],
      ['hold', 2, 3],
      ['ring', 3, 0], // the Ringer, in a report of its own
    ]);
    expect([...layout.outputReportBytes]).toEqual([
      [2, 1],
      [3, 1],
    ]);
    expect(controlsOf(layout)).toEqual({
      inputs: ['hook', 'mute', 'flash', 'busy'],
      outputs: ['offHook', 'ring', 'mute', 'hold'],
    });
  });

  it('finds the Poly-like layout: buttons after a 16-bit vendor field, both absolute, lights in two reports', () => {
    const layout = layoutOf(POLY_LIKE);
    expect(layout.inputs.mute).toMatchObject({ reportId: 8, bitOffset: 16, absolute: true });
    expect(layout.inputs.hook).toMatchObject({ reportId: 8, bitOffset: 17, absolute: true });
    expect(layout.inputs.flash).toMatchObject({ reportId: 8, bitOffset: 18 });
    expect(layout.inputs.busy).toBeUndefined();
    expect(layout.outputs.map((f) => [f.control, f.reportId, f.bitOffset])).toEqual([
      ['mute', 9, 0],
      ['offHook', 10, 8],
      ['ring', 10, 9],
      ['hold', 10, 10],
    ]);
    expect(layout.outputReportBytes.get(10)).toBe(2);
  });

  it('reads an array item (selectors) and a usage range, without report IDs', () => {
    const layout = layoutOf(ARRAY_LIKE);
    expect(layout.collectionUsage).toBe(0x01);
    expect(layout.inputs.hook).toMatchObject({
      reportId: 0,
      bitOffset: 0,
      bitSize: 4,
      absolute: false,
      selector: { value: 1, slots: 2 },
    });
    expect(layout.inputs.mute?.selector).toEqual({ value: 2, slots: 2 });
    expect(layout.outputs.map((f) => [f.control, f.bitOffset])).toEqual([
      ['offHook', 0],
      ['ring', 1],
    ]);
  });

  it('gives null for a device without telephony controls', () => {
    expect(parseTelephony([])).toBeNull();
    expect(parseTelephony([{ usagePage: 0x0c, usage: 0x01, inputReports: [] }])).toBeNull();
    // A telephony collection with only buttons the app does not use.
    expect(
      parseTelephony([
        {
          usagePage: 0x0b,
          usage: 0x05,
          inputReports: [{ reportId: 1, items: [item({ usages: [(0x0b << 16) | 0x24] })] }],
        },
      ]),
    ).toBeNull();
  });

  it('prefers the Headset collection to another telephony collection', () => {
    const phone = { ...ARRAY_LIKE.collections[0], usage: 0x01 };
    const headset = JABRA_LIKE.collections[1];
    if (!headset) throw new Error('fixture');
    expect(parseTelephony([phone, headset])?.collectionUsage).toBe(0x05);
  });

  it('repeats the last usage over the remaining fields of an item (HID 1.11 §6.2.2.8)', () => {
    const layout = parseTelephony([
      {
        usagePage: 0x0b,
        usage: 0x05,
        inputReports: [
          {
            reportId: 4,
            items: [item({ usages: [(0x0b << 16) | 0x24, (0x0b << 16) | 0x20], reportCount: 3 })],
          },
        ],
      },
    ]);
    // Fields: Redial, Hook Switch, Hook Switch (the first one counts).
    expect(layout?.inputs.hook?.bitOffset).toBe(1);
  });
});

describe('readInputs', () => {
  for (const fixture of [JABRA_LIKE, POLY_LIKE, ARRAY_LIKE]) {
    it(`decodes the ${fixture.name}'s buttons`, () => {
      const layout = layoutOf(fixture);
      const read = (b: Parameters<HeadsetFixture['input']>[0]) => {
        const report = fixture.input(b);
        return readInputs(layout, report.reportId, view(report.data));
      };
      expect(read({ hook: true })).toMatchObject({ hook: true, mute: false, flash: false });
      expect(read({ mute: true })).toMatchObject({ hook: false, mute: true });
      expect(read({ hook: true, mute: true })).toMatchObject({ hook: true, mute: true });
      expect(read({ flash: true })).toMatchObject({ hook: false, mute: false, flash: true });
      expect(read({})).toMatchObject({ hook: false, mute: false, flash: false });
    });
  }

  it('ignores reports of other IDs and reads short reports as zeros', () => {
    const layout = layoutOf(JABRA_LIKE);
    expect(readInputs(layout, 1, view(new Uint8Array([0xff])))).toEqual({});
    expect(readInputs(layout, 2, view(new Uint8Array([])))).toMatchObject({ hook: false });
  });
});

describe('encodeOutputs', () => {
  const cases: Lights[] = [
    LEDS_OFF,
    { offHook: true, ring: false, mute: false, hold: false },
    { offHook: false, ring: true, mute: false, hold: false },
    { offHook: true, ring: false, mute: true, hold: false },
    { offHook: true, ring: true, mute: true, hold: true },
  ];
  for (const fixture of [JABRA_LIKE, POLY_LIKE]) {
    it(`writes the ${fixture.name}'s lights where its descriptor puts them`, () => {
      for (const lights of cases) expect(roundTrip(fixture, lights)).toEqual(lights);
    });
  }

  it('writes whole reports, one per report ID, other fields 0', () => {
    const reports = encodeOutputs(layoutOf(POLY_LIKE), {
      offHook: true,
      ring: true,
      mute: false,
      hold: false,
    });
    expect(reports.map((r) => [r.reportId, [...r.data]])).toEqual([
      [9, [0]],
      [10, [0, 0b011]],
    ]);
  });
});

describe('bits', () => {
  it('reads and writes fields across byte boundaries, least significant bit first', () => {
    const bytes = new Uint8Array(3);
    writeBits(bytes, 6, 4, 0b1011);
    expect([...bytes]).toEqual([0b1100_0000, 0b0000_0010, 0]);
    expect(readBits(view(bytes), 6, 4)).toBe(0b1011);
    writeBits(bytes, 7, 1, 0);
    expect(readBits(view(bytes), 6, 4)).toBe(0b1001);
    writeBits(bytes, 0, 24, 0xabcdef);
    expect(readBits(view(bytes), 0, 24)).toBe(0xabcdef);
  });
});
