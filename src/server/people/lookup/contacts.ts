/** A tenant's own contacts list (customers, suppliers) as a lookup provider. */
import { toE164 } from '../../store/phone';
import { result } from './types';
import type { LookupProvider, LookupResult } from './types';

export interface Contact {
  readonly name: string;
  readonly company?: string | null;
  readonly address?: string | null;
  /** Any format (`+47 400 01 001`, `40001001`); numbers that are not valid are ignored. */
  readonly numbers: readonly string[];
}

export type ContactsByTenant =
  ReadonlyMap<string, readonly Contact[]> | Readonly<Record<string, readonly Contact[]>>;

export class ContactsLookup implements LookupProvider {
  readonly name: string;
  private readonly byTenant = new Map<string, Map<string, LookupResult>>();

  constructor(contacts: ContactsByTenant = {}, options: { name?: string } = {}) {
    this.name = options.name ?? 'contacts';
    const entries = contacts instanceof Map ? contacts.entries() : Object.entries(contacts);
    for (const [tenantId, list] of entries) this.setContacts(tenantId, list);
  }

  /** Replaces the tenant's list. The first contact listing a number wins. */
  setContacts(tenantId: string, contacts: readonly Contact[]): void {
    const index = new Map<string, LookupResult>();
    for (const c of contacts) {
      const hit = result(this.name, c);
      if (!hit) continue;
      for (const raw of c.numbers) {
        const e164 = toE164(raw);
        if (e164 && !index.has(e164)) index.set(e164, hit);
      }
    }
    this.byTenant.set(tenantId, index);
  }

  lookup(tenantId: string, e164: string): Promise<LookupResult | null> {
    return Promise.resolve(this.byTenant.get(tenantId)?.get(e164) ?? null);
  }
}
