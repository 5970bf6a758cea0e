/**
 * DTMF over SIP INFO (`application/dtmf-relay`, draft-kaplan-dispatch-info-dtmf-package), the
 * form the core relays.
 * @packageDocumentation
 */

/** Digits a keypad can send. */
export const DTMF_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

const VALID = /^[0-9A-D*#]$/;

export function isDtmfDigit(digit: string): boolean {
  return VALID.test(digit);
}

/** Content type of the INFO body we send. */
export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';

/** `Signal=5\r\nDuration=160`. Throws on anything that is not one DTMF digit. */
export function formatDtmfRelay(digit: string, durationMs = 160): string {
  if (!isDtmfDigit(digit)) throw new Error(`Not a DTMF digit: ${JSON.stringify(digit)}`);
  return `Signal=${digit}\r\nDuration=${durationMs}`;
}

/**
 * The digit in an INFO body, or null if it carries none.
 * Understands `application/dtmf-relay` (`Signal=5`) and `application/dtmf` (`5`).
 */
export function parseDtmfInfo(contentType: string | undefined, body: string): string | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/dtmf-relay') {
    const match = /^\s*signal\s*=\s*([0-9A-Da-d*#])\s*$/im.exec(body);
    return match?.[1] ? match[1].toUpperCase() : null;
  }
  if (type === 'application/dtmf') {
    const digit = body.trim().toUpperCase();
    return isDtmfDigit(digit) ? digit : null;
  }
  return null;
}
