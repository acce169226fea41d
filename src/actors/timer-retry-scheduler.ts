import type { TaskMessage } from "../contracts/task-message.ts";
import type { RetryScheduler } from "../ports/retry-scheduler.port.ts";

export const TIMER_RETRY_DEFAULTS = {
  /** First wait after a failed resubmit (the store or the node may be briefly away). */
  firstBackoffMs: 1000,
  maxBackoffMs: 60_000,
};

type Resubmit = (task: TaskMessage) => Promise<unknown>;

/** Embedded-mode retries: a timer per retry that resubmits the task with the next attempt. A
 * resubmit that fails is tried again with backoff, never dropped; timers die with the process, and
 * the host re-arms them from the streams at start-up. The scheduler is made before the host it
 * resubmits through (the host needs it): a retry that falls due before `deliverTo` waits for it. */
export function createTimerRetryScheduler(
  resubmit?: Resubmit,
  options: { onError?: (error: unknown, task: TaskMessage) => void } & Partial<typeof TIMER_RETRY_DEFAULTS> = {},
): RetryScheduler & { deliverTo(resubmit: Resubmit): void; cancelAll(): void } {
  const timers = new Set<NodeJS.Timeout>();
  const first = options.firstBackoffMs ?? TIMER_RETRY_DEFAULTS.firstBackoffMs;
  const max = options.maxBackoffMs ?? TIMER_RETRY_DEFAULTS.maxBackoffMs;
  let target = resubmit;
  /** Retries due before there was anyone to resubmit them to. */
  const due: TaskMessage[] = [];

  const fire = (task: TaskMessage, backoffMs: number) => {
    if (!target) return void due.push(task);
    target(task).catch((error: unknown) => {
      options.onError?.(error, task);
      arm(task, backoffMs, Math.min(backoffMs * 2, max));
    });
  };
  const arm = (task: TaskMessage, delayMs: number, backoffMs: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fire(task, backoffMs);
    }, delayMs);
    timers.add(timer);
  };

  return {
    schedule(task, nextAttempt, delaySeconds) {
      arm({ ...task, retry: { ...task.retry, attempt: nextAttempt } }, delaySeconds * 1000, first);
      return Promise.resolve();
    },
    deliverTo(next) {
      target = next;
      for (const task of due.splice(0)) fire(task, first);
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      due.length = 0;
    },
  };
}
