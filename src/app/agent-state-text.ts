/** An agent's state in words, for the queue board and the switchboard's queue panel. */
import { msg } from '@lit/localize';
import type { AgentState } from '../shared/switchboard.js';

/** An agent's state in words (read at render time: the getters call `msg()`). */
export const STATE_TEXT: Readonly<Record<AgentState, string>> = {
  get available() {
    return msg('Available');
  },
  get ringing() {
    return msg('Ringing');
  },
  get on_call() {
    return msg('On a call');
  },
  get wrap_up() {
    return msg('Wrap-up');
  },
  get paused() {
    return msg('Paused');
  },
  get logged_out() {
    return msg('Logged out');
  },
};
