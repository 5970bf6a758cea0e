/**
 * The error every failed API command rejects with.
 * @packageDocumentation
 */
import type { ApiError, ErrorCode } from '../shared/protocol.js';

/** Failures the client itself detects (the server never sends these codes). */
export type ClientErrorCode =
  /** The socket closed before the reply arrived, or could not be opened. */
  | 'disconnected'
  /** No reply within the client's command timeout. */
  | 'timeout';

/** A command failed: `code` is the server's stable {@link ErrorCode} or a client-side code. */
export class ApiCallError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  /** The server's error object, when the server answered `ok: false`. */
  readonly apiError: ApiError | null;

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    apiError: ApiError | null = null,
  ) {
    super(message);
    this.name = 'ApiCallError';
    this.code = code;
    this.apiError = apiError;
  }

  static fromApiError(error: ApiError): ApiCallError {
    return new ApiCallError(error.code, error.message, error);
  }
}

/** The stable code of any error thrown by an API call (`internal` for unknown errors). */
export function errorCodeOf(error: unknown): ErrorCode | ClientErrorCode {
  return error instanceof ApiCallError ? error.code : 'internal';
}
