import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-call-timer.js';
import type { SentralCallTimer } from '../../src/app/sentral-call-timer.js';
import { mount } from './fakes.js';

describe('sentral-call-timer', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  const shown = (el: SentralCallTimer) =>
    el.shadowRoot?.querySelector('[data-testid=call-timer]')?.textContent;

  it('shows the time since the call was established as mm:ss', async () => {
    const since = Date.now() - 65_500;
    const m = await mount<SentralCallTimer>(
      html`<sentral-call-timer .since=${since}></sentral-call-timer>`,
    );
    cleanup = m.cleanup;
    expect(shown(m.element)).to.equal('01:05');
  });

  it('ticks every second', async () => {
    const m = await mount<SentralCallTimer>(
      html`<sentral-call-timer .since=${Date.now() - 400}></sentral-call-timer>`,
    );
    cleanup = m.cleanup;
    expect(shown(m.element)).to.equal('00:00');
    await waitUntil(() => shown(m.element) === '00:01', 'timer did not tick', { timeout: 2500 });
  });
});
