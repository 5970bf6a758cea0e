/** Stable codes for requests the engine refuses; the API maps them to its own error codes. */
export type AcdErrorCode =
  | 'unknown_queue'
  | 'unknown_answer_group'
  | 'not_member'
  | 'not_logged_in'
  | 'duplicate_call'
  | 'invalid_config';

/** A request the engine cannot carry out; nothing has changed when it is thrown. */
export class AcdError extends Error {
  constructor(
    readonly code: AcdErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AcdError';
  }
}
