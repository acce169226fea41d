import type { TaskMessage } from "../contracts/task-message.ts";
import type { RetryScheduler } from "../ports/retry-scheduler.port.ts";

export const TIMER_RETRY_DEFAULTS = {
  /** First wait after a failed resubmit (the store or the node may be briefly away). */
  firstBackoffMs: 1000,
  maxBackoffMs: 60_000,
};

/** Embedded-mode retries: a timer per retry that resubmits the task with the next attempt. A
 * resubmit that fails is tried again with backoff, never dropped; timers die with the process, and
 * the host re-arms them from the streams at start-up. */
export function createTimerRetryScheduler(
  resubmit: (task: TaskMessage) => Promise<unknown>,
  options: { onError?: (error: unknown, task: TaskMessage) => void } & Partial<typeof TIMER_RETRY_DEFAULTS> = {},
): RetryScheduler & { cancelAll(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const first = options.firstBackoffMs ?? TIMER_RETRY_DEFAULTS.firstBackoffMs;
  const max = options.maxBackoffMs ?? TIMER_RETRY_DEFAULTS.maxBackoffMs;

  const arm = (task: TaskMessage, delayMs: number, backoffMs: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resubmit(task).catch((error: unknown) => {
        options.onError?.(error, task);
        arm(task, backoffMs, Math.min(backoffMs * 2, max));
      });
    }, delayMs);
    timers.add(timer);
  };

  return {
    async schedule(task, nextAttempt, delaySeconds) {
      arm({ ...task, retry: { ...task.retry, attempt: nextAttempt } }, delaySeconds * 1000, first);
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
