/**
 * Colleagues' presence (free, ringing, busy, absent, offline) for the directory: loaded with
 * `presence.list` when someone logs in, kept current by `presence.changed` events, and loaded
 * again after the API connection comes back (events may have been missed meanwhile).
 *
 * ```txt
 *   logged out ──login──► loading ──presence.list──► live ◄──presence.changed
 *        ▲                                            │ ▲
 *        └──────────────logout────────────────────────┘ └─ reconnected: presence.list again
 * ```
 * @packageDocumentation
 */
import type { EventFrame } from '../shared/protocol.js';
import type { AbsenceInfo, Presence, PresenceState } from '../shared/switchboard.js';
import type { ApiClient } from './api-client.js';
import { logger } from './logger.js';
import { Model } from './model.js';
import type { SessionModel } from './session-model.js';

export interface PresenceSnapshot {
  /** Presence by user id; a colleague missing here is not known yet. */
  readonly byUser: Readonly<Record<string, Presence>>;
}

export const initialPresence: PresenceSnapshot = { byUser: {} };

/** A person's presence changed: the newer of what we have and what came wins. */
export function presenceChanged(snapshot: PresenceSnapshot, next: Presence): PresenceSnapshot {
  const known = snapshot.byUser[next.userId];
  if (known && known.since > next.since) return snapshot;
  return { byUser: { ...snapshot.byUser, [next.userId]: next } };
}

/**
 * A full list arrived: it replaces what we had, except where an event that arrived while the
 * list was on its way is newer.
 */
export function presenceListed(
  snapshot: PresenceSnapshot,
  people: readonly Presence[],
): PresenceSnapshot {
  const byUser: Record<string, Presence> = {};
  for (const p of people) {
    const known = snapshot.byUser[p.userId];
    byUser[p.userId] = known && known.since > p.since ? known : p;
  }
  return { byUser };
}

/** The state of one person, or null when not known. */
export function presenceOf(snapshot: PresenceSnapshot, userId: string): PresenceState | null {
  return snapshot.byUser[userId]?.state ?? null;
}

/**
 * The absence `userId` is in at `now` (started, not yet ended), or null. A presence may carry
 * the next absence before it starts (a calendar meeting later today): that one is not in force.
 */
export function absenceInForce(
  snapshot: PresenceSnapshot,
  userId: string,
  now: number,
): AbsenceInfo | null {
  const absence = snapshot.byUser[userId]?.absence ?? null;
  if (!absence || absence.from > now) return null;
  return absence.until === null || absence.until > now ? absence : null;
}

/**
 * The absence to edit for `userId`: the one in force, else the next one ahead; null when none
 * or when it is over.
 */
export function currentAbsence(
  snapshot: PresenceSnapshot,
  userId: string,
  now: number,
): AbsenceInfo | null {
  const absence = snapshot.byUser[userId]?.absence ?? null;
  if (!absence) return null;
  return absence.until === null || absence.until > now ? absence : null;
}

export class PresenceModel extends Model<PresenceSnapshot> {
  private loggedIn = false;
  private disconnected = false;

  constructor(
    private readonly api: ApiClient,
    session: SessionModel,
  ) {
    super(initialPresence);
    session.user$.subscribe((user) => {
      // The wall board's login may not list presence; it shows none.
      this.loggedIn = user !== null && user.role !== 'board';
      this.setState(initialPresence);
      if (this.loggedIn) void this.load();
    });
    api.events$.subscribe((frame) => this.onEvent(frame));
    api.connectionState$.subscribe((state) => {
      if (state === 'reconnecting') this.disconnected = true;
      else if (state === 'open' && this.disconnected) {
        this.disconnected = false;
        if (this.loggedIn) void this.load();
      }
    });
  }

  private onEvent(frame: EventFrame): void {
    if (!this.loggedIn || frame.event !== 'presence.changed') return;
    this.setState(presenceChanged(this.state, frame.data as Presence));
  }

  private async load(): Promise<void> {
    try {
      const { people } = await this.api.call('presence.list', {});
      if (this.loggedIn) this.setState(presenceListed(this.state, people));
    } catch (error) {
      logger.warn('presence: load failed', error);
    }
  }
}

/** One presence model per API client (the directory's rows share it). */
const models = new WeakMap<ApiClient, PresenceModel>();

/** The presence model of this API client and session, created on first use. */
export function presenceModelFor(api: ApiClient, session: SessionModel): PresenceModel {
  let model = models.get(api);
  if (!model) {
    model = new PresenceModel(api, session);
    models.set(api, model);
  }
  return model;
}
