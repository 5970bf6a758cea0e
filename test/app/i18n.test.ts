import { expect, fixture, html } from '@open-wc/testing';
import { LOCALE_STATUS_EVENT, msg } from '@lit/localize';
import {
  dateTimeFormat,
  getLocale,
  intlLocale,
  localeFromLanguages,
  numberFormat,
  setAppLocale,
  startLocale,
  withViewMessages,
} from '../../src/app/i18n.js';
import '../../src/app/sentral-incoming-call.js';
import '../../src/app/sentral-language-switch.js';
import type { SentralIncomingCall } from '../../src/app/sentral-incoming-call.js';
import type { SentralLanguageSwitch } from '../../src/app/sentral-language-switch.js';
import { PreferencesStore } from '../../src/store/preferences-db.js';

const text = (el: Element, selector: string) =>
  el.shadowRoot?.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

/** Resolves when lit-localize says the language is in (the views re-render on it). */
const localeReady = () =>
  new Promise<void>((resolve) => {
    const ready = (event: Event) => {
      if ((event as CustomEvent<{ status: string }>).detail.status !== 'ready') return;
      window.removeEventListener(LOCALE_STATUS_EVENT, ready);
      resolve();
    };
    window.addEventListener(LOCALE_STATUS_EVENT, ready);
  });

let dbCount = 0;
const freshStore = () =>
  new PreferencesStore(`sentral-preferences-test-${Date.now()}-${dbCount++}`);

describe('languages', () => {
  afterEach(async () => {
    await setAppLocale('en');
  });

  it('follows the browser: Norwegian (bokmål, nynorsk, no) → bokmål, English → English, else English', () => {
    expect(localeFromLanguages(['nb-NO', 'en-US'])).to.equal('nb');
    expect(localeFromLanguages(['nn'])).to.equal('nb');
    expect(localeFromLanguages(['no'])).to.equal('nb');
    expect(localeFromLanguages(['de-DE', 'en-GB', 'nb'])).to.equal('en');
    expect(localeFromLanguages(['sv-SE', 'de'])).to.equal('en');
    expect(localeFromLanguages([])).to.equal('en');
  });

  it('re-renders a view in bokmål in place when the language changes, and back', async () => {
    const el = await fixture<SentralIncomingCall>(
      html`<sentral-incoming-call displayName="Kari" number="+4791234567"></sentral-incoming-call>`,
    );
    expect(text(el, '[data-testid=answer]')).to.equal('Answer');
    expect(text(el, '.label')).to.equal('Incoming call');

    await setAppLocale('nb');
    await el.updateComplete;
    expect(text(el, '[data-testid=answer]')).to.equal('Svar');
    expect(text(el, '[data-testid=reject]')).to.equal('Avvis');
    expect(text(el, '.label')).to.equal('Innkommende samtale');
    await expect(el).shadowDom.to.be.accessible();
    expect(document.documentElement.lang).to.equal('nb');
    // Data is never translated.
    expect(text(el, '[data-testid=caller-name]')).to.equal('Kari');

    await setAppLocale('en');
    await el.updateComplete;
    expect(text(el, '[data-testid=answer]')).to.equal('Answer');
    expect(document.documentElement.lang).to.equal('en');
  });

  it('the switch applies the choice at once and remembers it in IndexedDB for the next start', async () => {
    const store = freshStore();
    const el = await fixture<SentralLanguageSwitch>(
      html`<sentral-language-switch .preferences=${store}></sentral-language-switch>`,
    );
    const select = el.shadowRoot?.querySelector('select') as HTMLSelectElement;
    expect(select.value).to.equal('en');
    expect([...select.options].map((o) => o.textContent)).to.deep.equal([
      'English',
      'Norsk bokmål',
    ]);
    // Labelled, and each language marked with its own lang for screen readers.
    await expect(el).shadowDom.to.be.accessible();
    expect([...select.options].map((o) => o.lang)).to.deep.equal(['en', 'nb']);

    const ready = localeReady();
    select.value = 'nb';
    select.dispatchEvent(new Event('change'));
    await ready;
    await el.updateComplete;
    expect(getLocale()).to.equal('nb');
    expect(text(el, 'label').startsWith('Språk')).to.equal(true);
    // Written right after the switch.
    let stored: string | null = null;
    for (let i = 0; i < 40 && stored !== 'nb'; i++) {
      stored = await store.get('locale');
      if (stored !== 'nb') await new Promise((r) => setTimeout(r, 25));
    }
    expect(stored).to.equal('nb');

    // A new page start reads it back, whatever the browser's language.
    await setAppLocale('en');
    expect(await startLocale(store)).to.equal('nb');
    expect(getLocale()).to.equal('nb');
  });

  it("fetches the lazy views' words with the first lazy view, not with the route", async () => {
    await setAppLocale('nb');
    // The route's words are in; the administration's are not fetched yet.
    expect(msg('Language')).to.equal('Språk');
    expect(msg('Audit log')).to.equal('Audit log');
    const view = await withViewMessages(() => Promise.resolve('the view module'))();
    expect(view).to.equal('the view module');
    expect(msg('Audit log')).to.equal('Revisjonslogg');
    // Switching away and back keeps them (a view once shown may show again).
    await setAppLocale('en');
    expect(msg('Audit log')).to.equal('Audit log');
    await setAppLocale('nb');
    expect(msg('Audit log')).to.equal('Revisjonslogg');
  });

  it('starts in the browser language when nothing is stored', async () => {
    const expected = localeFromLanguages(navigator.languages);
    expect(await startLocale(freshStore())).to.equal(expected);
  });

  it('formats dates and numbers for the language, times on a 24-hour clock when asked', async () => {
    const when = new Date(2026, 11, 5, 14, 30);
    const options: Intl.DateTimeFormatOptions = {
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    };
    const english = dateTimeFormat(options).format(when);
    expect(english).to.contain('December');
    expect(english).to.contain('14:30');
    expect(numberFormat({ maximumFractionDigits: 1 }).format(1234.5)).to.equal('1,234.5');

    await setAppLocale('nb');
    expect(intlLocale()).to.equal('nb-NO');
    const norwegian = dateTimeFormat(options).format(when);
    expect(norwegian).to.contain('desember');
    expect(norwegian).to.contain('14:30');
    // Norwegian groups with a (narrow) no-break space and uses a decimal comma.
    expect(numberFormat({ maximumFractionDigits: 1 }).format(1234.5).replace(/\s/g, ' ')).to.equal(
      '1 234,5',
    );
  });
});
