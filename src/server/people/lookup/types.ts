/**
 * Number lookup (nummeroppslag): who is calling, from the company directory, the tenant's own
 * contacts or an outside directory service, for the operator's caller card.
 *
 * @packageDocumentation
 */

export interface LookupResult {
  readonly name: string | null;
  readonly company: string | null;
  readonly address: string | null;
  /** Which provider answered (`directory`, `contacts`, or the HTTP provider's name). */
  readonly source: string;
}

export interface LookupProvider {
  readonly name: string;
  /**
   * What the provider knows about `e164` (`+4740001001`) for the tenant, or null. Should stop
   * promptly when `signal` aborts. A provider may reject; `LookupService` then treats it as
   * having no answer and asks the next one.
   */
  lookup(tenantId: string, e164: string, signal: AbortSignal): Promise<LookupResult | null>;
}

/**
 * - `timeout`: no complete answer within the provider's limit.
 * - `http`: a non-2xx answer other than 404 (`status` set).
 * - `network`: the server could not be reached.
 * - `too_large`: the answer exceeds the size cap.
 * - `parse`: the answer is not JSON.
 * - `aborted`: the caller's signal aborted.
 */
export type LookupErrorCode = 'timeout' | 'http' | 'network' | 'too_large' | 'parse' | 'aborted';

export class LookupError extends Error {
  override readonly name = 'LookupError';
  constructor(
    readonly code: LookupErrorCode,
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_FIELD = 200;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Trims a shown value, drops control characters and caps its length; empty → null. */
export function cleanField(value: unknown): string | null {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return null;
  text = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return text.length > MAX_FIELD ? text.slice(0, MAX_FIELD) : text;
}

/** A result worth showing: at least one of name, company, address. */
export function result(
  source: string,
  fields: { name?: unknown; company?: unknown; address?: unknown },
): LookupResult | null {
  const name = cleanField(fields.name);
  const company = cleanField(fields.company);
  const address = cleanField(fields.address);
  if (name === null && company === null && address === null) return null;
  return { name, company, address, source };
}
