/**
 * Bencode (the BitTorrent encoding rtpengine's ng control protocol speaks): integers
 * `i42e`, byte strings `4:spam`, lists `l…e`, dictionaries `d…e` with sorted keys.
 * Strings decode as UTF-8 text; rtpengine sends nothing binary on the control channel.
 */
import { Buffer } from 'node:buffer';

export type BValue = string | number | BValue[] | { [key: string]: BValue | undefined };

export function bencode(value: BValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: BValue, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode: ${value} is not an integer`);
    out.push(Buffer.from(`i${value}e`));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l'));
    for (const item of value) write(item, out);
    out.push(Buffer.from('e'));
  } else {
    out.push(Buffer.from('d'));
    // Keys sorted as raw byte strings (the spec's canonical form).
    for (const key of Object.keys(value).sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    )) {
      const item = value[key];
      if (item === undefined) continue;
      write(key, out);
      write(item, out);
    }
    out.push(Buffer.from('e'));
  }
}

export class BencodeError extends Error {}

/** Decodes one value that must fill `data` exactly. */
export function bdecode(data: Buffer): BValue {
  const [value, end] = read(data, 0);
  if (end !== data.length) throw new BencodeError(`bencode: trailing bytes at ${end}`);
  return value;
}

function read(data: Buffer, at: number): [BValue, number] {
  const c = data[at];
  if (c === undefined) throw new BencodeError('bencode: truncated');
  if (c === 0x69 /* i */) {
    const end = data.indexOf(0x65 /* e */, at);
    if (end < 0) throw new BencodeError('bencode: unterminated integer');
    const text = data.toString('ascii', at + 1, end);
    if (!/^-?\d+$/.test(text)) throw new BencodeError(`bencode: bad integer "${text}"`);
    return [Number(text), end + 1];
  }
  if (c === 0x6c /* l */) {
    const list: BValue[] = [];
    let pos = at + 1;
    while (data[pos] !== 0x65) {
      const [item, next] = read(data, pos);
      list.push(item);
      pos = next;
    }
    return [list, pos + 1];
  }
  if (c === 0x64 /* d */) {
    const dict: Record<string, BValue> = {};
    let pos = at + 1;
    while (data[pos] !== 0x65) {
      const [key, afterKey] = read(data, pos);
      if (typeof key !== 'string') throw new BencodeError('bencode: dictionary key not a string');
      const [item, next] = read(data, afterKey);
      dict[key] = item;
      pos = next;
    }
    return [dict, pos + 1];
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = data.indexOf(0x3a /* : */, at);
    if (colon < 0) throw new BencodeError('bencode: unterminated string length');
    const length = Number(data.toString('ascii', at, colon));
    const end = colon + 1 + length;
    if (!Number.isInteger(length) || end > data.length)
      throw new BencodeError('bencode: truncated');
    return [data.toString('utf8', colon + 1, end), end];
  }
  throw new BencodeError(`bencode: unexpected byte ${c} at ${at}`);
}
