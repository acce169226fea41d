import type { RetryScheduler } from "../../ports/retry-scheduler.port.ts";
import type { TaskMessage } from "../../contracts/task-message.ts";
import type { AmqpLink } from "./amqp-link.ts";
import { taskPublishOptions } from "./task-publish.ts";
import { RETRY_DELAY_HEADER, RETRY_EXCHANGE, TASKS_EXCHANGE, retryQueueFor } from "./topology.ts";

/** AMQP-mode retries (DESIGN.md §3): the next attempt's message waits in the TTL queue of its delay
 * and dead-letters back to `vision.s3d.tasks` under its task type. Resolves only once the broker
 * has confirmed it, so the intake may then ack the failed attempt's delivery. */
export function createAmqpRetryScheduler(link: AmqpLink, retryDelaysSeconds: readonly number[]): RetryScheduler {
  return {
    async schedule(task, nextAttempt, delaySeconds) {
      const next: TaskMessage = { ...task, retry: { ...task.retry, attempt: nextAttempt } };
      // Due now (an overdue retry published again): straight to its queue, not through a TTL queue.
      if (delaySeconds <= 0) return void (await link.publish(TASKS_EXCHANGE, next.task_type, Buffer.from(JSON.stringify(next)), taskPublishOptions(next)));
      const queue = retryQueueFor(delaySeconds, retryDelaysSeconds);
      const options = taskPublishOptions(next);
      await link.publish(RETRY_EXCHANGE, next.task_type, Buffer.from(JSON.stringify(next)), {
        ...options,
        headers: { ...options.headers, [RETRY_DELAY_HEADER]: queue },
      });
    },
  };
}
