import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-absence-form.js';
import { fromLocalInput, quickUntil, toLocalInput } from '../../src/app/sentral-absence-form.js';
import type { SentralAbsenceForm } from '../../src/app/sentral-absence-form.js';
import { apiClientContext } from '../../src/app/contexts.js';
import type { CommandParams } from '../../src/shared/protocol.js';
import type { AbsenceInfo } from '../../src/shared/switchboard.js';
import { FakeApiClient, deepQuery, mount, settle } from './fakes.js';

/** Thursday 6 March 2025, 10:15 local time. */
const NOW = new Date(2025, 2, 6, 10, 15).getTime();

function q<E extends HTMLElement = HTMLElement>(el: Element, testid: string): E {
  const found = deepQuery<E>(el, `[data-testid=${testid}]`);
  if (!found) throw new Error(`no ${testid}`);
  return found;
}

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function absence(over: Partial<AbsenceInfo> = {}): AbsenceInfo {
  return {
    reason: 'lunch',
    from: NOW - 600_000,
    until: NOW + 1800_000,
    message: 'Back soon',
    callHandling: 'switchboard',
    forwardNumber: null,
    source: 'self',
    ...over,
  };
}

describe('absence form helpers', () => {
  it('reads and writes datetime-local values in local time', () => {
    expect(toLocalInput(NOW)).to.equal('2025-03-06T10:15');
    expect(fromLocalInput('2025-03-06T10:15')).to.equal(NOW);
    expect(fromLocalInput('')).to.equal(null);
    expect(fromLocalInput('tomorrow')).to.equal(null);
  });

  it('quick choices: an hour on, the end of the day, tomorrow at eight, no end', () => {
    expect(toLocalInput(quickUntil('hour', NOW) ?? 0)).to.equal('2025-03-06T11:15');
    expect(toLocalInput(quickUntil('rest-of-day', NOW) ?? 0)).to.equal('2025-03-06T23:59');
    expect(toLocalInput(quickUntil('tomorrow-morning', NOW) ?? 0)).to.equal('2025-03-07T08:00');
    expect(quickUntil('open', NOW)).to.equal(null);
  });
});

describe('sentral-absence-form', () => {
  let api: FakeApiClient;
  let element: SentralAbsenceForm;
  let cleanup: () => void = () => undefined;
  let saved: CommandParams<'absence.set'>[];

  async function mountForm(current: AbsenceInfo | null = null, userId: string | null = null) {
    const mounted = await mount<SentralAbsenceForm>(
      html`<sentral-absence-form
        .now=${() => NOW}
        .userId=${userId}
        .absence=${current}
        personName=${userId ? 'Ola <img src=x onerror=alert(1)>' : ''}
      ></sentral-absence-form>`,
      [[apiClientContext, api]],
    );
    element = mounted.element;
    cleanup = mounted.cleanup;
    await settle(element);
  }

  beforeEach(() => {
    saved = [];
    api = new FakeApiClient().on('absence.set', (p) => {
      saved.push(p);
      return {
        absence: absence({
          reason: p.reason,
          until: p.until ?? null,
          message: p.message ?? null,
          callHandling: p.callHandling ?? 'switchboard',
          forwardNumber: p.forwardNumber ?? null,
        }),
      };
    });
  });

  afterEach(() => cleanup());

  it('saves the reason, until from a quick choice, the message and the call handling', async () => {
    await mountForm();
    const events: AbsenceInfo[] = [];
    element.addEventListener('absence-saved', (e) => events.push(e.detail));
    expect(q<HTMLInputElement>(element, 'absence-from').value).to.equal('2025-03-06T10:15');
    const reason = q<HTMLSelectElement>(element, 'absence-reason');
    expect([...reason.options].map((o) => o.textContent?.trim())).to.deep.equal([
      'Meeting',
      'Lunch',
      'Vacation',
      'Sick leave',
      'Travel',
      'Course',
      'Other',
    ]);
    reason.value = 'vacation';
    reason.dispatchEvent(new Event('change'));
    q(element, 'absence-quick-tomorrow-morning').click();
    await settle(element);
    expect(q<HTMLInputElement>(element, 'absence-until').value).to.equal('2025-03-07T08:00');
    type(q<HTMLTextAreaElement>(element, 'absence-message'), 'Ask Per meanwhile');
    await settle(element);
    expect(q(element, 'absence-count').textContent?.trim()).to.equal('17 of 200 characters');
    q(element, 'absence-save').click();
    await waitUntil(() => saved.length === 1);
    expect(saved[0]).to.deep.equal({
      reason: 'vacation',
      until: new Date(2025, 2, 7, 8, 0).getTime(),
      message: 'Ask Per meanwhile',
      callHandling: 'switchboard',
      forwardNumber: null,
    });
    await waitUntil(() => events.length === 1);
    expect(q(element, 'absence-status').textContent?.trim()).to.equal('Absence saved.');
  });

  it('limits the message to 200 characters', async () => {
    await mountForm();
    const message = q<HTMLTextAreaElement>(element, 'absence-message');
    expect(message.maxLength).to.equal(200);
    expect(message.getAttribute('aria-describedby')).to.equal('message-count');
  });

  it('asks for a number only when forwarding, and refuses to save without one', async () => {
    await mountForm();
    expect(deepQuery(element, '[data-testid=absence-forward]')).to.equal(null);
    q<HTMLInputElement>(element, 'absence-handling-forward').click();
    await settle(element);
    const forward = q<HTMLInputElement>(element, 'absence-forward');
    q(element, 'absence-save').click();
    await settle(element);
    expect(saved).to.have.length(0);
    expect(forward.getAttribute('aria-invalid')).to.equal('true');
    expect(q(element, 'absence-forward-error').textContent?.trim()).to.equal(
      'Enter the number to forward calls to.',
    );
    expect(element.shadowRoot?.activeElement).to.equal(forward);
    await expect(element).shadowDom.to.be.accessible();
  });

  it('refuses an "until" that is not after the start', async () => {
    await mountForm();
    type(q<HTMLInputElement>(element, 'absence-until'), '2025-03-06T09:00');
    q(element, 'absence-save').click();
    await settle(element);
    expect(saved).to.have.length(0);
    expect(q(element, 'absence-until-error').textContent).to.contain('must be after');
    expect(q(element, 'absence-until').getAttribute('aria-invalid')).to.equal('true');
  });

  it("shows the server's refusal of the forward number at the field and keeps what was typed", async () => {
    api.fail('absence.set', 'bad_request', 'Not a phone number');
    await mountForm();
    q<HTMLInputElement>(element, 'absence-handling-forward').click();
    await settle(element);
    type(q<HTMLInputElement>(element, 'absence-forward'), '12ab');
    type(q<HTMLTextAreaElement>(element, 'absence-message'), 'Kept');
    q(element, 'absence-save').click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-forward-error]') !== null);
    expect(q(element, 'absence-forward-error').textContent?.trim()).to.equal('Not a phone number');
    expect(q<HTMLInputElement>(element, 'absence-forward').value).to.equal('12ab');
    expect(q<HTMLTextAreaElement>(element, 'absence-message').value).to.equal('Kept');
    expect(api.sent.at(-1)?.params).to.include({ callHandling: 'forward', forwardNumber: '12ab' });
    await expect(element).shadowDom.to.be.accessible();
  });

  it('shows other refusals as an alert', async () => {
    api.fail('absence.set', 'forbidden', 'Only operators can do that.');
    await mountForm(null, 'ola');
    q(element, 'absence-save').click();
    await waitUntil(() => deepQuery(element, '[data-testid=absence-error]') !== null);
    expect(q(element, 'absence-error').getAttribute('role')).to.equal('alert');
    expect(q(element, 'absence-error').textContent?.trim()).to.equal('Only operators can do that.');
  });

  it('starts from the current absence and clears it for a colleague (operator)', async () => {
    api.on('absence.clear', () => ({ cleared: true }));
    await mountForm(
      absence({ reason: 'travel', callHandling: 'forward', forwardNumber: '+4790000001' }),
      'ola',
    );
    expect(q<HTMLSelectElement>(element, 'absence-reason').value).to.equal('travel');
    expect(q<HTMLInputElement>(element, 'absence-until').value).to.equal('2025-03-06T10:45');
    expect(q<HTMLTextAreaElement>(element, 'absence-message').value).to.equal('Back soon');
    expect(q<HTMLInputElement>(element, 'absence-forward').value).to.equal('+4790000001');
    let cleared = 0;
    element.addEventListener('absence-cleared', () => cleared++);
    q(element, 'absence-clear').click();
    await waitUntil(() => cleared === 1);
    expect(api.sent.at(-1)).to.deep.equal({ type: 'absence.clear', params: { userId: 'ola' } });
    expect(q(element, 'absence-status').textContent?.trim()).to.equal('Absence cleared.');
  });

  it('has no Clear without an absence; the label names the person as text', async () => {
    await mountForm(null, 'ola');
    expect(deepQuery(element, '[data-testid=absence-clear]')).to.equal(null);
    const form = element.shadowRoot?.querySelector('form');
    expect(form?.getAttribute('aria-label')).to.equal(
      'Absence for Ola <img src=x onerror=alert(1)>',
    );
    expect(element.shadowRoot?.querySelector('img')).to.equal(null);
    await expect(element).shadowDom.to.be.accessible();
  });
});
