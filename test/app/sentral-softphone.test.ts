import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../../src/app/sentral-softphone.js';
import type { SentralSoftphone } from '../../src/app/sentral-softphone.js';
import {
  callModelContext,
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

const HOSTILE = '<img src=x onerror=alert(1)>';
const ola: Party = { displayName: 'Ola Nordmann', number: '1002', uri: 'sip:1002@sentral.invalid' };

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
    const mounted = await mount<SentralSoftphone>(html`<sentral-softphone></sentral-softphone>`, [
      [registrationModelContext, services.registration],
      [callModelContext, services.call],
      [phoneServiceContext, services.phone],
    ]);
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
      { type: 'incoming', callId: 'c1', remote: ola },
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
      await emit({ type: 'incoming', callId: 'c1', remote: ola });
      expect(callState()).to.equal('incoming');
      expect(q('[data-testid=incoming-call]')).not.to.equal(null);
      expect(text('[data-testid=caller-name]')).to.equal('Ola Nordmann');
      expect(text('[data-testid=caller-number]')).to.equal('1002');
      click('button[data-testid=answer]');
      await waitUntil(() => phone.commands.includes('answer'));
    });

    it('renders a hostile display name as text, creating no element', async () => {
      await registered();
      await emit({
        type: 'incoming',
        callId: 'c1',
        remote: { displayName: HOSTILE, number: `1<b>2</b>`, uri: 'sip:x@y' },
      });
      expect(q('[data-testid=caller-name]')?.textContent).to.equal(HOSTILE);
      expect(q('[data-testid=caller-number]')?.textContent).to.equal('1<b>2</b>');
      expect(deepQueryAll(element, 'img')).to.have.length(0);
      expect(deepQueryAll(element, 'b')).to.have.length(0);
    });

    it('rejects with the reject button', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola });
      click('button[data-testid=reject]');
      await waitUntil(() => phone.commands.includes('reject'));
    });

    it('rejects with Escape', async () => {
      await registered();
      await emit({ type: 'incoming', callId: 'c1', remote: ola });
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await waitUntil(() => phone.commands.includes('reject'));
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
        { type: 'incoming', callId: 'c1', remote: ola },
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
      await waitUntil(() => phone.commands.includes('hangup'));
      phone.commands.length = 0;
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
      await waitUntil(() => phone.commands.includes('hangup'));
    });

    it('toggles hold: Hold → held state and Resume', async () => {
      await inCall();
      expect(text('button[data-testid=hold]')).to.equal('Hold');
      click('button[data-testid=hold]');
      await waitUntil(() => phone.commands.includes('hold'));
      await emit({ type: 'hold', callId: 'c1', held: true });
      expect(callState()).to.equal('held');
      expect(text('button[data-testid=hold]')).to.equal('Resume');
      click('button[data-testid=hold]');
      await waitUntil(() => phone.commands.includes('resume'));
      await emit({ type: 'hold', callId: 'c1', held: false });
      expect(callState()).to.equal('established');
    });

    it('toggles mute', async () => {
      await inCall();
      click('button[data-testid=mute]');
      await waitUntil(() => phone.commands.includes('mute'));
      await emit({ type: 'mute', callId: 'c1', muted: true });
      expect(q('button[data-testid=mute]')?.getAttribute('aria-pressed')).to.equal('true');
      click('button[data-testid=mute]');
      await waitUntil(() => phone.commands.includes('unmute'));
    });

    it('sends DTMF from the keypad', async () => {
      await inCall();
      click('button[data-testid=dtmf-5]');
      click('button[data-testid=dtmf-hash]');
      await waitUntil(() => phone.commands.includes('dtmf #'));
      expect(phone.commands).to.include('dtmf 5');
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
      expect(text('[data-testid=remote-hold]')).to.equal('Held by other party');
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
        [callModelContext, services.call],
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
});
