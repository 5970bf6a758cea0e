/**
 * Recalls (docs/switchboard.md): a blind or semi-attended transfer nobody took, or a parked
 * call nobody picked up, rings the operator again; the core says why in `X-Sentral-Recall`.
 * @packageDocumentation
 */

/** Why a call comes back to the operator, as the core sends it in `X-Sentral-Recall`. */
export type RecallReason = 'no_answer' | 'busy' | 'rejected' | 'park_timeout';

const REASONS: readonly RecallReason[] = ['no_answer', 'busy', 'rejected', 'park_timeout'];

/**
 * The recall reason of an INVITE's `X-Sentral-Recall` header value; null when the header is
 * missing. A value this client does not know still marks the call as a recall (`no_answer`,
 * the generic "nobody took it"): the operator must see it came back, whatever the wording.
 */
export function recallReasonOf(header: string | undefined): RecallReason | null {
  const value = header?.trim().toLowerCase();
  if (!value) return null;
  return REASONS.find((r) => r === value) ?? 'no_answer';
}

/**
 * Whom a call that came to the switchboard was for, from `X-Sentral-For` (the absent
 * colleague's extension); null when the header is missing or not an extension-like value.
 */
export function absentForOf(header: string | undefined): string | null {
  const value = header?.trim();
  return value && /^[0-9A-Za-z+._-]{1,32}$/.test(value) ? value : null;
}
