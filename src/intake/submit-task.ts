import type { Submitted, TaskHost } from "../actors/task-host.ts";
import type { TaskMessage } from "../contracts/task-message.ts";

/** Hands a decoded task to the host — the one path of AMQP, HTTP and the CLI. A message whose params
 * are not an object is recorded as accepted and failed (INVALID_PARAMS), so it gets its result like
 * any bad params; the host then sees a settled stream. Throws TaskConflictError when the task_id is
 * already a task with another message. */
export function submitDecoded(host: TaskHost, decoded: { task: TaskMessage; paramsError?: string }, causationId?: string): Promise<Submitted> {
  return host.submit(decoded.task, causationId, decoded.paramsError ? { paramsError: decoded.paramsError } : {});
}
