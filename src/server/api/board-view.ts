/**
 * What a queue-board kiosk session may do and see. The board is read-only and shows no caller
 * numbers or names (the wall screen faces the room), so its snapshot and events are redacted
 * here on the server — the browser never receives them.
 */
import type { CommandType, EventFrame } from '../../shared/protocol';
import type { SwitchboardSnapshot } from '../../shared/switchboard';

/** Commands a `board` session may use; anything else is refused with `forbidden`. */
export const BOARD_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  'auth.login',
  'auth.resume',
  'auth.logout',
  'system.ping',
  'switchboard.snapshot',
  'directory.list',
]);

const HIDDEN = '';

/** The snapshot without who is calling. */
export function redactSnapshot(snapshot: SwitchboardSnapshot): SwitchboardSnapshot {
  return {
    ...snapshot,
    callers: snapshot.callers.map((c) => ({ ...c, number: HIDDEN, name: null })),
    parked: snapshot.parked.map((p) => ({ ...p, number: HIDDEN, name: null })),
  };
}

/** Redacted frames as JSON, made once per event however many boards follow the tenant. */
const cache = new WeakMap<EventFrame, string>();

/**
 * An event as a board sees it: caller numbers and names blanked, lookup results empty. Every
 * event is still sent (with its seq), so the board's stream has no gaps.
 */
export function boardEventText(frame: EventFrame, text: string): string {
  const data = frame.data as Record<string, unknown>;
  let redacted: Record<string, unknown> | undefined;
  switch (frame.event) {
    case 'queue.caller_joined':
    case 'call.state':
    case 'caller.notes_changed':
      redacted = { ...data, number: HIDDEN, name: null };
      break;
    case 'caller.lookup':
      redacted = { ...data, number: HIDDEN, name: null, company: null, address: null };
      break;
    case 'park.list':
      redacted = {
        parked: (data.parked as Array<Record<string, unknown>>).map((p) => ({
          ...p,
          number: HIDDEN,
          name: null,
        })),
      };
      break;
    default:
      return text;
  }
  let cached = cache.get(frame);
  if (cached === undefined) {
    cached = JSON.stringify({ ...frame, data: redacted });
    cache.set(frame, cached);
  }
  return cached;
}
