import type { Hono } from "hono";
import { stateOf } from "../machines/task-replay.ts";
import { mayAccess } from "./access.ts";
import type { DeadLetter, NodeView } from "./http-schemas.ts";
import type { TaskIndex } from "./task-index.ts";
import { isRejected } from "./task-view.ts";

/** The DLQ as RabbitMQ holds it (AMQP mode). */
export interface DeadLetterSource {
  list(limit: number): Promise<DeadLetter[]>;
}

export interface NodeRoutesDeps {
  index: TaskIndex;
  node?: (() => NodeView) | undefined;
  dlq?: DeadLetterSource | undefined;
}

const DLQ_LIMIT = 500;

/** GET /node (the broker's view of this node) and GET /dlq (what waits for a person's replay). */
export function registerNodeRoutes(app: Hono, deps: NodeRoutesDeps): void {
  app.get("/node", (c) => (deps.node ? c.json(deps.node()) : c.json({ error: { code: "NOT_FOUND", message: "this node runs no resource broker" } }, 404)));

  app.get("/dlq", async (c) => {
    const tenant = c.get("tenant");
    await deps.index.refresh();
    const ownsTask = (taskId: string | null) => taskId !== null && mayAccess(tenant, deps.index.get(taskId.toLowerCase())?.snapshot.context.task?.tenant_id);
    if (deps.dlq) {
      // A dead letter carries no tenant of its own: a tenant's key sees those of its known tasks.
      const entries = (await deps.dlq.list(DLQ_LIMIT))
        .filter((e) => tenant === null || tenant === "*" || ownsTask(e.task_id))
        .map(({ task_id, task_type, attempt, code, reason, dead_lettered_at, replayable }): DeadLetter => ({ task_id, task_type, attempt, code, reason, dead_lettered_at, replayable }));
      return c.json({ source: "rabbitmq", entries });
    }
    // Embedded mode has no DLQ: a task out of attempts stays failed (or dead-lettered) in its stream.
    const entries: DeadLetter[] = [];
    for (const t of deps.index.newestFirst()) {
      const state = stateOf(t.snapshot);
      const ctx = t.snapshot.context;
      if ((state !== "failed" && state !== "dead_lettered") || isRejected(state, ctx) || !mayAccess(tenant, ctx.task?.tenant_id)) continue;
      entries.push({
        task_id: t.taskId,
        task_type: ctx.task?.task_type ?? null,
        attempt: ctx.attempt,
        code: ctx.error?.code ?? null,
        reason: ctx.reason ?? ctx.error?.message ?? null,
        dead_lettered_at: ctx.lastEventAt,
        replayable: true,
      });
      if (entries.length >= DLQ_LIMIT) break;
    }
    return c.json({ source: "event_store", entries });
  });
}
