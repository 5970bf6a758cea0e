/**
 * The colleague directory (`directory.list`), loaded once per login.
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { DirectoryEntry } from '../shared/protocol.js';
import type { ApiClient } from './api-client.js';
import { errorCodeOf } from './api-error.js';
import { logger } from './logger.js';
import { Model } from './model.js';

export type DirectoryStatus = 'idle' | 'loading' | 'loaded' | 'error';

export interface DirectorySnapshot {
  readonly status: DirectoryStatus;
  readonly people: readonly DirectoryEntry[];
  /** Stable error code of the last failed load. */
  readonly error: string | null;
}

export const initialDirectory: DirectorySnapshot = { status: 'idle', people: [], error: null };

/** Sorted by display name, accent- and case-insensitively (Norwegian collation). */
export function sortPeople(people: readonly DirectoryEntry[]): DirectoryEntry[] {
  const collator = new Intl.Collator('nb', { sensitivity: 'base' });
  return [...people].sort((a, b) => collator.compare(a.displayName, b.displayName));
}

/**
 * Lower case without accents; Ø and Æ (letters of their own, not accented) fold too, so
 * "odegard" finds Ødegård. Every search in the browser folds with this.
 */
export function foldText(s: string): string {
  return s
    .toLowerCase()
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/** Case- and accent-insensitive match on name, extension, mobile, department and title. */
export function filterPeople(people: readonly DirectoryEntry[], query: string): DirectoryEntry[] {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...people];
  return people.filter((p) => {
    const hay = foldText(
      [p.displayName, p.extension, p.mobile ?? '', p.department ?? '', p.title ?? ''].join(' '),
    );
    return words.every((w) => hay.includes(w));
  });
}

/** Digits only, so `+47 22 33 44 55` and `4722334455` compare equal. */
function digits(value: string): string {
  return value.replace(/\D/g, '');
}

/** The colleague with this extension or mobile number, if any. */
export function personForNumber(
  people: readonly DirectoryEntry[],
  number: string,
): DirectoryEntry | null {
  const wanted = digits(number);
  if (!wanted) return null;
  return (
    people.find((p) => digits(p.extension) === wanted) ??
    people.find((p) => p.mobile !== null && digits(p.mobile) === wanted) ??
    null
  );
}

export class DirectoryModel extends Model<DirectorySnapshot> {
  readonly people$: Observable<readonly DirectoryEntry[]> = this.select((s) => s.people);
  readonly status$: Observable<DirectoryStatus> = this.select((s) => s.status);

  constructor(private readonly api: ApiClient) {
    super(initialDirectory);
  }

  async load(): Promise<void> {
    this.setState({ ...this.state, status: 'loading', error: null });
    try {
      const { people } = await this.api.call('directory.list', {});
      this.setState({ status: 'loaded', people: sortPeople(people), error: null });
    } catch (error) {
      logger.warn('directory: load failed', error);
      this.setState({ ...this.state, status: 'error', error: errorCodeOf(error) });
    }
  }

  reset(): void {
    this.setState(initialDirectory);
  }
}
