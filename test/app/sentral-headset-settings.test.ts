/**
 * The headset section of the audio settings, over a simulated WebHID: pairing through the
 * chooser shows the headset's name and state, Forget, a cancelled chooser, a device without
 * call buttons, a failed open with Try again, the tab without the phone, no WebHID at all —
 * and no axe violations.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { audioSettingsContext } from '../../src/app/contexts.js';
import { headsetContext } from '../../src/app/headset-context.js';
import '../../src/app/sentral-audio-settings.js';
import type { SentralAudioSettings } from '../../src/app/sentral-audio-settings.js';
import '../../src/app/sentral-headset-settings.js';
import { headsetStatusText } from '../../src/app/sentral-headset-settings.js';
import type { SentralHeadsetSettings } from '../../src/app/sentral-headset-settings.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import { HeadsetLink } from '../../src/store/headset/headset-link-state.js';
import { JABRA_LIKE, POLY_LIKE } from '../headset/descriptors.js';
import { FakeHid, FakeHidDevice, MemoryStorage, chooserCancelled } from './fake-hid.js';
import { FakeApiClient, FakePhone, deepQuery, kariSip, mount, must, settle } from './fakes.js';

describe('sentral-headset-settings', () => {
  let hid: FakeHid;
  let services: Services;
  let element: SentralHeadsetSettings;
  let cleanup: () => void = () => undefined;

  const q = <E extends Element = HTMLElement>(selector: string) => deepQuery<E>(element, selector);
  const text = (selector: string) => q(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
  const stateOf = () => q('[data-testid=headset-state]')?.dataset['state'];
  const click = (testid: string) =>
    must(q<HTMLButtonElement>(`[data-testid=${testid}]`), testid).click();

  async function mountWith(s: Services): Promise<void> {
    const mounted = await mount<SentralHeadsetSettings>(
      html`<sentral-headset-settings></sentral-headset-settings>`,
      [[headsetContext, s.headset]],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
    await settle(element);
  }

  beforeEach(async () => {
    hid = new FakeHid();
    services = assembleServices(
      new FakeApiClient(),
      () => new FakePhone(),
      {},
      {},
      {
        hid,
        storage: new MemoryStorage(),
      },
    );
    await services.phone.start(kariSip);
  });

  afterEach(async () => {
    cleanup();
    cleanup = () => undefined;
    await services.headset.dispose();
    await services.phone.stop();
  });

  it('pairs a headset from the button and shows its name, state, buttons and lights', async () => {
    await mountWith(services);
    expect(stateOf()).to.equal(HeadsetLink.Unpaired);
    expect(text('[data-testid=headset-state]')).to.contain('No headset paired');
    expect(text('[data-testid=headset-pair]')).to.equal('Pair headset');
    expect(q('[data-testid=headset-forget]')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();

    const device = new FakeHidDevice(JABRA_LIKE);
    hid.pick = [device];
    click('headset-pair');
    // The chooser is asked at once, inside the click (it needs the user's gesture).
    expect(hid.requests).to.deep.equal([{ filters: [{ usagePage: 0x0b }] }]);
    await waitUntil(() => stateOf() === HeadsetLink.Ready, 'not ready');
    expect(text('[data-testid=headset-name]')).to.equal(JABRA_LIKE.name);
    expect(text('[data-testid=headset-state]')).to.contain('is ready');
    expect(text('[data-testid=headset-controls]')).to.equal(
      'Buttons: call (hook switch), mute, flash, reject. Lights: in call, ring, mute, hold.',
    );
    expect(text('[data-testid=headset-pair]')).to.equal('Pair another headset');
    expect(device.opened).to.equal(true);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('Forget closes the headset and revokes the permission', async () => {
    await mountWith(services);
    const device = new FakeHidDevice(POLY_LIKE);
    hid.pick = [device];
    click('headset-pair');
    await waitUntil(() => stateOf() === HeadsetLink.Ready);
    click('headset-forget');
    await waitUntil(() => stateOf() === HeadsetLink.Unpaired, 'not forgotten');
    expect(device.forgotten).to.equal(true);
    expect(q('[data-testid=headset-name]')).to.equal(null);
  });

  it('a closed chooser changes nothing and says nothing', async () => {
    await mountWith(services);
    hid.pick = chooserCancelled();
    click('headset-pair');
    await settle(element);
    await waitUntil(() => !must(q<HTMLButtonElement>('[data-testid=headset-pair]')).disabled);
    expect(stateOf()).to.equal(HeadsetLink.Unpaired);
    expect(text('[data-testid=headset-message]')).to.equal('');
  });

  it('a device without call buttons is refused with a message', async () => {
    await mountWith(services);
    const keypad = new FakeHidDevice({
      ...JABRA_LIKE,
      name: 'Some Keypad',
      collections: [{ usagePage: 0x0b, usage: 0x06, inputReports: [], outputReports: [] }],
    });
    hid.pick = [keypad];
    click('headset-pair');
    await waitUntil(() => text('[data-testid=headset-message]') !== '', 'no message');
    expect(text('[data-testid=headset-message]')).to.equal(
      'Some Keypad has no call buttons or lights.',
    );
    expect(stateOf()).to.equal(HeadsetLink.Unpaired);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('a failed open shows the reason and Try again', async () => {
    await mountWith(services);
    const device = new FakeHidDevice(JABRA_LIKE);
    device.failOpen = new DOMException('Failed to open the device.', 'NotAllowedError');
    hid.pick = [device];
    click('headset-pair');
    await waitUntil(() => stateOf() === HeadsetLink.Error);
    expect(text('[data-testid=headset-state]')).to.contain('Failed to open the device.');
    await expect(element).shadowDom.to.be.accessible();
    click('headset-retry');
    await waitUntil(() => stateOf() === HeadsetLink.Ready, 'retry did not open it');
    expect(q('[data-testid=headset-retry]')).to.equal(null);
  });

  it('says the headset is left to the tab with the phone', async () => {
    await mountWith(services);
    hid.pick = [new FakeHidDevice(JABRA_LIKE)];
    click('headset-pair');
    await waitUntil(() => stateOf() === HeadsetLink.Ready);
    await services.phone.stop(); // as when another tab has the phone: this one has none
    await waitUntil(() => stateOf() === HeadsetLink.Released);
    expect(text('[data-testid=headset-state]')).to.contain(
      'left to the Sentral tab that has the phone',
    );
    await expect(element).shadowDom.to.be.accessible();
  });

  it('says plainly when the browser has no WebHID, and offers no button', async () => {
    const none = assembleServices(
      new FakeApiClient(),
      () => new FakePhone(),
      {},
      {},
      { hid: null },
    );
    await mountWith(none);
    expect(stateOf()).to.equal(HeadsetLink.Unsupported);
    expect(text('[data-testid=headset-state]')).to.contain(
      'This browser cannot use the buttons of a USB headset',
    );
    expect(q('[data-testid=headset-pair]')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();
    // On a plain-HTTP page the reason is the page, not the browser.
    expect(headsetStatusText(none.headset.state, false)).to.equal(
      'Headset buttons work only when Sentral is opened over HTTPS.',
    );
  });

  it('renders nothing without a headset service', async () => {
    const mounted = await mount<SentralHeadsetSettings>(
      html`<sentral-headset-settings></sentral-headset-settings>`,
    );
    cleanup = mounted.cleanup;
    element = mounted.element;
    expect(q('[data-testid=headset-settings]')).to.equal(null);
  });

  it('sits in the audio settings', async () => {
    const mounted = await mount<SentralAudioSettings>(
      html`<sentral-audio-settings></sentral-audio-settings>`,
      [
        [audioSettingsContext, services.audio],
        [headsetContext, services.headset],
      ],
    );
    cleanup = mounted.cleanup;
    await settle(mounted.element);
    const headset = must(deepQuery(mounted.element, '[data-testid=headset-settings]'), 'headset');
    expect(headset.querySelector('legend')?.textContent).to.equal('Headset buttons');
    await expect(mounted.element).shadowDom.to.be.accessible();
  });
});
