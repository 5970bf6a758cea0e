#!/usr/bin/env node
/**
 * Imports translations written as JSON into the XLIFF catalog: `node scripts/i18n-import.mjs
 * nb file.json…`. Each JSON maps an English source, exactly as written in `msg()` (placeholders
 * as `${expression}`), to its translation using the same placeholders. Fills every
 * `<trans-unit>` (a key `id:<id>` names a message by its explicit id instead) of
 * `xliff/<locale>.xlf` that has no `<target>` yet (with `--replace`, also
 * those that have one), then lists the units still without a target. Run `npx lit-localize
 * extract` before and `npx lit-localize build` after.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const replace = args.includes('--replace');
const [locale, ...files] = args.filter((a) => a !== '--replace');
if (!locale || files.length === 0) {
  console.error('usage: node scripts/i18n-import.mjs <locale> [--replace] <file.json>…');
  process.exit(2);
}

const unescape = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<x id="0" equiv-text="${name}"/>` → `${name}`, other text unescaped. */
function sourceKey(xml) {
  return unescape(xml.replace(/<x id="[^"]*" equiv-text="([^"]*)"\/>/g, (_, eq) => eq));
}

const translations = new Map();
for (const file of files) {
  for (const [source, target] of Object.entries(JSON.parse(readFileSync(file, 'utf8')))) {
    if (typeof target === 'string' && target.trim() !== '') translations.set(source, target);
  }
}

const path = `xliff/${locale}.xlf`;
const xlf = readFileSync(path, 'utf8');
let filled = 0;
const missing = [];
const out = xlf.replace(
  /<trans-unit id="([^"]+)">\n(\s*)<source>([\s\S]*?)<\/source>(\n\s*<target>[\s\S]*?<\/target>)?/g,
  (whole, id, indent, source, target) => {
    if (target && !replace) return whole;
    const key = sourceKey(source);
    // A message with an explicit id (same words, another meaning) is matched by `id:<id>`.
    const text = translations.get(`id:${id}`) ?? translations.get(key);
    if (text === undefined) {
      if (!target) missing.push(`${id}: ${key}`);
      return whole;
    }
    // Placeholders back into <x/> elements, matched by the expression they stand for.
    const placeholders = new Map(
      [...source.matchAll(/<x id="[^"]*" equiv-text="([^"]*)"\/>/g)].map((m) => [
        unescape(m[1]),
        m[0],
      ]),
    );
    let xml = '';
    let rest = text;
    for (;;) {
      const at = rest.indexOf('${');
      if (at < 0) break;
      const end = rest.indexOf('}', at);
      const expression = rest.slice(at, end + 1);
      const element = placeholders.get(expression);
      if (!element) {
        missing.push(`${id}: the translation uses ${expression}, not in the source: ${key}`);
        return whole;
      }
      xml += escape(rest.slice(0, at)) + element;
      rest = rest.slice(end + 1);
    }
    xml += escape(rest);
    filled++;
    return `<trans-unit id="${id}">\n${indent}<source>${source}</source>\n${indent}<target>${xml}</target>`;
  },
);
writeFileSync(path, out);
console.log(`${path}: ${filled} translations imported`);
if (missing.length > 0) {
  console.log(`${missing.length} without a translation:`);
  for (const line of missing) console.log(`  ${line}`);
  process.exitCode = 1;
}
