/**
 * `npm run demo:callers`: people from outside call the demo company, so a newcomer sees the
 * switchboard and the queue board at work within a minute of `npm start`.
 *
 * Each caller is a JsSIP user agent in Node with real WebRTC audio (@roamhq/wrtc, a generated
 * tone — the core's own 182 Queued plays no music in the embedded profile) that dials one of the
 * company's public numbers without credentials, as an outside caller does. Some call from VIP
 * numbers, some give up while waiting, the rest hang up a while after someone answers. The run
 * is bounded: DEMO_CALLS calls (default 20), at most DEMO_RATE new calls a minute (default 6),
 * at most DEMO_CONCURRENT at once (default 4); it stops by itself, or on Ctrl-C.
 *
 *   DEMO_URL=ws://127.0.0.1:8080 npm run demo:callers
 */
import JsSIP from 'jssip';
import { installNodeGlobals, toneStream } from '../e2e/node-peer';

const BASE = (process.env.DEMO_URL ?? 'ws://127.0.0.1:8080').replace(/^http/, 'ws');
const DOMAIN = process.env.DEMO_DOMAIN ?? 'nordlys.sentral.invalid';
const CALLS = bounded('DEMO_CALLS', 20, 1, 500);
const PER_MINUTE = bounded('DEMO_RATE', 6, 1, 120);
const CONCURRENT = bounded('DEMO_CONCURRENT', 4, 1, 20);

/** The demo company's public numbers and how often each is called. */
const NUMBERS = [
  { number: '+4721000000', weight: 6 }, // main number → Sentralbord
  { number: '+4721000020', weight: 2 }, // Salg
  { number: '+4721000030', weight: 2 }, // Kundeservice
];
const NAMES = ['Per Hansen', 'Liv Berg', 'Nils Dahl', 'Eva Moe', 'Ali Khan', 'Siri Lund', ''];

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number ${min}–${max}`);
  }
  return n;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function dialled(): string {
  const total = NUMBERS.reduce((n, x) => n + x.weight, 0);
  let r = Math.random() * total;
  for (const x of NUMBERS) if ((r -= x.weight) < 0) return x.number;
  return NUMBERS[0]?.number ?? '+4721000000';
}

function callerNumber(i: number): string {
  if (i % 7 === 3) return '+4790000001'; // on the demo VIP list (Styreleder)
  if (i % 11 === 5) return `+4741${String(100000 + i).slice(-6)}`; // VIP prefix +47 41…
  return `+479${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

type Outcome = 'talked' | 'gave up' | 'refused' | 'failed';

/** One caller: dials, waits (maybe gives up), talks a while, hangs up. */
function oneCall(i: number): Promise<Outcome> {
  const from = callerNumber(i);
  const name = pick(NAMES);
  const to = dialled();
  const patienceS = Math.random() < 0.25 ? 10 + Math.random() * 20 : 180;
  const talkS = 10 + Math.random() * 30;
  const tone = toneStream();
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`${BASE}/sip`)],
    uri: `sip:${from}@outside.invalid`,
    ...(name ? { display_name: name } : {}),
    register: false,
  });
  return new Promise<Outcome>((resolve) => {
    let outcome: Outcome = 'failed';
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      for (const t of timers) clearTimeout(t);
      tone.stop();
      ua.stop();
      console.log(`  #${i + 1} ${from}${name ? ` (${name})` : ''} → ${to}: ${outcome}`);
      resolve(outcome);
    };
    ua.on('connected', () => {
      const session = ua.call(`sip:${to}@${DOMAIN}`, {
        mediaStream: tone.stream,
        pcConfig: { iceServers: [] },
        eventHandlers: {
          confirmed: () => {
            outcome = 'talked';
            timers.push(setTimeout(() => session.terminate(), talkS * 1000));
          },
          ended: () => finish(),
          failed: (e: { cause: string; originator: string }) => {
            if (outcome === 'failed') {
              outcome = e.originator === 'local' ? 'gave up' : 'refused';
            }
            finish();
          },
        },
      });
      timers.push(
        setTimeout(() => {
          if (!session.isEstablished() && !session.isEnded()) session.terminate();
        }, patienceS * 1000),
      );
    });
    ua.on('disconnected', () => {
      if (outcome === 'failed') finish();
    });
    ua.start();
  });
}

async function main(): Promise<void> {
  installNodeGlobals();
  JsSIP.debug.disable();
  console.log(
    `Demo callers → ${BASE} (${DOMAIN}): ${CALLS} calls, ≤ ${PER_MINUTE}/min, ≤ ${CONCURRENT} at once`,
  );
  const running = new Set<Promise<Outcome>>();
  const outcomes: Outcome[] = [];
  let stopping = false;
  process.on('SIGINT', () => {
    stopping = true;
  });
  for (let i = 0; i < CALLS && !stopping; i++) {
    while (running.size >= CONCURRENT) await Promise.race(running);
    const call = oneCall(i).then((o) => {
      outcomes.push(o);
      running.delete(call);
      return o;
    });
    running.add(call);
    await new Promise((r) => setTimeout(r, (60_000 / PER_MINUTE) * (0.5 + Math.random())));
  }
  await Promise.all(running);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  console.log(
    `Done: ${count('talked')} talked, ${count('gave up')} gave up, ${count('refused')} refused, ${count('failed')} failed.`,
  );
  process.exit(0);
}

void main();
