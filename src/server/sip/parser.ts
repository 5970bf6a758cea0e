/**
 * Hand-written SIP message parser for message-framed transports (one
 * message per WebSocket frame or UDP datagram; a stream transport frames
 * first and hands each message here).
 *
 * Lines are found with `indexOf`, folded continuation lines are joined with
 * one space, names resolve through a table (compact forms included), and
 * only the headers a server must trust before acting are parsed eagerly:
 * Via, From, To, Call-ID, CSeq, Max-Forwards, Contact (requests) and the
 * Request-URI. Everything else stays text until asked for.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import { SipParseError, SipSyntaxError } from './errors';
import { isToken } from './grammar';
import { knownHeaderName } from './headers';
import type { HeaderField } from './message';
import { SipRequest, SipResponse } from './message';
import { isValidScheme } from './uri';
import type { SipUri } from './uri';

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /**
   * Messages longer than this many characters are refused: 413 for a
   * request (after reading its headers, for `partial`), dropped otherwise.
   */
  maxSize?: number;
  /**
   * How the text was decoded from bytes, which decides how Content-Length
   * (an octet count) is measured: `utf8` (default; WebSocket text frames) or
   * `latin1` (one char per octet, binary-safe for stream buffers and files).
   */
  encoding?: 'utf8' | 'latin1';
}

function hasLineBreak(s: string): boolean {
  return s.indexOf('\n') !== -1 || s.indexOf('\r') !== -1;
}

function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/** Request-URI schemes this stack serves; anything else is 416 (RFC 3261 §8.2.2.1). */
export const SUPPORTED_URI_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel']);

const SINGLE_KEYS = new Set(['call-id', 'cseq', 'from', 'to', 'max-forwards', 'content-length']);

interface Problem {
  status: number;
  reason: string;
}

/**
 * Parses one message. Throws {@link SipParseError} for anything a server
 * must refuse; see its `kind`, `status` and `partial`.
 *
 * A body longer than Content-Length is cut to it (the rest of a datagram or
 * frame is ignored, RFC 3261 §18.3); a shorter one is an error; without
 * Content-Length the rest of the data is the body.
 */
export function parseMessage(data: string, options?: ParseOptions): SipRequest | SipResponse {
  const maxSize = options?.maxSize;
  const tooLarge = maxSize !== undefined && data.length > maxSize;
  let text = tooLarge ? data.slice(0, maxSize) : data;

  // Stream keep-alives and stray line ends before the start line are ignored (§7.5).
  let start = 0;
  while (start < text.length) {
    const c = text.charCodeAt(start);
    if (c !== 13 && c !== 10) break;
    start++;
  }
  if (start === text.length) throw new SipParseError('garbage', 400, 'Empty message');

  let headEnd = text.indexOf('\r\n\r\n', start);
  let hasBody = headEnd !== -1;
  if (headEnd === -1) {
    const lf = text.indexOf('\n\n', start);
    if (lf !== -1 && text.lastIndexOf('\r', lf) < start) {
      // Bare-LF message: normalize the head so the rest of the parser sees CRLF.
      const head = text.slice(start, lf).replace(/\n/g, '\r\n');
      text = head + '\r\n\r\n' + text.slice(lf + 2);
      start = 0;
      headEnd = head.length;
      hasBody = true;
    } else if (tooLarge) {
      // Cut inside the headers: keep only complete lines for `partial`.
      headEnd = Math.max(text.lastIndexOf('\r\n'), start);
    } else {
      headEnd = text.length; // no empty line: headers only
      if (text.endsWith('\r\n')) headEnd -= 2;
    }
  }

  let lineEnd = text.indexOf('\r\n', start);
  if (lineEnd === -1 || lineEnd > headEnd) lineEnd = headEnd;
  const line = text.slice(start, lineEnd);

  let msg: SipRequest | SipResponse;
  let startProblem: Problem | undefined;
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/') {
    const sp = line.indexOf(' ');
    const version = sp === -1 ? line : line.slice(0, sp);
    const codeText = sp === -1 ? '' : line.slice(sp + 1, sp + 4);
    const after = line.charCodeAt(sp + 4);
    const status = Number(codeText);
    if (version.toUpperCase() !== 'SIP/2.0') {
      startProblem = { status: 505, reason: 'Version Not Supported' };
    } else if (!/^[1-6][0-9][0-9]$/.test(codeText) || (sp + 4 < line.length && after !== 32)) {
      startProblem = { status: 400, reason: 'Bad Status-Line' };
    }
    msg = new SipResponse(status || 0, sp + 5 <= line.length ? line.slice(sp + 5) : '');
  } else {
    const trimmed = line.trimEnd();
    const lastSp = trimmed.lastIndexOf(' ');
    const lastToken = trimmed.slice(lastSp + 1);
    if (lastSp <= 0 || lastToken.slice(0, 4).toUpperCase() !== 'SIP/') {
      throw new SipParseError('garbage', 400, 'Not a SIP message');
    }
    const firstSp = line.indexOf(' ');
    const version = line.slice(line.lastIndexOf(' ') + 1);
    const method = line.slice(0, firstSp);
    const ruri = line.slice(firstSp + 1, line.lastIndexOf(' '));
    msg = new SipRequest(method, ruri);
    if (!isToken(method) || ruri.length === 0 || /[ \t]/.test(ruri) || version.length === 0) {
      startProblem = { status: 400, reason: 'Malformed Request-Line' };
    } else if (version.toUpperCase() !== 'SIP/2.0') {
      startProblem = /^SIP\/[0-9]+\.[0-9]+$/i.test(version)
        ? { status: 505, reason: 'Version Not Supported' }
        : { status: 400, reason: 'Malformed Request-Line' };
    }
  }

  // Header lines, unfolding continuations.
  const fields: HeaderField[] = [];
  let lineProblem: Problem | undefined;
  let singles: Map<string, string> | undefined;
  let pos = lineEnd + 2;
  while (pos < headEnd) {
    let eol = text.indexOf('\r\n', pos);
    if (eol === -1 || eol > headEnd) eol = headEnd;
    let next = eol + 2;
    let name: string;
    let value: string;
    const folded = next < headEnd && isWsp(text.charCodeAt(next));
    if (!folded) {
      // Common case: one physical line; cut name and value straight out of the text.
      const colon = text.indexOf(':', pos);
      if (colon === -1 || colon >= eol) {
        name = '';
        value = '';
      } else {
        let nameEnd = colon;
        while (nameEnd > pos && isWsp(text.charCodeAt(nameEnd - 1))) nameEnd--;
        name = text.slice(pos, nameEnd);
        let valueStart = colon + 1;
        while (valueStart < eol && isWsp(text.charCodeAt(valueStart))) valueStart++;
        let valueEnd = eol;
        while (valueEnd > valueStart && isWsp(text.charCodeAt(valueEnd - 1))) valueEnd--;
        value = text.slice(valueStart, valueEnd);
      }
    } else {
      let raw = text.slice(pos, eol);
      while (next < headEnd && isWsp(text.charCodeAt(next))) {
        let eol2 = text.indexOf('\r\n', next);
        if (eol2 === -1 || eol2 > headEnd) eol2 = headEnd;
        raw = raw.trimEnd() + ' ' + text.slice(next, eol2).trimStart();
        next = eol2 + 2;
      }
      const colon = raw.indexOf(':');
      name = colon > 0 ? raw.slice(0, colon).trimEnd() : '';
      value = colon > 0 ? raw.slice(colon + 1).trim() : '';
    }
    pos = next;
    // A lone CR or LF inside a line (CRLF and LF mixed) would end up inside a value, and from
    // there in every response that copies it: the line is malformed (RFC 3261 §7.3.1).
    if (hasLineBreak(value) || hasLineBreak(name)) {
      lineProblem ??= { status: 400, reason: 'Malformed header line' };
      continue;
    }
    // Known names are tokens by construction; only unknown ones need the character check.
    let known = knownHeaderName(name);
    if (known === undefined) {
      if (!isToken(name)) {
        lineProblem ??= { status: 400, reason: 'Malformed header line' };
        continue;
      }
      known = { key: name.toLowerCase(), name };
    }
    const { key, name: written } = known;
    if (SINGLE_KEYS.has(key)) {
      singles ??= new Map();
      const seen = singles.get(key);
      if (seen === undefined) singles.set(key, value);
      else if (seen !== value)
        lineProblem ??= { status: 400, reason: `Multiple ${written} values` };
    }
    fields.push({ name: written, key, value });
  }
  msg._fields = fields;

  try {
    if (startProblem) throw new Refusal(startProblem.status, startProblem.reason);
    if (tooLarge) {
      throw new Refusal(
        413,
        msg.type === 'request' ? 'Request Entity Too Large' : 'Message Too Large',
      );
    }
    if (lineProblem) throw new Refusal(lineProblem.status, lineProblem.reason);
    if (msg.type === 'request') validateRequest(msg);
    else validateCommon(msg);
    msg.body = readBody(text, headEnd, hasBody, msg.get('Content-Length'), options);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (msg.type === 'request') throw new SipParseError('request', error.status, error.reason, msg);
    throw new SipParseError('response', error.status, error.reason);
  }
  return msg;
}

/** Why a message is refused; becomes a {@link SipParseError} once the kind is known. */
class Refusal {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

function refuse(reason: string, status = 400): never {
  throw new Refusal(status, reason);
}

/**
 * Via, From, To, Call-ID and CSeq present and well-formed (§8.1.1, §8.2.2);
 * returns the parsed CSeq method.
 */
function validateCommon(msg: SipRequest | SipResponse): string {
  let what = 'Via';
  try {
    if (!msg.has('Via')) refuse('Missing Via');
    if (msg.vias.length === 0) refuse('Bad Via');
    what = 'From';
    if (!msg.has('From')) refuse('Missing From');
    void msg.from;
    what = 'To';
    if (!msg.has('To')) refuse('Missing To');
    void msg.to;
    const callId = msg.get('Call-ID');
    if (callId === undefined) refuse('Missing Call-ID');
    if (callId.length === 0 || /\s/.test(callId)) refuse('Bad Call-ID');
    what = 'CSeq';
    if (!msg.has('CSeq')) refuse('Missing CSeq');
    return msg.cseq.method;
  } catch (error) {
    if (error instanceof SipSyntaxError) refuse(`Bad ${what}`);
    throw error;
  }
}

/** Common checks, CSeq method, Max-Forwards, Contact and the Request-URI (416 for its scheme). */
function validateRequest(req: SipRequest): void {
  if (validateCommon(req) !== req.method) refuse('CSeq method does not match');
  let what = 'Max-Forwards';
  try {
    void req.maxForwards;
    what = 'Contact';
    void req.contacts;
  } catch (error) {
    if (error instanceof SipSyntaxError) refuse(`Bad ${what}`);
    throw error;
  }
  const colon = req.uri.indexOf(':');
  const scheme = colon > 0 ? req.uri.slice(0, colon) : '';
  if (!isValidScheme(scheme)) refuse('Bad Request-URI');
  if (!SUPPORTED_URI_SCHEMES.has(scheme.toLowerCase())) refuse('Unsupported URI Scheme', 416);
  let uri: SipUri;
  try {
    uri = req.parsedUri;
  } catch (error) {
    if (error instanceof SipSyntaxError) refuse('Bad Request-URI');
    throw error;
  }
  // URI headers are not allowed in a Request-URI (§19.1.1 table 1, RFC 4475 §3.1.2.9).
  if (uri.headers.size > 0) refuse('Bad Request-URI');
}

function readBody(
  text: string,
  headEnd: number,
  hasBody: boolean,
  contentLength: string | undefined,
  options: ParseOptions | undefined,
): string {
  const body = hasBody ? text.slice(headEnd + 4) : '';
  if (contentLength === undefined) return body;
  if (!/^[0-9]{1,10}$/.test(contentLength)) refuse('Bad Content-Length');
  const declared = Number(contentLength);
  if (options?.encoding === 'latin1') {
    if (body.length < declared) refuse('Body shorter than Content-Length');
    return body.length === declared ? body : body.slice(0, declared);
  }
  if (body.length === 0) {
    if (declared > 0) refuse('Body shorter than Content-Length');
    return body;
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes === declared) return body;
  if (bytes < declared) refuse('Body shorter than Content-Length');
  return bytes === body.length
    ? body.slice(0, declared)
    : Buffer.from(body, 'utf8').subarray(0, declared).toString('utf8');
}
