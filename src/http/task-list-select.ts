import { stateOf } from "../machines/task-replay.ts";
import { mayAccess, type RequestTenant } from "./access.ts";
import type { TaskList, TaskListQuery } from "./http-schemas.ts";
import type { IndexedTask } from "./task-index.ts";
import { isRejected, taskView } from "./task-view.ts";

/** Whether a task passes the list's filters and the caller's tenant. Pure. */
export function matchesQuery(task: IndexedTask, query: Omit<TaskListQuery, "limit" | "cursor">, tenant: RequestTenant): boolean {
  const ctx = task.snapshot.context;
  const state = stateOf(task.snapshot);
  if (!mayAccess(tenant, ctx.task?.tenant_id)) return false;
  const rejected = isRejected(state, ctx);
  if (query.rejected === "hide" && rejected) return false;
  if (query.rejected === "only" && !rejected) return false;
  if (query.state && !query.state.includes(state)) return false;
  if (query.task_type && !query.task_type.includes(ctx.task?.task_type ?? "")) return false;
  if (query.tenant_id !== undefined && ctx.task?.tenant_id !== query.tenant_id) return false;
  if (query.q !== undefined && !task.taskId.includes(query.q.toLowerCase())) return false;
  return true;
}

/** One page of the list, newest first. The cursor is the last task_id of the previous page, so a
 * task submitted meanwhile does not shift the pages after the first. Pure. */
export function selectTasks(newestFirst: readonly IndexedTask[], query: TaskListQuery, tenant: RequestTenant, now: Date): TaskList {
  // The cursor is placed in the whole list: a task that left the filter since is still a position.
  const cursor = query.cursor?.toLowerCase();
  const after = cursor === undefined ? 0 : newestFirst.findIndex((t) => t.taskId === cursor) + 1;
  const matching = newestFirst.filter((t) => matchesQuery(t, query, tenant));
  const rest = after === 0 ? matching : newestFirst.slice(after).filter((t) => matchesQuery(t, query, tenant));
  const page = rest.slice(0, query.limit);
  const more = page.length < rest.length;
  return {
    tasks: page.map((t) => taskView(t.taskId, stateOf(t.snapshot), t.snapshot.context, now)),
    total: matching.length,
    next_cursor: more && page.length > 0 ? page[page.length - 1]!.taskId : null,
  };
}
