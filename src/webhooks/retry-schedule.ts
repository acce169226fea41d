/** When a failed webhook POST is tried again: exponential backoff with "equal jitter" (half the
 * delay fixed, half random), so receivers that came back are not hit by every sender at once and a
 * retry never comes sooner than half its step. */
export interface RetrySchedule {
  /** POSTs of one result at most, the first included. */
  maxAttempts: number;
  /** The step after the first failure; doubled per further failure. */
  baseMs: number;
  /** No step is longer. */
  maxMs: number;
}

/** The wait after failed POST number `attempt` (1-based), or null when it was the last. `random` is
 * in [0, 1). */
export function retryDelayMs(attempt: number, schedule: RetrySchedule, random: number): number | null {
  if (attempt >= schedule.maxAttempts) return null;
  const step = Math.min(schedule.maxMs, schedule.baseMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (step / 2) * random);
}
