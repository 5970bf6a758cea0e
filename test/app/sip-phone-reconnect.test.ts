/**
 * SipPhone after its SIP connection drops mid-call (ADR 0010): two real SipPhones over the
 * in-memory SIP network with real WebRTC on loopback. The phone that lost its transport
 * reconnects, re-registers and sends its live call a re-INVITE with an ICE restart; the call
 * is never ended, and later re-INVITEs (hold) do not restart ICE again.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { UserAgent } from 'sip.js';
import type { SipCredentials } from '../../src/shared/protocol.js';
import type { PhoneEvent } from '../../src/sip/phone.js';
import { SipPhone } from '../../src/sip/sip-phone.js';
import type { PhoneLogger } from '../../src/sip/sip-phone.js';
import { LoopbackNetwork } from './sip-loopback.js';
import type { LoopbackTransport } from './sip-loopback.js';

const quiet: PhoneLogger = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function credentials(user: string, displayName: string): SipCredentials {
  return {
    aor: `sip:${user}@loopback.test`,
    authorizationUsername: user,
    password: 'per-session-secret',
    displayName,
    wsServer: 'ws://127.0.0.1:9/sip',
    iceServers: [],
  };
}

class Party {
  readonly events: PhoneEvent[] = [];
  readonly phone: SipPhone;
  constructor(network: LoopbackNetwork, user: string, name: string) {
    this.phone = new SipPhone({
      credentials: credentials(user, name),
      logger: quiet,
      transportConstructor: network.transportConstructor,
      initialReconnectDelayMs: 20,
      maxReconnectDelayMs: 100,
    });
    this.phone.events$.subscribe((e) => this.events.push(e));
  }

  has(predicate: (e: PhoneEvent) => boolean): boolean {
    return this.events.some(predicate);
  }

  /** The phone's SIP.js transport (test access to a private field: the seam is the network). */
  transport(): LoopbackTransport {
    return (this.phone as unknown as { ua: UserAgent }).ua.transport as LoopbackTransport;
  }
}

const ufrag = (message: string) => /a=ice-ufrag:(\S+)/.exec(message)?.[1] ?? null;

describe('SipPhone reconnect', () => {
  let network: LoopbackNetwork;
  let kari: Party;
  let ola: Party;

  beforeEach(() => {
    network = new LoopbackNetwork();
    kari = new Party(network, 'kari', 'Kari Nordmann');
    ola = new Party(network, 'ola', 'Ola Hansen');
  });

  afterEach(async () => {
    await Promise.all([kari.phone.dispose(), ola.phone.dispose()]);
  });

  it('keeps the call, re-registers and ICE-restarts it, then says recovered', async () => {
    await Promise.all([kari.phone.register(), ola.phone.register()]);
    await waitUntil(() => kari.has((e) => e.type === 'registration' && e.status === 'registered'));
    await waitUntil(() => ola.has((e) => e.type === 'registration' && e.status === 'registered'));
    await kari.phone.call('ola');
    await waitUntil(() => ola.has((e) => e.type === 'incoming'));
    const incoming = ola.events.find((e) => e.type === 'incoming');
    if (incoming?.type !== 'incoming') throw new Error('no incoming');
    await ola.phone.answer(incoming.callId);
    await waitUntil(() => kari.has((e) => e.type === 'established'), 'kari not established');
    const invitesBefore = network.requests('INVITE').length;
    const registersBefore = network.requests('REGISTER').length;
    const firstUfrag = ufrag(network.requests('INVITE')[0] ?? '');
    expect(firstUfrag).not.to.equal(null);

    kari.transport().lose();

    await waitUntil(
      () => kari.has((e) => e.type === 'connection' && e.state === 'recovered'),
      'never recovered',
      { timeout: 8000 },
    );
    const connection = kari.events.flatMap((e) =>
      e.type === 'connection' ? [`${e.state}${e.attempt ? ` ${e.attempt}` : ''}`] : [],
    );
    expect(connection).to.deep.equal(['lost', 'reconnecting 1', 'recovered']);
    const registration = kari.events.flatMap((e) => (e.type === 'registration' ? [e.status] : []));
    expect(registration.slice(-2)).to.deep.equal(['reconnecting', 'registered']);
    expect(network.requests('REGISTER').length).to.be.greaterThan(registersBefore);

    // Exactly one new INVITE: the re-INVITE, with new ICE credentials.
    const invites = network.requests('INVITE');
    expect(invites.length).to.equal(invitesBefore + 1);
    const restart = invites.at(-1) ?? '';
    expect(restart).to.match(/;\s*tag=/); // in-dialog
    expect(ufrag(restart)).not.to.equal(null);
    expect(ufrag(restart)).not.to.equal(firstUfrag);

    // Nobody hung up.
    expect(kari.has((e) => e.type === 'ended')).to.equal(false);
    expect(ola.has((e) => e.type === 'ended')).to.equal(false);

    // A later hold keeps the restarted ICE credentials (the restart option was not left on).
    const callId = kari.events.find((e) => e.type === 'outgoing');
    if (callId?.type !== 'outgoing') throw new Error('no outgoing');
    await kari.phone.hold(callId.callId);
    const hold = network.requests('INVITE').at(-1) ?? '';
    expect(hold).to.match(/a=(sendonly|inactive)/);
    expect(ufrag(hold)).to.equal(ufrag(restart));
  });

  it('reports each reconnect attempt while the server cannot be reached', async () => {
    await kari.phone.register();
    await waitUntil(() => kari.has((e) => e.type === 'registration' && e.status === 'registered'));
    network.down = true;
    kari.transport().lose();
    await waitUntil(
      () =>
        kari.has((e) => e.type === 'connection' && e.state === 'reconnecting' && e.attempt === 3),
      'no third attempt',
    );
    expect(kari.has((e) => e.type === 'connection' && e.state === 'recovered')).to.equal(false);
    network.down = false;
    await waitUntil(() => kari.has((e) => e.type === 'connection' && e.state === 'recovered'));
  });
});
