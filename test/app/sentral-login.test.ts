import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-login.js';
import type { SentralLogin } from '../../src/app/sentral-login.js';
import { authServiceContext } from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import { FakeApiClient, FakePhone, deepQuery, kari, kariSip, mount } from './fakes.js';

async function mountLogin(api: FakeApiClient, phone = new FakePhone()) {
  const services = assembleServices(api, () => phone);
  const mounted = await mount<SentralLogin>(html`<sentral-login></sentral-login>`, [
    [authServiceContext, services.auth],
  ]);
  return { ...mounted, services, phone };
}

function fill(root: Element, name: string, value: string): void {
  const input = deepQuery<HTMLInputElement>(root, `input[name=${name}]`);
  if (!input) throw new Error(`no input ${name}`);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

function submit(root: Element): void {
  deepQuery<HTMLButtonElement>(root, 'button[type=submit]')?.click();
}

describe('sentral-login', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('has the username, password and submit hooks', async () => {
    const m = await mountLogin(new FakeApiClient());
    cleanup = m.cleanup;
    expect(deepQuery(m.element, 'input[name=username]')).not.to.equal(null);
    expect(deepQuery(m.element, 'input[name=password]')?.getAttribute('type')).to.equal('password');
    expect(deepQuery(m.element, 'button[type=submit]')).not.to.equal(null);
    expect(deepQuery(m.element, '[data-testid=login-error]')).to.equal(null);
  });

  it('says "Wrong username or password" when the API answers invalid_credentials', async () => {
    const api = new FakeApiClient().fail(
      'auth.login',
      'invalid_credentials',
      'Invalid username or password.',
    );
    const m = await mountLogin(api);
    cleanup = m.cleanup;
    fill(m.element, 'username', 'kari');
    fill(m.element, 'password', 'wrong');
    submit(m.element);
    await waitUntil(() => deepQuery(m.element, '[data-testid=login-error]'), 'no error shown');
    const error = deepQuery(m.element, '[data-testid=login-error]');
    expect(error?.textContent?.trim()).to.equal('Wrong username or password');
    expect(api.sent).to.deep.equal([
      { type: 'auth.login', params: { username: 'kari', password: 'wrong' } },
    ]);
    expect(deepQuery<HTMLInputElement>(m.element, 'input[name=password]')?.value).to.equal('');
    expect(m.services.session.state.user).to.equal(null);
  });

  it('says the server cannot be reached when the socket is down', async () => {
    const api = new FakeApiClient().fail('auth.login', 'disconnected');
    const m = await mountLogin(api);
    cleanup = m.cleanup;
    fill(m.element, 'username', 'kari');
    fill(m.element, 'password', 'pw');
    submit(m.element);
    await waitUntil(() => deepQuery(m.element, '[data-testid=login-error]'));
    expect(deepQuery(m.element, '[data-testid=login-error]')?.textContent).to.contain(
      'Cannot reach the server',
    );
  });

  it('does not call the API with an empty form', async () => {
    const api = new FakeApiClient();
    const m = await mountLogin(api);
    cleanup = m.cleanup;
    submit(m.element);
    await waitUntil(() => deepQuery(m.element, '[data-testid=login-error]'));
    expect(api.sent).to.have.length(0);
  });

  it('logs in and registers the phone with the SIP credentials the core returned', async () => {
    const api = new FakeApiClient()
      .on('auth.login', () => ({
        user: kari,
        sip: kariSip,
        sessionToken: 'token-1',
        twoFactor: { enabled: false, required: false },
      }))
      .on('directory.list', () => ({ people: [] }));
    const phone = new FakePhone();
    const m = await mountLogin(api, phone);
    cleanup = m.cleanup;
    fill(m.element, 'username', 'kari');
    fill(m.element, 'password', 'right');
    const loggedIn = new Promise<void>((resolve) => {
      const sub = m.services.session.loggedIn$.subscribe((v) => {
        if (v) {
          resolve();
          queueMicrotask(() => sub.unsubscribe());
        }
      });
    });
    submit(m.element);
    await loggedIn;
    expect(m.services.session.state.sip).to.deep.equal(kariSip);
    await waitUntil(() => phone.commands.includes('register'), 'phone never registered');
    await waitUntil(() => api.sent.some((c) => c.type === 'directory.list'));
    expect(deepQuery(m.element, '[data-testid=login-error]')).to.equal(null);
  });

  it('submits with Enter in the password field', async () => {
    const api = new FakeApiClient().fail('auth.login', 'invalid_credentials');
    const m = await mountLogin(api);
    cleanup = m.cleanup;
    fill(m.element, 'username', 'kari');
    fill(m.element, 'password', 'x');
    const form = deepQuery<HTMLFormElement>(m.element, 'form');
    setTimeout(() => form?.requestSubmit());
    await oneEvent(form as HTMLFormElement, 'submit');
    await waitUntil(() => deepQuery(m.element, '[data-testid=login-error]'));
  });
});
