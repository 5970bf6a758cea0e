import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-login.js';
import '../../src/app/sentral-two-factor-setup.js';
import { apiClientContext, authServiceContext } from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import { ApiCallError } from '../../src/store/api-error.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  deepQueryAll,
  kari,
  kariSip,
  mount,
  must,
} from './fakes.js';

function fill(root: Element, name: string, value: string): void {
  const input = must(deepQuery<HTMLInputElement>(root, `input[name=${name}]`), name);
  input.value = value;
}

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

describe('two-factor login in the browser', () => {
  it('asks for the code after the password, keeps the password, and signs in with both', async () => {
    const api = new FakeApiClient()
      .on('auth.login', (p) => {
        if (p.code === undefined) {
          throw new ApiCallError('second_factor_required', 'Enter the code', {
            code: 'second_factor_required',
            message: 'Enter the code',
          });
        }
        if (p.code !== '123456') {
          throw new ApiCallError('invalid_credentials', 'no', {
            code: 'invalid_credentials',
            message: 'no',
          });
        }
        return {
          user: kari,
          sip: kariSip,
          sessionToken: 't',
          twoFactor: { enabled: true, required: false },
        };
      })
      .on('directory.list', () => ({ people: [] }));
    const phone = new FakePhone();
    const services = assembleServices(api, () => phone);
    const m = await mount(html`<sentral-login></sentral-login>`, [
      [authServiceContext, services.auth],
    ]);
    cleanup = m.cleanup;
    expect(deepQuery(m.element, 'input[name=code]')).to.equal(null);
    fill(m.element, 'username', 'kari');
    fill(m.element, 'password', 'right');
    must(deepQuery<HTMLButtonElement>(m.element, 'button[type=submit]')).click();
    await waitUntil(() => deepQuery(m.element, 'input[name=code]'), 'code field shown');
    expect(deepQuery<HTMLInputElement>(m.element, 'input[name=password]')?.value).to.equal('right');
    expect(deepQuery(m.element, '[data-testid=login-error]')?.textContent).to.contain(
      '6-digit code',
    );

    fill(m.element, 'code', '000000');
    must(deepQuery<HTMLButtonElement>(m.element, 'button[type=submit]')).click();
    await waitUntil(() =>
      deepQuery(m.element, '[data-testid=login-error]')?.textContent?.includes(
        'Wrong password or code',
      ),
    );

    fill(m.element, 'password', 'right');
    fill(m.element, 'code', '123456');
    must(deepQuery<HTMLButtonElement>(m.element, 'button[type=submit]')).click();
    await waitUntil(() => services.session.state.user !== null, 'signed in');
    expect(api.sent.filter((x) => x.type === 'auth.login').at(-1)).to.deep.equal({
      type: 'auth.login',
      params: { username: 'kari', password: 'right', code: '123456' },
    });
  });

  it('an account that must enrol does nothing else until it has: QR drawn from rows, code, recovery codes', async () => {
    const rows = ['1110111', '1000001', '1011101', '0000000', '1011101', '1000001', '1110111'];
    const api = new FakeApiClient()
      .on('auth.login', () => ({
        user: { ...kari, role: 'admin' as const },
        sip: kariSip,
        sessionToken: 't',
        twoFactor: { enabled: false, required: true },
      }))
      .on('twofactor.begin', () => ({
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        uri: 'otpauth://totp/x',
        qr: rows,
      }))
      .on('twofactor.confirm', ({ code }) => {
        if (code !== '654321')
          throw new ApiCallError('bad_request', 'That code is not right.', {
            code: 'bad_request',
            message: 'That code is not right.',
          });
        return { recoveryCodes: ['abcd-efgh-jkmn', 'pqrs-tuvw-xyz2'] };
      })
      .on('directory.list', () => ({ people: [] }));
    const phone = new FakePhone();
    const services = assembleServices(api, () => phone);
    await services.auth.login('admin', 'pw');
    expect(services.session.state.mustEnrol).to.equal(true);
    expect(phone.commands).to.deep.equal([]); // no phone before enrolment
    expect(api.sent.some((s) => s.type === 'directory.list')).to.equal(false);

    const m = await mount(html`<sentral-two-factor-setup></sentral-two-factor-setup>`, [
      [apiClientContext, api],
      [authServiceContext, services.auth],
    ]);
    cleanup = m.cleanup;
    await waitUntil(() => deepQuery(m.element, '[data-testid=two-factor-qr]'));
    const dark = rows
      .join('')
      .split('')
      .filter((b) => b === '1').length;
    expect(deepQueryAll(m.element, '[data-testid=two-factor-qr] rect')).to.have.length(dark);
    expect(deepQuery(m.element, '[data-testid=two-factor-secret]')?.textContent).to.equal(
      'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP',
    );
    const code = must(deepQuery<HTMLInputElement>(m.element, '[data-testid=two-factor-code]'));
    code.value = '111111';
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=two-factor-confirm]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=two-factor-error]'));
    code.value = '654321';
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=two-factor-confirm]')).click();
    await waitUntil(() => deepQuery(m.element, '[data-testid=recovery-codes]'));
    expect(
      deepQueryAll(m.element, '[data-testid=recovery-codes] li').map((li) => li.textContent),
    ).to.deep.equal(['abcd-efgh-jkmn', 'pqrs-tuvw-xyz2']);
    must(deepQuery<HTMLButtonElement>(m.element, '[data-testid=two-factor-done]')).click();
    expect(services.session.state.mustEnrol).to.equal(false);
    await waitUntil(() => phone.commands.includes('register'), 'the phone starts after enrolment');
  });
});
