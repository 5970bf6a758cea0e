/**
 * What every answer the core puts on the wire must satisfy, used by the RFC 4475 and fuzz
 * tests. An answer to a request the parser accepted must parse back completely; an answer to a
 * refused one copies the request's (possibly malformed) Via, From, To, Call-ID and CSeq as
 * RFC 3261 §8.2.6.2 says, so for it only the framing is checked.
 */
import { Buffer } from 'node:buffer';

const STATUS_LINE = /^SIP\/2\.0 [1-6][0-9][0-9] [^\r\n\0]*$/;
// A token, a colon, then a value without CR or LF (which would split the line). NUL may appear
// in a quoted string as a quoted-pair (RFC 4475 intmeth), so it is not refused here.
const HEADER_LINE = /^[!#-'*+.0-9A-Z^-z|~-]+: [^\r\n]*$/;

/** Why `text` is not a well-framed SIP response, or undefined when it is. */
export function framingProblem(text: string): string | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return 'no empty line after the headers';
  const [start = '', ...lines] = text.slice(0, end).split('\r\n');
  if (!STATUS_LINE.test(start)) return `bad status line ${JSON.stringify(start)}`;
  let contentLength: number | undefined;
  for (const line of lines) {
    if (!HEADER_LINE.test(line)) return `bad header line ${JSON.stringify(line.slice(0, 80))}`;
    const [name = '', value = ''] = line.split(/: (.*)/s);
    if (name.toLowerCase() === 'content-length') {
      if (contentLength !== undefined) return 'two Content-Length lines';
      contentLength = Number(value);
    }
  }
  const body = text.slice(end + 4);
  if (contentLength === undefined) return 'no Content-Length';
  if (Buffer.byteLength(body, 'utf8') !== contentLength) return 'Content-Length mismatch';
  return undefined;
}
