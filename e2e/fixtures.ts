/**
 * The setup the switchboard specs share: a core of the spec's own, an outside caller (JsSIP in
 * Node with a 440 Hz tone as its microphone) calling the company's numbers, browsers logged in
 * and registered, and audio checks by RTP counters.
 */
import { expect, type Browser } from '@playwright/test';
import JsSIP from 'jssip';
import { installNodeGlobals, packetsOver, toneStream } from './node-peer';
import { Softphone } from './softphone';

/** The demo company's main number (queue Sentralbord). */
export const MAIN_NUMBER = '+4721000000';

/** Demo users the specs use: username and extension. */
export const PEOPLE = {
  kari: { username: 'kari.nordmann', extension: '1001', name: 'Kari Nordmann' },
  ase: { username: 'ase.strom', extension: '1002', name: 'Åse Strøm' },
  ola: { username: 'ola.hansen', extension: '1007', name: 'Ola Hansen' },
  rene: { username: 'rene.lie', extension: '1008', name: 'René Lie' },
  board: { username: 'tavle' },
} as const;

/** One outside caller: a JsSIP user agent that has not registered, on the core's SIP socket. */
export interface OutsideCaller {
  /** Calls `target` (the main number unless told) with the tone as microphone. */
  call(target?: string): void;
  /** The caller's RTCPeerConnection once the call has one. */
  pc(): RTCPeerConnection | undefined;
  /** `originator:cause` once the call ended or failed; '' while it lasts. */
  ended(): string;
  /** Hangs up (or cancels while it waits unanswered). */
  hangUp(): void;
  /** Asserts the caller receives audio (> 20 packets a second), retrying for 10 s. */
  expectHearing(): Promise<void>;
  /** Asserts the caller receives (nearly) nothing for 1.5 s, after packets in flight landed. */
  expectSilence(): Promise<void>;
  stop(): void;
}

/** Connects an outside caller from `number` (display name `name`) to the core's SIP socket. */
export async function outsideCaller(
  wsUrl: string,
  number: string,
  name: string,
): Promise<OutsideCaller> {
  installNodeGlobals();
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${wsUrl}/sip`)],
    uri: `sip:${number}@outside.invalid`,
    display_name: name,
    register: false,
  });
  ua.start();
  await new Promise<void>((resolve) => ua.once('connected', () => resolve()));
  let session: { connection?: RTCPeerConnection; terminate(): void; isEnded(): boolean } | null =
    null;
  let ended = '';
  const pc = () => session?.connection;
  return {
    call(target = MAIN_NUMBER) {
      session = ua.call(`sip:${target}@nordlys.sentral.invalid`, {
        mediaStream: tone.stream,
        pcConfig: { iceServers: [] },
        eventHandlers: {
          ended: (e: { originator: string; cause: string }) =>
            (ended = `${e.originator}:${e.cause}`),
          failed: (e: { originator: string; cause: string }) =>
            (ended = `failed ${e.originator}:${e.cause}`),
        },
      }) as unknown as typeof session;
    },
    pc,
    ended: () => ended,
    hangUp() {
      if (session && !session.isEnded()) session.terminate();
    },
    async expectHearing() {
      await expect.poll(() => packetsOver(pc, 1000), { timeout: 10_000 }).toBeGreaterThan(20);
    },
    async expectSilence() {
      await new Promise((r) => setTimeout(r, 500));
      expect(await packetsOver(pc, 1500)).toBeLessThanOrEqual(2);
    },
    stop() {
      ua.stop();
      tone.stop();
    },
  };
}

/** Opens one browser context per username, logs each in and waits until its phone registered. */
export async function registeredPhones(
  browser: Browser,
  baseUrl: string,
  usernames: readonly string[],
): Promise<Softphone[]> {
  const phones: Softphone[] = [];
  for (const username of usernames) {
    const phone = await Softphone.open(browser, baseUrl);
    phones.push(phone);
    await phone.loginAndRegister(username);
  }
  return phones;
}

/** Asserts the browser phone receives audio (> 20 packets a second), retrying for 10 s. */
export async function expectHearing(phone: Softphone): Promise<void> {
  await expect.poll(() => phone.packetsReceivedOver(1000), { timeout: 10_000 }).toBeGreaterThan(20);
}

/** Asserts both RTP counters the brief names grow: bytes and packets received by the browser. */
export async function expectReceiving(phone: Softphone): Promise<void> {
  const before = await phone.audioStats();
  await expect
    .poll(
      async () => {
        const now = await phone.audioStats();
        return Math.min(
          now.packetsReceived - before.packetsReceived,
          now.bytesReceived - before.bytesReceived,
        );
      },
      { timeout: 10_000 },
    )
    .toBeGreaterThan(20);
}

/** Writes a screenshot for the README, only when UPDATE_SCREENSHOTS is set. */
export async function readmeScreenshot(phone: Softphone, file: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const { mkdirSync } = await import('node:fs');
  mkdirSync('docs/screenshots', { recursive: true });
  await phone.page.screenshot({ path: `docs/screenshots/${file}` });
}

/** A loopback TCP port nobody listens on right now (for a core that restarts on the same port). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Records every SIP WebSocket the page opens in `window.__sentralSipSockets` (an init script:
 * `page.addInitScript(trackSipSockets)`, so it runs in the page and must stay self-contained).
 */
export function trackSipSockets(): void {
  const Native = window.WebSocket;
  const list: WebSocket[] = [];
  (window as unknown as { __sentralSipSockets: WebSocket[] }).__sentralSipSockets = list;
  class Tracked extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const asked = typeof protocols === 'string' ? [protocols] : (protocols ?? []);
      if (asked.includes('sip')) list.push(this);
    }
  }
  window.WebSocket = Tracked;
}
