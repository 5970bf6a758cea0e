/**
 * The call log slice: the signed-in user's finished calls, kept in their own IndexedDB
 * database (`call-log-db.ts`), listed newest first one page at a time, searchable by name or
 * number. Opens when someone logs in and closes at logout; records every call of the softphone
 * when it ends; deletes calls older than the retention (30 days) at open and once a day.
 *
 * Database work runs one step at a time in order (a chain of promises), so a call that ends
 * while the database opens is written once it is open, and logout closes it after the last write.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { CallQualitySummary } from '../sip/call-quality.js';
import type { SessionUser } from '../shared/protocol.js';
import {
  callLogDbName,
  deleteCallsEndedBefore,
  openCallLogDb,
  putCall,
  readCallPage,
} from './call-log-db.js';
import type { CallLogDb, CallLogRecord } from './call-log-db.js';
import {
  callLogMatcher,
  callLogOpening,
  callLogPageLoaded,
  callLogUnavailable,
  emptyTracker,
  initialCallLog,
  trackCall,
} from './call-log-state.js';
import type { CallLogState, CallLogStatus, CallTracker } from './call-log-state.js';
import { logger } from './logger.js';
import { Model } from './model.js';
import type { PhoneService } from './phone-service.js';
import type { SessionModel } from './session-model.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface CallLogOptions {
  /** The clock (tests). */
  readonly now?: () => number;
  /** The database of a user (tests give each test its own). Default {@link callLogDbName}. */
  readonly dbName?: (user: SessionUser) => string;
  /** Calls per page. Default 20. */
  readonly pageSize?: number;
  /** Calls that ended longer ago than this are deleted. Default 30 days. */
  readonly retentionMs?: number;
  /** How often retention runs while the log is open. Default once a day. */
  readonly purgeEveryMs?: number;
  /** Where a finished call's quality estimate comes from (the call-quality slice). */
  readonly quality?: { summaryOf(callId: string): CallQualitySummary | null };
}

export class CallLogModel extends Model<CallLogState> {
  readonly status$: Observable<CallLogStatus> = this.select((s) => s.status);

  readonly pageSize: number;
  private readonly now: () => number;
  private readonly dbName: (user: SessionUser) => string;
  private readonly retentionMs: number;
  private readonly purgeEveryMs: number;
  private readonly quality: CallLogOptions['quality'];

  private db: CallLogDb | null = null;
  private user: string | null = null;
  private tracker: CallTracker = emptyTracker;
  private work: Promise<void> = Promise.resolve();
  private purgeTimer: ReturnType<typeof setInterval> | null = null;
  /** Bumped by every listing request; a read that is no longer the latest is dropped. */
  private listing = 0;

  constructor(session: SessionModel, phone: PhoneService, options: CallLogOptions = {}) {
    super(initialCallLog);
    this.now = options.now ?? Date.now;
    this.dbName = options.dbName ?? ((user) => callLogDbName(user.username));
    this.pageSize = options.pageSize ?? 20;
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
    this.purgeEveryMs = options.purgeEveryMs ?? DAY_MS;
    this.quality = options.quality;
    session.user$.subscribe((user) => {
      // The wall-board kiosk has no phone and so no calls to log.
      const name = user && user.role !== 'board' ? this.dbName(user) : null;
      if (name === this.user) return;
      if (this.user) this.close();
      if (name) this.open(name);
    });
    phone.applied$.subscribe((event) => {
      const { tracker, finished } = trackCall(this.tracker, event, this.now());
      this.tracker = tracker;
      if (finished) this.record(finished);
    });
  }

  /** Resolves when every database step queued so far has run (tests, logout). */
  settled(): Promise<void> {
    return this.work;
  }

  /** Shows the first page of the calls matching `query` (name or number). */
  search(query: string): Promise<void> {
    return this.show(query, 0);
  }

  nextPage(): Promise<void> {
    if (!this.state.hasNext) return Promise.resolve();
    return this.show(this.state.query, this.state.page + 1);
  }

  previousPage(): Promise<void> {
    if (this.state.page === 0) return Promise.resolve();
    return this.show(this.state.query, this.state.page - 1);
  }

  /** Deletes the calls older than the retention; returns how many went. */
  async purge(): Promise<number> {
    let deleted = 0;
    void this.enqueue(async (db) => {
      deleted = await deleteCallsEndedBefore(db, this.now() - this.retentionMs);
    });
    await this.show(this.state.query, this.state.page);
    return deleted;
  }

  private open(name: string): void {
    this.user = name;
    this.tracker = emptyTracker;
    this.setState(callLogOpening());
    this.work = this.work.then(async () => {
      try {
        const db = await openCallLogDb(name, {
          onClosedForUpgrade: () => {
            if (this.db === db) this.db = null;
          },
        });
        if (this.user !== name) {
          db.close();
          return;
        }
        this.db = db;
        await deleteCallsEndedBefore(db, this.now() - this.retentionMs);
      } catch (error) {
        logger.warn('call log: cannot open the database', error);
        this.setState(callLogUnavailable(this.state));
      }
    });
    void this.show('', 0);
    this.purgeTimer = setInterval(() => void this.purge(), this.purgeEveryMs);
  }

  private close(): void {
    this.user = null;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    this.listing++;
    this.work = this.work.then(() => {
      this.db?.close();
      this.db = null;
    });
    this.setState(initialCallLog);
  }

  private record(finished: CallLogRecord): void {
    const quality = finished.answered ? this.quality?.summaryOf(finished.id) : null;
    const record: CallLogRecord = quality
      ? { ...finished, quality: roundQuality(quality) }
      : finished;
    void this.enqueue((db) => putCall(db, record));
    void this.show(this.state.query, this.state.page);
  }

  private show(query: string, page: number): Promise<void> {
    const request = ++this.listing;
    const match = callLogMatcher(query) ?? undefined;
    return this.enqueue(async (db) => {
      const result = await readCallPage(db, page * this.pageSize, this.pageSize, match);
      if (request === this.listing)
        this.setState(callLogPageLoaded(this.state, query, page, result));
    });
  }

  /** Runs `step` with the open database after every step before it; skipped when closed. */
  private enqueue(step: (db: CallLogDb) => Promise<void>): Promise<void> {
    const run = this.work.then(async () => {
      const db = this.db;
      if (!db) return;
      try {
        await step(db);
      } catch (error) {
        logger.warn('call log: database step failed', error);
      }
    });
    this.work = run;
    return run;
  }
}

/** Two decimals are all a MOS estimate is worth. */
function roundQuality(q: CallQualitySummary): CallQualitySummary {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { worstMos: round(q.worstMos), averageMos: round(q.averageMos), samples: q.samples };
}
