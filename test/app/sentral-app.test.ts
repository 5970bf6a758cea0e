import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-app.js';
import { VIEW_LOADERS } from '../../src/app/sentral-app.js';
import type { LazyView, SentralApp } from '../../src/app/sentral-app.js';
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

describe('sentral-app lazy views', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  const signedInAs = async (role: 'admin' | 'board') => {
    const api = new FakeApiClient()
      .on('auth.login', () => ({
        user: { ...kari, role },
        sip: kariSip,
        sessionToken: 'token-1',
        twoFactor: { enabled: false, required: false },
      }))
      .on('directory.list', () => ({ people: [] }));
    const services = assembleServices(api, () => new FakePhone());
    await services.auth.login('kari', 'pw');
    return services;
  };

  it('loads the administration view when its tab is opened, with a loading note until then', async () => {
    const services = await signedInAs('admin');
    let release: () => void = () => undefined;
    const asked: LazyView[] = [];
    const loaders: Record<LazyView, () => Promise<unknown>> = {
      ...VIEW_LOADERS,
      admin: () => {
        asked.push('admin');
        return new Promise<unknown>((resolve) => (release = () => resolve(VIEW_LOADERS.admin())));
      },
    };
    const m = await mount<SentralApp>(
      html`<sentral-app .services=${services} .viewLoaders=${loaders}></sentral-app>`,
    );
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, 'sentral-switchboard'), 'no switchboard');
    expect(asked).to.deep.equal([]);

    must(deepQuery<HTMLButtonElement>(m.element, 'button[data-testid=view-admin]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=view-loading]'), 'no loading note');
    expect(deepQuery(m.element, '[data-testid=view-loading]')?.textContent).to.contain(
      'administration',
    );
    expect(asked).to.deep.equal(['admin']);
    release();
    await waitUntil(() => deepQuery(m.element, 'sentral-admin'), 'no administration view');
    expect(customElements.get('sentral-admin')).not.to.equal(undefined);
    expect(deepQuery(m.element, '[data-testid=view-loading]')).to.equal(null);
  });

  it('shows an error with a retry, not a blank page, when a view cannot be fetched', async () => {
    const services = await signedInAs('admin');
    let attempts = 0;
    const loaders: Record<LazyView, () => Promise<unknown>> = {
      ...VIEW_LOADERS,
      statistics: () => {
        attempts++;
        return attempts === 1
          ? Promise.reject(new TypeError('Failed to fetch dynamically imported module'))
          : VIEW_LOADERS.statistics();
      },
    };
    const m = await mount<SentralApp>(
      html`<sentral-app .services=${services} .viewLoaders=${loaders}></sentral-app>`,
    );
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, 'button[data-testid=view-statistics]'));
    must(deepQuery<HTMLButtonElement>(m.element, 'button[data-testid=view-statistics]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=view-load-failed]'), 'no error');
    const alert = must(deepQuery(m.element, '[data-testid=view-load-failed]'));
    expect(alert.getAttribute('role')).to.equal('alert');
    expect(alert.textContent).to.contain('Could not load statistics');
    expect(deepQuery(m.element, 'sentral-statistics')).to.equal(null);

    must(deepQuery<HTMLButtonElement>(m.element, 'button[data-testid=view-retry]')).click();
    await waitUntil(() => deepQuery(m.element, 'sentral-statistics'), 'no statistics after retry');
    expect(attempts).to.equal(2);
    expect(deepQuery(m.element, '[data-testid=view-load-failed]')).to.equal(null);
  });

  it('loads the queue board for the wall-board login', async () => {
    const services = await signedInAs('board');
    const m = await mount<SentralApp>(html`<sentral-app .services=${services}></sentral-app>`);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, 'sentral-queue-board'), 'no queue board');
    expect(customElements.get('sentral-queue-board')).not.to.equal(undefined);
    expect(deepQuery(m.element, 'sentral-softphone')).to.equal(null);
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
