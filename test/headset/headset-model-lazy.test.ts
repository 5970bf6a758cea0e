/**
 * The headset's parser and report code (`headset-engine.ts`) is fetched only once a headset is
 * in sight: most users have none, and the switchboard route has a size budget (issue 5).
 */
import { BehaviorSubject } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeadsetLink } from '../../src/store/headset/headset-link-state.js';
import { HeadsetModel } from '../../src/store/headset/headset-model.js';
import type { HeadsetPhone } from '../../src/store/headset/headset-model.js';
import { initialLines } from '../../src/store/lines-state.js';
import { FakeHid, FakeHidDevice, MemoryStorage } from '../app/fake-hid.js';
import { JABRA_LIKE } from './descriptors.js';

const engine = vi.hoisted(() => ({ loads: 0 }));
vi.mock('../../src/store/headset/headset-engine.js', async (importOriginal) => {
  engine.loads++;
  return importOriginal();
});

const phone: HeadsetPhone = {
  answer: () => Promise.resolve(),
  reject: () => Promise.resolve(),
  hangup: () => Promise.resolve(),
  toggleMute: () => undefined,
  toggleHold: () => Promise.resolve(),
  swap: () => Promise.resolve(),
};

function model(hid: FakeHid, storage = new MemoryStorage()): HeadsetModel {
  return new HeadsetModel({
    hid,
    phone,
    lines$: new BehaviorSubject(initialLines),
    owner$: new BehaviorSubject(true),
    storage,
  });
}

// In this order: the engine is a module, fetched once per page.
describe('headset: the engine on demand', () => {
  let headset: HeadsetModel | undefined;
  afterEach(() => headset?.dispose());

  it('is not fetched when no device is granted, nor for a remembered headset still unplugged', async () => {
    headset = model(new FakeHid());
    await headset.start();
    expect(headset.state.link).toBe(HeadsetLink.Unpaired);

    const storage = new MemoryStorage();
    const { name, vendorId, productId } = JABRA_LIKE;
    storage.value = JSON.stringify({ name, vendorId, productId });
    await headset.dispose();
    headset = model(new FakeHid(), storage);
    await headset.start();
    expect(headset.state.link).toBe(HeadsetLink.Unplugged);
    expect(engine.loads).toBe(0);
  });

  it('is fetched when a granted headset is found on start, and opens it', async () => {
    const hid = new FakeHid();
    const device = new FakeHidDevice(JABRA_LIKE);
    hid.granted.push(device);
    headset = model(hid);
    await headset.start();
    await vi.waitFor(() => expect(headset?.state.link).toBe(HeadsetLink.Ready));
    expect(device.opened).toBe(true);
    expect(engine.loads).toBe(1);
  });
});
