import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../../../src/server/sip/errors';
import { SipRequest, SipResponse } from '../../../src/server/sip/message';
import { INVITE, parseRequest } from './messages';

describe('the header list', () => {
  it('set replaces every line of a header in place of the first', () => {
    const req = parseRequest(INVITE);
    req.set('max-forwards', '69');
    expect(req.get('Max-Forwards')).toBe('69');
    expect(req.entries()[5]).toEqual(['Max-Forwards', '69']);
    req.set('Allow', ['INVITE', 'ACK']);
    expect(req.getAll('Allow')).toEqual(['INVITE', 'ACK']);
  });

  it('prepend puts a Via on top and add appends after the last Record-Route', () => {
    const req = parseRequest(INVITE);
    req.prepend('Via', 'SIP/2.0/TCP core.example;branch=z9hG4bKtop');
    req.add('Record-Route', '<sip:a.example;lr>');
    req.prepend('Record-Route', '<sip:b.example;lr>');
    expect(req.vias.map((v) => v.host)).toEqual(['core.example', '9b7lq2bkh2sm.invalid']);
    expect(req.getAll('Record-Route')).toEqual(['<sip:b.example;lr>', '<sip:a.example;lr>']);
    expect(req.entries()[0]?.[0]).toBe('Via');
  });

  it('typed accessors follow header changes', () => {
    const req = parseRequest(INVITE);
    expect(req.from.tag).toBe('0k3u6kpf2h');
    req.set('From', '<sip:x@y.example>;tag=new');
    expect(req.from.tag).toBe('new');
    req.set('CSeq', '7 INVITE');
    expect(req.cseq.seq).toBe(7);
    req.remove('Via');
    expect(req.vias).toEqual([]);
  });

  it('removeFirst pops one value out of a comma-joined line', () => {
    const req = new SipRequest('INVITE', 'sip:a@b.example', [
      ['Route', '<sip:r1.example;lr>, <sip:r2.example;lr>'],
      ['Route', '<sip:r3.example;lr>'],
    ]);
    expect(req.removeFirst('Route')).toBe('<sip:r1.example;lr>');
    expect(req.getAll('Route')).toEqual(['<sip:r2.example;lr>', '<sip:r3.example;lr>']);
    expect(req.removeFirst('Route')).toBe('<sip:r2.example;lr>');
    expect(req.removeFirst('Route')).toBe('<sip:r3.example;lr>');
    expect(req.removeFirst('Route')).toBeUndefined();
    expect(req.has('Route')).toBe(false);
  });

  it('refuses header values that would inject lines', () => {
    const req = new SipRequest('MESSAGE', 'sip:a@b.example');
    expect(() => req.set('Subject', 'hi\r\nVia: evil')).toThrow(TypeError);
    expect(() => req.add('Subject', 'hi\nthere')).toThrow(TypeError);
  });

  it('a reason phrase with line breaks cannot inject headers', () => {
    const res = new SipResponse(480, 'Away\r\nVia: evil');
    expect(res.toString().startsWith('SIP/2.0 480 Away Via: evil\r\nContent-Length: 0\r\n')).toBe(
      true,
    );
  });

  it('constructors take headers as pairs or a record, and responses default their reason', () => {
    const res = new SipResponse(486, undefined, {
      Via: ['SIP/2.0/WS a;branch=z9hG4bK1', 'SIP/2.0/WS b;branch=z9hG4bK2'],
      'call-id': 'c',
    });
    expect(res.reason).toBe('Busy Here');
    expect(res.getAll('Via')).toHaveLength(2);
    expect(res.toString()).toBe(
      'SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/WS a;branch=z9hG4bK1\r\nVia: SIP/2.0/WS b;branch=z9hG4bK2\r\nCall-ID: c\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('a missing mandatory header reads as a syntax error, optional ones as undefined', () => {
    const req = new SipRequest('OPTIONS', 'sip:a@b.example');
    expect(() => req.callId).toThrow(SipSyntaxError);
    expect(() => req.from).toThrow(SipSyntaxError);
    expect(req.maxForwards).toBeUndefined();
    expect(req.topVia).toBeUndefined();
    expect(req.contacts).toEqual([]);
  });

  it('Contact: * is the wildcard, not an address', () => {
    const req = new SipRequest('REGISTER', 'sip:b.example', [['Contact', '*']]);
    expect(req.contactWildcard).toBe(true);
    expect(req.contacts).toEqual([]);
  });

  it('clone is deep enough that changing the copy leaves the original alone', () => {
    const req = parseRequest(INVITE);
    const copy = req.clone();
    copy.uri = 'sip:300@sentral.example';
    copy.set('Max-Forwards', '1');
    copy.body = '';
    expect(req.uri).toBe('sip:200@sentral.example');
    expect(req.maxForwards).toBe(70);
    expect(req.body.length).toBeGreaterThan(0);
    expect(copy.parsedUri.user).toBe('300');
    expect(copy.toString()).toContain('INVITE sip:300@sentral.example SIP/2.0\r\n');
  });
});
