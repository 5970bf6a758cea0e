/**
 * Builds the browser app in memory (the project's vite.config.ts, nothing written) and reads
 * its chunk graph from the Vite manifest: what index.html loads statically, and what comes
 * later by `import()`. Used by bench/bundle.bench.ts (sizes) and test/bench/bundle-graph.test.ts
 * (which modules stay out of the switchboard route).
 */
import { gzipSync } from 'node:zlib';
import { build, type Manifest, type Rolldown } from 'vite';

export interface BuiltChunk {
  file: string;
  /** The chunk's name (its entry module's, or the `manualChunks` group). */
  name: string;
  /** Manifest key of the chunk's entry module (`index.html`, `src/app/sentral-admin.ts`), or the chunk's own key. */
  key: string;
  bytes: number;
  /** gzip at zlib's default level (6), as a web server sends it. */
  gzipBytes: number;
  /** Source modules (repo-relative, `node_modules/...` for packages) in the chunk. */
  modules: string[];
}

export interface BundleGraph {
  chunks: Map<string, BuiltChunk>;
  manifest: Manifest;
  /** Manifest keys loaded by index.html before anything runs: the entry and its static imports. */
  staticKeys: string[];
  /** Manifest keys of chunks loaded by `import()` from anywhere. */
  dynamicKeys: string[];
}

type OutputItem = Rolldown.OutputChunk | Rolldown.OutputAsset;

/** Builds with `manualChunks` when given (e.g. one chunk per package, to weigh each). */
export async function buildGraph(
  manualChunks?: (id: string) => string | undefined,
): Promise<BundleGraph> {
  const result = await build({
    logLevel: 'silent',
    build: {
      write: false,
      sourcemap: false,
      manifest: true,
      ...(manualChunks ? { rollupOptions: { output: { manualChunks } } } : {}),
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Array<{
    output: OutputItem[];
  }>;
  const items = outputs.flatMap((o) => o.output);
  const manifestAsset = items.find(
    (i): i is Rolldown.OutputAsset => i.type === 'asset' && i.fileName.endsWith('manifest.json'),
  );
  if (!manifestAsset) throw new Error('vite build wrote no manifest');
  const manifest = JSON.parse(String(manifestAsset.source)) as Manifest;
  const root = `${process.cwd()}/`;
  const keyOf = new Map(Object.entries(manifest).map(([key, m]) => [m.file, key]));
  const chunks = new Map<string, BuiltChunk>();
  for (const item of items) {
    if (item.type !== 'chunk') continue;
    const key = keyOf.get(item.fileName) ?? item.fileName;
    chunks.set(key, {
      file: item.fileName,
      name: item.name,
      key,
      bytes: Buffer.byteLength(item.code),
      gzipBytes: gzipSync(item.code).length,
      modules: item.moduleIds.map((id) => id.replace(root, '')),
    });
  }
  const staticKeys: string[] = [];
  const visit = (key: string) => {
    if (staticKeys.includes(key)) return;
    staticKeys.push(key);
    for (const k of manifest[key]?.imports ?? []) visit(k);
  };
  visit('index.html');
  const dynamicKeys = [
    ...new Set(Object.values(manifest).flatMap((m) => m.dynamicImports ?? [])),
  ].filter((k) => !staticKeys.includes(k));
  return { chunks, manifest, staticKeys, dynamicKeys };
}

/** The chunks `key` needs before it can run (itself and its static imports, recursively). */
export function withStaticImports(graph: BundleGraph, key: string): string[] {
  const out: string[] = [];
  const visit = (k: string) => {
    if (out.includes(k)) return;
    out.push(k);
    for (const i of graph.manifest[k]?.imports ?? []) visit(i);
  };
  visit(key);
  return out;
}

/** Source modules in the chunks `keys`. */
export function modulesIn(graph: BundleGraph, keys: readonly string[]): string[] {
  return keys.flatMap((k) => graph.chunks.get(k)?.modules ?? []);
}

export const gzipKiB = (graph: BundleGraph, keys: readonly string[]): number =>
  keys.reduce((sum, k) => sum + (graph.chunks.get(k)?.gzipBytes ?? 0), 0) / 1024;
