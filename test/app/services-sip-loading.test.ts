import { expect, waitUntil } from '@open-wc/testing';
import { assembleServices, createServices } from '../../src/app/services.js';
import type { Role } from '../../src/shared/protocol.js';
import type { WebSocketApiClient } from '../../src/store/api-client.js';
import { FakeApiClient, FakePhone, kari, kariSip } from './fakes.js';

/** Whether this page has fetched the SIP stack's module (its own chunk in the build). */
const sipStackFetched = () =>
  performance
    .getEntriesByType('resource')
    .some((entry) => /\/src\/sip\/sip-phone\.(?:js|ts)\b/.test(entry.name));

describe('createServices: the SIP stack', () => {
  it('is not fetched until a phone is made (the wall board never makes one), then at once', async () => {
    // The test page loads hundreds of modules one by one: room for the ones that follow.
    performance.setResourceTimingBufferSize(100_000);
    const services = createServices({ apiUrl: 'ws://127.0.0.1:1/api' });
    try {
      // What the login view and the board kiosk have: services, no phone.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sipStackFetched(), 'fetched before any phone').to.equal(false);

      // A login with a phone (AuthService.startWork): the softphone is made and registers.
      void services.phone.start(kariSip).catch(() => undefined);
      await waitUntil(sipStackFetched, 'the SIP stack is fetched when the phone is made');
    } finally {
      await services.phone.stop();
      (services.api as WebSocketApiClient).close();
    }
  });
});

describe('login: who gets a phone', () => {
  const phonesMadeFor = async (role: Role) => {
    const api = new FakeApiClient()
      .on('auth.login', () => ({
        user: { ...kari, role },
        sip: kariSip,
        sessionToken: 'token-1',
        twoFactor: { enabled: false, required: false },
      }))
      .on('directory.list', () => ({ people: [] }));
    let made = 0;
    const services = assembleServices(api, () => {
      made++;
      return new FakePhone();
    });
    await services.auth.login('kari', 'pw');
    await Promise.resolve();
    return made;
  };

  it('makes no phone for the wall-board login (so it never fetches the SIP stack)', async () => {
    expect(await phonesMadeFor('board')).to.equal(0);
  });

  it('makes the phone right after an operator logs in', async () => {
    expect(await phonesMadeFor('operator')).to.equal(1);
  });
});
