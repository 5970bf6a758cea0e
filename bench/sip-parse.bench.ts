/**
 * Parse + serialize throughput of a typical INVITE with SDP as SIP.js sends
 * it over WebSocket (~1 KB). Run: `npx tsx bench/sip-parse.bench.ts`.
 * A bench driver imports `run()`.
 */
import { pathToFileURL } from 'node:url';
import { parseMessage } from '../src/server/sip/parser';

const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS 8bd61d7c-6b6b-4d7a-9d4b-7f5c1a1b2c3d',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 101',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.1.20 56143 typ host generation 0',
  'a=ice-ufrag:Oyr3',
  'a=ice-pwd:A5n6zD8x9FyfCv9Q1lqkS1cW',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 49:66:12:17:0D:1C:91:AE:57:4C:C6:36:DD:D5:97:D2:7D:62:C9:9A:7F:B9:A3:F4:70:03:E7:43:91:73:23:5E',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

/** A SIP.js 0.21 INVITE over WSS, as the switchboard receives it. */
export const SIPJS_INVITE = [
  'INVITE sip:200@sentral.example SIP/2.0',
  'Via: SIP/2.0/WSS 9b7lq2bkh2sm.invalid;branch=z9hG4bK2315842',
  'To: <sip:200@sentral.example>',
  'From: "Anna Operator" <sip:101@sentral.example>;tag=0k3u6kpf2h',
  'CSeq: 1 INVITE',
  'Call-ID: 5pmle7c9n4pkq0d3cqq1',
  'Max-Forwards: 70',
  'Contact: <sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws;ob>',
  'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
  'Supported: outbound',
  'User-Agent: SIP.js/0.21.2',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP)}`,
  '',
  SDP,
].join('\r\n');

let sink = 0;

function round(ms: number): number {
  const start = performance.now();
  let n = 0;
  for (;;) {
    for (let i = 0; i < 500; i++) {
      const wire = parseMessage(SIPJS_INVITE).toString();
      // Reading a character flattens V8's rope, as sending the frame would.
      sink += wire.charCodeAt(wire.length >> 1);
    }
    n += 500;
    const elapsed = performance.now() - start;
    if (elapsed >= ms) return (n * 1000) / elapsed;
  }
}

/** Warm-up, then 5 rounds of ~2 s; median msgs/s and ms/msg. */
export async function run(): Promise<{ name: string; value: number; unit: string }[]> {
  round(1000);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    rates.push(round(2000));
    await new Promise((resolve) => setImmediate(resolve));
  }
  rates.sort((a, b) => a - b);
  const median = rates[2] ?? 0;
  if (sink === 0) throw new Error('benchmark produced nothing');
  return [
    { name: 'sip.parse+serialize', value: Math.round(median), unit: 'msg/s' },
    { name: 'sip.parse+serialize.latency', value: 1000 / median, unit: 'ms/msg' },
  ];
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  run().then(
    ([rate, latency]) => {
      console.log(
        `sip.parse+serialize: ${rate?.value ?? 0} msg/s (median of 5), ${(latency?.value ?? 0).toFixed(4)} ms/msg, ${Buffer.byteLength(SIPJS_INVITE)} bytes/msg`,
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
