/**
 * Which number an outgoing external call shows (issue 4: "per user, the numbers they may
 * present … the core enforces it and refuses anything else"). A user may show their own
 * mobile, the company's main number or their department's number; the phone asks for one with
 * P-Preferred-Identity (RFC 3325 §9.2) and the core puts the granted one in From and
 * P-Asserted-Identity towards the carrier. Without a wish the main number is shown (the
 * switchboard's usual face), else the mobile.
 */
import { toE164 } from '../store/phone';

export interface PresentableSources {
  readonly mobile: string | null;
  readonly mainNumber: string | null;
  readonly departmentNumber: string | null;
}

export type PresentableKind = 'main' | 'mobile' | 'department';

/** The E.164 numbers a user may present, the default first, each with where it comes from. */
export function presentableNumbers(
  sources: PresentableSources,
): Array<{ number: string; kind: PresentableKind }> {
  const out: Array<{ number: string; kind: PresentableKind }> = [];
  const candidates: Array<[string | null, PresentableKind]> = [
    [sources.mainNumber, 'main'],
    [sources.mobile, 'mobile'],
    [sources.departmentNumber, 'department'],
  ];
  for (const [n, kind] of candidates) {
    const e164 = n ? toE164(n) : null;
    if (e164 && !out.some((o) => o.number === e164)) out.push({ number: e164, kind });
  }
  return out;
}

export type PresentedChoice =
  { readonly ok: true; readonly number: string } | { readonly ok: false; readonly reason: string };

/**
 * The number to present for a wish (a P-Preferred-Identity value such as
 * `<sip:+4722334455@host>` or `<tel:+47 22 33 44 55>`, or undefined for the default).
 */
export function choosePresentedNumber(
  allowed: ReadonlyArray<{ readonly number: string }>,
  preferred: string | undefined,
): PresentedChoice {
  if (preferred === undefined || preferred.trim() === '') {
    const first = allowed[0];
    return first
      ? { ok: true, number: first.number }
      : { ok: false, reason: 'No Number To Present' };
  }
  const wanted = toE164(numberOfIdentity(preferred));
  if (wanted && allowed.some((a) => a.number === wanted)) return { ok: true, number: wanted };
  return { ok: false, reason: 'Number Not Allowed' };
}

/** The user part of a SIP/tel URI in a name-addr, or the text itself. */
function numberOfIdentity(value: string): string {
  const inner = /<([^>]*)>/.exec(value)?.[1] ?? value;
  const m = /^(?:sips?|tel):([^@;>]*)/i.exec(inner.trim());
  return decodeURIComponent(m?.[1] ?? inner).trim();
}
