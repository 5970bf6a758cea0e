import { describe, expect, it } from 'vitest';
import { SipSyntaxError } from '../../../src/server/sip/errors';
import { NameAddr, SipUri, parseNameAddr, parseUri, uriEquals } from '../../../src/server/sip/uri';
import { parseVia } from '../../../src/server/sip/via';

describe('URIs', () => {
  it('a full SIP URI splits into every component and serializes back', () => {
    const text =
      'sips:alice:secret@Sentral.Example:5061;transport=tls;lr;maddr=10.0.0.1?subject=hi&priority=urgent';
    const uri = parseUri(text);
    expect(uri.scheme).toBe('sips');
    expect(uri.user).toBe('alice');
    expect(uri.password).toBe('secret');
    expect(uri.host).toBe('Sentral.Example');
    expect(uri.port).toBe(5061);
    expect([...uri.params]).toEqual([
      ['transport', 'tls'],
      ['lr', null],
      ['maddr', '10.0.0.1'],
    ]);
    expect([...uri.headers]).toEqual([
      ['subject', 'hi'],
      ['priority', 'urgent'],
    ]);
    expect(uri.toString()).toBe(text);
  });

  it('IPv6 references keep their brackets and may carry a port', () => {
    const uri = parseUri('sip:[2001:db8::10]:5070;transport=tcp');
    expect(uri.host).toBe('[2001:db8::10]');
    expect(uri.port).toBe(5070);
    expect(uri.hostport).toBe('[2001:db8::10]:5070');
    expect(uri.toString()).toBe('sip:[2001:db8::10]:5070;transport=tcp');
  });

  it('tel URIs keep the number in user, other schemes stay opaque', () => {
    const tel = parseUri('tel:+47-2233-4455;phone-context=example.com');
    expect(tel.user).toBe('+47-2233-4455');
    expect(tel.params.get('phone-context')).toBe('example.com');
    expect(tel.toString()).toBe('tel:+47-2233-4455;phone-context=example.com');
    const urn = parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    expect(urn.opaque).toBe('uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    expect(urn.toString()).toBe('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
  });

  it.each([
    'sip:',
    'sip:user@',
    'sip:a b@c',
    'sip:a@b:99999',
    'sip:a@b;;lr',
    '<sip:a@b>',
    'sip:a@b>',
    'no-colon',
    '1sip:a@b',
  ])('%j is refused', (text) => {
    expect(() => parseUri(text)).toThrow(SipSyntaxError);
  });

  it('equality follows §19.1.4', () => {
    expect(
      uriEquals('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'),
    ).toBe(true);
    expect(uriEquals('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5')).toBe(true);
    expect(
      uriEquals('sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'),
    ).toBe(false);
    expect(uriEquals('sip:alice@atlanta.com', 'sip:ALICE@atlanta.com')).toBe(false);
    expect(uriEquals('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060')).toBe(false);
    expect(uriEquals('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp')).toBe(false);
    expect(uriEquals('sip:bob@biloxi.com', 'sips:bob@biloxi.com')).toBe(false);
    expect(
      uriEquals(
        'sip:carol@chicago.com?Subject=next%20meeting',
        'sip:carol@chicago.com?Subject=next meeting'.replace(' ', '%20'),
      ),
    ).toBe(true);
    expect(uriEquals('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next')).toBe(false);
  });
});

describe('name-addr', () => {
  it('reads quoted and token display names, angle and bare URIs, and header params', () => {
    const quoted = parseNameAddr(
      '"Anna \\"A\\" Operator" <sip:101@sentral.example;transport=ws>;tag=abc;expires=60',
    );
    expect(quoted.displayName).toBe('Anna "A" Operator');
    expect(quoted.uri.params.get('transport')).toBe('ws');
    expect(quoted.tag).toBe('abc');
    expect(quoted.params.get('expires')).toBe('60');
    const token = parseNameAddr('Anna   Operator <sip:101@sentral.example>');
    expect(token.displayName).toBe('Anna Operator');
    const bare = parseNameAddr('sip:101@sentral.example;tag=xyz');
    expect(bare.displayName).toBeUndefined();
    expect(bare.uri.params.size).toBe(0);
    expect(bare.tag).toBe('xyz');
  });

  it('serializes with a quoted display name and the URI in brackets', () => {
    const addr = new NameAddr(new SipUri({ user: '101', host: 'sentral.example' }), 'Anna "A"', [
      ['tag', 't1'],
    ]);
    expect(addr.toString()).toBe('"Anna \\"A\\"" <sip:101@sentral.example>;tag=t1');
    expect(parseNameAddr(addr.toString()).displayName).toBe('Anna "A"');
    addr.tag = undefined;
    expect(addr.toString()).toBe('"Anna \\"A\\"" <sip:101@sentral.example>');
  });

  it.each([
    '"open <sip:a@b>',
    'Bell, Alexander <sip:a@b>',
    '< sip:a@b >',
    'sip:a@b?x=y',
    '<sip:a@b',
    '<sip:a@b>;;tag=1',
    '<sip:a@b> junk',
  ])('%j is refused', (text) => {
    expect(() => parseNameAddr(text)).toThrow(SipSyntaxError);
  });
});

describe('Via', () => {
  it('reads protocol, transport, sent-by and rport/received/branch', () => {
    const via = parseVia(
      'SIP/2.0/wss df7jal23ls0d.invalid:443;branch=z9hG4bK1;rport;received=[2001:db8::1]',
    );
    expect(via.protocol).toBe('SIP/2.0');
    expect(via.transport).toBe('WSS');
    expect(via.host).toBe('df7jal23ls0d.invalid');
    expect(via.port).toBe(443);
    expect(via.branch).toBe('z9hG4bK1');
    expect(via.rport).toBe(true);
    expect(via.received).toBe('[2001:db8::1]');
    expect(via.sentBy).toBe('df7jal23ls0d.invalid:443');
    expect(via.toString()).toBe(
      'SIP/2.0/WSS df7jal23ls0d.invalid:443;branch=z9hG4bK1;rport;received=[2001:db8::1]',
    );
  });

  it.each([
    'SIP/2.0 host',
    'SIP/2.0/UDP',
    'SIP/2.0/UDP host;',
    'SIP/2.0/UDP host;;',
    'SIP/2.0/UDP host:port',
    'SIP/2.0/UDPhost',
  ])('%j is refused', (text) => {
    expect(() => parseVia(text)).toThrow(SipSyntaxError);
  });
});
