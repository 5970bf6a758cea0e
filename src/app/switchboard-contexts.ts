/**
 * Context of the switchboard slice (queues, callers, agents, parked calls, consultation), kept
 * apart from `contexts.ts` so the switchboard views can be built and tested on their own.
 */
import { createContext } from '@lit/context';
import type { SwitchboardModel } from '../store/switchboard-model.js';

export const switchboardModelContext = createContext<SwitchboardModel>(
  Symbol('sentral-switchboard-model'),
);
