#!/usr/bin/env node
/**
 * Splits each locale module `lit-localize build` wrote (`.tmp/i18n/<locale>.ts`, not kept) in
 * two modules in `src/app/locales/` (beside the locale codes lit-localize writes there), so
 * a Norwegian user of the switchboard does not download the translations of views that are
 * not on its route: `<locale>-route.ts` holds the messages of every module the page loads up
 * front (statically reachable from `src/app/main.ts`, plus the SIP stack that is loaded right
 * after login); `<locale>-views.ts` the rest (administration, statistics, the board, the
 * absence form, the audio settings, two-factor setup), fetched with those views
 * (`src/app/i18n.ts`). Run after `npx lit-localize build`: `npm run i18n:build` does both.
 *
 * The generated ids (`s` + 16 hex digits of a 64-bit hash) are cut to the shortest prefix that
 * still tells every message of the catalog apart (`idLength`, exported): random hex does not
 * compress, and at full length the ids were about a third of the chunk's gzip bytes.
 * `i18n.ts` looks a message up by that prefix. Explicit ids (`call-verb`) stay as they are.
 *
 * `node scripts/i18n-split.mjs [--config <lit-localize.json>]`: reads and writes the config's
 * output directory (default: the repo's lit-localize.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFileAndWriteSchema } from '@lit/localize-tools/lib/config.js';
import { RuntimeLitLocalizer } from '@lit/localize-tools/lib/modes/runtime.js';
import { extractMessagesFromProgram } from '@lit/localize-tools/lib/program-analysis.js';

/** What the switchboard route loads before anyone opens a lazy view. */
const ROUTE_ENTRIES = ['src/app/main.ts', 'src/sip/sip-phone.ts'];

const root = fileURLToPath(new URL('..', import.meta.url));
const configArg = process.argv.indexOf('--config');
const configPath =
  configArg > 0 ? resolve(process.argv[configArg + 1]) : join(root, 'lit-localize.json');
const config = readConfigFileAndWriteSchema(configPath);
const builtDir = resolve(dirname(configPath), config.output.outputDir);
const outDir = dirname(resolve(dirname(configPath), config.output.localeCodesModule));

/** Repo-relative files statically imported from the entries (type-only and `import()` not). */
function routeFiles() {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [
      ...text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm),
    ].map((m) => m[1]);
    for (const specifier of specifiers) {
      const target = relative(root, resolve(dirname(join(root, file)), specifier)).replace(
        /\.js$/,
        '.ts',
      );
      visit(target);
    }
  };
  for (const entry of ROUTE_ENTRIES) visit(entry);
  return seen;
}

const route = routeFiles();
const localizer = new RuntimeLitLocalizer(config);
const { errors } = localizer.extractSourceMessages();
if (errors.length > 0)
  throw new Error(`lit-localize could not read the sources (${errors.length})`);
const onRoute = new Set(
  // Extracted from the route's files alone: lit-localize keeps one file per message, so a text
  // used on the route and in a lazy module (the card's and the notifier's 'Answer') would
  // otherwise follow whichever file it met first.
  extractMessagesFromProgram({
    ...localizer.program,
    getSourceFiles: () =>
      localizer.program.getSourceFiles().filter((file) => route.has(relative(root, file.fileName))),
  }).messages.map((m) => m.name),
);

const HASH_ID = /^[sh][0-9a-f]{16}$/;

/** The shortest id prefix (at least 5 characters) that tells all these ids apart. */
function shortIdLength(ids) {
  for (let length = 5; length < 17; length++) {
    const prefixes = ids.map((id) => (HASH_ID.test(id) ? id.slice(0, length) : id));
    if (new Set(prefixes).size === ids.length) return length;
  }
  return 17;
}

for (const locale of config.targetLocales) {
  const built = readFileSync(join(builtDir, `${locale}.ts`), 'utf8');
  const open = built.indexOf('export const templates = {');
  const close = built.lastIndexOf('};');
  if (open < 0 || close < 0) throw new Error(`${locale}.ts: not a lit-localize runtime module`);
  const body = built.slice(open + 'export const templates = {'.length, close);
  // Entries start on a line of their own: `'<id>': <template>,` (a template may span lines).
  const starts = [...body.matchAll(/^\s*'([^']+)': /gm)];
  const idLength = shortIdLength(starts.map((m) => m[1]));
  const parts = { route: [], views: [] };
  starts.forEach((m, i) => {
    const id = m[1];
    const value = body.slice(m.index + m[0].length, starts[i + 1]?.index ?? body.length).trim();
    const key = HASH_ID.test(id) ? id.slice(0, idLength) : id;
    parts[onRoute.has(id) ? 'route' : 'views'].push(`'${key}': ${value}`);
  });
  const usesStr = (entries) => entries.some((e) => /^'[^']+': str`/.test(e));
  for (const [part, entries] of Object.entries(parts)) {
    const file = join(outDir, `${locale}-${part}.ts`);
    writeFileSync(
      file,
      [
        `// Written by scripts/i18n-split.mjs from ${locale}.ts (lit-localize build): do not edit.`,
        `// The ${part === 'route' ? "switchboard route's messages" : "lazy views' messages"}.`,
        usesStr(entries) ? `import { str } from '@lit/localize';` : '',
        '',
        '/** Hash ids are cut to this many characters (scripts/i18n-split.mjs). */',
        `export const idLength = ${idLength};`,
        '',
        'export const templates = {',
        ...entries.map((e) => `  ${e}`),
        '};',
        '',
      ].join('\n'),
    );
    console.log(`${relative(root, file)}: ${entries.length} messages`);
  }
}
