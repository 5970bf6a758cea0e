/**
 * Hold music made in the browser (no files, no licence): a slow, soft arpeggio from WebAudio
 * oscillators, as a MediaStreamTrack the phone sends instead of the microphone while it holds
 * a call — the held party hears music, not silence, and never the room.
 * @packageDocumentation
 */

/** C major 7 / A minor 7, two bars each, as frequencies (Hz). */
const NOTES = [261.63, 329.63, 392.0, 493.88, 220.0, 261.63, 329.63, 392.0];
const NOTE_S = 0.45;

/**
 * A factory for hold-music tracks sharing one AudioContext. Each track loops until stopped.
 * The context is resumed on use: holding a call is a user action, so autoplay allows it.
 */
export function holdMusic(): () => Promise<MediaStreamTrack | null> {
  let context: AudioContext | null = null;
  return async () => {
    try {
      context ??= new AudioContext();
      if (context.state === 'suspended') await context.resume();
      const ctx = context;
      const destination = ctx.createMediaStreamDestination();
      const master = ctx.createGain();
      master.gain.value = 0.08;
      master.connect(destination);
      let next = ctx.currentTime + 0.05;
      let i = 0;
      // Schedule a few seconds ahead, topping up while the track lives.
      const schedule = () => {
        while (next < ctx.currentTime + 2) {
          const osc = ctx.createOscillator();
          const env = ctx.createGain();
          osc.type = 'sine';
          osc.frequency.value = NOTES[i % NOTES.length] ?? 261.63;
          env.gain.setValueAtTime(0, next);
          env.gain.linearRampToValueAtTime(1, next + 0.04);
          env.gain.exponentialRampToValueAtTime(0.001, next + NOTE_S * 1.8);
          osc.connect(env).connect(master);
          osc.start(next);
          osc.stop(next + NOTE_S * 2);
          next += NOTE_S;
          i++;
        }
      };
      schedule();
      const timer = setInterval(schedule, 500);
      const [track] = destination.stream.getAudioTracks();
      if (!track) return null;
      track.addEventListener('ended', () => clearInterval(timer));
      const stop = track.stop.bind(track);
      track.stop = () => {
        clearInterval(timer);
        master.disconnect();
        stop();
      };
      return track;
    } catch {
      return null; // no WebAudio: hold stays silent rather than failing
    }
  };
}
