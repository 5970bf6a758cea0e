/**
 * A queue's live counters for the current day (the engine's view; the statistics over any
 * range come from the database). They reset by themselves when the day changes.
 *
 * - answered: callers an agent answered or an operator picked, with their wait.
 * - service level = answered within the target ÷ (answered + abandoned after the target) × 100.
 *   Callers who abandon within the target do not count against it; overflowed and timed-out
 *   callers are not in the formula (they were served elsewhere or by the timeout policy).
 * - average wait: over the answered callers; average talk: over the answered calls that have
 *   ended (talk time is from the answer to `callEnded`).
 */
/** A queue's day so far as the queue log recorded it (see {@link QueueCounters.restore}). */
export interface QueueDayCounts {
  readonly answered: number;
  readonly answeredWithinSl: number;
  readonly abandoned: number;
  readonly abandonedAfterSl: number;
  readonly overflowed: number;
  readonly timedOut: number;
  readonly totalWaitAnsweredMs: number;
}

export class QueueCounters {
  day = Number.NaN;
  answered = 0;
  answeredWithinSl = 0;
  abandoned = 0;
  abandonedAfterSl = 0;
  overflowed = 0;
  timedOut = 0;
  rejected = 0;
  totalWaitAnsweredMs = 0;
  talkCount = 0;
  totalTalkMs = 0;

  /** Resets the counters when `day` (the start of the day of now) moved on. */
  roll(day: number): void {
    if (day === this.day) return;
    this.day = day;
    this.answered = 0;
    this.answeredWithinSl = 0;
    this.abandoned = 0;
    this.abandonedAfterSl = 0;
    this.overflowed = 0;
    this.timedOut = 0;
    this.rejected = 0;
    this.totalWaitAnsweredMs = 0;
    this.talkCount = 0;
    this.totalTalkMs = 0;
  }

  /**
   * Adds what the day held before this engine started (a core restart): the day is `day`, and
   * the counts come from the queue log. Talk time is not in the log; the talk average starts
   * over with the calls that end from now on.
   */
  restore(day: number, counts: QueueDayCounts): void {
    this.roll(day);
    this.answered += counts.answered;
    this.answeredWithinSl += counts.answeredWithinSl;
    this.abandoned += counts.abandoned;
    this.abandonedAfterSl += counts.abandonedAfterSl;
    this.overflowed += counts.overflowed;
    this.timedOut += counts.timedOut;
    this.totalWaitAnsweredMs += counts.totalWaitAnsweredMs;
  }

  recordAnswered(waitedMs: number, serviceLevelMs: number): void {
    this.answered++;
    this.totalWaitAnsweredMs += waitedMs;
    if (waitedMs <= serviceLevelMs) this.answeredWithinSl++;
  }

  recordAbandoned(waitedMs: number, serviceLevelMs: number): void {
    this.abandoned++;
    if (waitedMs > serviceLevelMs) this.abandonedAfterSl++;
  }

  recordTalk(talkMs: number): void {
    this.talkCount++;
    this.totalTalkMs += talkMs;
  }

  serviceLevel(): number | null {
    const denominator = this.answered + this.abandonedAfterSl;
    return denominator === 0 ? null : (this.answeredWithinSl / denominator) * 100;
  }

  averageWaitMs(): number {
    return this.answered === 0 ? 0 : this.totalWaitAnsweredMs / this.answered;
  }

  averageTalkMs(): number {
    return this.talkCount === 0 ? 0 : this.totalTalkMs / this.talkCount;
  }
}
