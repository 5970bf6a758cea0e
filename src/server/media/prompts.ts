/**
 * The queue's audio files (scripts/make-prompts.mjs makes them at build time): a welcome
 * prompt per language and a hold-music loop, 8 kHz and 48 kHz. rtpengine reads them by path
 * and transcodes to each leg's codec.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Prompts {
  dir: string;
  welcome: { nb: string; en: string };
  welcome8k: { nb: string; en: string };
  holdMusic: string;
  holdMusic8k: string;
}

const SCRIPT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../scripts/make-prompts.mjs',
);

export const DEFAULT_PROMPTS_DIR = resolve(dirname(SCRIPT), '../build/prompts');

export function promptPaths(dir: string): Prompts {
  return {
    dir,
    welcome: { nb: join(dir, 'welcome-nb-48k.wav'), en: join(dir, 'welcome-en-48k.wav') },
    welcome8k: { nb: join(dir, 'welcome-nb-8k.wav'), en: join(dir, 'welcome-en-8k.wav') },
    holdMusic: join(dir, 'hold-48k.wav'),
    holdMusic8k: join(dir, 'hold-8k.wav'),
  };
}

function complete(p: Prompts): boolean {
  return [
    p.welcome.nb,
    p.welcome.en,
    p.welcome8k.nb,
    p.welcome8k.en,
    p.holdMusic,
    p.holdMusic8k,
  ].every((f) => existsSync(f));
}

/**
 * The prompts in `dir`, made first when missing; undefined when they cannot be made here
 * (espeak-ng or sox not installed).
 */
export async function ensurePrompts(dir = DEFAULT_PROMPTS_DIR): Promise<Prompts | undefined> {
  const paths = promptPaths(dir);
  if (complete(paths)) return paths;
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, [SCRIPT, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`make-prompts: ${err}`))));
  });
  return complete(paths) ? paths : undefined;
}
