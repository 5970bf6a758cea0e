/**
 * The little SDP the B2BUA has to write itself. Media descriptions pass through untouched
 * everywhere else (ADR 0005: never rewrite a=setup, ICE or DTLS lines).
 */

const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)$/;

/**
 * The same session description, put on hold: every media section `a=inactive` and the `o=`
 * session version increased (RFC 3264 §8: a changed offer needs a higher version). Used to
 * re-offer a caller the description it already has, so its transport stays up and no media
 * flows while nobody is on the other side (parking).
 */
export function inactiveSdp(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (DIRECTION.test(line)) continue;
    if (line.startsWith('o=')) {
      const parts = line.split(' ');
      const version = parts[2];
      if (version !== undefined && /^\d+$/.test(version))
        parts[2] = (BigInt(version) + 1n).toString();
      out.push(parts.join(' '));
      continue;
    }
    out.push(line);
    if (line.startsWith('m=')) out.push('a=inactive');
  }
  return out.join(eol);
}
