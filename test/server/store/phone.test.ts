import { describe, expect, it } from 'vitest';
import { compactNumber, stripUri, toE164 } from '../../../src/server/store/phone';

describe('phone numbers', () => {
  it.each([
    ['+47 400 01 001', '+4740001001'],
    ['0047 400 01 001', '+4740001001'],
    ['40001001', '+4740001001'],
    ['400 01 001', '+4740001001'],
    ['(+47) 400-01-001', '+4740001001'],
    ['4740001001', '+4740001001'],
    ['tel:+47-400-01-001', '+4740001001'],
    ['sip:+4740001001@edge.invalid;user=phone', '+4740001001'],
    ['22 33 44 55', '+4722334455'],
    ['+46 70 123 45 67', '+46701234567'],
    ['0046 70 123 45 67', '+46701234567'],
  ])('normalises %j to %s', (written, e164) => {
    expect(toE164(written)).toBe(e164);
  });

  it.each([['1001'], ['112'], [''], ['kari.nordmann'], ['+47 123']])(
    'does not treat %j as a phone number',
    (written) => {
      expect(toE164(written)).toBeNull();
    },
  );

  it('takes the user part out of SIP URIs and leaves tel numbers whole', () => {
    expect(stripUri('"Kari Nordmann" <sip:1001@nordlys.sentral.invalid>;tag=a')).toBe('1001');
    expect(stripUri('sips:kari.nordmann@host:5061;transport=tls')).toBe('kari.nordmann');
    expect(stripUri('tel:+47-21-00-00-00;phone-context=x')).toBe('+47-21-00-00-00');
    expect(stripUri(' 1001 ')).toBe('1001');
  });

  it('drops spaces, dashes, dots, slashes and brackets', () => {
    expect(compactNumber('(+47) 400-01.001/ 2')).toBe('+47400010012');
  });
});
