import type { Options } from "amqplib";
import type { TaskMessage } from "../../contracts/task-message.ts";

/** How every copy of a task message the service publishes looks (a retry, a DLQ replay): message
 * priority = task priority, a message id per attempt, JSON, persistent. */
// Headers typed (amqplib has them as any) so a caller can add to them.
export function taskPublishOptions(task: TaskMessage): Omit<Options.Publish, "headers"> & { headers: Record<string, string | number> } {
  return {
    persistent: true,
    contentType: "application/json",
    priority: task.priority,
    messageId: `${task.task_id}:${task.retry.attempt}`,
    headers: { "x-vs3d-task-id": task.task_id, "x-vs3d-attempt": task.retry.attempt },
  };
}
