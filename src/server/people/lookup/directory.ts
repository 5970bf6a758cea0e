/** The company directory as a lookup provider: a caller who is one of our own people. */
import { result } from './types';
import type { LookupProvider, LookupResult } from './types';

export interface DirectoryMatch {
  readonly name: string;
  readonly company?: string | null;
  readonly department?: string | null;
  readonly address?: string | null;
}

/** Finds the tenant's person (or department) with this number; the directory owns matching. */
export type FindByNumber = (
  tenantId: string,
  e164: string,
  signal: AbortSignal,
) => Promise<DirectoryMatch | null> | DirectoryMatch | null;

export class DirectoryLookup implements LookupProvider {
  readonly name: string;

  constructor(
    private readonly find: FindByNumber,
    options: { name?: string } = {},
  ) {
    this.name = options.name ?? 'directory';
  }

  async lookup(tenantId: string, e164: string, signal: AbortSignal): Promise<LookupResult | null> {
    const match = await this.find(tenantId, e164, signal);
    if (!match) return null;
    return result(this.name, {
      name: match.name,
      // A colleague's "company" on the card is the department they work in when there is one.
      company: match.department ?? match.company ?? null,
      address: match.address ?? null,
    });
  }
}
