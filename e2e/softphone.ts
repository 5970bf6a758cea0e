/**
 * Page helpers for the softphone: log in, call, answer, and read WebRTC statistics from the
 * page's RTCPeerConnections (recorded by an init script, so the app needs no test hooks).
 */
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo1234';

/** Records every RTCPeerConnection the page creates in `window.__sentralPcs`. */
/**
 * Keeps every RTCPeerConnection the page makes in `window.__sentralPcs` (for getStats). Plain
 * JavaScript text, not a function: a function is sent by its source, and under tsx (the
 * benches) esbuild adds a `__name(...)` helper to classes that the page does not have.
 */
const TRACK_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const list = [];
  window.__sentralPcs = list;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      list.push(this);
    }
  };
})();`;

export interface AudioStats {
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
}

export class Softphone {
  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
  ) {}

  static async open(browser: Browser, baseUrl: string): Promise<Softphone> {
    const context = await browser.newContext({ baseURL: baseUrl, permissions: ['microphone'] });
    const page = await context.newPage();
    await page.addInitScript({ content: TRACK_PEER_CONNECTIONS });
    await page.goto('/');
    return new Softphone(page, context);
  }

  async login(username: string, password = DEMO_PASSWORD): Promise<void> {
    await this.page.locator('input[name=username]').fill(username);
    await this.page.locator('input[name=password]').fill(password);
    await this.page.locator('button[type=submit]').click();
  }

  async loginAndRegister(username: string): Promise<void> {
    await this.login(username);
    await expect(this.page.locator('[data-testid=reg-state]')).toHaveAttribute(
      'data-state',
      'registered',
      {
        timeout: 15_000,
      },
    );
  }

  async dial(target: string): Promise<void> {
    await this.page.locator('input[data-testid=dial-input]').fill(target);
    await this.page.locator('button[data-testid=call-button]').click();
  }

  callState() {
    return this.page.locator('[data-testid=call-state]');
  }

  async expectCallState(state: string): Promise<void> {
    await expect(this.callState()).toHaveAttribute('data-state', state);
  }

  /** Line `n` (1 or 2) of the phone once it is past ringing-in. */
  line(n: number) {
    return this.page.locator(`sentral-line[data-line="${n}"]`);
  }

  async expectLineState(n: number, state: string): Promise<void> {
    await expect(this.line(n)).toHaveAttribute('data-state', state);
  }

  async answer(): Promise<void> {
    await this.page.locator('[data-testid=incoming-call] button[data-testid=answer]').click();
  }

  /** Sums audio RTP counters over the page's open peer connections. */
  async audioStats(): Promise<AudioStats> {
    return this.page.evaluate(async () => {
      const pcs = (window as unknown as { __sentralPcs: RTCPeerConnection[] }).__sentralPcs;
      const total = { packetsReceived: 0, bytesReceived: 0, packetsSent: 0, bytesSent: 0 };
      for (const pc of pcs) {
        if (pc.connectionState === 'closed') continue;
        const report = await pc.getStats();
        report.forEach((s: { type: string; kind?: string; [k: string]: unknown }) => {
          if (s.kind !== 'audio') return;
          if (s.type === 'inbound-rtp') {
            total.packetsReceived += Number(s.packetsReceived ?? 0);
            total.bytesReceived += Number(s.bytesReceived ?? 0);
          } else if (s.type === 'outbound-rtp') {
            total.packetsSent += Number(s.packetsSent ?? 0);
            total.bytesSent += Number(s.bytesSent ?? 0);
          }
        });
      }
      return total;
    });
  }

  /**
   * What the page's live audio senders send: `microphone` (a capture device), `generated` (a
   * WebAudio track, e.g. hold music) or `nothing`.
   */
  async sending(): Promise<Array<'microphone' | 'generated' | 'nothing'>> {
    return this.page.evaluate(() => {
      const pcs = (window as unknown as { __sentralPcs: RTCPeerConnection[] }).__sentralPcs;
      return pcs
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getSenders())
        .filter((s) => s.track === null || s.track.kind === 'audio')
        .map((s) => {
          const track = s.track;
          if (!track || track.readyState !== 'live') return 'nothing' as const;
          // A WebAudio destination's track is labelled after its node; capture devices by name.
          return /MediaStreamAudioDestinationNode/i.test(track.label)
            ? ('generated' as const)
            : ('microphone' as const);
        });
    });
  }

  /** Packets received during `ms` milliseconds. */
  /** Connection and ICE states of the page's peer connections (printed when audio fails). */
  async connectionStates(): Promise<string[]> {
    return this.page.evaluate(() =>
      (window as unknown as { __sentralPcs: RTCPeerConnection[] }).__sentralPcs.map(
        (pc) => `${pc.connectionState}/${pc.iceConnectionState}/${pc.signalingState}`,
      ),
    );
  }

  async packetsReceivedOver(ms: number): Promise<number> {
    const before = await this.audioStats();
    await this.page.waitForTimeout(ms);
    const after = await this.audioStats();
    return after.packetsReceived - before.packetsReceived;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
