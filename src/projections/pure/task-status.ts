import type { TaskStatus } from "../../contracts/progress-message.ts";
import type { TaskStateValue } from "../../machines/task.machine.ts";

export function statusOf(state: TaskStateValue): TaskStatus {
  return state === "new" ? "queued" : state;
}
