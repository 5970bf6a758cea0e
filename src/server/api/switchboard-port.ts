/**
 * What the API asks of the switchboard engine (queues, agents, picks). Implemented in
 * src/server/switchboard; the API only checks who may ask, the switchboard what is possible.
 * Implementations throw {@link ApiFailure} with a stable code for anything refused.
 */
import type { CommandParams, CommandResult, SessionUser } from '../../shared/protocol';
import type { ChosenPauseReason, SwitchboardSnapshot } from '../../shared/switchboard';
import type { z } from 'zod';

export interface SwitchboardPort {
  searchDirectory(
    tenantId: string,
    query: string,
    limit: number,
  ): CommandResult<'directory.search'>['results'];
  presenceList(tenantId: string): CommandResult<'presence.list'>['people'];
  setAbsence(
    user: SessionUser,
    params: CommandParams<'absence.set'>,
    onBehalf: boolean,
  ): Promise<CommandResult<'absence.set'>>;
  clearAbsence(user: SessionUser, userId: string | undefined, onBehalf: boolean): Promise<boolean>;
  /** Busy / no-answer forwarding of `userId` (default: the user); not_found outside the tenant. */
  getForwarding(user: SessionUser, userId: string | undefined): CommandResult<'forwarding.get'>;
  /** Replaces it; invalid_number / ring_time_out_of_range for bad input (nothing written). */
  setForwarding(
    user: SessionUser,
    params: CommandParams<'forwarding.set'>,
  ): Promise<CommandResult<'forwarding.set'>>;
  snapshot(tenantId: string): SwitchboardSnapshot;
  agentLogin(user: SessionUser, queueId: string): void;
  agentLogout(user: SessionUser, queueId: string): void;
  agentPause(
    user: SessionUser,
    queueId: string | undefined,
    reason: z.infer<typeof ChosenPauseReason>,
  ): void;
  agentUnpause(user: SessionUser, queueId: string | undefined): void;
  pick(user: SessionUser, callId: string): Promise<void>;
  blindTransfer(user: SessionUser, target: string, callId: string | undefined): Promise<void>;
  consult(user: SessionUser, target: string, callId: string | undefined): Promise<void>;
  completeTransfer(user: SessionUser, callId: string | undefined): void;
  cancelConsult(user: SessionUser, callId: string | undefined): void;
  swapConsult(user: SessionUser, callId: string | undefined): 'target' | 'caller';
  sendMessage(
    user: SessionUser,
    to: string,
    text: string,
    sms: boolean,
    from?: string,
  ): Promise<{ delivered: number; sms: boolean }>;
  hangup(user: SessionUser, callId: string | undefined, anyCall: boolean): void;
  park(user: SessionUser, callId: string | undefined): { slot: string };
  pickup(user: SessionUser, slot: string): void;
}
