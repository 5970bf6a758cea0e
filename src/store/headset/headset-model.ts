/**
 * The USB headset's call control (ADR 0011): the paired WebHID device, opened while this tab
 * owns the phone; its hook switch, mute, Flash and reject buttons act on the lines, and its
 * Off-Hook, Ring, Mute and Hold lights follow them.
 *
 * Every open, close and write runs one at a time ({@link HeadsetModel.reconcile}): each step
 * compares what should be (a paired, plugged-in headset, open while this tab owns the phone)
 * with what is, and closes, opens or writes the lights that changed. The link's state
 * (`headset-link-state.ts`) says where that stands.
 *
 * The choice is remembered (this browser's preferences in IndexedDB): on start the granted devices
 * (`navigator.hid.getDevices()`) are searched for it; a remembered headset that is not
 * plugged in is `unplugged` until the browser reports it connected.
 *
 * The descriptor parser, report reading and light encoding (`headset-engine.ts`) load with
 * `import()` only once a headset is in sight: a granted device on start, a pick in the chooser,
 * or the remembered one plugged in. Most users have none, and the route does not ship them.
 * @packageDocumentation
 */
import { msg, str } from '@lit/localize';
import type { Observable, Subscription } from 'rxjs';
import { initialLines } from '../lines-state.js';
import type { LinesSnapshot } from '../lines-state.js';
import { logger } from '../logger.js';
import { Model } from '../model.js';
import type { HeadsetCommand } from './headset-calls.js';
import type * as HeadsetEngineModule from './headset-engine.js';
import type { HeadsetAction, InputMemory } from './headset-input.js';
import { HeadsetLink, headsetLinked, initialHeadset } from './headset-link-state.js';
import type { HeadsetDevice, HeadsetSnapshot } from './headset-link-state.js';
import { TELEPHONY_PAGE } from './hid.js';
import type { HidConnectionEvent, HidDeviceLike, HidInputReportEvent, HidLike } from './hid.js';
import type { OutputControl, TelephonyLayout } from './telephony-descriptor.js';

/** The parser, report reading and light encoding, loaded on demand ({@link loadEngine}). */
type HeadsetEngine = typeof HeadsetEngineModule;

let engineLoad: Promise<HeadsetEngine> | null = null;

/** Loads the engine once per page; a failed load (offline, a new deploy) is tried again next time. */
function loadEngine(): Promise<HeadsetEngine> {
  engineLoad ??= import('./headset-engine.js').catch((error: unknown) => {
    engineLoad = null;
    throw error;
  });
  return engineLoad;
}

/** No button state remembered (as `EMPTY_MEMORY`, which lives with the lazy engine). */
const NO_MEMORY: InputMemory = {};

/** The phone commands the headset uses (the phone service has them). */
export interface HeadsetPhone {
  answer(callId: string): Promise<void>;
  reject(callId: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  toggleMute(callId: string): void;
  toggleHold(callId: string): Promise<void>;
  swap(): Promise<void>;
}

/** Where the chosen headset is remembered (the `headset` preference, in IndexedDB). */
export interface HeadsetStorage {
  read(): Promise<string | null>;
  write(value: string): Promise<void>;
}

export interface HeadsetOptions {
  /** `navigator.hid`; undefined where the browser has no WebHID. */
  readonly hid: HidLike | undefined;
  readonly phone: HeadsetPhone;
  readonly lines$: Observable<LinesSnapshot>;
  /** True while this tab owns the phone (ADR 0010); the device is open only then. */
  readonly owner$: Observable<boolean>;
  /** Null remembers nothing. */
  readonly storage: HeadsetStorage | null;
}

/** Where versions before IndexedDB kept the choice in localStorage (moved once, then removed). */
export const LEGACY_HEADSET_STORAGE_KEY = 'sentral-headset';

/** The chooser shows devices with a Telephony collection. */
export const HEADSET_FILTERS = [{ usagePage: TELEPHONY_PAGE }] as const;

/** Actions on a control whose state the headset keeps: unheeded, its lights are written again. */
const STATEFUL: ReadonlySet<HeadsetAction> = new Set([
  'hook-off',
  'hook-on',
  'mute-on',
  'mute-off',
]);

export class HeadsetModel extends Model<HeadsetSnapshot> {
  readonly link$: Observable<HeadsetLink> = this.select((s) => s.link);

  private readonly hid: HidLike | undefined;
  private readonly phone: HeadsetPhone;
  private readonly storage: HeadsetStorage | null;
  private readonly subscriptions: Subscription[] = [];

  /** The chosen headset (also while unplugged); null while unpaired. */
  private paired: HeadsetDevice | null = null;
  /** Its HIDDevice while plugged in. */
  private device: HidDeviceLike | null = null;
  private layout: TelephonyLayout | null = null;
  private owner = false;
  /** Opening the current device failed; tried again on the next change (or Try again). */
  private failed = false;
  private lines: LinesSnapshot = initialLines;
  /** Set once loaded; every layout was parsed by it. */
  private engine: HeadsetEngine | null = null;
  /** Unplugged devices, so one unplugged while the engine loads is not taken for plugged in. */
  private readonly gone = new WeakSet<HidDeviceLike>();

  /** The device this model has open and listens to, with its layout. */
  private open: { device: HidDeviceLike; layout: TelephonyLayout; engine: HeadsetEngine } | null =
    null;
  private memory: InputMemory = NO_MEMORY;
  /** The bytes last written to each output report of the open device. */
  private readonly written = new Map<number, string>();
  /** The next step writes every light even if unchanged. */
  private rewrite = false;
  private queue: Promise<void> = Promise.resolve();
  private listening = false;

  constructor(options: HeadsetOptions) {
    super(initialHeadset(options.hid !== undefined));
    this.hid = options.hid;
    this.phone = options.phone;
    this.storage = options.storage;
    this.subscriptions.push(
      options.lines$.subscribe((lines) => {
        this.lines = lines;
        if (this.open) void this.reconcile();
      }),
      options.owner$.subscribe((owner) => {
        if (owner === this.owner) return;
        this.owner = owner;
        this.failed = false;
        void this.reconcile();
      }),
    );
  }

  /** Whether this browser can talk to a headset at all. */
  get supported(): boolean {
    return this.hid !== undefined;
  }

  /**
   * Finds the remembered headset among the devices the page may use and opens it when this
   * tab owns the phone; follows plugging in and out from then on.
   */
  async start(): Promise<void> {
    const hid = this.hid;
    if (!hid || this.listening) return;
    this.listen(hid);
    let granted: HidDeviceLike[] = [];
    try {
      granted = await hid.getDevices();
    } catch (error) {
      logger.warn('headset: cannot list the granted devices', error);
    }
    // The engine only when there is a device to look at.
    const [stored, engine] = await Promise.all([
      this.readStored(),
      granted.length > 0 ? this.tryEngine() : null,
    ]);
    if (stored === 'none' || this.paired) return;
    const device = granted.find(
      (d) => engine?.parseTelephony(d.collections) && (stored === null || sameDevice(d, stored)),
    );
    if (device && engine) {
      await this.use(device, engine);
    } else if (stored) {
      this.paired = stored;
      await this.reconcile();
    }
  }

  /**
   * Shows the browser's chooser for telephony devices and uses the one picked. Call it straight
   * from a click (the chooser needs the user's gesture). Resolves to a message for the user
   * when the pick cannot be used, else null (paired, or the chooser was closed).
   */
  async pair(): Promise<string | null> {
    const hid = this.hid;
    if (!hid) return msg('This browser cannot use headset buttons.');
    // Loads while the chooser is open (awaiting it first could spend the click's gesture).
    const loading = this.loadEngine();
    loading.catch(() => undefined); // awaited below only when something was picked
    let chosen: HidDeviceLike[];
    try {
      chosen = await hid.requestDevice({ filters: HEADSET_FILTERS });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'NotFoundError') return null;
      logger.warn('headset: the chooser failed', error);
      const why = errorText(error);
      return msg(str`The browser did not let us choose a headset (${why}).`);
    }
    this.listen(hid);
    if (chosen.length === 0) return null;
    let engine: HeadsetEngine;
    try {
      engine = await loading;
    } catch (error) {
      logger.warn('headset: cannot load the headset code', error);
      const why = errorText(error);
      return msg(str`The headset could not be opened (${why}).`);
    }
    const device = chosen.find((d) => engine.parseTelephony(d.collections) !== null);
    if (!device) {
      const name = chosen[0]?.productName;
      return name
        ? msg(str`${name} has no call buttons or lights.`)
        : msg('That device has no call buttons or lights.');
    }
    await this.use(device, engine);
    return null;
  }

  /** Closes the headset, revokes the page's access to it and forgets the choice. */
  async forget(): Promise<void> {
    const device = this.device;
    this.paired = null;
    this.device = null;
    this.layout = null;
    this.failed = false;
    this.writeStored('none');
    await this.reconcile();
    try {
      await device?.forget?.();
    } catch (error) {
      logger.warn('headset: cannot revoke the permission', error);
    }
  }

  /** Opening failed: try again. */
  async retry(): Promise<void> {
    this.failed = false;
    await this.reconcile();
  }

  /** Closes the device (lights off) and stops listening; the choice stays remembered. */
  async dispose(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
    if (this.hid && this.listening) {
      this.hid.removeEventListener('connect', this.onConnect);
      this.hid.removeEventListener('disconnect', this.onDisconnect);
      this.listening = false;
    }
    this.owner = false;
    await this.reconcile();
  }

  // ---- the link ------------------------------------------------------------------------------

  private listen(hid: HidLike): void {
    if (this.listening) return;
    this.listening = true;
    hid.addEventListener('connect', this.onConnect);
    hid.addEventListener('disconnect', this.onDisconnect);
  }

  private async loadEngine(): Promise<HeadsetEngine> {
    this.engine ??= await loadEngine();
    return this.engine;
  }

  /** The engine, or null (logged) when it cannot be loaded. */
  private async tryEngine(): Promise<HeadsetEngine | null> {
    try {
      return await this.loadEngine();
    } catch (error) {
      logger.warn('headset: cannot load the headset code', error);
      return null;
    }
  }

  private async use(device: HidDeviceLike, engine: HeadsetEngine): Promise<void> {
    const layout = engine.parseTelephony(device.collections);
    if (!layout) return;
    this.paired = {
      name: device.productName || 'Headset',
      vendorId: device.vendorId,
      productId: device.productId,
    };
    this.device = device;
    this.layout = layout;
    this.failed = false;
    this.writeStored(JSON.stringify(this.paired));
    await this.reconcile();
  }

  private readonly onConnect = (event: Event): void => {
    const { device } = event as HidConnectionEvent;
    this.gone.delete(device);
    if (!this.paired || this.device || !sameDevice(device, this.paired)) return;
    if (this.engine) this.plugged(device, this.engine);
    else
      void this.tryEngine().then((engine) => {
        if (engine) this.plugged(device, engine);
      });
  };

  /** The paired headset was plugged in (checked again: the engine may have been loading). */
  private plugged(device: HidDeviceLike, engine: HeadsetEngine): void {
    if (this.gone.has(device) || !this.paired || this.device) return;
    if (!sameDevice(device, this.paired)) return;
    const layout = engine.parseTelephony(device.collections);
    if (!layout) return;
    this.device = device;
    this.layout = layout;
    this.failed = false;
    void this.reconcile();
  }

  private readonly onDisconnect = (event: Event): void => {
    const { device } = event as HidConnectionEvent;
    this.gone.add(device);
    if (device !== this.device) return;
    this.device = null;
    // The browser closed it: nothing can be written to it any more.
    if (this.open?.device === device) this.dropOpen();
    void this.reconcile();
  };

  /**
   * Queues one step towards what should be. Steps run one at a time, so an ownership change
   * in the middle of opening is handled right after the open finished.
   */
  private reconcile(): Promise<void> {
    const step = this.queue.then(() => this.step());
    this.queue = step.catch((error: unknown) => logger.error('headset: step failed', error));
    return this.queue;
  }

  private async step(): Promise<void> {
    const want = this.device && this.layout && this.owner && !this.failed ? this.device : null;
    if (this.open && this.open.device !== want) await this.close();
    const engine = this.engine;
    if (want && this.layout && engine && !this.open) {
      await this.openDevice(want, this.layout, engine);
    } else if (this.open) await this.writeLights();
    this.settle();
  }

  /** The link's state when no open is under way. */
  private settle(): void {
    let link: HeadsetLink;
    if (!this.supported) return;
    if (!this.paired) link = HeadsetLink.Unpaired;
    else if (!this.device) link = HeadsetLink.Unplugged;
    else if (this.failed) link = HeadsetLink.Error;
    else if (!this.owner) link = HeadsetLink.Released;
    else if (this.open) link = HeadsetLink.Ready;
    else return;
    this.move(link);
  }

  private move(link: HeadsetLink, reason: string | null = null): void {
    const layout = this.layout;
    const controls = layout && this.engine ? this.engine.controlsOf(layout) : null;
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && a.every((x, i) => x === b[i]);
    const s = this.state;
    this.setState(
      headsetLinked(s, link, {
        device: this.paired && sameInfo(s.device, this.paired) ? s.device : this.paired,
        inputs: controls && !same(controls.inputs, s.inputs) ? controls.inputs : s.inputs,
        outputs: controls && !same(controls.outputs, s.outputs) ? controls.outputs : s.outputs,
        reason,
      }),
    );
  }

  private async openDevice(
    device: HidDeviceLike,
    layout: TelephonyLayout,
    engine: HeadsetEngine,
  ): Promise<void> {
    this.move(HeadsetLink.Opening);
    try {
      if (!device.opened) await device.open();
    } catch (error) {
      logger.warn('headset: cannot open the device', error);
      this.failed = true;
      const why = errorText(error);
      this.move(HeadsetLink.Error, msg(str`The headset could not be opened (${why}).`));
      return;
    }
    device.addEventListener('inputreport', this.onInput);
    this.open = { device, layout, engine };
    this.memory = NO_MEMORY;
    this.written.clear();
    this.rewrite = true;
    await this.writeLights();
  }

  /** Lights off, then close (another tab will take the device, or nobody needs it). */
  private async close(): Promise<void> {
    const open = this.open;
    if (!open) return;
    const stillThere = open.device === this.device;
    this.dropOpen();
    if (stillThere) {
      for (const report of open.engine.encodeOutputs(open.layout, open.engine.LEDS_OFF)) {
        try {
          await open.device.sendReport(report.reportId, report.data);
        } catch (error) {
          logger.debug('headset: cannot turn the lights off', error);
        }
      }
    }
    try {
      if (open.device.opened) await open.device.close();
    } catch (error) {
      logger.warn('headset: cannot close the device', error);
    }
  }

  private dropOpen(): void {
    this.open?.device.removeEventListener('inputreport', this.onInput);
    this.open = null;
    this.memory = NO_MEMORY;
    this.written.clear();
  }

  /** Writes the output reports whose lights changed (all of them after opening or a resync). */
  private async writeLights(): Promise<void> {
    const open = this.open;
    if (!open) return;
    const force = this.rewrite;
    this.rewrite = false;
    const { engine } = open;
    const leds = engine.ledsFor(this.lines);
    const reports = engine
      .encodeOutputs(open.layout, leds)
      .map((report) => ({ ...report, key: report.data.join(',') }))
      .filter((report) => force || this.written.get(report.reportId) !== report.key);
    if (reports.length === 0) return;
    // The headset's own hook and mute follow these lights: remember that before writing, so
    // its echo (which may come before sendReport resolves) is not taken for a press.
    const touched = new Set<OutputControl>(
      open.layout.outputs
        .filter((f) => reports.some((r) => r.reportId === f.reportId))
        .map((f) => f.control),
    );
    this.memory = engine.hostSet(open.layout, this.memory, leds, touched);
    for (const report of reports) {
      this.written.set(report.reportId, report.key);
      try {
        await open.device.sendReport(report.reportId, report.data);
      } catch (error) {
        this.written.delete(report.reportId);
        logger.warn('headset: cannot set the lights', error);
      }
    }
  }

  // ---- buttons -------------------------------------------------------------------------------

  private readonly onInput = (event: Event): void => {
    const open = this.open;
    if (!open) return;
    const { reportId, data } = event as HidInputReportEvent;
    const { memory, actions } = open.engine.interpretReport(
      open.layout,
      this.memory,
      reportId,
      data,
    );
    this.memory = memory;
    let unheeded = false;
    for (const action of actions) {
      const command = open.engine.commandFor(action, this.lines);
      logger.debug(`headset: ${action} → ${command?.kind ?? 'nothing'}`);
      if (command) {
        this.run(command).catch((error: unknown) =>
          logger.warn(`headset: ${command.kind} failed`, error),
        );
      } else if (STATEFUL.has(action)) unheeded = true;
    }
    // The headset changed a state the calls do not follow (picked up with nothing ringing,
    // muted without a call): set its lights, and with them its state, back to the calls'.
    if (unheeded) {
      this.rewrite = true;
      void this.reconcile();
    }
  };

  private async run(command: HeadsetCommand): Promise<void> {
    switch (command.kind) {
      case 'answer':
        return this.phone.answer(command.callId);
      case 'reject':
        return this.phone.reject(command.callId);
      case 'hangup':
        return this.phone.hangup(command.callId);
      case 'toggleMute':
        return this.phone.toggleMute(command.callId);
      case 'toggleHold':
        return this.phone.toggleHold(command.callId);
      case 'swap':
        return this.phone.swap();
    }
  }

  // ---- the remembered choice -----------------------------------------------------------------

  private async readStored(): Promise<HeadsetDevice | 'none' | null> {
    let raw: string | null;
    try {
      raw = (await this.storage?.read()) ?? null;
    } catch {
      return null;
    }
    if (raw === 'none') return 'none';
    if (!raw) return null;
    try {
      const value = JSON.parse(raw) as Partial<HeadsetDevice>;
      if (typeof value.vendorId !== 'number' || typeof value.productId !== 'number') return null;
      return {
        name: typeof value.name === 'string' ? value.name : 'Headset',
        vendorId: value.vendorId,
        productId: value.productId,
      };
    } catch {
      return null;
    }
  }

  private writeStored(value: string): void {
    this.storage?.write(value).catch((error: unknown) => {
      logger.debug('headset: cannot remember the choice', error);
    });
  }
}

function sameDevice(device: HidDeviceLike, info: HeadsetDevice): boolean {
  return device.vendorId === info.vendorId && device.productId === info.productId;
}

function sameInfo(a: HeadsetDevice | null, b: HeadsetDevice): boolean {
  return !!a && a.name === b.name && a.vendorId === b.vendorId && a.productId === b.productId;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
