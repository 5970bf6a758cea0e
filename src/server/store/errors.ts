/**
 * Errors the repositories throw for what a caller asked wrongly, with stable codes the
 * API can map to its own (anything else thrown by a repository is a fault).
 *
 * @packageDocumentation
 */

/**
 * - `invalid`: a field is malformed or names something that does not exist in the tenant
 *   (a member who is not the tenant's user, a target queue of another tenant).
 * - `conflict`: a name or number is already taken in the tenant.
 * - `in_use`: the thing is still a target of something else and cannot be deleted.
 */
export type StoreErrorCode = 'invalid' | 'conflict' | 'in_use';

/** A request the store refused; nothing was written. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The input field at fault, when known (`'number'`, `'members'`, …). */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The SQLSTATE of a database error from PGlite or `pg`, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (error instanceof StoreError) return undefined;
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** How {@link translateWriteError} words and attributes the error. */
export interface TranslateOptions {
  /** The write was a delete: a foreign key violation means "still referenced". */
  onDelete?: boolean;
  /** The input field to blame (default: the column the database names, if any). */
  field?: string;
}

/**
 * Turns the constraint errors of a write into {@link StoreError}s (unique → `conflict`,
 * foreign key → `invalid` or, on delete, `in_use`, check / bad text → `invalid`) and
 * rethrows anything else unchanged.
 */
export function translateWriteError(
  error: unknown,
  what: string,
  { onDelete = false, field }: TranslateOptions = {},
): never {
  const state = sqlState(error);
  const detail = error instanceof Error ? error.message : String(error);
  const column =
    field ??
    (typeof error === 'object' && error !== null && 'column' in error
      ? String((error as { column: unknown }).column ?? '') || undefined
      : undefined);
  switch (state) {
    case '23505':
      throw new StoreError('conflict', `${what}: ${detail}`, column, { cause: error });
    case '23503':
      if (onDelete) {
        throw new StoreError('in_use', `${what} is still a routing target elsewhere`, undefined, {
          cause: error,
        });
      }
      throw new StoreError('invalid', `${what}: ${detail}`, column, { cause: error });
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
      throw new StoreError('invalid', `${what}: ${detail}`, column, { cause: error });
    default:
      throw error;
  }
}
