/**
 * Wire form of a message: CRLF line ends and a Content-Length recomputed
 * from the body in UTF-8 bytes (RFC 3261 §7.5, §20.14), placed where the
 * message had one or at the end of the headers.
 *
 * @packageDocumentation
 */
import { Buffer } from 'node:buffer';
import type { SipMessage } from './message';

/** UTF-8 length of `s`, the unit of Content-Length. */
export function byteLength(s: string): number {
  return s.length === 0 ? 0 : Buffer.byteLength(s, 'utf8');
}

/** Serializes `msg`; header values are written as stored, names in canonical spelling. */
export function serialize(msg: SipMessage): string {
  let out = msg.startLine() + '\r\n';
  let lengthWritten = false;
  const body = msg.body;
  for (const field of msg._fields) {
    if (field.key === 'content-length') {
      if (!lengthWritten) out += 'Content-Length: ' + byteLength(body) + '\r\n';
      lengthWritten = true;
    } else {
      out += field.name + ': ' + field.value + '\r\n';
    }
  }
  if (!lengthWritten) out += 'Content-Length: ' + byteLength(body) + '\r\n';
  return out + '\r\n' + body;
}
