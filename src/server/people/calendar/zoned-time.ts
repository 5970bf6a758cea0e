/**
 * Wall-clock time in an IANA zone → absolute instant, using the ICU data built into Node
 * (Intl). Used for floating times, all-day dates and TZIDs a feed names without a VTIMEZONE.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone name this Node knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (Oslo in summer: +7 200 000). */
export function zoneOffsetMs(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts['year'] ?? 1970,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

export interface WallTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
}

/**
 * The instant (ms since epoch) at which clocks in `zone` show `t`. A time skipped by a
 * spring-forward change resolves to the instant after the gap (02:30 → 03:30); a time that
 * happens twice in autumn resolves to its first occurrence.
 */
export function zonedWallTimeToMs(t: WallTime, zone: string): number {
  const naive = Date.UTC(t.year, t.month - 1, t.day, t.hour ?? 0, t.minute ?? 0, t.second ?? 0);
  const day = 86_400_000;
  // Zone changes are at least days apart: the offsets a day either side are the candidates.
  const before = zoneOffsetMs(naive - day, zone);
  const after = zoneOffsetMs(naive + day, zone);
  const candidates = [naive - before, naive - after]
    .filter((ms) => ms + zoneOffsetMs(ms, zone) === naive)
    .sort((a, b) => a - b);
  return candidates[0] ?? naive - before;
}
