/**
 * The bokmål catalog is complete and current: every message in the sources has a translation
 * with the same placeholders, and the generated `src/app/locales/` is what `lit-localize`
 * makes of the sources and `xliff/nb.xlf` today. (A message added without a translation would
 * show up in English to Norwegian users; a catalog edited without `lit-localize build` would
 * not reach them at all.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const catalogPath = join(root, 'xliff/nb.xlf');

interface Unit {
  id: string;
  source: string;
  target: string | null;
}

function units(xlf: string): Unit[] {
  return [
    ...xlf.matchAll(
      /<trans-unit id="([^"]+)">\s*<source>([\s\S]*?)<\/source>(?:\s*<target>([\s\S]*?)<\/target>)?/g,
    ),
  ].map((m) => ({ id: m[1] ?? '', source: m[2] ?? '', target: m[3] ?? null }));
}

const placeholders = (xml: string) =>
  [...xml.matchAll(/<x id="[^"]*" equiv-text="([^"]*)"\/>/g)].map((m) => m[1]).sort();

describe('the Norwegian bokmål catalog', () => {
  let committed: string;
  beforeAll(async () => {
    committed = await readFile(catalogPath, 'utf8');
  });

  it('has a translation for every message, with the same placeholders', () => {
    const all = units(committed);
    expect(all.length).toBeGreaterThan(300);
    const untranslated = all.filter((u) => !u.target?.trim()).map((u) => `${u.id}: ${u.source}`);
    expect(untranslated).toEqual([]);
    const mismatched = all
      .filter((u) => u.target !== null)
      .filter((u) => placeholders(u.source).join() !== placeholders(u.target ?? '').join())
      .map((u) => `${u.id}: ${u.source} → ${u.target}`);
    expect(mismatched).toEqual([]);
  });

  describe('against the sources', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sentral-i18n-'));
      await mkdir(join(dir, 'xliff'));
      await copyFile(catalogPath, join(dir, 'xliff/nb.xlf'));
      const config = JSON.parse(await readFile(join(root, 'lit-localize.json'), 'utf8')) as {
        inputFiles: string[];
        output: Record<string, string>;
        interchange: Record<string, string>;
      };
      config.inputFiles = config.inputFiles.map((glob) => join(root, glob));
      config.output = {
        ...config.output,
        outputDir: join(dir, 'built'),
        localeCodesModule: join(dir, 'locales/locale-codes.ts'),
      };
      config.interchange = { ...config.interchange, xliffDir: join(dir, 'xliff') };
      await writeFile(join(dir, 'lit-localize.json'), JSON.stringify(config));
      const cli = join(root, 'node_modules/.bin/lit-localize');
      await run(cli, ['extract', '--config', join(dir, 'lit-localize.json')], { cwd: dir });
      await run(cli, ['build', '--config', join(dir, 'lit-localize.json')], { cwd: dir });
      await run(
        process.execPath,
        [join(root, 'scripts/i18n-split.mjs'), '--config', join(dir, 'lit-localize.json')],
        { cwd: dir },
      );
    }, 120_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('lists exactly the messages the sources have (run `npx lit-localize extract`)', async () => {
      const extracted = units(await readFile(join(dir, 'xliff/nb.xlf'), 'utf8'));
      const ids = (list: Unit[]) => list.map((u) => `${u.id}: ${u.source}`).sort();
      expect(ids(units(committed))).toEqual(ids(extracted));
    });

    it('is what src/app/locales/ was built from (run `npm run i18n:build`)', async () => {
      for (const file of ['locale-codes.ts', 'nb-route.ts', 'nb-views.ts']) {
        const built = await readFile(join(dir, 'locales', file), 'utf8');
        expect(await readFile(join(root, 'src/app/locales', file), 'utf8'), file).toBe(built);
      }
    });

    it('puts every message in exactly one of the route and views chunks, by a unique id prefix', async () => {
      const text = (file: string) => readFile(join(dir, 'locales', file), 'utf8');
      const ids = async (file: string) =>
        [...(await text(file)).matchAll(/^\s*'([^']+)': /gm)].map((m) => m[1] ?? '');
      const idLength = Number(
        /export const idLength = (\d+);/.exec(await text('nb-route.ts'))?.[1],
      );
      expect(idLength).toBeGreaterThanOrEqual(5);
      const short = (id: string) => (/^[sh][0-9a-f]{16}$/.test(id) ? id.slice(0, idLength) : id);
      const built = [
        ...(await readFile(join(dir, 'built/nb.ts'), 'utf8')).matchAll(/^\s*'([^']+)': /gm),
      ].map((m) => m[1] ?? '');
      const all = built.map(short).sort();
      expect(new Set(all).size).toBe(all.length);
      const route = await ids('nb-route.ts');
      const views = await ids('nb-views.ts');
      expect([...route, ...views].sort()).toEqual(all);
      // The switchboard's own words are on the route; administration's are not.
      const idOf = (source: string) =>
        short(units(committed).find((u) => u.source === source)?.id ?? '');
      expect(route).toContain(idOf('Answer'));
      expect(route).toContain(idOf('Language'));
      expect(views).toContain(idOf('Audit log'));
    });
  });
});
