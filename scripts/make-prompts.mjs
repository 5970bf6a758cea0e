// Makes the queue's audio at build time: a welcome prompt in Norwegian (nb) and English (en)
// spoken by espeak-ng, and a soft hold-music loop synthesised by sox, each as 8 kHz (plain RTP
// legs) and 48 kHz (WebRTC/Opus legs) mono 16-bit wav in build/prompts (or PROMPTS_DIR, or
// the first argument). Nothing is committed: the files are made when missing.
//
//   node scripts/make-prompts.mjs [dir] [--company "Nordlys AS"] [--force]
//
// Exits 0 with a notice when espeak-ng or sox is missing (the embedded profile needs no
// prompts); exits 1 when they are present and fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const force = args.includes('--force');
const companyAt = args.indexOf('--company');
const company = companyAt >= 0 ? args[companyAt + 1] : undefined;
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--company');
const dir = resolve(positional[0] ?? process.env.PROMPTS_DIR ?? 'build/prompts');

export const TEXTS = {
  nb: `Velkommen til ${company ?? 'sentralbordet'}. Alle våre medarbeidere er opptatt. Vennligst vent, du blir satt over så snart noen er ledig.`,
  en: `Welcome to ${company ?? 'the switchboard'}. All our operators are busy. Please hold, you will be connected as soon as someone is free.`,
};
const VOICES = { nb: 'nb', en: 'en-gb' };
const RATES = [8000, 48000];

// A C-major arpeggio with a IV and a V chord, plucked, soft, 6.4 seconds; loops cleanly.
const NOTES = [
  'C4',
  'E4',
  'G4',
  'C5',
  'F4',
  'A4',
  'C5',
  'F5',
  'G4',
  'B4',
  'D5',
  'G5',
  'E4',
  'G4',
  'C5',
  'E5',
];

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr}`);
}

function made(name) {
  return RATES.every((rate) => existsSync(join(dir, `${name}-${rate / 1000}k.wav`)));
}

if (!have('espeak-ng') || !have('sox')) {
  console.warn(
    'make-prompts: espeak-ng or sox not installed; no queue prompts made (only rtpengine needs them)',
  );
  process.exit(0);
}
mkdirSync(dir, { recursive: true });
const tmp = join(dir, `.tmp-${process.pid}`);
mkdirSync(tmp, { recursive: true });
try {
  for (const [lang, text] of Object.entries(TEXTS)) {
    const name = `welcome-${lang}`;
    if (made(name) && !force) continue;
    const raw = join(tmp, `${name}.wav`);
    run('espeak-ng', ['-v', VOICES[lang], '-s', '150', '-w', raw, text]);
    for (const rate of RATES) {
      const out = join(tmp, `${name}-${rate / 1000}k.wav`);
      // Half a second of silence first: the caller's audio path may still be settling.
      run('sox', [
        raw,
        '-r',
        String(rate),
        '-c',
        '1',
        '-b',
        '16',
        out,
        'pad',
        '0.5',
        '0.3',
        'norm',
        '-3',
      ]);
      renameSync(out, join(dir, `${name}-${rate / 1000}k.wav`));
    }
  }
  if (!made('hold') || force) {
    for (const rate of RATES) {
      const out = join(tmp, `hold-${rate / 1000}k.wav`);
      const chain = [];
      for (const [i, note] of NOTES.entries()) {
        if (i > 0) chain.push(':');
        chain.push('synth', '0.4', 'pluck', note, 'vol', '0.35');
      }
      run('sox', ['-n', '-r', String(rate), '-c', '1', '-b', '16', out, ...chain]);
      renameSync(out, join(dir, `hold-${rate / 1000}k.wav`));
    }
  }
  writeFileSync(join(dir, 'texts.json'), JSON.stringify(TEXTS, null, 2) + '\n');
  console.log(`make-prompts: prompts in ${dir}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
