/**
 * Two real SipPhones (SIP.js user agents) in one page, paired over an in-memory SIP network,
 * with real WebRTC media on loopback (Chromium's fake microphone). Behaviour as the app sees it:
 * plain events out, plain commands in.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { Inviter, Registerer, RegistererState, SessionState, UserAgent, Web } from 'sip.js';
import type { SipCredentials } from '../../src/shared/protocol.js';
import type { Phone, PhoneEvent } from '../../src/sip/phone.js';
import { holdMusic } from '../../src/sip/hold-music.js';
import { SipPhone } from '../../src/sip/sip-phone.js';
import type { PhoneLogger } from '../../src/sip/sip-phone.js';
import { must } from './fakes.js';
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

  constructor(
    network: LoopbackNetwork,
    user: string,
    name: string,
    extra: { holdMusic?: () => Promise<MediaStreamTrack | null> } = {},
  ) {
    this.phone = new SipPhone({
      ...extra,
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

  /** The Call-ID of this phone's `n`-th call (0: the first), outgoing or incoming. */
  callId(n = 0): string {
    const starts = this.events.filter((e) => e.type === 'outgoing' || e.type === 'incoming');
    const start = starts[n];
    if (!start || !('callId' in start)) throw new Error(`no call #${n}`);
    return start.callId;
  }

  ofType<T extends PhoneEvent['type']>(type: T): Extract<PhoneEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<PhoneEvent, { type: T }> => e.type === type);
  }
}

/**
 * The core as the phone sees it when it places a call itself (a queue pick, a park pickup, the
 * consultation's second line): a plain SIP.js user agent that can ask for auto-answer
 * (`Call-Info: ...;answer-after=0`) and send the INVITE without SDP (delayed offer: the phone
 * offers in its 200, the answer comes in the ACK).
 */
class CoreLeg {
  readonly ua: UserAgent;
  private readonly registerer: Registerer;

  constructor(network: LoopbackNetwork, user: string) {
    const uri = UserAgent.makeURI(`sip:${user}@${DOMAIN}`);
    if (!uri) throw new Error('bad uri');
    this.ua = new UserAgent({
      uri,
      displayName: 'Sentral',
      transportConstructor: network.transportConstructor,
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      logBuiltinEnabled: false,
      logLevel: 'error',
    });
    this.registerer = new Registerer(this.ua);
  }

  async start(): Promise<void> {
    await this.ua.start();
    await this.registerer.register();
    await waitUntil(() => this.registerer.state === RegistererState.Registered, 'core leg');
  }

  /** Calls `user` and resolves with the session once it is established. */
  async call(user: string, options: { autoAnswer: boolean; withoutSdp: boolean }) {
    const target = UserAgent.makeURI(`sip:${user}@${DOMAIN}`);
    if (!target) throw new Error('bad target');
    const inviter = new Inviter(this.ua, target, {
      extraHeaders: options.autoAnswer ? [`Call-Info: <sip:${DOMAIN}>;answer-after=0`] : [],
      inviteWithoutSdp: options.withoutSdp,
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    await inviter.invite();
    await waitUntil(() => inviter.state === SessionState.Established, 'core leg not answered', {
      timeout: 10_000,
    });
    const sdh = inviter.sessionDescriptionHandler;
    if (!(sdh instanceof Web.SessionDescriptionHandler) || !sdh.peerConnection) {
      throw new Error('no peer connection');
    }
    return { inviter, pc: sdh.peerConnection };
  }

  async stop(): Promise<void> {
    await this.ua.stop();
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
    await ola.phone.answer(ola.callId());
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
      await ola.phone.answer(ola.callId());
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
      await kari.phone.hold(kari.callId());
      await kari.saw('hold', (e) => e.held);
      await ola.saw('remote-hold', (e) => e.held);
      await new Promise((r) => setTimeout(r, 300)); // packets in flight land
      const [kariHeld, olaHeld] = await Promise.all([over(1200, kariPc), over(1200, olaPc)]);
      expect(kariHeld.sent, 'Kari sent RTP while holding').to.be.at.most(2);
      expect(olaHeld.received, 'Ola received RTP while held').to.be.at.most(2);

      await kari.phone.resume(kari.callId());
      await kari.saw('hold', (e) => !e.held);
      await ola.saw('remote-hold', (e) => !e.held);
      await waitUntil(async () => (await over(500, olaPc)).received > 10, 'audio did not resume', {
        timeout: 10_000,
      });
    });

    it('plays hold music to the held party when the app gives some, and the microphone again on resume', async () => {
      await kari.phone.dispose();
      kari = new Party(network, 'kari', 'Kari Nordmann', { holdMusic: holdMusic() });
      const { kariPc, olaPc } = await establish();
      const sender = must(kariPc.getSenders().find((s) => s.track?.kind === 'audio'));
      const mic = sender.track;
      await kari.phone.hold(kari.callId());
      await kari.saw('hold', (e) => e.held);
      await ola.saw('remote-hold', (e) => e.held);
      expect(sender.track).not.to.equal(mic); // never the room while held
      expect(sender.track?.readyState).to.equal('live');
      await waitUntil(async () => (await over(600, olaPc)).received > 10, 'no hold music', {
        timeout: 10_000,
      });
      const music = sender.track;
      await kari.phone.resume(kari.callId());
      await kari.saw('hold', (e) => !e.held);
      expect(sender.track).to.equal(mic);
      expect(music?.readyState).to.equal('ended');
    });

    it('keeps sending packets while muted (silence), and unmutes', async () => {
      const { kariPc } = await establish();
      kari.phone.mute(kari.callId());
      await kari.saw('mute', (e) => e.muted);
      expect((await over(1000, kariPc)).sent).to.be.greaterThan(10);
      const sender = kariPc.getSenders().find((s) => s.track?.kind === 'audio');
      expect(sender?.track?.enabled).to.equal(false);
      kari.phone.unmute(kari.callId());
      expect(sender?.track?.enabled).to.equal(true);
    });

    it('sends DTMF as INFO dtmf-relay, received in order on the other side', async () => {
      await establish();
      await Promise.all(['5', '0', '#'].map((d) => kari.phone.sendDtmf(kari.callId(), d)));
      await waitUntil(() => ola.ofType('dtmf').length === 3);
      expect(ola.ofType('dtmf').map((e) => e.digit)).to.deep.equal(['5', '0', '#']);
      const info = network.requests('INFO')[0] ?? '';
      expect(info).to.match(/Content-Type: application\/dtmf-relay/i);
      expect(info).to.contain('Signal=5\r\nDuration=160');
    });

    it('ends as local_hangup for the one who hangs up and remote_hangup for the other', async () => {
      await establish();
      await kari.phone.hangup(kari.callId());
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
      await ola.phone.reject(ola.callId());
      const ended = await kari.saw('ended');
      expect(ended.reason).to.equal('busy');
      expect(ended.statusCode).to.equal(486);
      expect((await ola.saw('ended')).reason).to.equal('rejected');
    });

    it('hanging up before the answer cancels on both sides', async () => {
      await registerBoth();
      await kari.phone.call('ola');
      await kari.saw('ringing');
      await kari.phone.hangup(kari.callId());
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
  });

  describe('two lines', () => {
    let per: Party;
    let eva: Party;

    beforeEach(() => {
      network.assertedIdentity.set('per', '"Per Berg" <sip:1003@loopback.test>');
      per = new Party(network, 'per', 'Per Berg');
      eva = new Party(network, 'eva', 'Eva Lund');
    });

    afterEach(async () => {
      await Promise.all([per.phone.dispose(), eva.phone.dispose()]);
    });

    async function register(...parties: Party[]) {
      await Promise.all(parties.map((p) => p.phone.register()));
      for (const p of parties) await p.saw('registration', (e) => e.status === 'registered');
    }

    /** The two peer connections of a call made after `mark`: the caller's and the callee's. */
    function pcsSince(mark: number) {
      const pcs = peerConnections.slice(mark);
      const caller = pcs.find((pc) => pc.currentLocalDescription?.type === 'offer');
      const callee = pcs.find((pc) => pc.currentLocalDescription?.type === 'answer');
      if (!caller || !callee) throw new Error('peer connections not found');
      return { caller, callee };
    }

    async function hears(pc: RTCPeerConnection, what: string) {
      await waitUntil(async () => (await over(500, pc)).received > 10, what, { timeout: 10_000 });
    }

    /** Kari ↔ Ola talking, then Per calls Ola: a waiting call on Ola's second line. */
    async function waitingCall() {
      const { kariPc } = await establish();
      await register(per);
      const mark = peerConnections.length;
      await per.phone.call('ola');
      await ola.saw('incoming', (e) => e.callId === per.callId());
      await per.saw('ringing');
      return { kariPc, mark, line1: ola.callId(0), line2: ola.callId(1) };
    }

    /** …and Ola answers it: line 1 held first, line 2 talks. */
    async function answeredAndHeld() {
      const waiting = await waitingCall();
      await ola.phone.answer(waiting.line2);
      await per.saw('established');
      await ola.saw('established', (e) => e.callId === waiting.line2);
      return { ...waiting, ...pcsSince(waiting.mark) };
    }

    it('offers a second incoming call while one is up, and leaves the first alone', async () => {
      const { line1, line2 } = await waitingCall();
      const incoming = ola.ofType('incoming');
      expect(incoming).to.have.length(2);
      expect(incoming[1]?.remote.displayName).to.equal('Per Berg');
      expect(incoming[1]?.remote.number).to.equal('1003');
      expect(incoming[1]?.autoAnswer).to.equal(false);
      expect(line2).not.to.equal(line1);
      expect(ola.ofType('hold')).to.have.length(0);
      expect(ola.ofType('ended')).to.have.length(0);
    });

    it('answer-and-hold: line 1 is held first (its party sees the hold), then line 2 talks', async () => {
      const { kariPc, line1, line2, caller: perPc } = await answeredAndHeld();
      const held = ola.events.findIndex((e) => e.type === 'hold' && e.callId === line1 && e.held);
      const answered = ola.events.findIndex((e) => e.type === 'established' && e.callId === line2);
      expect(held, 'line 1 held').to.be.greaterThan(-1);
      expect(held, 'held before the answer').to.be.lessThan(answered);
      await kari.saw('remote-hold', (e) => e.held);
      await hears(perPc, 'Per does not hear Ola');
      await new Promise((r) => setTimeout(r, 300));
      expect((await over(1200, kariPc)).received, 'Kari still hears Ola').to.be.at.most(2);
    });

    it('swap: holds the line that talks and resumes the held one', async () => {
      const { kariPc, line1, line2, caller: perPc } = await answeredAndHeld();
      await ola.phone.hold(line2);
      await ola.phone.resume(line1);
      await ola.saw('hold', (e) => e.callId === line2 && e.held);
      await ola.saw('hold', (e) => e.callId === line1 && !e.held);
      await per.saw('remote-hold', (e) => e.held);
      await kari.saw('remote-hold', (e) => !e.held);
      await hears(kariPc, 'Kari does not hear Ola after the swap');
      await new Promise((r) => setTimeout(r, 300));
      expect((await over(1200, perPc)).received, 'Per still hears Ola').to.be.at.most(2);
    });

    it('hanging up one line leaves the other as it was: the held line stays held', async () => {
      const { kariPc, line1, line2 } = await answeredAndHeld();
      await ola.phone.hangup(line2);
      expect((await ola.saw('ended', (e) => e.callId === line2)).reason).to.equal('local_hangup');
      expect((await per.saw('ended')).reason).to.equal('remote_hangup');
      await new Promise((r) => setTimeout(r, 500));
      expect(ola.ofType('ended').map((e) => e.callId)).to.deep.equal([line2]);
      expect(
        ola
          .ofType('hold')
          .filter((e) => e.callId === line1)
          .map((e) => e.held),
      ).to.deep.equal([true]);
      expect(kari.ofType('ended')).to.have.length(0);
      // …and it can be resumed.
      await ola.phone.resume(line1);
      await kari.saw('remote-hold', (e) => !e.held);
      await hears(kariPc, 'Kari does not hear Ola after resume');
    });

    it('answers a third call with 486 Busy Here', async () => {
      await waitingCall();
      await register(eva);
      await eva.phone.call('ola');
      const ended = await eva.saw('ended');
      expect(ended.reason).to.equal('busy');
      expect(ended.statusCode).to.equal(486);
      expect(ola.ofType('incoming')).to.have.length(2);
    });

    describe('auto-answer (Call-Info: answer-after=0)', () => {
      let core: CoreLeg;

      beforeEach(async () => {
        core = new CoreLeg(network, 'core');
        await core.start();
      });

      afterEach(async () => {
        await core.stop();
      });

      it('answers at once, with nobody pressing Answer, and carries audio', async () => {
        await register(ola);
        const { pc } = await core.call('ola', { autoAnswer: true, withoutSdp: false });
        const incoming = await ola.saw('incoming');
        expect(incoming.autoAnswer).to.equal(true);
        await ola.saw('established');
        await hears(pc, 'the core leg hears nothing');
      });

      it('answers an INVITE without SDP: offers in the 200 and takes the answer from the ACK', async () => {
        await register(ola);
        const { inviter, pc } = await core.call('ola', { autoAnswer: true, withoutSdp: true });
        expect(network.requests('INVITE').at(-1)).to.match(/Content-Length: 0/i);
        expect(pc.currentLocalDescription?.type).to.equal('answer');
        await ola.saw('established', (e) => e.callId === inviter.request.callId);
        await hears(pc, 'the core leg hears nothing');
      });

      it('on a second line, does not hold the first one itself (the core does)', async () => {
        const { kariPc } = await establish();
        const line1 = ola.callId(0);
        const invitesBefore = network.requests('INVITE').length;
        const { pc } = await core.call('ola', { autoAnswer: true, withoutSdp: true });
        await ola.saw('established', (e) => e.callId !== line1);
        await hears(pc, 'the second line carries no audio');
        await new Promise((r) => setTimeout(r, 500));
        const reInvites = network
          .requests('INVITE')
          .slice(invitesBefore)
          .filter((m) => m.includes(`Call-ID: ${line1}`));
        expect(reInvites, 're-INVITEs on line 1').to.have.length(0);
        expect(ola.ofType('hold')).to.have.length(0);
        // The first line still talks until the core (here: Kari's side) holds it.
        await hears(kariPc, 'line 1 went quiet');
        await kari.phone.hold(kari.callId());
        await ola.saw('remote-hold', (e) => e.callId === line1 && e.held);
      });

      it('rings normally without the header', async () => {
        await register(ola);
        const inviter = new Inviter(core.ua, must(UserAgent.makeURI(`sip:ola@${DOMAIN}`)), {
          sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
        });
        await inviter.invite();
        const incoming = await ola.saw('incoming');
        expect(incoming.autoAnswer).to.equal(false);
        await new Promise((r) => setTimeout(r, 500));
        expect(ola.ofType('established')).to.have.length(0);
        await inviter.cancel();
      });
    });
  });
});
