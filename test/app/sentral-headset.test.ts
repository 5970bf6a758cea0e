/**
 * The USB headset against the phone, with a simulated HID device (test/app/fake-hid.ts) over
 * two real descriptor layouts — a Jabra-like one (absolute hook switch, toggle mute, report 2,
 * ring on a second report too) and a Poly-like one (absolute mute and hook after a 16-bit vendor
 * field, lights in reports 9 and 10): hook off answers, hook on hangs up, mute toggles with
 * its light, duplicate reports do nothing, the ring light rings, the device is released when
 * another tab owns the phone and reopened when this one does, unplugging and a failed open.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { Party } from '../../src/sip/phone.js';
import { HeadsetLink } from '../../src/store/headset/headset-link-state.js';
import { SharedPhone, TabRole } from '../../src/store/shared-phone.js';
import { JABRA_LIKE, POLY_LIKE } from '../headset/descriptors.js';
import type { HeadsetFixture, Lights } from '../headset/descriptors.js';
import { FakeHid, FakeHidDevice, MemoryStorage } from './fake-hid.js';
import { FakeApiClient, FakePhone, kariSip } from './fakes.js';

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };
const per: Party = { displayName: 'Per Berg', number: '1003', uri: 'sip:1003@sentral.invalid' };

const OFF: Lights = { offHook: false, ring: false, mute: false, hold: false };

function sameLights(a: Lights, b: Lights): boolean {
  return a.offHook === b.offHook && a.ring === b.ring && a.mute === b.mute && a.hold === b.hold;
}

/** Lets queued reports and writes run (each fake call takes a microtask or a timer). */
const tick = () => new Promise((r) => setTimeout(r, 10));

interface Rig {
  services: Services;
  phone: FakePhone;
  hid: FakeHid;
  storage: MemoryStorage;
}

function rig(storage = new MemoryStorage(), hid = new FakeHid()): Rig {
  const phone = new FakePhone();
  const services = assembleServices(new FakeApiClient(), () => phone, {}, {}, { hid, storage });
  return { services, phone, hid, storage };
}

async function pairWith(r: Rig, fixture: HeadsetFixture): Promise<FakeHidDevice> {
  const device = new FakeHidDevice(fixture);
  r.hid.pick = [device];
  expect(await r.services.headset.pair()).to.equal(null);
  await waitUntil(() => r.services.headset.state.link === HeadsetLink.Ready, 'not ready');
  return device;
}

for (const fixture of [JABRA_LIKE, POLY_LIKE]) {
  describe(`headset call control: ${fixture.name}`, () => {
    let r: Rig;
    let device: FakeHidDevice;

    beforeEach(async () => {
      r = rig();
      await r.services.phone.start(kariSip);
      device = await pairWith(r, fixture);
    });

    afterEach(async () => {
      await r.services.headset.dispose();
      await r.services.phone.stop();
    });

    const ring = (callId = 'c1', remote = ola) =>
      r.phone.emit({ type: 'incoming', callId, remote, autoAnswer: false });
    const lightsAre = (lights: Lights, what: string) =>
      waitUntil(
        () => sameLights(device.lights(), lights),
        `${what}: ${JSON.stringify(device.lights())}`,
      );

    it('pairs from the chooser (Telephony usage page), opens the device and writes every light off', async () => {
      expect(r.hid.requests).to.deep.equal([{ filters: [{ usagePage: 0x0b }] }]);
      expect(device.opened).to.equal(true);
      expect(device.lights()).to.deep.equal(OFF);
      const reportIds = fixture === JABRA_LIKE ? [2, 3] : [9, 10];
      expect(device.sent.map((s) => s.reportId)).to.deep.equal(reportIds);
      expect(r.services.headset.state.device?.name).to.equal(fixture.name);
      expect(r.services.headset.state.inputs).to.include.members(['hook', 'mute']);
      expect(JSON.parse(r.storage.value ?? '{}')).to.include({
        vendorId: fixture.vendorId,
        productId: fixture.productId,
      });
    });

    it('rings while a call rings in; hook off answers it; the ring stops and the off-hook light comes on', async () => {
      ring();
      await lightsAre({ ...OFF, ring: true }, 'ring light');
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'), 'not answered');
      r.phone.emit({ type: 'established', callId: 'c1' });
      await lightsAre({ ...OFF, offHook: true }, 'off-hook light');
    });

    it('hook on hangs up the call; the lights go out when it ends', async () => {
      ring();
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'));
      r.phone.emit({ type: 'established', callId: 'c1' });
      await lightsAre({ ...OFF, offHook: true }, 'in call');
      device.send({});
      await waitUntil(() => r.phone.commands.includes('hangup c1'), 'not hung up');
      r.phone.emit({ type: 'ended', callId: 'c1', reason: 'local_hangup' });
      await lightsAre(OFF, 'after the call');
    });

    it('the headset follows calls handled on screen: answered there, hung up from the headset; after the far end hangs up, the next pick-up answers', async () => {
      // The headset's hook switch follows the Off-Hook light, so after "Answer" on screen it is
      // off hook and its button sends hook = 0 (the same level as before the call).
      ring();
      await r.services.phone.answer('c1');
      r.phone.emit({ type: 'established', callId: 'c1' });
      await lightsAre({ ...OFF, offHook: true }, 'answered on screen');
      device.send({});
      await waitUntil(() => r.phone.commands.includes('hangup c1'), 'headset cannot hang up');
      r.phone.emit({ type: 'ended', callId: 'c1', reason: 'local_hangup' });
      await lightsAre(OFF, 'after the call');

      // Picked up from the headset; the far end hangs up: the light (and the hook) go on hook,
      // so the next pick-up sends hook = 1 again and answers.
      ring('c2', per);
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c2'));
      r.phone.emit({ type: 'established', callId: 'c2' });
      r.phone.emit({ type: 'ended', callId: 'c2', reason: 'remote_hangup' });
      await lightsAre(OFF, 'hung up by the far end');
      ring('c3', ola);
      device.send({ hook: true });
      await waitUntil(
        () => r.phone.commands.includes('answer c3'),
        'the next call is not answered',
      );
    });

    it('the ring light goes out when the caller gives up', async () => {
      ring();
      await lightsAre({ ...OFF, ring: true }, 'ringing');
      r.phone.emit({ type: 'ended', callId: 'c1', reason: 'cancelled' });
      await lightsAre(OFF, 'after the cancel');
      expect(r.phone.commands.filter((c) => c.startsWith('answer'))).to.deep.equal([]);
    });

    it('mute button mutes and unmutes; the mute light follows the app, also when muted on screen', async () => {
      ring();
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'));
      r.phone.emit({ type: 'established', callId: 'c1' });
      await lightsAre({ ...OFF, offHook: true }, 'in call');

      // Toggle headsets send press + release; absolute ones send the new state.
      if (fixture.absolute.mute) device.send({ hook: true, mute: true });
      else device.click('mute');
      await waitUntil(() => r.phone.commands.includes('mute c1'), 'not muted');
      r.phone.emit({ type: 'mute', callId: 'c1', muted: true });
      await lightsAre({ ...OFF, offHook: true, mute: true }, 'mute light on');

      if (fixture.absolute.mute) device.send({ hook: true, mute: false });
      else device.click('mute');
      await waitUntil(() => r.phone.commands.includes('unmute c1'), 'not unmuted');
      r.phone.emit({ type: 'mute', callId: 'c1', muted: false });
      await lightsAre({ ...OFF, offHook: true }, 'mute light off');

      // Muted from the screen: the light follows, and the headset's state with it.
      r.services.phone.toggleMute('c1');
      expect(r.phone.commands.at(-1)).to.equal('mute c1');
      r.phone.emit({ type: 'mute', callId: 'c1', muted: true });
      await lightsAre({ ...OFF, offHook: true, mute: true }, 'muted on screen');
      if (fixture.absolute.mute) {
        // Its echo of the muted state is not a press…
        device.send({ hook: true, mute: true });
        await tick();
        expect(r.phone.commands.filter((c) => c.endsWith('mute c1'))).to.have.length(3);
        // …and the next press unmutes.
        device.send({ hook: true, mute: false });
      } else {
        device.click('mute');
      }
      await waitUntil(
        () => r.phone.commands.filter((c) => c === 'unmute c1').length === 2,
        'not unmuted from the headset',
      );
    });

    it('ignores duplicate reports: the same state sent again does nothing', async () => {
      ring();
      device.send({ hook: true });
      device.send({ hook: true });
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'));
      await tick();
      r.phone.emit({ type: 'established', callId: 'c1' });
      device.send({ hook: true });
      // A mute press repeated before its release (or an absolute mute sent twice) is one toggle.
      device.send({ hook: true, mute: true });
      device.send({ hook: true, mute: true });
      await tick();
      device.send({ hook: true });
      await tick();
      const muteCommands = r.phone.commands.filter((c) => c.endsWith('mute c1'));
      const answers = r.phone.commands.filter((c) => c.startsWith('answer'));
      expect(answers).to.deep.equal(['answer c1']);
      expect(muteCommands).to.deep.equal(['mute c1']);
      // Output reports are written only when a light changes.
      const writes = device.writes;
      r.phone.emit({ type: 'dtmf', callId: 'c1', digit: '5' });
      await tick();
      expect(device.writes).to.equal(writes);
    });

    it('Flash answers a second call and holds the first; hook on then hangs up the line that talks', async () => {
      ring();
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'));
      r.phone.emit({ type: 'established', callId: 'c1' });
      ring('c2', per);
      await lightsAre({ ...OFF, offHook: true, ring: true }, 'call waiting');
      device.click('flash');
      await waitUntil(() => r.phone.commands.includes('answer c2'), 'waiting call not answered');
      r.phone.emit({ type: 'hold', callId: 'c1', held: true });
      r.phone.emit({ type: 'established', callId: 'c2' });
      await lightsAre({ ...OFF, offHook: true }, 'second call up');
      device.send({});
      await waitUntil(() => r.phone.commands.includes('hangup c2'), 'talking line not hung up');
      expect(r.phone.commands).not.to.include('hangup c1');
    });

    it('picking up with nothing ringing sets the headset back on hook', async () => {
      device.send({ hook: true });
      await tick();
      expect(r.phone.commands.filter((c) => c.startsWith('answer'))).to.deep.equal([]);
      // The lights are written again (off hook: off); its next pick-up then counts.
      await lightsAre(OFF, 'still idle');
      ring();
      device.send({ hook: true });
      await waitUntil(() => r.phone.commands.includes('answer c1'), 'the next pick-up did nothing');
    });
  });
}

describe('headset: Jabra-like echoes and Line Busy Tone', () => {
  let r: Rig;
  let device: FakeHidDevice;

  beforeEach(async () => {
    r = rig();
    await r.services.phone.start(kariSip);
    device = await pairWith(r, JABRA_LIKE);
    device.echoHook = true;
  });

  afterEach(async () => {
    await r.services.headset.dispose();
    await r.services.phone.stop();
  });

  it('answered on screen: the headset echoes the off-hook light (no command); its button then hangs up', async () => {
    r.phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await r.services.phone.answer('c1');
    r.phone.emit({ type: 'established', callId: 'c1' });
    // The light goes on; the headset reports hook = 1 back.
    await waitUntil(() => device.lights().offHook, 'off-hook light');
    await tick();
    expect(r.phone.commands).to.deep.equal(['register', 'answer c1']);
    // The headset's call button: hook = 0.
    device.send({ hook: false });
    await waitUntil(() => r.phone.commands.includes('hangup c1'), 'not hung up');
    r.phone.emit({ type: 'ended', callId: 'c1', reason: 'local_hangup' });
    await waitUntil(() => !device.lights().offHook);
    // The far end hangs up the next call: the light goes out and the echo (hook = 0) is no
    // action; the next press (hook = 1, the same bytes as the echo of the first call) answers.
    r.phone.emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: false });
    device.send({ hook: true });
    await waitUntil(() => r.phone.commands.includes('answer c2'));
    r.phone.emit({ type: 'established', callId: 'c2' });
    r.phone.emit({ type: 'ended', callId: 'c2', reason: 'remote_hangup' });
    await waitUntil(() => !device.lights().offHook);
    await tick();
    expect(r.phone.commands.filter((c) => c.startsWith('hangup'))).to.deep.equal(['hangup c1']);
  });

  it('Line Busy Tone rejects the ringing call', async () => {
    r.phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    device.click('busy');
    await waitUntil(() => r.phone.commands.includes('reject c1'), 'not rejected');
  });
});

describe('headset: the device link', () => {
  let r: Rig;
  afterEach(async () => {
    await r.services.headset.dispose();
    await r.services.phone.stop();
  });

  it('reopens the headset granted before (navigator.hid.getDevices) on start', async () => {
    const storage = new MemoryStorage();
    const first = rig(storage);
    await first.services.phone.start(kariSip);
    const device = await pairWith(first, POLY_LIKE);
    await first.services.headset.dispose();
    await first.services.phone.stop();
    expect(device.opened).to.equal(false);

    // The next page load: the same permission and the same remembered choice.
    const hid = new FakeHid();
    const other = new FakeHidDevice(JABRA_LIKE);
    const again = new FakeHidDevice(POLY_LIKE);
    hid.granted.push(other, again);
    r = rig(storage, hid);
    await r.services.phone.start(kariSip);
    await r.services.headset.start();
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Ready, 'not reopened');
    expect(again.opened).to.equal(true);
    expect(other.opened).to.equal(false);
    expect(hid.requests).to.have.length(0); // no chooser
  });

  it('a remembered headset that is not plugged in is unplugged until it is; unplugging closes it', async () => {
    const storage = new MemoryStorage();
    storage.value = JSON.stringify({
      name: JABRA_LIKE.name,
      vendorId: JABRA_LIKE.vendorId,
      productId: JABRA_LIKE.productId,
    });
    r = rig(storage);
    await r.services.phone.start(kariSip);
    await r.services.headset.start();
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Unplugged);
    expect(r.services.headset.state.device?.name).to.equal(JABRA_LIKE.name);

    const device = r.hid.plugIn(JABRA_LIKE);
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Ready, 'not opened');
    expect(device.opened).to.equal(true);

    r.phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await waitUntil(() => device.lights().ring);
    r.hid.unplug(device);
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Unplugged);
    // Plugged in again mid-ring: a new HIDDevice, opened, and it rings at once.
    const back = r.hid.plugIn(JABRA_LIKE);
    await waitUntil(() => back.lights().ring, 'does not ring after replugging');
    back.send({ hook: true });
    await waitUntil(() => r.phone.commands.includes('answer c1'));
  });

  it('an open that fails is an error with the reason; Try again opens it', async () => {
    r = rig();
    await r.services.phone.start(kariSip);
    const device = new FakeHidDevice(POLY_LIKE);
    device.failOpen = new DOMException('Failed to open the device.', 'NotAllowedError');
    r.hid.pick = [device];
    await r.services.headset.pair();
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Error);
    expect(r.services.headset.state.reason).to.contain('Failed to open the device.');
    await r.services.headset.retry();
    expect(r.services.headset.state.link).to.equal(HeadsetLink.Ready);
    expect(device.opened).to.equal(true);
  });

  it('logging out releases the headset: lights off, device closed; logging in opens it again', async () => {
    r = rig();
    await r.services.phone.start(kariSip);
    const device = await pairWith(r, JABRA_LIKE);
    r.phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await waitUntil(() => device.lights().ring);
    await r.services.phone.stop();
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Released);
    expect(device.opened).to.equal(false);
    expect(device.lights()).to.deep.equal(OFF);
    await r.services.phone.start(kariSip);
    await waitUntil(() => r.services.headset.state.link === HeadsetLink.Ready);
    expect(device.opens).to.equal(2);
  });

  it('Forget closes the headset, revokes the permission and is remembered', async () => {
    r = rig();
    await r.services.phone.start(kariSip);
    const device = await pairWith(r, JABRA_LIKE);
    await r.services.headset.forget();
    expect(r.services.headset.state.link).to.equal(HeadsetLink.Unpaired);
    expect(r.services.headset.state.device).to.equal(null);
    expect(device.forgotten).to.equal(true);
    expect(r.storage.value).to.equal('none');
    // A granted device is not taken again on the next start.
    const next = rig(r.storage);
    next.hid.granted.push(new FakeHidDevice(JABRA_LIKE));
    await next.services.headset.start();
    expect(next.services.headset.state.link).to.equal(HeadsetLink.Unpaired);
    await next.services.headset.dispose();
  });

  it('says so when the browser has no WebHID', () => {
    r = rig();
    const none = assembleServices(
      new FakeApiClient(),
      () => new FakePhone(),
      {},
      {},
      { hid: null },
    );
    expect(none.headset.state.link).to.equal(HeadsetLink.Unsupported);
    expect(none.headset.supported).to.equal(false);
  });
});

describe('headset: one tab owns the phone', () => {
  /** A tab: its services over a SharedPhone on the page's real Web Locks and BroadcastChannel. */
  class Tab {
    readonly made: FakePhone[] = [];
    readonly hid = new FakeHid();
    readonly services: Services;
    shared: SharedPhone | null = null;
    constructor() {
      this.services = assembleServices(
        new FakeApiClient(),
        (credentials) => {
          this.shared = new SharedPhone({
            key: credentials.aor,
            create: () => {
              const phone = new FakePhone();
              this.made.push(phone);
              return phone;
            },
            locks: navigator.locks,
            channel: (name) => new BroadcastChannel(name),
          });
          return this.shared;
        },
        {},
        {},
        { hid: this.hid, storage: new MemoryStorage() },
      );
    }
    get link(): HeadsetLink {
      return this.services.headset.state.link;
    }
  }

  let tabs: Tab[];
  let sip: typeof kariSip;
  beforeEach(() => {
    tabs = [];
    sip = { ...kariSip, aor: `sip:kari-${Math.random().toString(36).slice(2)}@sentral.invalid` };
  });
  afterEach(async () => {
    for (const tab of tabs) {
      await tab.services.headset.dispose();
      await tab.services.phone.stop();
    }
  });

  const open = async () => {
    const tab = new Tab();
    tabs.push(tab);
    await tab.services.phone.start(sip);
    return tab;
  };

  it('only the owner tab opens the headset; the next owner opens it when the first tab closes', async () => {
    const first = await open();
    await waitUntil(() => first.shared?.role === TabRole.Owner);
    const firstDevice = new FakeHidDevice(JABRA_LIKE);
    first.hid.pick = [firstDevice];
    await first.services.headset.pair();
    await waitUntil(() => first.link === HeadsetLink.Ready);

    // The same headset paired in a second tab of the same user: it stays closed there.
    const second = await open();
    expect(second.shared?.role).to.equal(TabRole.Follower);
    const secondDevice = new FakeHidDevice(JABRA_LIKE);
    second.hid.pick = [secondDevice];
    await second.services.headset.pair();
    await waitUntil(() => second.link === HeadsetLink.Released);
    expect(secondDevice.opens).to.equal(0);

    // A call rings in both tabs; only the owner's headset rings, and its hook switch answers.
    const owner = first.made[0];
    if (!owner) throw new Error('no phone in the first tab');
    owner.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await waitUntil(() => firstDevice.lights().ring, 'owner headset does not ring');
    await waitUntil(() => second.services.lines.line('c1') !== undefined);
    expect(secondDevice.sent).to.have.length(0);
    firstDevice.send({ hook: true });
    await waitUntil(() => owner.commands.includes('answer c1'));
    owner.emit({ type: 'established', callId: 'c1' });
    await waitUntil(() => firstDevice.lights().offHook);

    // The first tab closes (its phone goes): its headset is put out and closed; the second
    // tab takes the phone over and opens its headset.
    await first.services.phone.stop();
    await waitUntil(() => first.link === HeadsetLink.Released);
    expect(firstDevice.opened).to.equal(false);
    expect(firstDevice.lights()).to.deep.equal(OFF);
    await waitUntil(() => second.shared?.role === TabRole.Owner, 'no handover');
    await waitUntil(() => second.link === HeadsetLink.Ready, 'second tab did not open it');
    expect(secondDevice.opened).to.equal(true);
    expect(secondDevice.lights()).to.deep.equal(OFF);
  });
});
