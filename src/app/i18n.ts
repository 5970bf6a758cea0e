/**
 * The interface language: English (the source text in the views) and Norwegian bokmål, with
 * @lit/localize in runtime mode. Views call `msg()` and carry `@localized()`, so switching the
 * language re-renders them in place: no reload, no dropped call. Translations live in
 * `xliff/nb.xlf`; `npm run i18n:build` writes `locales/` from it (see docs/i18n.md).
 *
 * The language is the one chosen in the switch (kept in IndexedDB), else the browser's first
 * Norwegian or English language, else English. Dates, times and numbers follow the language
 * through `intlLocale()` and the cached formatters below.
 */
import { configureLocalization } from '@lit/localize';
import type { LocaleModule } from '@lit/localize';
import { sourceLocale, targetLocales } from './locales/locale-codes.js';
import type { PreferencesStore } from '../store/preferences-db.js';

export type AppLocale = typeof sourceLocale | (typeof targetLocales)[number];

/** The languages offered in the switch, each named in its own language. */
export const LOCALE_NAMES: Readonly<Record<AppLocale, string>> = {
  en: 'English',
  nb: 'Norsk bokmål',
};

type TargetLocale = (typeof targetLocales)[number];
type Templates = LocaleModule['templates'];

/**
 * Each language's translations in two chunks (scripts/i18n-split.mjs): the switchboard route's
 * messages, loaded with the language; the lazy views' (administration, statistics, board…),
 * loaded with the first of those views, so the route does not carry them.
 */
interface Catalog extends LocaleModule {
  /** Hash ids are cut to this length in the catalog (scripts/i18n-split.mjs). */
  readonly idLength: number;
}

const catalogs: Record<TargetLocale, Record<'route' | 'views', () => Promise<Catalog>>> = {
  nb: {
    route: () => import('./locales/nb-route.js'),
    views: () => import('./locales/nb-views.js'),
  },
};

/** The templates lit-localize reads from (it keeps this object: views' messages join it). */
let active: Templates = {};
/** A lazy view has been loaded: a language switched to later needs its messages too. */
let viewsWanted = false;

const localization = configureLocalization({
  sourceLocale,
  targetLocales,
  loadLocale: async (locale) => {
    const catalog = catalogs[locale as TargetLocale];
    const [route, views] = await Promise.all([
      catalog.route(),
      viewsWanted ? catalog.views() : null,
    ]);
    active = { ...route.templates, ...views?.templates };
    return { templates: byIdPrefix(active, route.idLength) };
  },
});

/**
 * lit-localize looks a message up by its full id; the catalog keys hash ids by a prefix (which
 * tells every message of the catalog apart: the split checks it, the catalog test makes sure
 * every message is in it).
 */
function byIdPrefix(templates: Templates, idLength: number): Templates {
  return new Proxy(templates, {
    get: (target, id) =>
      typeof id === 'string' ? (target[id] ?? target[id.slice(0, idLength)]) : undefined,
  });
}

/** Adds the lazy views' messages of the current language (once a view is wanted). */
async function loadViewMessages(): Promise<void> {
  viewsWanted = true;
  const locale = getLocale();
  if (locale === sourceLocale) return;
  const { templates } = await catalogs[locale].views();
  Object.assign(active, templates);
}

/**
 * A lazy view's loader that also brings its translations: the view's first render is in the
 * user's language. Every `import()` of a view goes through it.
 */
export function withViewMessages<T>(load: () => Promise<T>): () => Promise<T> {
  return async () => {
    const [module] = await Promise.all([load(), loadViewMessages()]);
    return module;
  };
}

export function getLocale(): AppLocale {
  return localization.getLocale() as AppLocale;
}

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && Object.hasOwn(LOCALE_NAMES, value);
}

/**
 * The app's language for a browser's language list (`navigator.languages`): the first that is
 * Norwegian (bokmål, nynorsk or plain `no`: bokmål is what we have) or English; else English.
 */
export function localeFromLanguages(languages: readonly string[]): AppLocale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** The BCP 47 tag for Intl: Norwegian as in Norway; English as the browser has it, else British. */
export function intlLocale(locale: AppLocale = getLocale()): string {
  if (locale === 'nb') return 'nb-NO';
  const english = browserLanguages().find((tag) => tag.toLowerCase().startsWith('en-'));
  return english ?? 'en-GB';
}

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages;
}

/** Switches the language (views re-render when its templates are in) and sets `<html lang>`. */
export async function setAppLocale(locale: AppLocale): Promise<void> {
  await localization.setLocale(locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** How long start-up waits for the stored choice before following the browser. */
const PREFERENCE_WAIT_MS = 1000;

/**
 * Start-up: the stored choice, else the browser's language. Resolves when the language's
 * templates are in, so the first paint is already in the user's language.
 */
export async function startLocale(preferences: PreferencesStore | null): Promise<AppLocale> {
  const stored = preferences
    ? await Promise.race([
        preferences.get('locale'),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), PREFERENCE_WAIT_MS)),
      ])
    : null;
  const locale = isAppLocale(stored) ? stored : localeFromLanguages(browserLanguages());
  try {
    await setAppLocale(locale);
    return locale;
  } catch {
    // The translation chunk did not load (offline deploy mid-update): English works.
    return getLocale();
  }
}

/** The user's choice in the switch: applied at once and remembered for this browser. */
export async function chooseLocale(
  locale: AppLocale,
  preferences: PreferencesStore | null,
): Promise<void> {
  await setAppLocale(locale);
  await preferences?.set('locale', locale);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** An `Intl.DateTimeFormat` for the current language (cached per language and options). */
export function dateTimeFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const tag = intlLocale();
  const key = `${tag} ${JSON.stringify(options)}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(tag, options);
    dateTimeFormats.set(key, format);
  }
  return format;
}

/** An `Intl.NumberFormat` for the current language (cached per language and options). */
export function numberFormat(options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const tag = intlLocale();
  const key = `${tag} ${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(tag, options);
    numberFormats.set(key, format);
  }
  return format;
}
