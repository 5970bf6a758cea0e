import { expect, oneEvent } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-dialpad.js';
import type { SentralDialpad } from '../../src/app/sentral-dialpad.js';
import { mount } from './fakes.js';

describe('sentral-dialpad', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('emits the digit of every key it has, in keypad order', async () => {
    const m = await mount<SentralDialpad>(html`<sentral-dialpad purpose="dtmf"></sentral-dialpad>`);
    cleanup = m.cleanup;
    const pressed: string[] = [];
    m.container.addEventListener('sentral-digit', (e) => pressed.push(e.detail.digit));
    const buttons = [...(m.element.shadowRoot?.querySelectorAll('button') ?? [])];
    expect(buttons).to.have.length(12);
    for (const button of buttons) button.click();
    expect(pressed).to.deep.equal(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
  });

  it('names its keys dtmf-1 … dtmf-star, dtmf-hash', async () => {
    const m = await mount<SentralDialpad>(html`<sentral-dialpad purpose="dtmf"></sentral-dialpad>`);
    cleanup = m.cleanup;
    const ids = [...(m.element.shadowRoot?.querySelectorAll('button') ?? [])].map(
      (b) => b.dataset['testid'],
    );
    expect(ids).to.deep.equal([
      'dtmf-1',
      'dtmf-2',
      'dtmf-3',
      'dtmf-4',
      'dtmf-5',
      'dtmf-6',
      'dtmf-7',
      'dtmf-8',
      'dtmf-9',
      'dtmf-star',
      'dtmf-0',
      'dtmf-hash',
    ]);
  });

  it('sends a composed event that crosses shadow roots', async () => {
    const m = await mount<SentralDialpad>(html`<sentral-dialpad></sentral-dialpad>`);
    cleanup = m.cleanup;
    const five = m.element.shadowRoot?.querySelector<HTMLButtonElement>('[data-testid=dial-5]');
    setTimeout(() => five?.click());
    const event = await oneEvent(m.container, 'sentral-digit');
    expect(event.detail.digit).to.equal('5');
    expect(event.composed).to.equal(true);
  });

  it('emits nothing while disabled', async () => {
    const m = await mount<SentralDialpad>(html`<sentral-dialpad disabled></sentral-dialpad>`);
    cleanup = m.cleanup;
    let count = 0;
    m.container.addEventListener('sentral-digit', () => count++);
    m.element.shadowRoot?.querySelector<HTMLButtonElement>('button')?.click();
    expect(count).to.equal(0);
  });

  it('gives every key an accessible name', async () => {
    const m = await mount<SentralDialpad>(html`<sentral-dialpad></sentral-dialpad>`);
    cleanup = m.cleanup;
    await expect(m.element).shadowDom.to.be.accessible();
  });
});
