import type { TaskHost } from "../actors/task-host.ts";
import { replayMessage } from "../infra/amqp/dlq-admin.ts";
import { isRejected } from "./task-view.ts";

/** States a person may replay from: the task ran out of attempts (embedded mode keeps it as failed;
 * with RabbitMQ it is also dead-lettered). */
const REPLAYABLE = new Set(["failed", "dead_lettered"]);

/** Embedded mode's retry: the task's recorded message at its next attempt goes through the host,
 * which records AttemptStarted {reason: replay} and runs it from its last completed stage — the
 * same message a DLQ replay republishes. A task refused at acceptance is not replayed: the same
 * message would be refused again. */
export async function replayHere(host: TaskHost, taskId: string): Promise<boolean> {
  // A run that has just recorded its end may still be winding down: the replay must not be
  // mistaken for it (start() hands back the running one's promise, which is all this waits for).
  if (host.isRunning(taskId)) await host.start(taskId);
  const read = await host.read(taskId);
  const ctx = read?.context;
  if (!read || !ctx?.task || !REPLAYABLE.has(read.state) || isRejected(read.state, ctx)) return false;
  const { outcome } = await host.submit(replayMessage({ ...ctx.task, retry: { ...ctx.task.retry, attempt: ctx.attempt } }));
  return outcome === "replay";
}
