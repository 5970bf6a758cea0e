/**
 * Checks every request passes before the core routes it (RFC 3261 §8.2 and §16.3, in their
 * order): what the parser cannot decide because it needs to know what the core supports.
 * The parser has already refused what is malformed (400, 416, 505); this answers
 *
 * - 400 for a single-valued header given twice, a body without Content-Type, or a REGISTER
 *   whose To is not a SIP or SIPS address of record (RFC 4475 §3.3.4),
 * - 483 for Max-Forwards 0 on anything the core would pass on (§16.3 item 3),
 * - 501 for a method the core does not recognize (§8.2.1, RFC 4475 §3.1.1.6),
 * - 420 with Unsupported for option tags in Require the core does not implement (§8.2.2.3),
 * - 422 with Min-SE for an INVITE or UPDATE asking for a session interval below it (RFC 4028
 *   §9), before any call is accepted (queued callers included),
 * - 415 with Accept / Accept-Encoding for an INVITE body the core cannot read (§8.2.3),
 * - 406 with Warning 399 for an INVITE whose Accept excludes SDP (RFC 4475 §3.3.15).
 *
 * ACK never gets an answer and CANCEL only matches its INVITE, so both pass unchecked.
 */
import { createResponse, headerName, type SipRequest, type SipResponse } from '../sip';
import { MIN_SE, parseSessionExpires } from '../b2bua/session-timer';

/**
 * Option tags the core implements, for Require (420 otherwise) and Supported. Only what works
 * today: `outbound` because registrations are bound to their connection (flow) with
 * `+sip.instance` and CRLF keep-alives are answered (RFC 5626); `timer` because the B2BUA runs
 * RFC 4028 session timers per leg (src/server/b2bua/session-timer.ts). Not yet: `path`,
 * `gruu`, `replaces` (an incoming INVITE with Replaces); never `100rel` (the core sends no
 * reliable provisionals, RFC 3262) — add a tag here when its feature lands.
 */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ['outbound', 'timer'];

/** Methods the core knows; any other is 501 (§8.2.1). The router answers each of these. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
  'MESSAGE',
  'NOTIFY',
  'REFER',
  'SUBSCRIBE',
  'PUBLISH',
  'PRACK',
]);

/** Body types the B2BUA reads in an INVITE (it relays SDP offers and nothing else). */
export const ACCEPTED_INVITE_TYPES: readonly string[] = ['application/sdp'];

/**
 * Single-valued headers (RFC 3261 §7.3.1, §20) the parser does not already watch (it refuses a
 * second, different Call-ID, CSeq, From, To, Max-Forwards or Content-Length itself).
 */
const SINGLE_VALUED = [
  'Content-Type',
  'Content-Disposition',
  'Date',
  'Expires',
  'MIME-Version',
  'Min-Expires',
  'Priority',
  'Reply-To',
  'Retry-After',
  'Subject',
  'Timestamp',
];
const SINGLE_VALUED_KEYS: ReadonlySet<string> = new Set(SINGLE_VALUED.map((n) => n.toLowerCase()));

/** Options of {@link checkRequest}. */
export interface RequestCheckOptions {
  /** Allow header value for a 501. */
  allow: string;
  /** Warn-agent of a Warning header (RFC 3261 §20.43). Default `sentral`. */
  warnAgent?: string;
}

/**
 * The response the core must answer `req` with before routing it, or undefined when it may be
 * routed. Pure: never throws for a request the parser accepted.
 */
export function checkRequest(
  req: SipRequest,
  options: RequestCheckOptions,
): SipResponse | undefined {
  if (req.method === 'ACK' || req.method === 'CANCEL') return undefined;

  const repeated = repeatedSingleValued(req);
  if (repeated) return createResponse(req, 400, `Multiple ${repeated} values`);
  if (req.body.length > 0 && !req.has('Content-Type')) {
    return createResponse(req, 400, 'Missing Content-Type');
  }
  if (req.method === 'REGISTER') {
    const scheme = req.to.uri.scheme.toLowerCase();
    if (scheme !== 'sip' && scheme !== 'sips') {
      return createResponse(req, 400, 'To Is Not a SIP Address of Record');
    }
  }

  if (req.maxForwards === 0 && !finalRecipient(req)) {
    return createResponse(req, 483, 'Too Many Hops');
  }

  if (!KNOWN_METHODS.has(req.method)) {
    return createResponse(req, 501, 'Not Implemented', { headers: { Allow: options.allow } });
  }

  const unsupported = unsupportedTags(req.getAll('Require'));
  if (unsupported.length > 0) {
    return createResponse(req, 420, 'Bad Extension', {
      headers: { Unsupported: unsupported.join(', ') },
    });
  }

  const se = parseSessionExpires(req.get('Session-Expires'));
  if (se && se.delta < MIN_SE && (req.method === 'INVITE' || req.method === 'UPDATE')) {
    return createResponse(req, 422, 'Session Interval Too Small', {
      headers: { 'Min-SE': String(MIN_SE) },
    });
  }

  if (req.method === 'INVITE') return checkInviteContent(req, options.warnAgent ?? 'sentral');
  return undefined;
}

/**
 * Requests the core ends itself may arrive with Max-Forwards 0 (RFC 4475 §3.3.11: an endpoint
 * processes them as usual): in-dialog requests (the core is the dialog's UAS) and an OPTIONS to
 * the core itself, without a user part (§11, §16.3 item 3). Anything for a user is passed on.
 */
function finalRecipient(req: SipRequest): boolean {
  if (req.to.tag !== undefined) return true;
  return req.method === 'OPTIONS' && !req.parsedUri.user;
}

/** Require tags not in {@link SUPPORTED_OPTION_TAGS}, as written, each once. */
export function unsupportedTags(required: readonly string[]): string[] {
  const supported = new Set(SUPPORTED_OPTION_TAGS.map((t) => t.toLowerCase()));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of required) {
    const key = tag.toLowerCase();
    if (tag.length === 0 || supported.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}

function checkInviteContent(req: SipRequest, warnAgent: string): SipResponse | undefined {
  const encodings = req
    .getAll('Content-Encoding')
    .map((e) => e.toLowerCase())
    .filter((e) => e !== 'identity');
  if (encodings.length > 0) {
    return createResponse(req, 415, 'Unsupported Media Type', {
      headers: { 'Accept-Encoding': 'identity', Accept: ACCEPTED_INVITE_TYPES.join(', ') },
    });
  }
  if (req.body.length > 0) {
    const type = mediaType(req.get('Content-Type') ?? '');
    if (!ACCEPTED_INVITE_TYPES.includes(type)) {
      return createResponse(req, 415, 'Unsupported Media Type', {
        headers: { Accept: ACCEPTED_INVITE_TYPES.join(', ') },
      });
    }
  }
  // The answer to an INVITE carries SDP; an Accept without it leaves nothing to answer with.
  // An empty Accept is read as absent (liberal; §20.1 would make it "nothing acceptable").
  const accept = req
    .getAll('Accept')
    .map(mediaType)
    .filter((range) => range.length > 0);
  if (accept.length > 0 && !accept.some(acceptsSdp)) {
    return createResponse(req, 406, 'Not Acceptable', {
      headers: {
        Accept: ACCEPTED_INVITE_TYPES.join(', '),
        Warning: `399 ${warnAgent} "Only application/sdp bodies can be sent in answers"`,
      },
    });
  }
  return undefined;
}

/** `type/subtype` in lowercase, without parameters. */
function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

function acceptsSdp(range: string): boolean {
  return range === 'application/sdp' || range === 'application/*' || range === '*/*';
}

/** The first of {@link SINGLE_VALUED} that has more than one line, by its canonical name. */
function repeatedSingleValued(req: SipRequest): string | undefined {
  const seen = new Set<string>();
  for (const [written] of req.entries()) {
    const { key, name } = headerName(written);
    if (!SINGLE_VALUED_KEYS.has(key)) continue;
    if (seen.has(key)) return name;
    seen.add(key);
  }
  return undefined;
}

/**
 * The router's hook: answers `req` on `tx` when a check fails and returns true (then the
 * request must not be routed).
 */
export function rejectInvalidRequest(
  req: SipRequest,
  tx: { respond(res: SipResponse): unknown },
  allow: string,
): boolean {
  const refusal = checkRequest(req, { allow });
  if (refusal === undefined) return false;
  tx.respond(refusal);
  return true;
}
