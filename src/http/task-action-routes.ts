import type { Context, Hono } from "hono";
import { parseStored } from "../actors/task-stream.ts";
import { taskStreamId } from "../contracts/task-events.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import { taskTimeline } from "./task-timeline.ts";

export interface TaskActionDeps {
  store: EventStore;
  /** Starts the task's next attempt; false when it is not failed or dead-lettered (or, with
   * RabbitMQ, not in the DLQ). "replayed": it runs here; "requested": republished to RabbitMQ. */
  retry: (taskId: string) => Promise<"replayed" | "requested" | false>;
}

/** Routes below /tasks/:id that the dashboard needs beyond the raw stream: the timeline and retry.
 * Registered after the id and tenant checks of /tasks/:id/*. */
export function registerTaskActions(app: Hono, deps: TaskActionDeps, idOf: (c: Context) => string): void {
  app.get("/tasks/:id/timeline", async (c) => {
    const id = idOf(c);
    const events = await deps.store.readStream(taskStreamId(id));
    if (events.length === 0) return c.json({ error: { code: "NOT_FOUND", message: `no task ${id}` } }, 404);
    return c.json({ task_id: id, entries: taskTimeline(events.map(parseStored)) });
  });

  app.post("/tasks/:id/retry", async (c) => {
    const id = idOf(c);
    const retry = await deps.retry(id);
    if (retry === false)
      return c.json({ error: { code: "NOT_RETRYABLE", message: `task ${id} is unknown, still running, completed, cancelled or was refused at acceptance (or not in the DLQ)` } }, 409);
    return c.json({ task_id: id, retry }, 202);
  });
}
