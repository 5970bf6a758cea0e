/**
 * Number lookup: providers (directory, contacts, HTTP) and the cached service the call path uses.
 *
 * @packageDocumentation
 */
export { LookupError } from './types';
export type { LookupErrorCode, LookupProvider, LookupResult } from './types';
export { DirectoryLookup } from './directory';
export type { DirectoryMatch, FindByNumber } from './directory';
export { ContactsLookup } from './contacts';
export type { Contact, ContactsByTenant } from './contacts';
export { HttpLookup, DEFAULT_HTTP_LOOKUP_MAX_BYTES, DEFAULT_HTTP_LOOKUP_TIMEOUT_MS } from './http';
export type { FieldPath, HttpLookupOptions } from './http';
export { LookupService } from './service';
export type { LookupServiceOptions, LookupUpdate } from './service';
export { TtlCache } from './ttl-cache';
