import { TaskStream } from "../actors/task-stream.ts";
import { loadConfig } from "../config/config.ts";
import { openAmqpLink } from "../infra/amqp/amqp-link.ts";
import { silentLogger } from "../infra/logger.ts";
import { publishCancel } from "../intake/amqp-control.ts";
import { isSettled } from "../machines/task-replay.ts";
import { serviceApi } from "./service-api.ts";
import { withStoreOrService } from "./store-or-service.ts";

export interface CancelArgs {
  taskId: string;
  reason?: string | undefined;
  json: boolean;
  url?: string | undefined;
  apiKey?: string | undefined;
}

type Outcome = { task_id: string; cancel: "recorded" | "requested" | "not_cancellable" | "not_found"; state?: string; via: string };

/** `vs3d cancel <task_id>`: a task still to run or running stops with CANCELLED. Through the service
 * when it holds the store; with RabbitMQ the cancel is broadcast (only the owner of a running task can
 * stop its worker); otherwise, nobody runs it, so the cancel is recorded in its stream here. */
export async function cancelCommand(args: CancelArgs, env: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(env);
  const taskId = args.taskId.toLowerCase();
  const reason = args.reason ?? "cancelled with vs3d cancel";
  const outcome = await withStoreOrService<Outcome>(
    config,
    async (store) => {
      const stream = await TaskStream.open(store, taskId);
      if (!stream.exists) return { task_id: taskId, cancel: "not_found", via: "store" };
      if (isSettled(stream.snapshot)) return { task_id: taskId, cancel: "not_cancellable", state: String(stream.state), via: "store" };
      if (config.amqpUrl !== undefined) {
        const link = openAmqpLink({ url: config.amqpUrl, logger: silentLogger(), retryDelaysSeconds: config.retryDelaysSeconds });
        try {
          await link.ready(10_000);
          await publishCancel(link, taskId, reason);
        } finally {
          await link.close();
        }
        return { task_id: taskId, cancel: "requested", state: String(stream.state), via: "amqp" };
      }
      const event = stream.event("TaskCancelled", { reason });
      if (!stream.canAppend(event)) return { task_id: taskId, cancel: "not_cancellable", state: String(stream.state), via: "store" };
      await stream.append(event);
      return { task_id: taskId, cancel: "recorded", state: "cancelled", via: "store" };
    },
    async () => {
      const api = serviceApi(config, args, env);
      try {
        const answer = await api.post<{ cancel?: string; cancelled?: boolean }>(`/tasks/${encodeURIComponent(taskId)}/cancel`, { reason });
        return { task_id: taskId, cancel: answer.cancelled === true ? "recorded" : "requested", via: api.url };
      } catch (error) {
        const status = (error as { status?: number | null }).status;
        if (status === 404) return { task_id: taskId, cancel: "not_found", via: api.url };
        if (status !== 409) throw error;
        // 409 is "unknown or already settled": the task itself says which.
        const view = await api.get<{ state: string }>(`/tasks/${encodeURIComponent(taskId)}`).catch((e: unknown) => {
          if ((e as { status?: number }).status === 404) return null;
          throw e;
        });
        return view === null ? { task_id: taskId, cancel: "not_found", via: api.url } : { task_id: taskId, cancel: "not_cancellable", state: view.state, via: api.url };
      }
    },
  );
  const ok = outcome.cancel === "recorded" || outcome.cancel === "requested";
  if (args.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
  else (ok ? process.stdout : process.stderr).write(`${ok ? "" : "vs3d cancel: "}${sentence(outcome)}\n`);
  return ok ? 0 : outcome.cancel === "not_found" ? 2 : 1;
}

function sentence(o: Outcome): string {
  switch (o.cancel) {
    case "recorded":
      return `cancelled ${o.task_id}`;
    case "requested":
      return `cancel of ${o.task_id} sent (${o.via === "amqp" ? "broadcast to the nodes" : `through ${o.via}`}); its owner stops it`;
    case "not_found":
      return `no task ${o.task_id}`;
    case "not_cancellable":
      return `task ${o.task_id} is ${o.state ? `already ${o.state}` : "already settled"}: nothing to cancel`;
  }
}
