/**
 * The local call log's IndexedDB database: one typed schema (idb's `DBSchema`), a numbered
 * upgrade ladder, and the few queries the call log needs. The only module that touches the
 * database; `call-log-model.ts` uses it.
 *
 * One database per user, named by {@link callLogDbName}. Records hold what the softphone showed
 * about a finished call (numbers and names as plain text) and nothing secret.
 * @packageDocumentation
 */
import { deleteDB, openDB } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { CallQualitySummary } from '../sip/call-quality.js';
import type { EndReason } from '../sip/phone.js';

/** The schema version this code writes. Raise it by one and add a step to {@link upgrade}. */
export const CALL_LOG_DB_VERSION = 2;

/** One finished call of the softphone. Numbers and names are untrusted text, never HTML. */
export interface CallLogRecord {
  /** The SIP Call-ID of the call. */
  readonly id: string;
  readonly direction: 'in' | 'out';
  /** The other party's number or extension (the user part of its URI). */
  readonly number: string;
  /** The other party's display name; empty when none was sent. */
  readonly displayName: string;
  /** Epoch ms: the call started (we dialled, or it rang in). */
  readonly startedAt: number;
  /** Epoch ms: the call was answered; null when it never was. */
  readonly answeredAt: number | null;
  /** Epoch ms: the call ended (the retention clock and the list order). */
  readonly endedAt: number;
  readonly endReason: EndReason;
  readonly answered: boolean;
  /**
   * The estimated call quality (MOS) over the call, worst and average (schema version 2);
   * absent for calls that never talked, and for records written by version 1.
   */
  readonly quality?: CallQualitySummary;
}

export interface CallLogSchema extends DBSchema {
  calls: {
    key: string;
    value: CallLogRecord;
    indexes: { endedAt: number };
  };
}

export type CallLogDb = IDBPDatabase<CallLogSchema>;

type UpgradeTransaction = IDBPTransaction<
  CallLogSchema,
  ArrayLike<StoreNames<CallLogSchema>>,
  'versionchange'
>;

/** The database of one user's call log. */
export function callLogDbName(username: string): string {
  return `sentral-call-log-${username}`;
}

/**
 * The upgrade ladder: one `case` per version, run in order from the version on disk to
 * {@link CALL_LOG_DB_VERSION}. (A loop around the switch instead of case fall-through, which
 * `noFallthroughCasesInSwitch` forbids.) Never edit a released step; add the next one.
 */
export function upgrade(
  db: CallLogDb,
  oldVersion: number,
  newVersion: number,
  _tx: UpgradeTransaction,
): void {
  for (let version = oldVersion + 1; version <= newVersion; version++) {
    switch (version) {
      case 1: {
        const calls = db.createObjectStore('calls', { keyPath: 'id' });
        calls.createIndex('endedAt', 'endedAt');
        break;
      }
      case 2:
        // Records gained the optional `quality` field. Nothing to rewrite: older records just
        // lack it; the version marks which app may read this database (a version-1 tab is
        // asked to step aside by `blocking`).
        break;
      default:
        throw new Error(`call log: no upgrade step to version ${version}`);
    }
  }
}

export interface OpenCallLogOptions {
  /** Another tab wants to upgrade the database: this connection has been closed for it. */
  onClosedForUpgrade?: () => void;
}

/** Opens (creating or upgrading) the call log database `name`. */
export function openCallLogDb(name: string, options: OpenCallLogOptions = {}): Promise<CallLogDb> {
  const db: Promise<CallLogDb> = openDB<CallLogSchema>(name, CALL_LOG_DB_VERSION, {
    upgrade: (database, oldVersion, newVersion, tx) =>
      upgrade(database, oldVersion, newVersion ?? CALL_LOG_DB_VERSION, tx),
    blocking: () => {
      // A newer version of the app in another tab: step aside rather than block its upgrade.
      void db.then((open) => open.close());
      options.onClosedForUpgrade?.();
    },
  });
  return db;
}

/** Deletes the database `name` (tests; a user's "forget my call log"). */
export function deleteCallLogDb(name: string): Promise<void> {
  return deleteDB(name);
}

/** Writes one finished call (a call id seen again replaces its record). */
export async function putCall(db: CallLogDb, record: CallLogRecord): Promise<void> {
  await db.put('calls', record);
}

/**
 * Retention: deletes every call that ended before `cutoff` (epoch ms), walking the `endedAt`
 * index over the key range `[-∞, cutoff)` in one transaction. Returns how many were deleted.
 */
export async function deleteCallsEndedBefore(db: CallLogDb, cutoff: number): Promise<number> {
  const tx = db.transaction('calls', 'readwrite');
  let deleted = 0;
  let cursor = await tx.store.index('endedAt').openCursor(IDBKeyRange.upperBound(cutoff, true));
  while (cursor) {
    await cursor.delete();
    deleted++;
    cursor = await cursor.continue();
  }
  await tx.done;
  return deleted;
}

export interface CallPage {
  /** Newest first. */
  readonly rows: readonly CallLogRecord[];
  /** Older calls exist beyond this page. */
  readonly hasNext: boolean;
}

/**
 * One page of calls, newest first (by `endedAt`): skips `offset` matching calls and returns up
 * to `limit`. Without `match` every call matches and the skip is a cursor advance.
 */
export async function readCallPage(
  db: CallLogDb,
  offset: number,
  limit: number,
  match?: (record: CallLogRecord) => boolean,
): Promise<CallPage> {
  const tx = db.transaction('calls', 'readonly');
  let cursor = await tx.store.index('endedAt').openCursor(null, 'prev');
  if (cursor && offset > 0 && !match) cursor = await cursor.advance(offset);
  let skip = match ? offset : 0;
  const rows: CallLogRecord[] = [];
  let hasNext = false;
  while (cursor) {
    if (!match || match(cursor.value)) {
      if (skip > 0) {
        skip--;
      } else if (rows.length < limit) {
        rows.push(cursor.value);
      } else {
        hasNext = true;
        break;
      }
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  return { rows, hasNext };
}
