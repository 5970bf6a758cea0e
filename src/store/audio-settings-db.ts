/**
 * The audio settings' IndexedDB database: one small database of its own (not the per-user call
 * log: device ids belong to this browser profile, not to a user), one object store, a numbered
 * upgrade ladder. Device ids only, nothing secret; never localStorage.
 * @packageDocumentation
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { AudioSettings } from './audio-settings-state.js';

export const AUDIO_SETTINGS_DB = 'sentral-audio-settings';
export const AUDIO_SETTINGS_DB_VERSION = 1;
/** The one record's key. */
const KEY = 'devices';

export interface AudioSettingsSchema extends DBSchema {
  settings: { key: string; value: AudioSettings };
}

export type AudioSettingsDb = IDBPDatabase<AudioSettingsSchema>;

/** Opens (creating or upgrading) the database. */
export function openAudioSettingsDb(name = AUDIO_SETTINGS_DB): Promise<AudioSettingsDb> {
  const db: Promise<AudioSettingsDb> = openDB<AudioSettingsSchema>(
    name,
    AUDIO_SETTINGS_DB_VERSION,
    {
      upgrade(database, oldVersion, newVersion) {
        for (let version = oldVersion + 1; version <= (newVersion ?? 1); version++) {
          switch (version) {
            case 1:
              database.createObjectStore('settings');
              break;
            default:
              throw new Error(`audio settings: no upgrade step to version ${version}`);
          }
        }
      },
      // A newer app in another tab wants to upgrade: step aside.
      blocking: () => void db.then((open) => open.close()),
    },
  );
  return db;
}

export async function readAudioSettings(db: AudioSettingsDb): Promise<AudioSettings | null> {
  const stored = await db.get('settings', KEY);
  if (!stored) return null;
  // Only the three ids, each a string or null, whatever an older version may have written.
  const id = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    microphoneId: id(stored.microphoneId),
    speakerId: id(stored.speakerId),
    ringerId: id(stored.ringerId),
  };
}

export async function writeAudioSettings(
  db: AudioSettingsDb,
  settings: AudioSettings,
): Promise<void> {
  await db.put('settings', settings, KEY);
}
