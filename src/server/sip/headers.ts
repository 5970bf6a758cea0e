/**
 * Header names: canonical spelling, compact forms (RFC 3261 §7.3.3 and the
 * extensions that registered one), and which headers are comma-separated
 * lists that `getAll` splits.
 *
 * @packageDocumentation
 */

const CANONICAL = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Answer-Mode',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
] as const;

/** Compact form → long name (RFC 3261 §7.3.3, RFC 3265, 3515, 3892, 3841, 4028, 4474). */
const COMPACT: Record<string, string> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/** Headers whose values are comma-separated lists (`#element` in the ABNF). */
const LIST_HEADERS = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

/** A header name resolved to its lookup key (lowercase long form) and its written form. */
export interface HeaderName {
  /** Lowercase long form, the identity used by every lookup. */
  readonly key: string;
  /** Canonical spelling for known headers, otherwise as first written. */
  readonly name: string;
}

const BY_LOWER = new Map<string, HeaderName>();
for (const name of CANONICAL) {
  const entry = { key: name.toLowerCase(), name };
  BY_LOWER.set(entry.key, entry);
}
for (const [short, long] of Object.entries(COMPACT)) {
  const entry = BY_LOWER.get(long.toLowerCase());
  if (entry) BY_LOWER.set(short, entry);
}
// Exact-case hits skip toLowerCase() for the spellings seen on the wire.
const BY_EXACT = new Map<string, HeaderName>();
for (const [lower, entry] of BY_LOWER) {
  BY_EXACT.set(entry.name, entry);
  BY_EXACT.set(lower, entry);
  if (lower.length === 1) BY_EXACT.set(lower.toUpperCase(), entry);
}

/** Resolves any spelling (`call-id`, `i`, `I`, `CALL-ID`) of a header name. */
export function headerName(raw: string): HeaderName {
  return knownHeaderName(raw) ?? { key: raw.toLowerCase(), name: raw };
}

/** The table entry for a header this module knows, or undefined (then it may not even be a token). */
export function knownHeaderName(raw: string): HeaderName | undefined {
  return BY_EXACT.get(raw) ?? BY_LOWER.get(raw.toLowerCase());
}

/** True when `getAll` splits this header's values at commas. */
export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
