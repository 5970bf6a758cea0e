/**
 * This browser profile's preferences: the interface language and the chosen headset. One small
 * IndexedDB database of its own (they belong to the browser profile, not to a user, like the
 * audio devices), one key-value object store, a numbered upgrade ladder. Nothing secret; never
 * localStorage.
 * @packageDocumentation
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';

export const PREFERENCES_DB = 'sentral-preferences';
export const PREFERENCES_DB_VERSION = 1;

/** Every preference by its key, with the type of its value. */
export interface Preferences {
  /** The language chosen in the switch (absent: follow the browser). */
  locale: string;
  /** The HID device chosen for call control (`vendorId:productId:name`), or `none` after Forget. */
  headset: string;
}

export interface PreferencesSchema extends DBSchema {
  preferences: { key: keyof Preferences; value: string };
}

export type PreferencesDb = IDBPDatabase<PreferencesSchema>;

/** Opens (creating or upgrading) the database. */
export function openPreferencesDb(name = PREFERENCES_DB): Promise<PreferencesDb> {
  const db: Promise<PreferencesDb> = openDB<PreferencesSchema>(name, PREFERENCES_DB_VERSION, {
    upgrade(database, oldVersion, newVersion) {
      for (let version = oldVersion + 1; version <= (newVersion ?? 1); version++) {
        switch (version) {
          case 1:
            database.createObjectStore('preferences');
            break;
          default:
            throw new Error(`preferences: no upgrade step to version ${version}`);
        }
      }
    },
    // A newer app in another tab wants to upgrade: step aside.
    blocking: () => void db.then((open) => open.close()),
  });
  return db;
}

/**
 * Reads and writes preferences, opening the database on first use. When IndexedDB is missing or
 * fails (a private window of some browsers), reads give null and writes are dropped: a
 * preference is a convenience, never a reason for the app not to start.
 */
export class PreferencesStore {
  private db: Promise<PreferencesDb | null> | null = null;

  constructor(private readonly name = PREFERENCES_DB) {}

  async get<K extends keyof Preferences>(key: K): Promise<Preferences[K] | null> {
    const db = await this.open();
    if (!db) return null;
    try {
      const value = await db.get('preferences', key);
      return typeof value === 'string' ? value : null;
    } catch {
      return null;
    }
  }

  async set<K extends keyof Preferences>(key: K, value: Preferences[K] | null): Promise<void> {
    const db = await this.open();
    if (!db) return;
    try {
      if (value === null) await db.delete('preferences', key);
      else await db.put('preferences', value, key);
    } catch {
      // Not remembered; the choice still holds for this page.
    }
  }

  private open(): Promise<PreferencesDb | null> {
    this.db ??=
      typeof indexedDB === 'undefined'
        ? Promise.resolve(null)
        : openPreferencesDb(this.name).catch(() => null);
    return this.db;
  }
}
