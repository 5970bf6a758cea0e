/**
 * The phone's microphone choice with real SIP.js phones over the in-memory SIP network and real
 * WebRTC on loopback: a switch mid-call replaces the sending track (no re-INVITE, no hang-up)
 * and audio keeps flowing; new calls ask for the chosen device; getStats reads the call.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { SipCredentials } from '../../src/shared/protocol.js';
import type { PhoneEvent } from '../../src/sip/phone.js';
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

const peerConnections: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;
class TrackedPeerConnection extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    peerConnections.push(this);
  }
}

function credentials(user: string): SipCredentials {
  return {
    aor: `sip:${user}@${DOMAIN}`,
    authorizationUsername: user,
    password: 'per-session-secret',
    displayName: user,
    wsServer: 'ws://127.0.0.1:9/sip',
    iceServers: [],
  };
}

/** A microphone factory that records what it was asked for and hands out fake-device tracks. */
class Microphones {
  readonly asked: MediaStreamConstraints[] = [];
  readonly open = (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    this.asked.push(constraints);
    return navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  };
}

class Party {
  readonly events: PhoneEvent[] = [];
  readonly phone: SipPhone;
  readonly microphones = new Microphones();

  constructor(network: LoopbackNetwork, user: string) {
    this.phone = new SipPhone({
      credentials: credentials(user),
      logger: quiet,
      transportConstructor: network.transportConstructor,
      microphone: this.microphones.open,
    });
    this.phone.events$.subscribe((e) => this.events.push(e));
  }

  async saw(type: PhoneEvent['type']): Promise<PhoneEvent> {
    await waitUntil(() => this.events.some((e) => e.type === type), `no ${type} event`, {
      timeout: 10_000,
    });
    return must(this.events.find((e) => e.type === type));
  }

  callId(): string {
    const start = this.events.find((e) => e.type === 'outgoing' || e.type === 'incoming');
    if (!start || !('callId' in start)) throw new Error('no call');
    return start.callId;
  }
}

async function received(pc: RTCPeerConnection): Promise<number> {
  let total = 0;
  (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.packetsReceived ?? 0;
  });
  return total;
}

describe('SipPhone microphone choice', function () {
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
    kari = new Party(network, 'kari');
    ola = new Party(network, 'ola');
  });
  afterEach(async () => {
    await Promise.all([kari.phone.dispose(), ola.phone.dispose()]);
  });

  async function establish() {
    await Promise.all([kari.phone.register(), ola.phone.register()]);
    const first = peerConnections.length;
    await kari.phone.call('ola');
    await ola.saw('incoming');
    await ola.phone.answer(ola.callId());
    await kari.saw('established');
    await ola.saw('established');
    const pcs = peerConnections.slice(first);
    const kariPc = must(pcs.find((pc) => pc.currentLocalDescription?.type === 'offer'));
    const olaPc = must(pcs.find((pc) => pc.currentLocalDescription?.type === 'answer'));
    await waitUntil(async () => (await received(olaPc)) > 10, 'no audio reached Ola', {
      timeout: 10_000,
    });
    return { kariPc, olaPc };
  }

  it('asks for the chosen microphone (ideal, so a missing one cannot fail the call) on new calls', async () => {
    await kari.phone.setMicrophone('headset-1');
    await establish();
    expect(kari.microphones.asked[0]).to.deep.equal({
      audio: { deviceId: { ideal: 'headset-1' } },
      video: false,
    });
    expect(ola.microphones.asked[0]).to.deep.equal({ audio: true, video: false });
  });

  it('switches the microphone mid-call with replaceTrack: no re-INVITE, the call stays up, audio keeps flowing', async () => {
    const { kariPc, olaPc } = await establish();
    const sender = must(kariPc.getSenders().find((s) => s.track?.kind === 'audio'));
    const before = must(sender.track);
    const invites = network.requests('INVITE').length;

    await kari.phone.setMicrophone('headset-2');

    expect(kari.microphones.asked.at(-1)).to.deep.equal({
      audio: { deviceId: { exact: 'headset-2' } },
      video: false,
    });
    expect(sender.track).not.to.equal(before);
    expect(sender.track?.readyState).to.equal('live');
    expect(before.readyState, 'the old microphone is released').to.equal('ended');
    expect(network.requests('INVITE').length, 'no re-INVITE').to.equal(invites);
    expect(kari.events.some((e) => e.type === 'ended')).to.equal(false);
    const count = await received(olaPc);
    await waitUntil(async () => (await received(olaPc)) > count + 10, 'audio stopped', {
      timeout: 10_000,
    });
    // Back to the default device: asked without a deviceId.
    await kari.phone.setMicrophone(null);
    expect(kari.microphones.asked.at(-1)).to.deep.equal({ audio: true, video: false });
  });

  it('keeps a muted call muted on the new microphone', async () => {
    const { kariPc } = await establish();
    kari.phone.mute(kari.callId());
    await kari.phone.setMicrophone('headset-2');
    const sender = must(kariPc.getSenders().find((s) => s.track?.kind === 'audio'));
    expect(sender.track?.enabled).to.equal(false);
  });

  it('reads the live call statistics (inbound-rtp with jitter and packetsLost), none after it', async () => {
    await establish();
    const report = must(await kari.phone.getStats(kari.callId()));
    const inbound: { jitter?: number; packetsLost?: number }[] = [];
    report.forEach((s: { type: string; kind?: string; jitter?: number; packetsLost?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound.push(s);
    });
    expect(inbound).to.have.length(1);
    expect(inbound[0]?.jitter).to.be.a('number');
    expect(inbound[0]?.packetsLost).to.be.a('number');
    await kari.phone.hangup(kari.callId());
    await kari.saw('ended');
    expect(await kari.phone.getStats(kari.callId())).to.equal(null);
  });
});
