/** The call-quality badge on a talking line: words (good / fair / poor) and the MOS for screen readers. */
import { expect } from '@open-wc/testing';
import { callQualityContext } from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import '../../src/app/sentral-softphone.js';
import type { Party } from '../../src/sip/phone.js';
import { FakeApiClient, FakePhone, deepQuery, kariSip, must, settle } from './fakes.js';
import { mountSoftphone } from './softphone-fixture.js';

const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

function statsReport(packetsReceived: number, packetsLost: number, rtt: number): RTCStatsReport {
  return new Map<string, unknown>([
    ['in', { type: 'inbound-rtp', kind: 'audio', packetsReceived, packetsLost, jitter: 0.004 }],
    ['rin', { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: rtt }],
  ]) as unknown as RTCStatsReport;
}

describe('call-quality badge', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('shows nothing before the first sample, then Good, then Poor when packets are lost', async () => {
    const phone = new FakePhone();
    const services = assembleServices(new FakeApiClient(), () => phone);
    const mounted = await mountSoftphone(services, [[callQualityContext, services.quality]]);
    const element = mounted.element;
    cleanup = mounted.cleanup;
    await services.phone.start(kariSip);
    phone.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    phone.emit({ type: 'established', callId: 'c1' });
    await settle(element);
    expect(deepQuery(element, '[data-testid=quality-badge]')).to.equal(null);

    phone.stats.set('c1', statsReport(250, 0, 0.03));
    await services.quality.sample();
    await settle(element);
    let badge = must(deepQuery(element, '[data-testid=quality-badge]'));
    expect(badge.getAttribute('data-rating')).to.equal('good');
    expect(badge.textContent?.replace(/\s+/g, ' ').trim()).to.equal(
      'Good quality, estimated MOS 4.4 of 5',
    );

    phone.stats.set('c1', statsReport(430, 20, 0.03)); // 20 of 200 lost: 10 %
    await services.quality.sample();
    await settle(element);
    badge = must(deepQuery(element, '[data-testid=quality-badge]'));
    expect(badge.getAttribute('data-rating')).to.equal('poor');
    expect(badge.textContent?.trim().startsWith('Poor quality')).to.equal(true);

    phone.emit({ type: 'ended', callId: 'c1', reason: 'remote_hangup' });
    await settle(element);
    expect(deepQuery(element, '[data-testid=quality-badge]')).to.equal(null);
  });
});
