/**
 * Two real SipPhones (SIP.js user agents) in one page, paired over an in-memory SIP network,
 * with real WebRTC media on loopback (Chromium's fake microphone). Behaviour as the app sees it:
 * plain events out, plain commands in.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { SipCredentials } from '../../src/shared/protocol.js';
import type { Phone, PhoneEvent } from '../../src/sip/phone.js';
import { SipPhone } from '../../src/sip/sip-phone.js';
import type { PhoneLogger } from '../../src/sip/sip-phone.js';
import { LoopbackNetwork } from './sip-loopback.js';

const DOMAIN = 'loopback.test';
const quiet: PhoneLogger = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Every RTCPeerConnection the page creates, in order. */
const peerConnections: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;
class TrackedPeerConnection extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    peerConnections.push(this);
  }
}

function credentials(user: string, displayName: string): SipCredentials {
  return {
    aor: `sip:${user}@${DOMAIN}`,
    authorizationUsername: user,
    password: 'per-session-secret',
    displayName,
    wsServer: 'ws://127.0.0.1:9/sip',
    iceServers: [],
  };
}

/** A phone plus everything it said. */
class Party {
  readonly events: PhoneEvent[] = [];
  readonly phone: Phone;

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

  /** Resolves with the first event (already seen or still to come) matching `predicate`. */
  async saw<T extends PhoneEvent['type']>(
    type: T,
    predicate: (e: Extract<PhoneEvent, { type: T }>) => boolean = () => true,
    timeout = 5000,
  ): Promise<Extract<PhoneEvent, { type: T }>> {
    const find = () =>
      this.events.find(
        (e): e is Extract<PhoneEvent, { type: T }> =>
          e.type === type && predicate(e as Extract<PhoneEvent, { type: T }>),
      );
    await waitUntil(() => find(), `no ${type} event`, { timeout });
    const found = find();
    if (!found) throw new Error(`no ${type} event`);
    return found;
  }

  ofType<T extends PhoneEvent['type']>(type: T): Extract<PhoneEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<PhoneEvent, { type: T }> => e.type === type);
  }
}

async function audioCounters(pc: RTCPeerConnection): Promise<{ sent: number; received: number }> {
  const totals = { sent: 0, received: 0 };
  const report = await pc.getStats();
  report.forEach(
    (s: { type: string; kind?: string; packetsSent?: number; packetsReceived?: number }) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'outbound-rtp') totals.sent += s.packetsSent ?? 0;
      if (s.type === 'inbound-rtp') totals.received += s.packetsReceived ?? 0;
    },
  );
  return totals;
}

async function over(ms: number, pc: RTCPeerConnection) {
  const before = await audioCounters(pc);
  await new Promise((r) => setTimeout(r, ms));
  const after = await audioCounters(pc);
  return { sent: after.sent - before.sent, received: after.received - before.received };
}

describe('SipPhone over SIP.js', function () {
  this.timeout(30_000);
  let network: LoopbackNetwork;
  let kari: Party;
  let ola: Party;

  before(() => {
    window.RTCPeerConnection = TrackedPeerConnection;
  });
  after(() => {
    window.RTCPeerConnection = Native;
  });

  beforeEach(() => {
    network = new LoopbackNetwork();
    network.assertedIdentity.set('kari', '"Kari Nordmann" <sip:1001@loopback.test>');
    kari = new Party(network, 'kari', 'Kari Nordmann');
    ola = new Party(network, 'ola', 'Ola Hansen');
  });

  afterEach(async () => {
    await Promise.all([kari.phone.dispose(), ola.phone.dispose()]);
  });

  async function registerBoth() {
    await Promise.all([kari.phone.register(), ola.phone.register()]);
    await kari.saw('registration', (e) => e.status === 'registered');
    await ola.saw('registration', (e) => e.status === 'registered');
  }

  /** Kari calls Ola and Ola answers; returns Kari's and Ola's peer connections. */
  async function establish() {
    await registerBoth();
    const first = peerConnections.length;
    await kari.phone.call('ola');
    await ola.saw('incoming');
    await ola.phone.answer();
    await kari.saw('established');
    await ola.saw('established');
    const pcs = peerConnections.slice(first);
    const kariPc = pcs.find((pc) => pc.currentLocalDescription?.type === 'offer');
    const olaPc = pcs.find((pc) => pc.currentLocalDescription?.type === 'answer');
    if (!kariPc || !olaPc) throw new Error('peer connections not found');
    await waitUntil(
      async () => (await audioCounters(olaPc)).received > 10,
      'no audio reached Ola',
      { timeout: 10_000 },
    );
    return { kariPc, olaPc };
  }

  describe('registration', () => {
    it('reports connecting, then registered', async () => {
      await kari.phone.register();
      await kari.saw('registration', (e) => e.status === 'registered');
      expect(kari.ofType('registration').map((e) => e.status)).to.deep.equal([
        'connecting',
        'registered',
      ]);
    });

    it('reports a rejected REGISTER as failed with the status', async () => {
      network.rejectRegisterWith = [403, 'Forbidden'];
      await kari.phone.register();
      const failed = await kari.saw('registration', (e) => e.status === 'failed');
      expect(failed.reason).to.equal('403 Forbidden');
    });

    it('reports failed when the SIP server cannot be reached, and recovers when it can', async () => {
      network.down = true;
      await kari.phone.register();
      const failed = await kari.saw('registration', (e) => e.status === 'failed');
      expect(failed.reason).to.equal('Cannot reach the SIP server');
      network.down = false;
      await kari.saw('registration', (e) => e.status === 'registered');
    });

    it('reconnects and re-registers after the connection drops', async () => {
      await kari.phone.register();
      await kari.saw('registration', (e) => e.status === 'registered');
      const registersBefore = network.requests('REGISTER').length;
      network.loseAll();
      await kari.saw('registration', (e) => e.status === 'reconnecting');
      await waitUntil(() => network.requests('REGISTER').length > registersBefore);
      await waitUntil(() => kari.ofType('registration').at(-1)?.status === 'registered');
    });

    it('unregisters on dispose', async () => {
      await kari.phone.register();
      await kari.saw('registration', (e) => e.status === 'registered');
      await kari.phone.dispose();
      expect(network.requests('REGISTER').at(-1)).to.match(/expires=0/i);
    });
  });

  describe('a call', () => {
    it('rings with the asserted caller name and number, then carries audio both ways', async () => {
      await registerBoth();
      await kari.phone.call('ola');
      const outgoing = await kari.saw('outgoing');
      expect(outgoing.remote.number).to.equal('ola');
      const incoming = await ola.saw('incoming');
      expect(incoming.remote.displayName).to.equal('Kari Nordmann');
      expect(incoming.remote.number).to.equal('1001');
      await kari.saw('ringing', (e) => e.statusCode === 180);

      const first = peerConnections.length;
      await ola.phone.answer();
      await kari.saw('established');
      await ola.saw('established');
      const media = await kari.saw('remote-media');
      expect(media.stream?.getAudioTracks()).to.have.length(1);
      const pcs = peerConnections.slice(first - 1);
      await waitUntil(
        async () => {
          const counters = await Promise.all(pcs.map(audioCounters));
          return counters.every((c) => c.received > 10);
        },
        'audio did not flow both ways',
        { timeout: 10_000 },
      );
    });

    it('never uses a public STUN server: ICE servers come from the login result', async () => {
      await establish();
      for (const pc of peerConnections.slice(-2)) {
        expect(pc.getConfiguration().iceServers ?? []).to.deep.equal([]);
      }
    });

    it('puts the call on hold with no RTP from us, and resumes it', async () => {
      const { kariPc, olaPc } = await establish();
      await kari.phone.hold();
      await kari.saw('hold', (e) => e.held);
      await ola.saw('remote-hold', (e) => e.held);
      await new Promise((r) => setTimeout(r, 300)); // packets in flight land
      const [kariHeld, olaHeld] = await Promise.all([over(1200, kariPc), over(1200, olaPc)]);
      expect(kariHeld.sent, 'Kari sent RTP while holding').to.be.at.most(2);
      expect(olaHeld.received, 'Ola received RTP while held').to.be.at.most(2);

      await kari.phone.resume();
      await kari.saw('hold', (e) => !e.held);
      await ola.saw('remote-hold', (e) => !e.held);
      await waitUntil(async () => (await over(500, olaPc)).received > 10, 'audio did not resume', {
        timeout: 10_000,
      });
    });

    it('keeps sending packets while muted (silence), and unmutes', async () => {
      const { kariPc } = await establish();
      kari.phone.mute();
      await kari.saw('mute', (e) => e.muted);
      expect((await over(1000, kariPc)).sent).to.be.greaterThan(10);
      const sender = kariPc.getSenders().find((s) => s.track?.kind === 'audio');
      expect(sender?.track?.enabled).to.equal(false);
      kari.phone.unmute();
      expect(sender?.track?.enabled).to.equal(true);
    });

    it('sends DTMF as INFO dtmf-relay, received in order on the other side', async () => {
      await establish();
      await Promise.all(['5', '0', '#'].map((d) => kari.phone.sendDtmf(d)));
      await waitUntil(() => ola.ofType('dtmf').length === 3);
      expect(ola.ofType('dtmf').map((e) => e.digit)).to.deep.equal(['5', '0', '#']);
      const info = network.requests('INFO')[0] ?? '';
      expect(info).to.match(/Content-Type: application\/dtmf-relay/i);
      expect(info).to.contain('Signal=5\r\nDuration=160');
    });

    it('ends as local_hangup for the one who hangs up and remote_hangup for the other', async () => {
      await establish();
      await kari.phone.hangup();
      expect((await kari.saw('ended')).reason).to.equal('local_hangup');
      expect((await ola.saw('ended')).reason).to.equal('remote_hangup');
      expect(kari.ofType('remote-media').at(-1)?.stream).to.equal(null);
    });
  });

  describe('calls that do not connect', () => {
    it('a rejected call is busy for the caller and rejected for the callee', async () => {
      await registerBoth();
      await kari.phone.call('ola');
      await ola.saw('incoming');
      await ola.phone.reject();
      const ended = await kari.saw('ended');
      expect(ended.reason).to.equal('busy');
      expect(ended.statusCode).to.equal(486);
      expect((await ola.saw('ended')).reason).to.equal('rejected');
    });

    it('hanging up before the answer cancels on both sides', async () => {
      await registerBoth();
      await kari.phone.call('ola');
      await kari.saw('ringing');
      await kari.phone.hangup();
      expect((await kari.saw('ended')).reason).to.equal('cancelled');
      expect((await ola.saw('ended')).reason).to.equal('cancelled');
    });

    it('calling nobody is not_found', async () => {
      await registerBoth();
      await kari.phone.call('nobody');
      const ended = await kari.saw('ended');
      expect(ended.reason).to.equal('not_found');
      expect(ended.statusCode).to.equal(404);
    });

    it('answers a second incoming call with 486 while one is in progress', async () => {
      await establish();
      const third = new Party(network, 'per', 'Per');
      try {
        await third.phone.register();
        await third.saw('registration', (e) => e.status === 'registered');
        await third.phone.call('ola');
        expect((await third.saw('ended')).reason).to.equal('busy');
        expect(ola.ofType('incoming')).to.have.length(1);
      } finally {
        await third.phone.dispose();
      }
    });
  });
});
