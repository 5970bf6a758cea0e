import { expect, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import '../../src/app/sentral-caller-card.js';
import '../../src/app/sentral-queue-panel.js';
import { apiClientContext, directoryModelContext } from '../../src/app/contexts.js';
import {
  formatPhoneNumber,
  loadPhoneNumberFormats,
  phoneFormatVersion$,
} from '../../src/app/phone-number.js';
import { switchboardModelContext } from '../../src/app/switchboard-contexts.js';
import type { WaitingCaller } from '../../src/shared/switchboard.js';
import { DirectoryModel } from '../../src/store/directory-model.js';
import { SessionModel } from '../../src/store/session-model.js';
import { SwitchboardModel } from '../../src/store/switchboard-model.js';
import { FakeApiClient, deepQueryAll, kari, kariSip, mount } from './fakes.js';

/** What the app showed when it formatted every number with libphonenumber-js/min. */
function withLibrary(number: string): string {
  if (!number.startsWith('+') && !number.startsWith('00')) return number;
  const parsed = parsePhoneNumberFromString(number, 'NO');
  if (!parsed?.isPossible()) return number;
  return parsed.country === 'NO' ? parsed.formatNational() : parsed.formatInternational();
}

/** Real Norwegian numbers of every kind, with what libphonenumber-js/min writes for them. */
const NORWEGIAN: ReadonlyArray<[string, string, string]> = [
  ['landline Oslo 2x', '+4721000000', '21 00 00 00'],
  ['landline Oslo 2x', '+4722334455', '22 33 44 55'],
  ['landline 3x', '+4733445566', '33 44 55 66'],
  ['landline Bergen 5x', '+4755123456', '55 12 34 56'],
  ['landline 5x', '+4751234567', '51 23 45 67'],
  ['landline 6x', '+4761234567', '61 23 45 67'],
  ['landline Trondheim 7x', '+4773123456', '73 12 34 56'],
  ['mobile 4x', '+4741234567', '41 23 45 67'],
  ['mobile 4x', '+4745612345', '45 61 23 45'],
  ['mobile 9x', '+4791234567', '91 23 45 67'],
  ['mobile 9x', '+4798765432', '98 76 54 32'],
  ['freephone 800', '+4780012345', '800 12 345'],
  ['shared cost 810', '+4781012345', '810 12 345'],
  ['premium 820', '+4782012345', '820 12 345'],
  ['service 850', '+4785012345', '850 12 345'],
  ['service 880', '+4788012345', '880 12 345'],
  ['M2M 58x', '+4758123456', '58 12 34 56'],
  ['M2M 59x', '+4759123456', '59 12 34 56'],
  ['Svalbard 79x', '+4779123456', '+47 79 12 34 56'],
  ['short number 0xxxx', '+4702400', '02400'],
  ['short number 0xxxx', '+4701919', '01919'],
  ['international prefix 00', '004721000000', '21 00 00 00'],
  ['too short (emergency 113)', '+47113', '+47113'],
  ['too long', '+47123456789', '+47123456789'],
  ['neither Norway nor Svalbard', '+4712345678', '+47 12345678'],
];

describe('formatPhoneNumber: Norwegian numbers without libphonenumber-js', () => {
  it('has not loaded the library (this page has not asked for it)', async () => {
    let version = -1;
    phoneFormatVersion$.subscribe((v) => (version = v)).unsubscribe();
    expect(version).to.equal(0);
    expect(formatPhoneNumber('+46812345678')).to.equal('+46812345678');
  });

  for (const [kind, number, written] of NORWEGIAN) {
    it(`writes ${kind} ${number} as libphonenumber-js does: ${written}`, () => {
      expect(withLibrary(number), 'libphonenumber-js/min').to.equal(written);
      expect(formatPhoneNumber(number)).to.equal(written);
    });
  }

  it('agrees with libphonenumber-js for every two leading digits, 0 to 12 digits, +47 and 0047', () => {
    const fills = ['0000000000', '1234567890', '9876543210', '5555555555'];
    let compared = 0;
    for (let length = 0; length <= 12; length++) {
      for (let lead = 0; lead < 100; lead++) {
        for (const fill of fills) {
          const digits = `${String(lead).padStart(2, '0')}${fill}`.slice(0, length);
          for (const prefix of ['+47', '0047']) {
            const number = prefix + digits;
            expect(formatPhoneNumber(number), number).to.equal(withLibrary(number));
            compared++;
          }
        }
      }
    }
    expect(compared).to.be.greaterThan(10_000);
  });

  it('leaves extensions and names as they came', () => {
    expect(formatPhoneNumber('1007')).to.equal('1007');
    expect(formatPhoneNumber('anonymous')).to.equal('anonymous');
  });
});

const now = Date.now();

function caller(callId: string, number: string): WaitingCaller {
  return {
    callId,
    queueId: 'q-main',
    number,
    name: callId === 'se' ? 'Sven Svensson' : null,
    priority: 'normal',
    enteredAt: now - 5000,
    rank: now - 5000,
    position: 1,
    state: 'waiting',
  };
}

describe('formatPhoneNumber: other countries once libphonenumber-js has loaded', () => {
  it('shows a Swedish number as received, then formatted in the queue panel and the caller card once the library is in', async () => {
    const api = new FakeApiClient()
      .on('switchboard.snapshot', () => ({
        seq: 1,
        queues: [
          { id: 'q-main', name: 'Sentralbord', number: '+4721000000', strategy: 'ring-all' },
        ],
        callers: [caller('se', '+46812345678'), caller('no', '+4791234567')],
        agents: [],
        stats: [],
        parked: [],
      }))
      .on('directory.list', () => ({ people: [] }))
      .on('caller.history', ({ number }) => ({ number, calls: [], notes: [] }));
    const session = new SessionModel();
    const switchboard = new SwitchboardModel(api, session);
    const directory = new DirectoryModel(api);
    session.loggedIn(kari, kariSip);
    await directory.load();
    await waitUntil(() => switchboard.state.status === 'live');
    const { element, cleanup } = await mount<HTMLElement>(
      html`<div>
        <sentral-queue-panel></sentral-queue-panel>
        <sentral-caller-card number="+46812345678" name="Sven Svensson"></sentral-caller-card>
      </div>`,
      [
        [switchboardModelContext, switchboard],
        [directoryModelContext, directory],
        [apiClientContext, api],
      ],
    );
    try {
      const shown = () => ({
        panel: deepQueryAll(element, '[data-testid=waiting-caller]').map((row) =>
          (row.textContent ?? '').replace(/\s+/g, ' '),
        ),
        card: deepQueryAll(element, '[data-testid=card-number]').map((el) => el.textContent),
      });
      await waitUntil(() => shown().panel.length === 2, 'both callers listed');
      expect(shown().panel.join('|')).to.contain('+46812345678');
      expect(shown().panel.join('|')).to.contain('91 23 45 67');
      expect(shown().card).to.deep.equal(['+46812345678']);

      expect(await loadPhoneNumberFormats()).to.equal(true);

      await waitUntil(
        () => shown().panel.join('|').includes('+46 8 123 456 78'),
        'the panel writes the Swedish number once the library is in',
      );
      expect(shown().panel.join('|')).not.to.contain('+46812345678');
      expect(shown().panel.join('|')).to.contain('91 23 45 67');
      await waitUntil(() => shown().card[0] === '+46 8 123 456 78', 'the caller card too');
      expect(formatPhoneNumber('+4721000000')).to.equal('21 00 00 00');
    } finally {
      cleanup();
    }
  });
});
