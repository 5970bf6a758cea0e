/**
 * Maps a final SIP response of an outgoing INVITE to an {@link EndReason}.
 * @packageDocumentation
 */
import type { EndReason } from './phone.js';

/**
 * @param statusCode - the final non-2xx response to our INVITE
 * @param weCancelled - true if we sent CANCEL (then 487 means "cancelled", not "no answer")
 */
export function endReasonForStatus(statusCode: number, weCancelled: boolean): EndReason {
  switch (statusCode) {
    case 486:
    case 600:
      return 'busy';
    case 404:
    case 484:
    case 604:
      return 'not_found';
    case 603:
      return 'rejected';
    case 480:
      return 'unavailable';
    case 487:
      return weCancelled ? 'cancelled' : 'no_answer';
    case 408:
      return 'no_answer';
    default:
      return 'failed';
  }
}
