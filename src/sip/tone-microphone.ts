/**
 * A WebAudio oscillator as "microphone". Chromium allows 16 concurrent fake-device captures
 * per process; test pages beyond that (and machines without a microphone, for demos) use this.
 * @packageDocumentation
 */

/** A microphone factory producing a quiet sine tone per call. */
export function toneMicrophone(frequency = 440): () => Promise<MediaStream> {
  let context: AudioContext | null = null;
  return async () => {
    context ??= new AudioContext();
    if (context.state === 'suspended') await context.resume();
    const oscillator = context.createOscillator();
    oscillator.frequency.value = frequency;
    const gain = context.createGain();
    gain.gain.value = 0.05;
    const destination = context.createMediaStreamDestination();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    return destination.stream;
  };
}
