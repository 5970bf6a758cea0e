import { expect } from '@open-wc/testing';
import { asksForAutoAnswer } from '../../src/sip/auto-answer.js';
import { formatDtmfRelay, parseDtmfInfo } from '../../src/sip/dtmf.js';
import { endReasonForStatus } from '../../src/sip/end-reason.js';
import { absentForOf, recallReasonOf } from '../../src/sip/recall.js';
import { audioDirection, offerHoldsUs } from '../../src/sip/sdp.js';
import { domainOf, toTargetUri } from '../../src/sip/target.js';
import { cleanDisplayName } from '../../src/sip/sip-phone.js';

describe('end reason of a final response', () => {
  const cases: [number, boolean, string][] = [
    [486, false, 'busy'],
    [600, false, 'busy'],
    [404, false, 'not_found'],
    [604, false, 'not_found'],
    [484, false, 'not_found'],
    [603, false, 'rejected'],
    [480, false, 'unavailable'],
    [408, false, 'no_answer'],
    [487, false, 'no_answer'],
    [487, true, 'cancelled'],
    [500, false, 'failed'],
    [488, false, 'failed'],
  ];
  for (const [code, cancelled, reason] of cases) {
    it(`maps ${code}${cancelled ? ' after our CANCEL' : ''} to ${reason}`, () => {
      expect(endReasonForStatus(code, cancelled)).to.equal(reason);
    });
  }
});

describe('DTMF over INFO', () => {
  it('formats application/dtmf-relay as the core expects', () => {
    expect(formatDtmfRelay('5')).to.equal('Signal=5\r\nDuration=160');
    expect(formatDtmfRelay('#')).to.equal('Signal=#\r\nDuration=160');
  });

  it('refuses anything that is not one digit', () => {
    expect(() => formatDtmfRelay('55')).to.throw();
    expect(() => formatDtmfRelay('\r\nX')).to.throw();
  });

  it('reads dtmf-relay bodies, with or without spaces and parameters', () => {
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160')).to.equal('5');
    expect(parseDtmfInfo('Application/DTMF-Relay; x=y', 'Signal= *\r\nDuration= 100')).to.equal(
      '*',
    );
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=a\r\n')).to.equal('A');
  });

  it('reads application/dtmf', () => {
    expect(parseDtmfInfo('application/dtmf', '#\r\n')).to.equal('#');
  });

  it('ignores other INFO bodies', () => {
    expect(parseDtmfInfo('application/json', '{"a":1}')).to.equal(null);
    expect(parseDtmfInfo(undefined, 'Signal=5')).to.equal(null);
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=XX')).to.equal(null);
  });
});

describe('hold detection in an SDP offer', () => {
  const sdp = (...lines: string[]) =>
    ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', ...lines].join('\r\n') + '\r\n';

  it('sees sendonly and inactive audio as hold', () => {
    expect(offerHoldsUs(sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly'))).to.equal(true);
    expect(offerHoldsUs(sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=inactive'))).to.equal(true);
  });

  it('sees sendrecv, recvonly and no attribute as not held', () => {
    expect(offerHoldsUs(sdp('m=audio 9 RTP/AVP 0', 'a=sendrecv'))).to.equal(false);
    expect(offerHoldsUs(sdp('m=audio 9 RTP/AVP 0', 'a=recvonly'))).to.equal(false);
    expect(offerHoldsUs(sdp('m=audio 9 RTP/AVP 0'))).to.equal(false);
  });

  it('lets a media-level direction override the session-level one', () => {
    expect(audioDirection(sdp('a=sendonly', 'm=audio 9 RTP/AVP 0', 'a=sendrecv'))).to.equal(
      'sendrecv',
    );
    expect(audioDirection(sdp('a=inactive', 'm=audio 9 RTP/AVP 0'))).to.equal('inactive');
  });

  it('understands RFC 2543 hold (c=0.0.0.0)', () => {
    expect(offerHoldsUs(sdp('m=audio 9 RTP/AVP 0', 'c=IN IP4 0.0.0.0'))).to.equal(true);
  });

  it('reads the audio m-line, not a later video one', () => {
    expect(
      audioDirection(
        sdp('m=audio 9 RTP/AVP 0', 'a=sendrecv', 'm=video 9 RTP/AVP 96', 'a=inactive'),
      ),
    ).to.equal('sendrecv');
  });
});

describe('dial targets', () => {
  it('puts numbers and extensions on our domain', () => {
    expect(toTargetUri('1002', 'sentral.invalid')).to.equal('sip:1002@sentral.invalid');
  });

  it('drops spaces, dashes, dots and parentheses from phone numbers', () => {
    expect(toTargetUri(' +47 22 33-44 (55) ', 'd')).to.equal('sip:+4722334455@d');
  });

  it('escapes characters that may not appear in a SIP user part', () => {
    expect(toTargetUri('*21#', 'd')).to.equal('sip:*21%23@d');
    expect(toTargetUri('a b<c>', 'd')).to.equal('sip:a%20b%3Cc%3E@d');
  });

  it('passes SIP URIs through and completes user@host', () => {
    expect(toTargetUri('sip:ola@example.com', 'd')).to.equal('sip:ola@example.com');
    expect(toTargetUri('ola@example.com', 'd')).to.equal('sip:ola@example.com');
  });

  it('dials nothing for blank input', () => {
    expect(toTargetUri('   ', 'd')).to.equal(null);
    expect(toTargetUri(' - ', 'd')).to.equal(null);
  });

  it('takes the domain of an AOR', () => {
    expect(domainOf('sip:kari@sentral.invalid')).to.equal('sentral.invalid');
    expect(domainOf('sip:kari@127.0.0.1:5060;transport=ws')).to.equal('127.0.0.1:5060');
  });
});

describe('display names', () => {
  it('strips quotes and quoted-pair escapes, keeping everything else as text', () => {
    expect(cleanDisplayName('"Ola \\"the boss\\" Nordmann"')).to.equal('Ola "the boss" Nordmann');
    expect(cleanDisplayName('<img src=x onerror=alert(1)>')).to.equal(
      '<img src=x onerror=alert(1)>',
    );
    expect(cleanDisplayName(undefined)).to.equal('');
  });
});

describe('auto-answer request (Call-Info answer-after)', () => {
  it('asks for an answer with answer-after=0, as the core sends it', () => {
    expect(asksForAutoAnswer(['<sip:nordlys.sentral.invalid>;answer-after=0'])).to.equal(true);
  });

  it('reads spacing, case and one of several entries in one header', () => {
    expect(
      asksForAutoAnswer(['<http://x/a.png>;purpose=icon, <sip:x> ; Answer-After = 0']),
    ).to.equal(true);
    expect(asksForAutoAnswer(['<http://x/info>;purpose=info', '<sip:x>;answer-after=0'])).to.equal(
      true,
    );
  });

  it('does not answer without the header, after a delay, or for a parameter inside the URI', () => {
    expect(asksForAutoAnswer([])).to.equal(false);
    expect(asksForAutoAnswer(['<sip:x>;answer-after=5'])).to.equal(false);
    expect(asksForAutoAnswer(['<sip:x;answer-after=0>;purpose=info'])).to.equal(false);
    expect(asksForAutoAnswer(['<sip:x>;answer-after=0x'])).to.equal(false);
  });
});

describe('recall reason of X-Sentral-Recall', () => {
  it('reads the reasons the core sends, in any case and with spaces', () => {
    expect(recallReasonOf('no_answer')).to.equal('no_answer');
    expect(recallReasonOf(' Busy ')).to.equal('busy');
    expect(recallReasonOf('rejected')).to.equal('rejected');
    expect(recallReasonOf('park_timeout')).to.equal('park_timeout');
  });

  it('is null without the header, and a recall all the same for a reason it does not know', () => {
    expect(recallReasonOf(undefined)).to.equal(null);
    expect(recallReasonOf('')).to.equal(null);
    expect(recallReasonOf('moon_phase')).to.equal('no_answer');
  });
});

describe('whom a call was for, from X-Sentral-For', () => {
  it('reads an extension and ignores what is not one', () => {
    expect(absentForOf(' 1007 ')).to.equal('1007');
    expect(absentForOf(undefined)).to.equal(null);
    expect(absentForOf('')).to.equal(null);
    expect(absentForOf('<img src=x onerror=alert(1)>')).to.equal(null);
  });
});
