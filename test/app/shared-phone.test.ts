import { expect, waitUntil } from '@open-wc/testing';
import type { Party, PhoneEvent } from '../../src/sip/phone.js';
import { SharedPhone, TabRole } from '../../src/store/shared-phone.js';
import { FakePhone } from './fakes.js';

const ola: Party = { displayName: 'Ola', number: '1002', uri: 'sip:1002@sentral.invalid' };

/** One "tab": a SharedPhone over the page's real Web Locks and BroadcastChannel. */
class Tab {
  readonly made: FakePhone[] = [];
  readonly events: PhoneEvent[] = [];
  readonly phone: SharedPhone;
  constructor(key: string) {
    this.phone = new SharedPhone({
      key,
      create: () => {
        const phone = new FakePhone();
        this.made.push(phone);
        return phone;
      },
      locks: navigator.locks,
      channel: (name) => new BroadcastChannel(name),
    });
    this.phone.events$.subscribe((e) => this.events.push(e));
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

describe('SharedPhone: one tab owns the phone', () => {
  let key: string;
  let tabs: Tab[];
  const open = async () => {
    const tab = new Tab(key);
    tabs.push(tab);
    await tab.phone.register();
    return tab;
  };

  beforeEach(() => {
    key = `sip:kari-${Math.random().toString(36).slice(2)}@sentral.invalid`;
    tabs = [];
  });
  afterEach(async () => {
    await Promise.all(tabs.map((t) => t.phone.dispose()));
  });

  it('registers only in the first tab; the second mirrors its events and sends it commands', async () => {
    const first = await open();
    await waitUntil(() => first.phone.role === TabRole.Owner);
    expect(first.made).to.have.length(1);
    expect(first.made[0]?.commands).to.deep.equal(['register']);
    const owner = first.made[0];
    if (!owner) throw new Error('no phone');
    owner.emit({ type: 'registration', status: 'registered' });

    const second = await open();
    expect(second.phone.role).to.equal(TabRole.Follower);
    expect(second.made).to.have.length(0); // never registers while the first tab lives
    // The state it joined into, then live events.
    await waitUntil(() => second.types().includes('registration'));
    // Replayed through moves the registration machine allows from idle.
    expect(second.events.filter((e) => e.type === 'registration')).to.deep.equal([
      { type: 'registration', status: 'connecting' },
      { type: 'registration', status: 'registered' },
    ]);
    owner.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await waitUntil(() => second.types().includes('incoming'));

    await second.phone.answer('c1');
    await second.phone.sendDtmf('c1', '5');
    expect(owner.commands).to.deep.equal(['register', 'answer c1', 'dtmf c1 5']);
    expect(await second.phone.getStats('c1')).to.equal(null);
  });

  it('a tab opened during a call sees the call; a command the owner refuses fails in the follower', async () => {
    const first = await open();
    await waitUntil(() => first.phone.role === TabRole.Owner);
    const owner = first.made[0];
    if (!owner) throw new Error('no phone');
    owner.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    owner.emit({ type: 'established', callId: 'c1' });
    owner.emit({ type: 'incoming', callId: 'gone', remote: ola, autoAnswer: false });
    owner.emit({ type: 'ended', callId: 'gone', reason: 'cancelled' });
    const late = await open();
    await waitUntil(() => late.types().includes('established'));
    expect(
      late.events.map((e) => ('callId' in e ? `${e.type} ${e.callId}` : e.type)),
    ).to.deep.equal(['incoming c1', 'established c1']);
    owner.hold = () => Promise.reject(new Error('491 Request Pending'));
    let error: unknown = null;
    await late.phone.hold('c1').catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('491 Request Pending');
  });

  it('hands the phone over when the owner tab closes: the next tab registers and ends the mirrored calls', async () => {
    const first = await open();
    await waitUntil(() => first.phone.role === TabRole.Owner);
    const second = await open();
    const owner = first.made[0];
    if (!owner) throw new Error('no phone');
    owner.emit({ type: 'registration', status: 'registered' });
    owner.emit({ type: 'incoming', callId: 'c1', remote: ola, autoAnswer: false });
    await waitUntil(() => second.types().includes('incoming'));

    // FakePhone's dispose does not hang up: as if the tab vanished with its call.
    await first.phone.dispose();
    await waitUntil(() => second.phone.role === TabRole.Owner, 'no handover');
    expect(second.made).to.have.length(1);
    await waitUntil(() => second.made[0]?.commands.includes('register') === true);
    const ended = second.events.find((e) => e.type === 'ended');
    expect(ended).to.deep.equal({ type: 'ended', callId: 'c1', reason: 'failed' });
    // Its own registration starts over from "unregistered" (the mirrored one is gone).
    expect(second.events.filter((e) => e.type === 'registration').at(-1)).to.deep.equal({
      type: 'registration',
      status: 'unregistered',
    });
  });
});
