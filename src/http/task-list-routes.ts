import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { stateOf } from "../machines/task-replay.ts";
import { mayAccess } from "./access.ts";
import { TaskListQuery, type NodeView, type TaskView } from "./http-schemas.ts";
import type { IndexedTask, TaskIndex } from "./task-index.ts";
import { selectTasks } from "./task-list-select.ts";
import { taskView } from "./task-view.ts";

export interface TaskListDeps {
  index: TaskIndex;
  /** The node panel's numbers, sent on the live stream too. Default: none. */
  node?: (() => NodeView) | undefined;
}

export const TASK_FEED_DEFAULTS = { nodeEveryMs: 2000, pingEveryMs: 15_000 } as const;

/** Query parameters the list does not know are refused too: a typo must not silently list everything. */
export function invalidQuery(c: Context, issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const message = issues.map((i) => `${i.path.map(String).join(".") || "query"}: ${i.message}`).join("; ");
  return c.json({ error: { code: "INVALID_QUERY", message } }, 400);
}

/** GET /tasks (filtered, paged, from the task index) and GET /events/tasks, the live feed the
 * dashboard listens to: each task as it changes, and the node's load. */
export function registerTaskList(app: Hono, deps: TaskListDeps): void {
  app.get("/tasks", async (c) => {
    // `api_key` is the access layer's (GETs may carry the key there), not a filter.
    const { api_key: _key, ...query } = c.req.query();
    const parsed = TaskListQuery.safeParse(query);
    if (!parsed.success) return invalidQuery(c, parsed.error.issues);
    await deps.index.refresh();
    return c.json(selectTasks(deps.index.newestFirst(), parsed.data, c.get("tenant"), new Date()));
  });

  app.get("/events/tasks", async (c) => {
    const tenant = c.get("tenant");
    await deps.index.refresh();
    return streamSSE(c, async (sse) => {
      const queue: TaskView[] = [];
      let wake: (() => void) | null = null;
      const stop = deps.index.listen((changed: readonly IndexedTask[]) => {
        const now = new Date();
        for (const t of changed) if (mayAccess(tenant, t.snapshot.context.task?.tenant_id)) queue.push(taskView(t.taskId, stateOf(t.snapshot), t.snapshot.context, now));
        wake?.();
      });
      const tick = setInterval(() => wake?.(), TASK_FEED_DEFAULTS.nodeEveryMs);
      try {
        await sse.writeSSE({ event: "hello", data: JSON.stringify({ at: new Date().toISOString() }) });
        let lastNode = 0;
        let lastWrite = Date.now();
        while (!sse.aborted) {
          if (queue.length === 0) await new Promise<void>((r) => (wake = r));
          wake = null;
          for (const view of queue.splice(0)) await sse.writeSSE({ event: "task", data: JSON.stringify(view) });
          const now = Date.now();
          if (deps.node && now - lastNode >= TASK_FEED_DEFAULTS.nodeEveryMs) {
            lastNode = now;
            await sse.writeSSE({ event: "node", data: JSON.stringify(deps.node()) });
            lastWrite = now;
          } else if (now - lastWrite >= TASK_FEED_DEFAULTS.pingEveryMs) {
            await sse.writeSSE({ event: "ping", data: "{}" });
            lastWrite = now;
          }
        }
      } finally {
        clearInterval(tick);
        stop();
      }
    });
  });
}
