/**
 * A simulated WebHID for element tests: {@link FakeHidDevice} is an `HIDDevice` over one of the
 * descriptor fixtures of `test/headset/descriptors.ts` (open/close, `sendReport` recorded,
 * `inputreport` events with `DataView` data while open), {@link FakeHid} is `navigator.hid`
 * (the chooser's pick, granted devices, plugging in and out).
 */
import type { HidDeviceFilter, HidDeviceLike, HidLike } from '../../src/store/headset/hid.js';
import type { HeadsetStorage } from '../../src/store/headset/headset-model.js';
import type { Buttons, HeadsetFixture, Lights } from '../headset/descriptors.js';

export class FakeHidDevice extends EventTarget implements HidDeviceLike {
  opened = false;
  opens = 0;
  closes = 0;
  forgotten = false;
  /** Every output report written, in order. */
  readonly sent: { reportId: number; data: Uint8Array }[] = [];
  /** The latest bytes of each output report. */
  readonly latest = new Map<number, Uint8Array>();
  /** Makes the next `open()` fail with this error. */
  failOpen: Error | null = null;
  /**
   * Like a Jabra: its hook switch follows the Off-Hook light, and it says so with an input
   * report right after the host writes the light.
   */
  echoHook = false;
  /** What the buttons are doing now (the base of {@link FakeHidDevice.press}). */
  private held: Buttons = {};

  constructor(readonly fixture: HeadsetFixture) {
    super();
  }

  get vendorId(): number {
    return this.fixture.vendorId;
  }
  get productId(): number {
    return this.fixture.productId;
  }
  get productName(): string {
    return this.fixture.name;
  }
  get collections() {
    return this.fixture.collections;
  }

  async open(): Promise<void> {
    await Promise.resolve();
    if (this.failOpen) {
      const error = this.failOpen;
      this.failOpen = null;
      throw error;
    }
    if (this.opened) throw new DOMException('The device is already open.', 'InvalidStateError');
    this.opened = true;
    this.opens++;
  }

  async close(): Promise<void> {
    await Promise.resolve();
    this.opened = false;
    this.closes++;
  }

  async forget(): Promise<void> {
    await Promise.resolve();
    this.opened = false;
    this.forgotten = true;
  }

  async sendReport(reportId: number, data: BufferSource): Promise<void> {
    await Promise.resolve();
    if (!this.opened)
      throw new DOMException('The device must be opened first.', 'InvalidStateError');
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      : new Uint8Array(data.slice(0));
    const before = this.lights().offHook;
    this.sent.push({ reportId, data: bytes });
    this.latest.set(reportId, bytes);
    const after = this.lights().offHook;
    if (this.echoHook && this.fixture.absolute.hook && before !== after) {
      setTimeout(() => this.send({ ...this.held, hook: after }), 0);
    }
  }

  /** The lights as the latest output reports set them. */
  lights(): Lights {
    return this.fixture.lights(this.latest);
  }

  /** How many output reports were written so far (to wait for the next). */
  get writes(): number {
    return this.sent.length;
  }

  /**
   * Sends the input report for `buttons` (what is down / on now); dropped while closed, as a
   * closed HIDDevice fires no `inputreport`.
   */
  send(buttons: Buttons): void {
    this.held = buttons;
    if (!this.opened) return;
    const { reportId, data } = this.fixture.input(buttons);
    const event = new Event('inputreport');
    Object.assign(event, { device: this, reportId, data: new DataView(data.buffer) });
    this.dispatchEvent(event);
  }

  /** A press and release of a button (a toggle), keeping the others as they are. */
  click(button: 'mute' | 'flash' | 'busy' | 'hook'): void {
    const base = { ...this.held };
    this.send({ ...base, [button]: true });
    this.send({ ...base, [button]: false });
  }
}

export class FakeHid extends EventTarget implements HidLike {
  /** Devices the page may use (granted), plugged in or not. */
  readonly granted: FakeHidDevice[] = [];
  private readonly unplugged = new Set<FakeHidDevice>();
  /** What the chooser returns next: the devices picked, or an error (cancelled: NotFoundError). */
  pick: FakeHidDevice[] | Error = [];
  readonly requests: { filters: readonly HidDeviceFilter[] }[] = [];

  async getDevices(): Promise<FakeHidDevice[]> {
    await Promise.resolve();
    return this.granted.filter((d) => !this.unplugged.has(d));
  }

  async requestDevice(options: { filters: readonly HidDeviceFilter[] }): Promise<FakeHidDevice[]> {
    this.requests.push(options);
    await Promise.resolve();
    if (this.pick instanceof Error) throw this.pick;
    for (const device of this.pick) if (!this.granted.includes(device)) this.granted.push(device);
    return [...this.pick];
  }

  /** Unplugs `device`: the browser closes it and fires `disconnect`. */
  unplug(device: FakeHidDevice): void {
    device.opened = false;
    this.unplugged.add(device);
    this.fire('disconnect', device);
  }

  /** Plugs the headset in again: a new HIDDevice object, as the browser makes one. */
  plugIn(fixture: HeadsetFixture): FakeHidDevice {
    const device = new FakeHidDevice(fixture);
    this.granted.push(device);
    this.fire('connect', device);
    return device;
  }

  private fire(type: 'connect' | 'disconnect', device: FakeHidDevice): void {
    const event = new Event(type);
    Object.assign(event, { device });
    this.dispatchEvent(event);
  }
}

/** `localStorage` for one test. */
/** The remembered headset choice, in memory (the app keeps it in IndexedDB). */
export class MemoryStorage implements HeadsetStorage {
  value: string | null = null;
  read(): Promise<string | null> {
    return Promise.resolve(this.value);
  }
  write(value: string): Promise<void> {
    this.value = value;
    return Promise.resolve();
  }
}

/** The chooser was closed without a pick. */
export function chooserCancelled(): DOMException {
  return new DOMException('No device selected.', 'NotFoundError');
}
