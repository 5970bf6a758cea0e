import { expect } from '@open-wc/testing';
import { headsetPreference } from '../../src/app/services.js';
import { LEGACY_HEADSET_STORAGE_KEY } from '../../src/store/headset/headset-model.js';
import { PreferencesStore } from '../../src/store/preferences-db.js';

let count = 0;
const freshStore = () => new PreferencesStore(`sentral-preferences-test-${Date.now()}-${count++}`);
const JABRA = JSON.stringify({ name: 'Jabra Evolve2 65', vendorId: 0x0b0e, productId: 0x24b8 });

describe('preferences in IndexedDB', () => {
  afterEach(() => localStorage.removeItem(LEGACY_HEADSET_STORAGE_KEY));

  it('keep a value across stores opened on the same database (a reload)', async () => {
    const name = `sentral-preferences-test-reload-${Date.now()}`;
    await new PreferencesStore(name).set('locale', 'nb');
    expect(await new PreferencesStore(name).get('locale')).to.equal('nb');
    await new PreferencesStore(name).set('locale', null);
    expect(await new PreferencesStore(name).get('locale')).to.equal(null);
  });

  it('remember the chosen headset, and nothing of it in localStorage', async () => {
    const store = freshStore();
    const headset = headsetPreference(store);
    expect(await headset.read()).to.equal(null);
    await headset.write(JABRA);
    expect(await headset.read()).to.equal(JABRA);
    expect(await store.get('headset')).to.equal(JABRA);
    expect(localStorage.getItem(LEGACY_HEADSET_STORAGE_KEY)).to.equal(null);
  });

  it('move a headset choice an older version left in localStorage, and remove it there', async () => {
    localStorage.setItem(LEGACY_HEADSET_STORAGE_KEY, JABRA);
    const store = freshStore();
    expect(await headsetPreference(store).read()).to.equal(JABRA);
    expect(await store.get('headset')).to.equal(JABRA);
    expect(localStorage.getItem(LEGACY_HEADSET_STORAGE_KEY)).to.equal(null);
  });
});
