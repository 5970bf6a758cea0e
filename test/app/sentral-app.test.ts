import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-app.js';
import type { SentralApp } from '../../src/app/sentral-app.js';
import { assembleServices } from '../../src/app/services.js';
import { toneFor } from '../../src/app/tone-controller.js';
import { CallState } from '../../src/store/call-state.js';
import { FakeApiClient, FakePhone, deepQuery, kari, kariSip, mount, must } from './fakes.js';

describe('sentral-app', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('shows the login until logged in, then the softphone and directory', async () => {
    const phone = new FakePhone();
    const api = new FakeApiClient()
      .on('auth.login', () => ({ user: kari, sip: kariSip, sessionToken: 'token-1' }))
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

describe('ringtone and ringback', () => {
  it('rings while a call comes in and plays ringback while the far end rings', () => {
    expect(toneFor(CallState.Incoming)).to.equal('ringtone');
    expect(toneFor(CallState.Ringing)).to.equal('ringback');
  });

  it('is silent otherwise (answered, ended, idle)', () => {
    for (const state of [
      CallState.Idle,
      CallState.Outgoing,
      CallState.Established,
      CallState.Held,
      CallState.Ended,
    ]) {
      expect(toneFor(state), state).to.equal(null);
    }
  });
});
