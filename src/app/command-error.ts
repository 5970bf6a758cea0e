/** What to tell the user when a switchboard command fails. */
import { msg } from '@lit/localize';
import { ApiCallError } from '../store/api-error.js';

/**
 * The server's own sentence for a refused command (it says why: "Someone else is already
 * taking this caller."); a plain one when the command never got an answer.
 */
export function commandErrorText(error: unknown): string {
  if (error instanceof ApiCallError) {
    if (error.code === 'disconnected' || error.code === 'timeout') {
      return msg('No answer from the server — check the connection and try again.');
    }
    return error.message;
  }
  return msg('Something went wrong — try again.');
}
