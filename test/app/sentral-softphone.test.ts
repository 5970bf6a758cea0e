import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-softphone.js';
import type { SentralSoftphone } from '../../src/app/sentral-softphone.js';
import {
  linesModelContext,
  directoryModelContext,
  phoneServiceContext,
  registrationModelContext,
} from '../../src/app/contexts.js';
import { assembleServices } from '../../src/app/services.js';
import type { Services } from '../../src/app/services.js';
import type { Party } from '../../src/sip/phone.js';
import {
  FakeApiClient,
  FakePhone,
  deepQuery,
  deepQueryAll,
  kariSip,
  mount,
  must,
  settle,
} from './fakes.js';
import { mountSoftphone } from './softphone-fixture.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };
const per: Party = { displayName: 'Per Berg', number: '1003', uri: 'sip:1003@sentral.invalid' };

describe('sentral-softphone', () => {
  let services: Services;
  let phone: FakePhone;
  let element: SentralSoftphone;
  let cleanup: () => void = () => undefined;

  const q = <E extends Element = HTMLElement>(selector: string) => deepQuery<E>(element, selector);
  const text = (selector: string) => q(selector)?.textContent?.trim() ?? null;
  const click = (selector: string) => {
    const button = q<HTMLButtonElement>(selector);
    if (!button) throw new Error(`no ${selector}`);
    button.click();
  };
  const callState = () => q('[data-testid=call-state]')?.dataset['state'];

  beforeEach(async () => {
    phone = new FakePhone();
    services = assembleServices(new FakeApiClient(), () => phone);
    const mounted = await mountSoftphone(services);
    element = mounted.element;
    cleanup = mounted.cleanup;
    await services.phone.start(kariSip);
  });

  afterEach(() => cleanup());

  async function emit(...events: Parameters<FakePhone['emit']>[0][]) {
    for (const event of events) phone.emit(event);
    await settle(element);
  }

  async function registered() {
    await emit(
      { type: 'registration', status: 'connecting' },
      { type: 'registration', status: 'registered' },
    );
  }

  async function inCall() {
    await registered();
    await emit(
      { type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false },
      { type: 'established', callId: 'c1' },
    );
  }

  describe('registration badge', () => {
    it('shows connecting', async () => {
      await emit({ type: 'registration', status: 'connecting' });
      const badge = q('[data-testid=reg-state]');
      expect(badge?.dataset['state']).to.equal('connecting');
      expect(badge?.textContent).to.contain('connecting');
    });

    it('shows registered', async () => {
      await registered();
      const badge = q('[data-testid=reg-state]');
      expect(badge?.dataset['state']).to.equal('registered');
      expect(badge?.textContent).to.contain('registered');
    });

    it('shows failed with the reason', async () => {
      await emit(
        { type: 'registration', status: 'connecting' },
        { type: 'registration', status: 'failed', reason: '403 Forbidden' },
      );
      const badge = q('[data-testid=reg-state]');
      expect(badge?.dataset['state']).to.equal('failed');
      expect(badge?.textContent).to.contain('failed');
      expect(badge?.textContent).to.contain('403 Forbidden');
    });

    it('shows reconnecting after the SIP socket drops', async () => {
      await registered();
      await emit({ type: 'registration', status: 'reconnecting', reason: 'lost' });
      expect(q('[data-testid=reg-state]')?.dataset['state']).to.equal('reconnecting');
    });

    it('disables the call button until registered', async () => {
      await emit({ type: 'registration', status: 'connecting' });
      const input = must(q<HTMLInputElement>('input[data-testid=dial-input]'));
      input.value = '1002';
      input.dispatchEvent(new InputEvent('input'));
      await settle(element);
      expect(q<HTMLButtonElement>('button[data-testid=call-button]')?.disabled).to.equal(true);
      await emit({ type: 'registration', status: 'registered' });
      expect(q<HTMLButtonElement>('button[data-testid=call-button]')?.disabled).to.equal(false);
    });
  });

  describe('incoming call', () => {
    it('shows the caller name and number with answer and reject', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
      expect(callState()).to.equal('incoming');
      expect(q('[data-testid=incoming-call]')).not.to.equal(null);
      expect(text('[data-testid=caller-name]')).to.equal('Ola Nordmann');
      expect(text('[data-testid=caller-number]')).to.equal('1002');
      click('button[data-testid=answer]');
      await waitUntil(() => phone.commands.includes('answer c1'));
    });

    it('renders a hostile display name as text, creating no element', async () => {
      await registered();
      await emit({
        type: 'incoming',
        callId: 'c1',
        remote: { displayName: HOSTILE, number: `1<b>2</b>`, uri: 'sip:x@y' },
        autoAnswer: false,
      });
      expect(q('[data-testid=caller-name]')?.textContent).to.equal(HOSTILE);
      expect(q('[data-testid=caller-number]')?.textContent).to.equal('1<b>2</b>');
      expect(deepQueryAll(element, 'img')).to.have.length(0);
      expect(deepQueryAll(element, 'b')).to.have.length(0);
    });

    it('rejects with the reject button', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
      click('button[data-testid=reject]');
      await waitUntil(() => phone.commands.includes('reject c1'));
    });

    it('rejects with Escape', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await waitUntil(() => phone.commands.includes('reject c1'));
    });

    it('hides the card once answered and shows the in-call controls', async () => {
      await inCall();
      expect(q('[data-testid=incoming-call]')).to.equal(null);
      expect(callState()).to.equal('established');
      expect(text('[data-testid=call-timer]')).to.match(/^\d\d:\d\d$/);
      for (const id of ['hangup', 'hold', 'mute'])
        expect(q(`button[data-testid=${id}]`)).not.to.equal(null);
      for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'star', 'hash']) {
        expect(q(`button[data-testid=dtmf-${key}]`), key).not.to.equal(null);
      }
    });

    it('shows "Rejected" after rejecting', async () => {
      await registered();
      await emit(
        { type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false },
        { type: 'ended', callId: 'c1', reason: 'rejected' },
      );
      expect(callState()).to.equal('ended');
      const reason = q('[data-testid=end-reason]');
      expect(reason?.dataset['reason']).to.equal('rejected');
      expect(reason?.textContent?.trim()).to.equal('Rejected');
    });
  });

  describe('outgoing call', () => {
    it('dials with Enter and follows outgoing → ringing → busy', async () => {
      await registered();
      const input = must(q<HTMLInputElement>('input[data-testid=dial-input]'));
      input.value = '1002';
      input.dispatchEvent(new InputEvent('input'));
      await settle(element);
      input.form?.requestSubmit();
      await waitUntil(() => phone.commands.includes('call 1002'));

      await emit({ type: 'outgoing', callId: 'c2', remote: { ...ola, displayName: '' } });
      expect(callState()).to.equal('outgoing');
      await emit({ type: 'ringing', callId: 'c2', statusCode: 180 });
      expect(callState()).to.equal('ringing');
      await emit({ type: 'ended', callId: 'c2', reason: 'busy', statusCode: 486 });
      expect(callState()).to.equal('ended');
      expect(q('[data-testid=end-reason]')?.dataset['reason']).to.equal('busy');
      expect(text('[data-testid=end-reason]')).to.equal('Busy');
      // The dial box is back for the next call.
      expect(q('input[data-testid=dial-input]')).not.to.equal(null);
    });

    it('offers the numbers the user may show on an external call, and dials with the chosen one', async () => {
      services.session.loggedIn(
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
      await registered();
      const input = must(q<HTMLInputElement>('input[data-testid=dial-input]'));
      // An extension is internal: no choice to make.
      input.value = '1002';
      input.dispatchEvent(new InputEvent('input'));
      await settle(element);
      expect(q('[data-testid=present-as]')).to.equal(null);

      input.value = '900 00 011';
      input.dispatchEvent(new InputEvent('input'));
      await settle(element);
      const select = must(q<HTMLSelectElement>('select[data-testid=present-as]'));
      expect(
        [...select.options].map((o) => o.textContent?.replace(/\s+/g, ' ').trim()),
      ).to.deep.equal(['Main number · 21 00 00 00', 'My mobile · 40 00 10 01']);
      select.value = '+4740001001';
      select.dispatchEvent(new Event('change'));
      await settle(element);
      input.form?.requestSubmit();
      await waitUntil(() => phone.commands.includes('call 900 00 011 as +4740001001'));
    });

    it('shows the default (main) number when the user makes no choice', async () => {
      services.session.loggedIn(
        {
          id: 'u1',
          tenantId: 't1',
          username: 'kari.nordmann',
          displayName: 'Kari Nordmann',
          extension: '1001',
          role: 'operator',
          presentableNumbers: [{ number: '+4721000000', kind: 'main' }],
        },
        kariSip,
      );
      await registered();
      const input = must(q<HTMLInputElement>('input[data-testid=dial-input]'));
      input.value = '+4790000011';
      input.dispatchEvent(new InputEvent('input'));
      await settle(element);
      input.form?.requestSubmit();
      await waitUntil(() => phone.commands.includes('call +4790000011 as +4721000000'));
    });

    it('builds the number from the dial pad', async () => {
      await registered();
      for (const key of ['1', '0', '0', '2']) click(`button[data-testid=dial-${key}]`);
      await settle(element);
      expect(q<HTMLInputElement>('input[data-testid=dial-input]')?.value).to.equal('1002');
      click('button[data-testid=call-button]');
      await waitUntil(() => phone.commands.includes('call 1002'));
    });

    for (const [reason, words] of [
      ['not_found', 'Not found'],
      ['no_answer', 'No answer'],
      ['remote_hangup', 'Call ended'],
      ['local_hangup', 'Call ended'],
      ['cancelled', 'Cancelled'],
      ['unavailable', 'Unavailable'],
      ['failed', 'Call failed'],
    ] as const) {
      it(`words the end reason ${reason} as "${words}"`, async () => {
        await registered();
        await emit(
          { type: 'outgoing', callId: 'c3', remote: ola },
          { type: 'ended', callId: 'c3', reason },
        );
        expect(q('[data-testid=end-reason]')?.dataset['reason']).to.equal(reason);
        expect(text('[data-testid=end-reason]')).to.equal(words);
      });
    }
  });

  describe('in call', () => {
    it('hangs up with the button and with Escape', async () => {
      await inCall();
      click('button[data-testid=hangup]');
      await waitUntil(() => phone.commands.includes('hangup c1'));
      phone.commands.length = 0;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await waitUntil(() => phone.commands.includes('hangup c1'));
    });

    it('toggles hold: Hold → held state and Resume', async () => {
      await inCall();
      expect(text('button[data-testid=hold]')).to.equal('Hold');
      click('button[data-testid=hold]');
      await waitUntil(() => phone.commands.includes('hold c1'));
      await emit({ type: 'hold', callId: 'c1', held: true });
      expect(callState()).to.equal('held');
      expect(text('button[data-testid=hold]')).to.equal('Resume');
      click('button[data-testid=hold]');
      await waitUntil(() => phone.commands.includes('resume c1'));
      await emit({ type: 'hold', callId: 'c1', held: false });
      expect(callState()).to.equal('established');
    });

    it('toggles mute', async () => {
      await inCall();
      click('button[data-testid=mute]');
      await waitUntil(() => phone.commands.includes('mute c1'));
      await emit({ type: 'mute', callId: 'c1', muted: true });
      expect(q('button[data-testid=mute]')?.getAttribute('aria-pressed')).to.equal('true');
      click('button[data-testid=mute]');
      await waitUntil(() => phone.commands.includes('unmute c1'));
    });

    it('sends DTMF from the keypad', async () => {
      await inCall();
      click('button[data-testid=dtmf-5]');
      click('button[data-testid=dtmf-hash]');
      await waitUntil(() => phone.commands.includes('dtmf c1 #'));
      expect(phone.commands).to.include('dtmf c1 5');
    });

    it('shows the DTMF digits received in this call', async () => {
      await inCall();
      expect(text('[data-testid=dtmf-received]')).to.equal('');
      await emit(
        { type: 'dtmf', callId: 'c1', digit: '4' },
        { type: 'dtmf', callId: 'c1', digit: '2' },
      );
      expect(text('[data-testid=dtmf-received]')).to.equal('42');
    });

    it('says when the other party holds us', async () => {
      await inCall();
      await emit({ type: 'remote-hold', callId: 'c1', held: true });
      expect(text('[data-testid=remote-hold]')).to.equal('Held by the other party');
      await emit({ type: 'remote-hold', callId: 'c1', held: false });
      expect(q('[data-testid=remote-hold]')).to.equal(null);
    });

    it('plays the remote stream through its audio element', async () => {
      await inCall();
      const stream = new MediaStream();
      await emit({ type: 'remote-media', callId: 'c1', stream });
      expect(q<HTMLAudioElement>('audio')?.srcObject).to.equal(stream);
      await emit({ type: 'ended', callId: 'c1', reason: 'remote_hangup' });
      expect(q<HTMLAudioElement>('audio')?.srcObject).to.equal(null);
    });

    it('names a colleague called by extension from the directory', async () => {
      cleanup();
      const api = new FakeApiClient().on('directory.list', () => ({
        people: [
          {
            id: 'p',
            username: 'ola',
            displayName: 'Ola Hansen',
            extension: '1007',
            mobile: null,
            department: null,
            title: null,
          },
        ],
      }));
      phone = new FakePhone();
      services = assembleServices(api, () => phone);
      await services.directory.load();
      const mounted = await mount<SentralSoftphone>(html`<sentral-softphone></sentral-softphone>`, [
        [registrationModelContext, services.registration],
        [linesModelContext, services.lines],
        [phoneServiceContext, services.phone],
        [directoryModelContext, services.directory],
      ]);
      element = mounted.element;
      cleanup = mounted.cleanup;
      await services.phone.start(kariSip);
      await registered();
      await emit({
        type: 'outgoing',
        callId: 'c9',
        remote: { displayName: '', number: '1007', uri: 'sip:1007@x' },
      });
      expect(text('.party-name')).to.equal('Ola Hansen');
      expect(text('.party-number')).to.equal('1007');
    });

    it('ignores late events of a call it no longer shows', async () => {
      await inCall();
      await emit({ type: 'dtmf', callId: 'old', digit: '9' });
      expect(text('[data-testid=dtmf-received]')).to.equal('');
    });
  });

  describe('two lines', () => {
    const line = (n: number) => must(q<HTMLElement>(`sentral-line[data-line="${n}"]`), `line ${n}`);
    const inLine = <E extends Element = HTMLElement>(n: number, selector: string) =>
      deepQuery<E>(line(n), selector);
    const lineText = (n: number, selector: string) =>
      inLine(n, selector)?.textContent?.trim() ?? null;

    async function waiting() {
      await inCall();
      await emit({ type: 'incoming', callId: 'c2', remote: per, autoAnswer: false });
    }

    /** Line 1 held, line 2 talking (after "Answer and hold"). */
    async function both() {
      await waiting();
      await emit({ type: 'hold', callId: 'c1', held: true }, { type: 'established', callId: 'c2' });
    }

    it('offers a second call as a waiting card under the call: "Answer and hold", "Reject"', async () => {
      await waiting();
      expect(q('[data-testid=incoming-call]')).to.equal(null);
      const card = must(q('[data-testid=waiting-call]'));
      expect(card.getAttribute('aria-label')).to.equal('Call waiting');
      expect(text('[data-testid=caller-name]')).to.equal('Per Berg');
      expect(text('[data-testid=caller-number]')).to.equal('1003');
      expect(text('button[data-testid=answer]')).to.equal('Answer and hold');
      // Line 1 goes on as it was.
      expect(callState()).to.equal('established');
      expect(line(1).dataset['state']).to.equal('established');
      expect(lineText(1, '.party-name')).to.equal('Ola Nordmann');
      click('[data-testid=waiting-call] button[data-testid=answer]');
      await waitUntil(() => phone.commands.includes('answer c2'));
      expect(phone.commands).not.to.include('hold c1');
    });

    it('rejects the waiting call with its button, and Escape rejects it rather than hang up', async () => {
      await waiting();
      click('[data-testid=waiting-call] button[data-testid=reject]');
      await waitUntil(() => phone.commands.includes('reject c2'));
      phone.commands.length = 0;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await waitUntil(() => phone.commands.includes('reject c2'));
      expect(phone.commands).not.to.include('hangup c1');
    });

    it('renders a hostile name on the waiting card as text', async () => {
      await inCall();
      await emit({
        type: 'incoming',
        callId: 'c2',
        remote: { displayName: HOSTILE, number: '<i>1</i>', uri: 'sip:x@y' },
        autoAnswer: false,
      });
      expect(q('[data-testid=waiting-call] [data-testid=caller-name]')?.textContent).to.equal(
        HOSTILE,
      );
      expect(deepQueryAll(element, 'img')).to.have.length(0);
      expect(deepQueryAll(element, 'i')).to.have.length(0);
    });

    it('shows both lines, labelled, with their state in words and their own timers', async () => {
      await both();
      expect(q('[data-testid=waiting-call]')).to.equal(null);
      expect(lineText(1, '.label')).to.equal('Line 1');
      expect(lineText(2, '.label')).to.equal('Line 2');
      expect(lineText(1, '[data-testid=line-state]')).to.equal('On hold');
      expect(lineText(2, '[data-testid=line-state]')).to.equal('Talking');
      expect(lineText(2, '.party-name')).to.equal('Per Berg');
      expect(inLine(1, '[data-testid=call-timer]')).not.to.equal(null);
      expect(inLine(2, '[data-testid=call-timer]')).not.to.equal(null);
      expect(lineText(1, 'button[data-testid=hold]')).to.equal('Resume');
      expect(lineText(2, 'button[data-testid=hold]')).to.equal('Hold');
      expect(inLine(1, 'button[data-testid=hold]')?.getAttribute('aria-label')).to.equal(
        'Resume line 1',
      );
      // The keypad belongs to the line that talks.
      expect(inLine(1, 'button[data-testid=dtmf-5]')).to.equal(null);
      expect(inLine(2, 'button[data-testid=dtmf-5]')).not.to.equal(null);
    });

    it('swaps: holds the line that talks, then resumes the held one', async () => {
      await both();
      click('button[data-testid=swap]');
      await waitUntil(() => phone.commands.includes('resume c1'));
      expect(phone.commands.filter((c) => /^(hold|resume)/.test(c))).to.deep.equal([
        'hold c2',
        'resume c1',
      ]);
    });

    it('Resume on the held line is a swap too; Hold and Hang up act on their own line', async () => {
      await both();
      must(inLine<HTMLButtonElement>(1, 'button[data-testid=hold]')).click();
      await waitUntil(() => phone.commands.includes('resume c1'));
      expect(phone.commands).to.include('hold c2');
      phone.commands.length = 0;
      must(inLine<HTMLButtonElement>(2, 'button[data-testid=hangup]')).click();
      await waitUntil(() => phone.commands.includes('hangup c2'));
      expect(phone.commands).not.to.include('hangup c1');
    });

    it('when one line ends, the other stays as it was: held, with Resume offered', async () => {
      await both();
      await emit({ type: 'ended', callId: 'c2', reason: 'remote_hangup' });
      expect(deepQueryAll(element, 'sentral-line')).to.have.length(1);
      expect(q('button[data-testid=swap]')).to.equal(null);
      expect(callState()).to.equal('held');
      expect(text('[data-testid=line-state]')).to.equal('On hold');
      expect(text('button[data-testid=hold]')).to.equal('Resume');
      expect(q('.label')).to.equal(null);
      click('button[data-testid=hold]');
      await waitUntil(() => phone.commands.includes('resume c1'));
      // The dial box stays out of the way (hidden) while a line is up.
      expect(q('input[data-testid=dial-input]')?.closest('[hidden]')).not.to.equal(null);
    });

    it('answers by itself without a card when the call asks for auto-answer', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: true });
      expect(q('[data-testid=incoming-call]')).to.equal(null);
      expect(text('[data-testid=line-state]')).to.equal('Answering…');
      expect(phone.commands.filter((c) => c.startsWith('answer'))).to.deep.equal([]);
      await emit({ type: 'established', callId: 'c1' });
      expect(callState()).to.equal('established');
    });

    it('shows a consultation: line 1 held by the other party, line 2 auto-answered', async () => {
      await inCall();
      await emit(
        { type: 'remote-hold', callId: 'c1', held: true },
        { type: 'incoming', callId: 'c2', remote: per, autoAnswer: true },
      );
      expect(q('[data-testid=waiting-call]')).to.equal(null);
      expect(lineText(2, '[data-testid=line-state]')).to.equal('Answering…');
      await emit({ type: 'established', callId: 'c2' });
      expect(lineText(1, '[data-testid=line-state]')).to.equal('Held by the other party');
      expect(lineText(2, '[data-testid=line-state]')).to.equal('Talking');
      expect(q('button[data-testid=swap]')).to.equal(null);
      // Digits go to the line in front: the one that talks.
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '7' }));
      await waitUntil(() => phone.commands.includes('dtmf c2 7'));
    });

    it('plays every line through its own audio element', async () => {
      await both();
      const one = new MediaStream();
      const two = new MediaStream();
      await emit(
        { type: 'remote-media', callId: 'c1', stream: one },
        { type: 'remote-media', callId: 'c2', stream: two },
      );
      const audio = (callId: string) =>
        q<HTMLAudioElement>(`audio[data-call-id="${callId}"]`)?.srcObject ?? null;
      expect(audio('c1')).to.equal(one);
      expect(audio('c2')).to.equal(two);
      await emit(
        { type: 'remote-media', callId: 'c2', stream: null },
        { type: 'ended', callId: 'c2', reason: 'local_hangup' },
      );
      expect(audio('c1')).to.equal(one);
      expect(deepQueryAll(element, 'audio')).to.have.length(1);
    });

    it('is accessible with two lines up', async () => {
      await both();
      await expect(element).shadowDom.to.be.accessible();
    });
  });
});
