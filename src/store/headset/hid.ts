/**
 * The part of WebHID (https://wicg.github.io/webhid/) the headset uses, typed here because the
 * DOM typings have none. `navigator.hid` and Chromium's `HIDDevice` fit these shapes; tests pass
 * fakes of the same shapes.
 *
 * Dictionary members are optional in the spec's IDL, so they are optional here too.
 * @packageDocumentation
 */

/** One main item of a report: `reportCount` fields of `reportSize` bits each, in order. */
export interface HidReportItem {
  readonly isAbsolute?: boolean;
  readonly isArray?: boolean;
  readonly isConstant?: boolean;
  readonly isRange?: boolean;
  readonly hasNull?: boolean;
  /**
   * Extended usages, `(usagePage << 16) | usageId`, one per field (the last one repeats when
   * there are fewer usages than fields). Empty for padding and usually for a range item.
   */
  readonly usages?: readonly number[];
  readonly usageMinimum?: number;
  readonly usageMaximum?: number;
  readonly reportSize?: number;
  readonly reportCount?: number;
  readonly logicalMinimum?: number;
  readonly logicalMaximum?: number;
}

export interface HidReportInfo {
  /** 0 when the device uses no report IDs. */
  readonly reportId?: number;
  readonly items?: readonly HidReportItem[];
}

/**
 * A collection. Chromium lists every report item of a nested collection in each of its
 * ancestors as well, so a top-level collection's reports are complete and in order.
 */
export interface HidCollectionInfo {
  readonly usagePage?: number;
  readonly usage?: number;
  readonly type?: number;
  readonly children?: readonly HidCollectionInfo[];
  readonly inputReports?: readonly HidReportInfo[];
  readonly outputReports?: readonly HidReportInfo[];
  readonly featureReports?: readonly HidReportInfo[];
}

/** `inputreport`: `data` is the report without its report ID byte. */
export interface HidInputReportEvent extends Event {
  readonly device: HidDeviceLike;
  readonly reportId: number;
  readonly data: DataView;
}

/** `connect` / `disconnect` on `navigator.hid`. */
export interface HidConnectionEvent extends Event {
  readonly device: HidDeviceLike;
}

export interface HidDeviceLike extends EventTarget {
  readonly opened: boolean;
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly collections: readonly HidCollectionInfo[];
  open(): Promise<void>;
  close(): Promise<void>;
  /** Revokes the page's permission (Chrome 100+); absent in older browsers. */
  forget?(): Promise<void>;
  /** Writes an output report; `data` excludes the report ID byte. */
  sendReport(reportId: number, data: BufferSource): Promise<void>;
}

export interface HidDeviceFilter {
  readonly vendorId?: number;
  readonly productId?: number;
  readonly usagePage?: number;
  readonly usage?: number;
}

/**
 * The Telephony usage page (HUT §14). Here rather than in `telephony-descriptor.ts` so the
 * chooser's filter needs none of the parser, which loads only once a headset is in sight.
 */
export const TELEPHONY_PAGE = 0x0b;

/** `navigator.hid`. */
export interface HidLike extends EventTarget {
  /** The connected devices the page already has permission for. */
  getDevices(): Promise<HidDeviceLike[]>;
  /** Shows the browser's chooser; needs a user gesture (call it straight from a click). */
  requestDevice(options: {
    readonly filters: readonly HidDeviceFilter[];
  }): Promise<HidDeviceLike[]>;
}

/** `navigator.hid` when this browser has WebHID (Chromium on desktop), else undefined. */
export function browserHid(): HidLike | undefined {
  if (typeof navigator === 'undefined') return undefined;
  return (navigator as Navigator & { hid?: HidLike }).hid;
}
