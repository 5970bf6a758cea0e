/**
 * The ACD engine: queues, answer groups, agents and callers, decided in-process and
 * deterministically. The core feeds it facts and carries out its actions; see {@link Acd}.
 * @packageDocumentation
 */
export { Acd } from './acd';
export {
  AgentState,
  AGENT_TRANSITIONS,
  IllegalAgentTransition,
  transitionAgent,
} from './agent-state';
export { AcdError, type AcdErrorCode } from './errors';
export { DEFAULT_PRIORITY_BONUSES, VipList, effectiveScore, normaliseNumber } from './priority';
export type * from './types';
