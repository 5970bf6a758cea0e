/**
 * Presence of every person: free, ringing, busy, absent or offline — from the core's own state
 * (registrations, calls) and the absences in the store, pushed on the tenant's event stream the
 * moment it changes (`presence.changed`). Precedence: busy > ringing > absent > free > offline:
 * an absent person who takes a call shows busy; an absent person offline shows absent.
 */
import type { AbsenceInfo, Presence, PresenceState } from '../../shared/switchboard';
import type { TenantEventBus } from '../events/event-bus';
import type { Logger } from '../logger';
import type { Absence, AbsenceInput, AbsenceRepository } from '../store/absences';

export interface PresenceDeps {
  events: TenantEventBus;
  absences: AbsenceRepository;
  /** The user has at least one live registration. */
  isRegistered(userId: string): boolean;
  /** The user is on a call (`busy`), being rung (`ringing`) or neither. */
  callActivity(userId: string): 'busy' | 'ringing' | null;
  logger: Logger;
  now?: () => number;
}

interface Entry {
  tenantId: string;
  state: PresenceState;
  since: number;
  absence: Absence | undefined;
  timer: NodeJS.Timeout | undefined;
}

/** When a recomputation is published: never (loading), on a change of state, or always. */
type Publish = 'quiet' | 'ifChanged' | 'always';

/** Longest single timer; later absence ends are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class PresenceService {
  readonly #people = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(private readonly deps: PresenceDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Registers the tenant's people and loads their current absences. */
  async load(tenantId: string, userIds: readonly string[]): Promise<void> {
    for (const id of userIds) {
      if (!this.#people.has(id)) {
        this.#people.set(id, {
          tenantId,
          state: 'offline',
          since: this.#now(),
          absence: undefined,
          timer: undefined,
        });
      }
    }
    for (const absence of await this.deps.absences.current(tenantId, new Date(this.#now()))) {
      this.#applyAbsence(absence.userId, absence, 'quiet');
    }
    for (const id of userIds) this.#recompute(id, 'quiet');
  }

  /** Something about the user may have changed: recompute and publish if it did. */
  touch(userId: string): void {
    this.#recompute(userId, 'ifChanged');
  }

  get(userId: string): Presence | undefined {
    const e = this.#people.get(userId);
    return e ? view(userId, e) : undefined;
  }

  list(tenantId: string): Presence[] {
    return [...this.#people.entries()]
      .filter(([, e]) => e.tenantId === tenantId)
      .map(([id, e]) => view(id, e));
  }

  /** The absence in force for the user now, if any (routing follows its call handling). */
  absenceOf(userId: string): Absence | undefined {
    const a = this.#people.get(userId)?.absence;
    return a && this.#active(a) ? a : undefined;
  }

  async setAbsence(tenantId: string, userId: string, input: AbsenceInput): Promise<Absence> {
    const absence = await this.deps.absences.set(tenantId, userId, input, new Date(this.#now()));
    this.#applyAbsence(userId, absence, 'always');
    return absence;
  }

  /** Re-reads the user's absence from the store (after calendar sync, or when one ended). */
  async reload(tenantId: string, userId: string): Promise<void> {
    try {
      const current = (await this.deps.absences.current(tenantId, new Date(this.#now()))).find(
        (a) => a.userId === userId,
      );
      const before = this.#people.get(userId)?.absence;
      if (current?.id === before?.id && current?.endsAt?.getTime() === before?.endsAt?.getTime())
        return;
      this.#applyAbsence(userId, current, 'always');
    } catch (err) {
      this.deps.logger.warn('reading absences failed', { err });
    }
  }

  async clearAbsence(tenantId: string, userId: string): Promise<boolean> {
    const cleared = await this.deps.absences.clear(tenantId, userId, new Date(this.#now()));
    this.#applyAbsence(userId, undefined, 'always');
    return cleared;
  }

  close(): void {
    for (const e of this.#people.values()) clearTimeout(e.timer);
  }

  #active(a: Absence): boolean {
    const now = this.#now();
    return a.startsAt.getTime() <= now && (a.endsAt === null || a.endsAt.getTime() > now);
  }

  #applyAbsence(userId: string, absence: Absence | undefined, publish: Publish): void {
    const e = this.#people.get(userId);
    if (!e) return;
    clearTimeout(e.timer);
    e.timer = undefined;
    e.absence = absence;
    if (absence) {
      // Wake up when it starts or ends, whichever is next, to change the presence on time.
      const now = this.#now();
      const next =
        absence.startsAt.getTime() > now ? absence.startsAt.getTime() : absence.endsAt?.getTime();
      if (next !== undefined) {
        e.timer = setTimeout(
          () => {
            const entry = this.#people.get(userId);
            if (!entry) return;
            if (
              entry.absence &&
              entry.absence.endsAt &&
              entry.absence.endsAt.getTime() <= this.#now()
            ) {
              // Ended: show it at once, then look for the next one (a later calendar meeting).
              entry.absence = undefined;
              this.#recompute(userId, 'always');
              void this.reload(entry.tenantId, userId);
              return;
            }
            if (entry.absence) this.#applyAbsence(userId, entry.absence, 'quiet'); // re-arm for the end
            this.touch(userId);
          },
          Math.min(MAX_TIMER_MS, Math.max(0, next - now)),
        );
        e.timer.unref();
      }
    }
    this.#recompute(userId, publish);
  }

  #recompute(userId: string, publish: Publish): void {
    const e = this.#people.get(userId);
    if (!e) return;
    const activity = this.deps.callActivity(userId);
    const absent = e.absence !== undefined && this.#active(e.absence);
    const state: PresenceState =
      activity ?? (absent ? 'absent' : this.deps.isRegistered(userId) ? 'free' : 'offline');
    const changed = state !== e.state;
    if (changed) {
      e.state = state;
      e.since = this.#now();
    }
    if (publish === 'always' || (publish === 'ifChanged' && changed)) {
      this.deps.events.publish(e.tenantId, 'presence.changed', view(userId, e));
    }
  }
}

function view(userId: string, e: Entry): Presence {
  return {
    userId,
    state: e.state,
    since: e.since,
    absence: e.absence ? absenceInfo(e.absence) : null,
  };
}

export function absenceInfo(a: Absence): AbsenceInfo {
  return {
    reason: a.reason,
    from: a.startsAt.getTime(),
    until: a.endsAt ? a.endsAt.getTime() : null,
    message: a.message,
    callHandling: a.callHandling,
    forwardNumber: a.forwardNumber,
    source: a.source,
  };
}
