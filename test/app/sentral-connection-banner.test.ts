import { expect } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-connection-banner.js';
import type { SentralConnectionBanner } from '../../src/app/sentral-connection-banner.js';
import { phoneServiceContext } from '../../src/app/contexts.js';
import type { Party } from '../../src/sip/phone.js';
import { ConnectionState } from '../../src/store/connection-state.js';
import { LinesModel } from '../../src/store/lines-model.js';
import { PhoneService } from '../../src/store/phone-service.js';
import { RegistrationModel } from '../../src/store/registration-model.js';
import { FakePhone, deepQuery, kariSip, mount, settle } from './fakes.js';

const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };

describe('sentral-connection-banner', () => {
  let phone: FakePhone;
  let service: PhoneService;
  let element: SentralConnectionBanner;
  let cleanup: () => void = () => undefined;

  const banner = () => deepQuery(element, '[data-testid=connection-banner]');
  const degraded = () => deepQuery(element, '[data-testid=audio-degraded]');
  const emit: FakePhone['emit'] = (event) => phone.emit(event);

  beforeEach(async () => {
    phone = new FakePhone();
    service = new PhoneService(() => phone, new RegistrationModel(), new LinesModel());
    const mounted = await mount<SentralConnectionBanner>(
      html`<sentral-connection-banner></sentral-connection-banner>`,
      [[phoneServiceContext, service]],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
    await service.start(kariSip);
  });

  afterEach(async () => {
    cleanup();
    await service.stop();
  });

  it('says nothing while the connection is fine', async () => {
    await settle(element);
    expect(banner()).to.equal(null);
    expect(degraded()).to.equal(null);
  });

  it('shows "reconnecting" with the attempt, then "restored", then goes away', async () => {
    emit({ type: 'connection', state: 'lost' });
    await settle(element);
    expect(banner()?.dataset['state']).to.equal('reconnecting');
    expect(banner()?.textContent).to.contain('Reconnecting…');
    expect(banner()?.textContent).to.contain('Your calls stay up');
    expect(banner()?.parentElement?.getAttribute('aria-live')).to.equal('polite');

    emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    emit({ type: 'connection', state: 'reconnecting', attempt: 2 });
    await settle(element);
    expect(banner()?.dataset['attempt']).to.equal('2');
    expect(banner()?.textContent).to.contain('Reconnecting (attempt 2)…');

    emit({ type: 'connection', state: 'recovered' });
    await settle(element);
    expect(banner()?.dataset['state']).to.equal('recovered');
    expect(banner()?.textContent?.trim()).to.equal('Connection restored.');

    // The notice's own timer (RECOVERED_NOTICE_MS) ends in settle(); called here directly.
    service.connection.settle();
    await settle(element);
    expect(banner()).to.equal(null);
    expect(service.connection.state.state).to.equal(ConnectionState.Connected);
  });

  it('shows a refusal as an alert with the reason, and keeps counting attempts after it', async () => {
    emit({ type: 'connection', state: 'lost' });
    emit({ type: 'connection', state: 'failed', reason: '403 Forbidden' });
    await settle(element);
    expect(banner()?.dataset['state']).to.equal('failed');
    expect(banner()?.textContent).to.contain('Cannot reconnect (403 Forbidden). Still trying…');
    expect(banner()?.parentElement?.getAttribute('role')).to.equal('alert');
    emit({ type: 'connection', state: 'reconnecting', attempt: 5 });
    await settle(element);
    expect(banner()?.dataset['state']).to.equal('reconnecting');
    expect(banner()?.textContent).to.contain('attempt 5');
  });

  it('shows "audio degraded" while a shown call gets no audio, and clears it when the call ends', async () => {
    emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    emit({ type: 'established', callId: 'c1' });
    emit({ type: 'audio-degraded', callId: 'c1', degraded: true });
    // A call the app does not show is ignored.
    emit({ type: 'audio-degraded', callId: 'ghost', degraded: true });
    await settle(element);
    expect(degraded()?.textContent).to.contain('Audio degraded');
    expect(service.connection.state.degradedCalls).to.deep.equal(['c1']);
    expect(banner()).to.equal(null);

    emit({ type: 'audio-degraded', callId: 'c1', degraded: false });
    await settle(element);
    expect(degraded()).to.equal(null);

    emit({ type: 'audio-degraded', callId: 'c1', degraded: true });
    emit({ type: 'ended', callId: 'c1', reason: 'remote_hangup' });
    await settle(element);
    expect(degraded()).to.equal(null);
  });

  it('forgets the trouble on logout', async () => {
    emit({ type: 'connection', state: 'lost' });
    await settle(element);
    expect(banner()).not.to.equal(null);
    await service.stop();
    await settle(element);
    expect(banner()).to.equal(null);
  });
});
