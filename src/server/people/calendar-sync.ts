/**
 * Calendar sync (kalendersynk): every few minutes, each person's calendar feed is read for the
 * coming week and its busy and out-of-office time becomes absences (source `calendar`, calls to
 * the switchboard). Feeds are read a few at a time; a broken feed is logged and skipped, never
 * fatal. Manual absences are left alone.
 */
import type { Logger } from '../logger';
import type { AbsenceRepository } from '../store/absences';
import { absencesFromIntervals, type CalendarSource } from './calendar';
import type { PresenceService } from './presence';

export interface CalendarSyncDeps {
  source: CalendarSource;
  absences: AbsenceRepository;
  presence: PresenceService;
  tenants: () => readonly { id: string }[];
  logger: Logger;
  now?: () => number;
  /** How far ahead to read (default 7 days). */
  horizonMs?: number;
  /** Feeds read at once (default 4). */
  concurrency?: number;
}

export class CalendarSync {
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly deps: CalendarSyncDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Syncs now and then every `intervalMs`. */
  start(intervalMs: number): void {
    const tick = () => {
      void this.syncAll();
      this.#timer = setTimeout(tick, intervalMs);
      this.#timer.unref();
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** One pass over every feed of every tenant; concurrent calls share the pass in progress. */
  syncAll(): Promise<void> {
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Syncs one person's feed (after it was set, and from the periodic pass). */
  async syncPerson(tenantId: string, userId: string, url: string): Promise<void> {
    const now = new Date(this.#now());
    const range = {
      from: now,
      to: new Date(now.getTime() + (this.deps.horizonMs ?? 7 * 24 * 3600_000)),
    };
    try {
      const intervals = await this.deps.source.busyIntervals(
        { id: userId, calendarUrl: url },
        range,
      );
      const absences = absencesFromIntervals(intervals, now);
      await this.deps.absences.replaceCalendarAbsences(tenantId, userId, absences, now);
      await this.deps.presence.reload(tenantId, userId);
    } catch (err) {
      this.deps.logger.warn('calendar sync failed', {
        userId,
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async #pass(): Promise<void> {
    const jobs: Array<() => Promise<void>> = [];
    for (const tenant of this.deps.tenants()) {
      for (const feed of await this.deps.absences.calendarFeeds(tenant.id)) {
        jobs.push(() => this.syncPerson(tenant.id, feed.userId, feed.url));
      }
    }
    const workers = Array.from(
      { length: Math.min(this.deps.concurrency ?? 4, jobs.length) },
      async () => {
        for (let job = jobs.shift(); job; job = jobs.shift()) await job();
      },
    );
    await Promise.all(workers);
  }
}
