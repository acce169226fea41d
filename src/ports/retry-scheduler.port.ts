import type { TaskMessage } from "../contracts/task-message.ts";

/** Where a failed attempt goes next: the embedded mode uses timers, the AMQP mode TTL queues. */
export interface RetryScheduler {
  schedule(task: TaskMessage, nextAttempt: number, delaySeconds: number): Promise<void>;
}
