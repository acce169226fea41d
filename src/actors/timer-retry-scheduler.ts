import type { TaskMessage } from "../contracts/task-message.ts";
import type { RetryScheduler } from "./task-runtime.ts";

/** Embedded-mode retries: a timer per retry that resubmits the task with the next attempt. Timers
 * die with the process; the host re-arms them from the streams at start-up. */
export function createTimerRetryScheduler(resubmit: (task: TaskMessage) => Promise<unknown>): RetryScheduler & { cancelAll(): void } {
  const timers = new Set<NodeJS.Timeout>();
  return {
    async schedule(task, nextAttempt, delaySeconds) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void resubmit({ ...task, retry: { ...task.retry, attempt: nextAttempt } });
      }, delaySeconds * 1000);
      timers.add(timer);
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
