/**
 * The little SDP the B2BUA has to write itself. Media descriptions pass through untouched
 * everywhere else (ADR 0005: never rewrite a=setup, ICE or DTLS lines).
 */

const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)$/;

/**
 * The same session description, put on hold: every media section `a=inactive` and the `o=`
 * session version increased (RFC 3264 §8: a changed offer needs a higher version). Used to
 * re-offer a caller the description it already has, so its transport stays up and no media
 * flows while nobody is on the other side (parking, consultation).
 */
export function inactiveSdp(sdp: string, minVersion?: bigint): string {
  return reoffer(sdp, true, minVersion);
}

/**
 * The same session description re-offered as it was (taken off hold): directions unchanged,
 * the `o=` version above both its own and `minVersion` (the last one this party was sent).
 */
export function resumedSdp(sdp: string, minVersion?: bigint): string {
  return reoffer(sdp, false, minVersion);
}

/** The `o=` session version of a description, if it has a numeric one. */
export function sdpVersion(sdp: string): bigint | undefined {
  const origin = sdp.split(/\r?\n/).find((l) => l.startsWith('o='));
  const version = origin?.split(' ')[2];
  return version !== undefined && /^\d+$/.test(version) ? BigInt(version) : undefined;
}

function reoffer(sdp: string, inactive: boolean, minVersion: bigint | undefined): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (inactive && DIRECTION.test(line)) continue;
    if (line.startsWith('o=')) {
      const parts = line.split(' ');
      const version = parts[2];
      if (version !== undefined && /^\d+$/.test(version)) {
        const own = BigInt(version);
        parts[2] = (
          (minVersion !== undefined && minVersion > own ? minVersion : own) + 1n
        ).toString();
      }
      out.push(parts.join(' '));
      continue;
    }
    out.push(line);
    if (inactive && line.startsWith('m=')) out.push('a=inactive');
  }
  return out.join(eol);
}
