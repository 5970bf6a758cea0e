/**
 * Error types of the SIP stack.
 *
 * @packageDocumentation
 */
import type { SipRequest } from './message';

/**
 * A header value, URI or parameter list that does not match the RFC 3261
 * grammar. Thrown by the typed accessors and the stand-alone parsers; the
 * message parser turns it into a {@link SipParseError} with a status.
 */
export class SipSyntaxError extends Error {
  override name = 'SipSyntaxError';
}

/** What a malformed message looked like, which decides what the caller may do with it. */
export type SipParseErrorKind = 'request' | 'response' | 'garbage';

/**
 * A message that cannot be processed. For `kind: 'request'` the caller answers
 * with `status` and `reason`, building the response from `partial` (it carries
 * every header line that could be split into name and value, so Via, From,
 * To, Call-ID and CSeq can be copied). Responses are dropped; garbage (no
 * recognizable start line) counts against the flow.
 */
export class SipParseError extends Error {
  override name = 'SipParseError';
  readonly kind: SipParseErrorKind;
  /** 400, 413 (too large), 416 (unsupported Request-URI scheme) or 505 (SIP version). */
  readonly status: number;
  /** Short, human, usable as the reason phrase of the error response. */
  readonly reason: string;
  /** The request as far as it could be read (only for `kind: 'request'`). */
  readonly partial: SipRequest | undefined;

  constructor(kind: SipParseErrorKind, status: number, reason: string, partial?: SipRequest) {
    super(`${kind}: ${status} ${reason}`);
    this.kind = kind;
    this.status = status;
    this.reason = reason;
    this.partial = partial;
  }
}

/** Sending on a flow that is closed or broken. */
export class SipTransportError extends Error {
  override name = 'SipTransportError';
}
