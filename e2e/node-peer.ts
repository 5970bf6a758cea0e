/**
 * Node-side SIP peers for tests and benchmarks: JsSIP with `ws` for its WebSocket and
 * @roamhq/wrtc for WebRTC, logging in through the JSON API for SIP credentials.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';

/** JsSIP expects browser globals; give it the Node equivalents. */
export function installNodeGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.WebSocket ??= WebSocket;
  g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
  g.RTCSessionDescription ??= wrtc.RTCSessionDescription;
  g.RTCIceCandidate ??= wrtc.RTCIceCandidate;
  g.MediaStream ??= wrtc.MediaStream;
}

/** A 440 Hz tone as a MediaStream, fed in 10 ms frames. */
export function toneStream(): { stream: MediaStream; stop(): void } {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const sampleRate = 48000;
  const frames = sampleRate / 100;
  let phase = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(frames);
    for (let i = 0; i < frames; i++) {
      samples[i] = Math.round(Math.sin(phase) * 8000);
      phase += (2 * Math.PI * 440) / sampleRate;
    }
    source.onData({
      samples,
      sampleRate,
      bitsPerSample: 16,
      channelCount: 1,
      numberOfFrames: frames,
    });
  }, 10);
  return {
    stream: new wrtc.MediaStream([track]) as unknown as MediaStream,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

export async function apiLogin(wsUrl: string, username: string) {
  const ws = new WebSocket(`${wsUrl}/api`);
  await new Promise((r) => ws.once('open', r));
  const reply = await new Promise<{
    result: {
      sip: { aor: string; authorizationUsername: string; password: string; wsServer: string };
    };
  }>((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ id: 1, type: 'auth.login', username, password: 'demo1234' }));
  });
  return { sip: reply.result.sip, close: () => ws.close() };
}

/** RTP packets received so far on a Node peer connection (inbound audio). */
export async function packetsReceived(pc: RTCPeerConnection | undefined): Promise<number> {
  if (!pc) return 0;
  const stats = await pc.getStats();
  let n = 0;
  stats.forEach((s: { type: string; packetsReceived?: number }) => {
    if (s.type === 'inbound-rtp') n += s.packetsReceived ?? 0;
  });
  return n;
}

/** RTP packets received during `ms` on the connection `pc()` returns (it may change). */
export async function packetsOver(
  pc: () => RTCPeerConnection | undefined,
  ms: number,
): Promise<number> {
  const before = await packetsReceived(pc());
  await new Promise((r) => setTimeout(r, ms));
  return (await packetsReceived(pc())) - before;
}
