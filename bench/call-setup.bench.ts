/**
 * Call setup through the core, as a browser user sees it: the SIP.js app in Chromium dials,
 * a JsSIP user agent in Node answers at once. Measured in the page from the first INVITE frame
 * sent on the SIP WebSocket to the 200 OK received (including the 407 digest round trip),
 * and from the authenticated INVITE to the 200 OK. 20 measured calls after 2 warm-up calls.
 * Must run inside a loopback-only network namespace (npm run bench does that).
 */
import JsSIP from 'jssip';
import { chromium } from 'playwright-core';
import { startCore } from '../e2e/core-process';
import { apiLogin, installNodeGlobals, toneStream } from '../e2e/node-peer';
import { Softphone } from '../e2e/softphone';
// @ts-expect-error -- plain ESM helper shared with the other runners
import { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';
import { median, percentile, printResults, type BenchResult } from './stats';

const CALLS = 20;
const WARMUP = 2;

/**
 * Timestamps INVITEs sent and 200 OKs to INVITE received on the page's WebSockets. A string,
 * not a function: tsx would decorate a function with helpers the page does not have.
 */
const RECORD_SIP_TIMINGS = `(() => {
  const marks = [];
  window.__sipMarks = marks;
  const callIdOf = (text) => (/\\r\\n(?:Call-ID|i):\\s*([^\\r\\n]+)/i.exec(text) || [])[1] || '';
  const Native = window.WebSocket;
  class Recording extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && /^SIP\\/2\\.0 200 /.test(e.data) && /\\r\\nCSeq:\\s*\\d+ INVITE/i.test(e.data)) {
          marks.push({ kind: 'ok', callId: callIdOf(e.data), t: performance.now() });
        }
      });
    }
    send(data) {
      if (typeof data === 'string' && data.startsWith('INVITE ')) {
        const auth = /\\r\\nProxy-Authorization:/i.test(data);
        marks.push({ kind: auth ? 'invite-auth' : 'invite', callId: callIdOf(data), t: performance.now() });
      }
      super.send(data);
    }
  }
  window.WebSocket = Recording;
})();`;

export async function run(): Promise<BenchResult[]> {
  installNodeGlobals();
  const core = await startCore({ LOG_LEVEL: 'warn' });
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const login = await apiLogin(core.wsUrl, 'julie.fosse'); // 1038
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(login.sip.wsServer)],
    uri: login.sip.aor,
    authorization_user: login.sip.authorizationUsername,
    password: login.sip.password,
    register: true,
  });
  ua.on('newRTCSession', (e: { originator: string; session: { answer(o: unknown): void } }) => {
    if (e.originator === 'remote')
      e.session.answer({ mediaStream: tone.stream, pcConfig: { iceServers: [] } });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      ua.once('registered', () => resolve());
      ua.once('registrationFailed', () => reject(new Error('callee registration failed')));
      ua.start();
    });
    const phone = await Softphone.open(browser, core.url);
    await phone.page.addInitScript(RECORD_SIP_TIMINGS);
    await phone.page.reload();
    await phone.loginAndRegister('dag.ronning');
    for (let i = 0; i < CALLS + WARMUP; i++) {
      await phone.dial('1038');
      await phone.expectCallState('established');
      await phone.page.locator('button[data-testid=hangup]').click();
      await phone.page.locator('[data-testid=end-reason]').waitFor();
    }
    const marks = await phone.page.evaluate(
      () =>
        (window as unknown as { __sipMarks: Array<{ kind: string; callId: string; t: number }> })
          .__sipMarks,
    );
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify(marks.slice(0, 6)));
    const total: number[] = [];
    const afterAuth: number[] = [];
    const callIds = [
      ...new Set(marks.filter((m) => m.kind === 'invite').map((m) => m.callId)),
    ].slice(WARMUP);
    for (const id of callIds) {
      const first = marks.find((m) => m.callId === id && m.kind === 'invite');
      const auth = marks.find((m) => m.callId === id && m.kind === 'invite-auth');
      const ok = marks.find((m) => m.callId === id && m.kind === 'ok');
      if (first && ok) total.push(ok.t - first.t);
      if (auth && ok) afterAuth.push(ok.t - auth.t);
    }
    await phone.close();
    if (total.length !== CALLS) throw new Error(`measured ${total.length} of ${CALLS} calls`);
    return [
      {
        name: 'call setup INVITE→200 OK p50',
        value: median(total),
        unit: 'ms',
        note: `${CALLS} calls, incl. 407 digest round trip`,
      },
      { name: 'call setup INVITE→200 OK p95', value: percentile(total, 95), unit: 'ms' },
      { name: 'call setup authenticated INVITE→200 OK p50', value: median(afterAuth), unit: 'ms' },
      {
        name: 'call setup authenticated INVITE→200 OK p95',
        value: percentile(afterAuth, 95),
        unit: 'ms',
      },
    ];
  } finally {
    ua.stop();
    tone.stop();
    login.close();
    await browser.close();
    await core.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(printResults, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
