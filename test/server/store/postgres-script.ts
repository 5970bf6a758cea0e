/**
 * Typed access to scripts/postgres.mjs (plain ESM without declarations) for tests.
 */

/** A throwaway PostgreSQL server started by {@link PostgresScript.startPostgres}. */
export interface RunningPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  readonly dir: string;
  /** Fast shutdown by PID, then deletes the temp directory; idempotent. */
  stop(): Promise<void>;
}

export interface PostgresScript {
  startPostgres(options?: { binDir?: string }): Promise<RunningPostgres>;
  findPostgresBinDir(): string | undefined;
}

// Imported by URL so TypeScript does not look for declarations of the .mjs file.
const SCRIPT_URL = new URL('../../../scripts/postgres.mjs', import.meta.url).href;

/** Loads scripts/postgres.mjs. */
export async function loadPostgresScript(): Promise<PostgresScript> {
  return (await import(/* @vite-ignore */ SCRIPT_URL)) as PostgresScript;
}
