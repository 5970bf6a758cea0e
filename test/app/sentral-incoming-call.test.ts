import { expect } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-incoming-call.js';
import type { SentralIncomingCall } from '../../src/app/sentral-incoming-call.js';
import { mount, must } from './fakes.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('sentral-incoming-call', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('renders a hostile display name as text: no img element, exact textContent', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call
        .displayName=${HOSTILE}
        .number=${'"><script>x</script>'}
      ></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    const root = must(m.element.shadowRoot);
    expect(root.querySelector('img')).to.equal(null);
    expect(root.querySelector('script')).to.equal(null);
    expect(root.querySelector('[data-testid=caller-name]')?.textContent).to.equal(HOSTILE);
    expect(root.querySelector('[data-testid=caller-number]')?.textContent).to.equal(
      '"><script>x</script>',
    );
  });

  it('falls back to the number, then to "Unknown caller", when there is no name', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call .number=${'004722334455'}></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    const name = () => m.element.shadowRoot?.querySelector('[data-testid=caller-name]');
    expect(name()?.textContent).to.equal('004722334455');
    m.element.number = '';
    await m.element.updateComplete;
    expect(name()?.textContent).to.equal('Unknown caller');
  });

  it('emits sentral-answer and sentral-reject', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call .displayName=${'Ola'}></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    const seen: string[] = [];
    m.container.addEventListener('sentral-answer', () => seen.push('answer'));
    m.container.addEventListener('sentral-reject', () => seen.push('reject'));
    m.element.shadowRoot?.querySelector<HTMLButtonElement>('[data-testid=answer]')?.click();
    m.element.shadowRoot?.querySelector<HTMLButtonElement>('[data-testid=reject]')?.click();
    expect(seen).to.deep.equal(['answer', 'reject']);
  });

  it('as a waiting call, says so and offers "Answer and hold" when answering holds a call', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call
        .displayName=${'Per'}
        .number=${'1003'}
        waiting
        answerHolds
      ></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    const root = must(m.element.shadowRoot);
    expect(root.querySelector('[data-testid=incoming-call]')).to.equal(null);
    const card = must(root.querySelector('[data-testid=waiting-call]'));
    expect(card.getAttribute('aria-label')).to.equal('Call waiting');
    expect(card.querySelector('.label')?.textContent).to.equal('Call waiting');
    const answer = () => root.querySelector('[data-testid=answer]')?.textContent?.trim();
    expect(answer()).to.equal('Answer and hold');
    m.element.answerHolds = false;
    await m.element.updateComplete;
    expect(answer()).to.equal('Answer');
    await expect(m.element).shadowDom.to.be.accessible();
  });

  it('marks a recall with its reason in words, and shows none for a new call', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call
        .displayName=${'Kunde'}
        .number=${'+4790000051'}
        .recall=${'no_answer'}
      ></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    const recall = () => m.element.shadowRoot?.querySelector('[data-testid=recall]');
    expect(recall()?.getAttribute('data-reason')).to.equal('no_answer');
    expect(recall()?.textContent?.replace(/\s+/g, ' ').trim()).to.equal('↩ Recall: Not answered');
    await expect(m.element).shadowDom.to.be.accessible();
    m.element.recall = 'busy';
    await m.element.updateComplete;
    expect(recall()?.textContent).to.contain('The colleague was busy');
    m.element.recall = null;
    await m.element.updateComplete;
    expect(recall()).to.equal(null);
  });

  it('is accessible', async () => {
    const m = await mount<SentralIncomingCall>(
      html`<sentral-incoming-call .displayName=${'Ola'} .number=${'1002'}></sentral-incoming-call>`,
    );
    cleanup = m.cleanup;
    await expect(m.element).shadowDom.to.be.accessible();
  });
});
