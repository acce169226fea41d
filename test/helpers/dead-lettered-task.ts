import { TaskStream } from "../../src/actors/task-stream.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import type { TaskMessage } from "../../src/contracts/task-message.ts";
import type { EventStore } from "../../src/ports/event-store.port.ts";
import { sampleTask } from "./task-events.ts";

/** A geotiff_cog task whose every attempt fails with STORAGE_ERROR, as the host writes it: each
 * failure before the last is retried; the last one is TaskFailed + TaskDeadLettered in one append. */
export async function appendDeadLettered(store: EventStore, maxAttempts: number): Promise<TaskMessage> {
  const task = sampleTask({ task_type: "geotiff_cog", retry: { attempt: 1, max_attempts: maxAttempts } });
  const s = await TaskStream.open(store, task.task_id);
  const ev = (type: TaskEvent["type"], body: Record<string, unknown> = {}, attempt?: number) => s.event<TaskEvent["type"]>(type, body, attempt);
  const error = { code: "STORAGE_ERROR", message: "R2 timed out", stage: null, recoverable: true };
  await s.append(ev("TaskAccepted", { task, stages: [{ name: "cog", label: "COG", weight: 1 }] }));
  for (let attempt = 1; attempt < maxAttempts; attempt++) {
    await s.append(ev("DownloadStarted", {}, attempt));
    await s.appendAll([ev("TaskFailed", { error, will_retry: true }, attempt), ev("RetryScheduled", { next_attempt: attempt + 1, delay_seconds: 1 }, attempt)]);
    await s.append(ev("AttemptStarted", { reason: "retry" }, attempt + 1));
  }
  await s.append(ev("DownloadStarted", {}, maxAttempts));
  await s.appendAll([ev("TaskFailed", { error, will_retry: false }, maxAttempts), ev("TaskDeadLettered", { reason: `STORAGE_ERROR after ${maxAttempts} attempt(s): R2 timed out` }, maxAttempts)]);
  return task;
}
