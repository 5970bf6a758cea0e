import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-app.js';
import type { SentralApp } from '../../src/app/sentral-app.js';
import { assembleServices } from '../../src/app/services.js';
import { toneFor } from '../../src/app/tone-controller.js';
import type { Party } from '../../src/sip/phone.js';
import { CallState, initialCall } from '../../src/store/call-state.js';
import type { CallSnapshot } from '../../src/store/call-state.js';
import { FakeApiClient, FakePhone, deepQuery, kari, kariSip, mount, must } from './fakes.js';

describe('sentral-app', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('shows the login until logged in, then the softphone and directory', async () => {
    const phone = new FakePhone();
    const api = new FakeApiClient()
      .on('auth.login', () => ({
        user: kari,
        sip: kariSip,
        sessionToken: 'token-1',
        twoFactor: { enabled: false, required: false },
      }))
      .on('directory.list', () => ({ people: [] }))
      .on('auth.logout', () => ({}));
    const services = assembleServices(api, () => phone);
    const m = await mount<SentralApp>(html`<sentral-app .services=${services}></sentral-app>`);
    cleanup = m.cleanup;
    expect(deepQuery(m.element, 'sentral-login')).not.to.equal(null);
    expect(deepQuery(m.element, '[data-testid=reg-state]')).to.equal(null);

    await services.auth.login('kari', 'pw');
    await waitUntil(() => deepQuery(m.element, 'sentral-softphone'), 'no softphone');
    expect(deepQuery(m.element, 'sentral-login')).to.equal(null);
    expect(deepQuery(m.element, 'sentral-directory')).not.to.equal(null);
    expect(m.element.shadowRoot?.textContent).to.contain('Kari Nordmann');
    await waitUntil(() => phone.commands.includes('register'));

    phone.emit({ type: 'registration', status: 'connecting' });
    await waitUntil(
      () => deepQuery(m.element, '[data-testid=reg-state]')?.dataset['state'] === 'connecting',
    );

    must(deepQuery<HTMLButtonElement>(m.element, 'button[data-testid=logout]')).click();
    await waitUntil(() => deepQuery(m.element, 'sentral-login'), 'not back at the login');
    expect(phone.commands).to.include('dispose');
    expect(services.session.state.sip).to.equal(null);
  });

  it('tells the user when the server connection is lost', async () => {
    const api = new FakeApiClient();
    const services = assembleServices(api, () => new FakePhone());
    const m = await mount<SentralApp>(html`<sentral-app .services=${services}></sentral-app>`);
    cleanup = m.cleanup;
    api.connection.next('reconnecting');
    await m.element.updateComplete;
    expect(m.element.shadowRoot?.textContent).to.contain('Connection to the server lost');
  });
});

describe('ringtone, call-waiting tone and ringback', () => {
  const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };
  const line = (state: CallState, callId: string, autoAnswer = false): CallSnapshot => ({
    ...initialCall,
    state,
    callId,
    remote: ola,
    autoAnswer,
  });

  it('rings while a call comes in and plays ringback while the far end rings', () => {
    expect(toneFor([line(CallState.Incoming, 'c1')])).to.equal('ringtone');
    expect(toneFor([line(CallState.Ringing, 'c1')])).to.equal('ringback');
  });

  it('is silent otherwise (answered, ended, idle, no lines)', () => {
    expect(toneFor([])).to.equal(null);
    for (const state of [
      CallState.Idle,
      CallState.Outgoing,
      CallState.Established,
      CallState.Held,
      CallState.Ended,
    ]) {
      expect(toneFor([line(state, 'c1')]), state).to.equal(null);
    }
  });

  it('plays the soft call-waiting tone, not the ringtone, when a second call rings in', () => {
    for (const first of [CallState.Established, CallState.Held]) {
      expect(toneFor([line(first, 'c1'), line(CallState.Incoming, 'c2')]), first).to.equal(
        'call-waiting',
      );
    }
  });

  it('rings normally again when the other call has ended', () => {
    expect(toneFor([line(CallState.Ended, 'c1'), line(CallState.Incoming, 'c2')])).to.equal(
      'ringtone',
    );
  });

  it('does not ring for a call answered by itself (auto-answer)', () => {
    expect(toneFor([line(CallState.Incoming, 'c1', true)])).to.equal(null);
    expect(
      toneFor([line(CallState.Established, 'c1'), line(CallState.Incoming, 'c2', true)]),
    ).to.equal(null);
  });
});
