/**
 * The little SDP reading the phone needs: is an offer putting us on hold?
 * @packageDocumentation
 */

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/**
 * Direction of the first audio m-line (a media-level attribute wins over a session-level one;
 * none means sendrecv). Returns null if the SDP has no audio.
 */
export function audioDirection(sdp: string): MediaDirection | null {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim());
  let sessionDirection: MediaDirection = 'sendrecv';
  let inAudio = false;
  let seenAudio = false;
  let audioDirectionAttr: MediaDirection | null = null;
  let audioHoldAddress = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (seenAudio) break;
      inAudio = line.startsWith('m=audio');
      seenAudio = inAudio;
      continue;
    }
    if (line.startsWith('a=')) {
      const attr = line.slice(2);
      if (!DIRECTIONS.includes(attr)) continue;
      if (inAudio) audioDirectionAttr = attr as MediaDirection;
      else if (!seenAudio) sessionDirection = attr as MediaDirection;
    }
    // RFC 2543 hold: c=IN IP4 0.0.0.0
    if (inAudio && line === 'c=IN IP4 0.0.0.0') audioHoldAddress = true;
  }
  if (!seenAudio) return null;
  if (audioHoldAddress) return 'inactive';
  return audioDirectionAttr ?? sessionDirection;
}

/** True if an offer with this SDP puts us on hold (the far end will not send to us). */
export function offerHoldsUs(sdp: string): boolean {
  const direction = audioDirection(sdp);
  return direction === 'sendonly' || direction === 'inactive';
}
