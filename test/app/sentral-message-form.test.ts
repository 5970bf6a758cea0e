import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-message-form.js';
import { apiClientContext, sessionModelContext } from '../../src/app/contexts.js';
import type { CommandParams } from '../../src/shared/protocol.js';
import { SessionModel } from '../../src/store/session-model.js';
import { FakeApiClient, deepQuery, kariSip, mount, must } from './fakes.js';

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

function session(): SessionModel {
  const s = new SessionModel();
  s.loggedIn(
    {
      id: 'u1',
      tenantId: 't1',
      username: 'kari.nordmann',
      displayName: 'Kari Nordmann',
      extension: '1001',
      role: 'operator',
      presentableNumbers: [
        { number: '+4721000000', kind: 'main' },
        { number: '+4740001001', kind: 'mobile' },
      ],
    },
    kariSip,
  );
  return s;
}

describe('sentral-message-form', () => {
  it('fills a template from the caller on hand, and sends it to the colleague and as SMS from the chosen number', async function () {
    this.timeout(40_000); // axe on a loaded machine
    let sent: CommandParams<'message.send'> | undefined;
    const api = new FakeApiClient()
      .on('directory.list', () => ({ people: [] }))
      .on('message.send', (p) => {
        sent = p;
        return { delivered: 1, sms: true };
      });
    const m = await mount(
      html`<sentral-message-form
        .callerNumber=${'+4790011222'}
        .callerName=${'<b>Per</b> Hansen'}
      ></sentral-message-form>`,
      [
        [apiClientContext, api],
        [sessionModelContext, session()],
      ],
    );
    cleanup = m.cleanup;
    const q = <E extends Element>(s: string) => must(deepQuery<E>(m.element, s));
    await expect(m.element).shadowDom.to.be.accessible();
    q<HTMLInputElement>('[data-testid=message-to]').value = '1007';
    const template = q<HTMLSelectElement>('[data-testid=message-template]');
    template.value = 'call-back';
    template.dispatchEvent(new Event('change'));
    await waitUntil(() => q<HTMLTextAreaElement>('[data-testid=message-text]').value !== '');
    const filled = q<HTMLTextAreaElement>('[data-testid=message-text]').value;
    expect(filled).to.match(
      /^<b>Per<\/b> Hansen called at .+\. Please call back on 90 01 12 22\.$/,
    );
    expect(deepQuery(m.element, 'b')).to.equal(null);

    q<HTMLInputElement>('[data-testid=message-sms]').checked = true;
    q<HTMLSelectElement>('[data-testid=message-from]').value = '+4740001001';
    q<HTMLFormElement>('[data-testid=message-form]').requestSubmit();
    await waitUntil(() => sent !== undefined);
    expect(sent).to.deep.equal({ to: '1007', text: filled, sms: true, from: '+4740001001' });
    await waitUntil(() => deepQuery(m.element, '[data-testid=message-note]'));
    expect(q('[data-testid=message-note]').textContent?.trim()).to.equal(
      'Message sent to 1 phone and as SMS.',
    );
  });

  it('says why a message could not go, and keeps the text', async () => {
    const api = new FakeApiClient()
      .on('directory.list', () => ({ people: [] }))
      .fail('message.send', 'conflict', 'Hege Solberg has no phone online — send it as SMS.');
    const m = await mount(html`<sentral-message-form></sentral-message-form>`, [
      [apiClientContext, api],
      [sessionModelContext, session()],
    ]);
    cleanup = m.cleanup;
    const q = <E extends Element>(s: string) => must(deepQuery<E>(m.element, s));
    q<HTMLInputElement>('[data-testid=message-to]').value = 'hege.solberg';
    const text = q<HTMLTextAreaElement>('[data-testid=message-text]');
    text.value = 'Møte flyttet til 14';
    text.dispatchEvent(new InputEvent('input'));
    q<HTMLFormElement>('[data-testid=message-form]').requestSubmit();
    await waitUntil(() => deepQuery(m.element, '[data-testid=message-error]'));
    expect(q('[data-testid=message-error]').textContent?.trim()).to.equal(
      'Hege Solberg has no phone online — send it as SMS.',
    );
    expect(q<HTMLTextAreaElement>('[data-testid=message-text]').value).to.equal(
      'Møte flyttet til 14',
    );
    // No SMS asked: no sender number goes along.
    expect(api.sent.find((s) => s.type === 'message.send')?.params).to.deep.equal({
      to: 'hege.solberg',
      text: 'Møte flyttet til 14',
    });
  });
});
