import { loadConfig } from "../config/config.ts";
import { TaskListQuery, type TaskList, type TaskView } from "../http/http-schemas.ts";
import { TaskIndex } from "../http/task-index.ts";
import { selectTasks } from "../http/task-list-select.ts";
import { SETTLED_STATES } from "../machines/task-replay.ts";
import { humanBytes, humanDuration } from "./human-units.ts";
import { serviceApi } from "./service-api.ts";
import { withStoreOrService } from "./store-or-service.ts";

export interface TasksArgs {
  state?: string | undefined;
  type?: string | undefined;
  tenant?: string | undefined;
  limit?: string | undefined;
  rejected?: string | undefined;
  json: boolean;
  url?: string | undefined;
  apiKey?: string | undefined;
}

/** Thrown for a filter the list does not take: a usage error (exit 2), worded by the list's schema. */
export class TasksUsageError extends Error {}

/** `vs3d tasks`: the task list, newest first, with the HTTP list's filters (one schema for both):
 * from the store, or from the service when it holds the store. */
export async function tasksCommand(args: TasksArgs, env: Record<string, string | undefined>): Promise<number> {
  const raw = Object.fromEntries(
    Object.entries({ state: args.state, task_type: args.type, tenant_id: args.tenant, limit: args.limit, rejected: args.rejected }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const parsed = TaskListQuery.safeParse(raw);
  if (!parsed.success) throw new TasksUsageError(parsed.error.issues.map((i) => `--${cliName(String(i.path[0] ?? ""))}: ${i.message}`).join("; "));
  const config = loadConfig(env);
  const list = await withStoreOrService<TaskList & { via: string }>(
    config,
    async (store) => {
      const index = new TaskIndex(store);
      await index.refresh();
      return { ...selectTasks(index.newestFirst(), parsed.data, null, new Date()), via: "store" };
    },
    async () => {
      const api = serviceApi(config, args, env);
      return { ...(await api.get<TaskList>(`/tasks?${new URLSearchParams(raw).toString()}`)), via: api.url };
    },
  );
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ tasks: list.tasks, total: list.total, next_cursor: list.next_cursor })}\n`);
    return 0;
  }
  process.stdout.write(table(list.tasks, new Date()));
  process.stdout.write(`${list.tasks.length} of ${list.total} task(s)${list.via === "store" ? "" : ` (from the service at ${list.via})`}\n`);
  return 0;
}

const cliName = (field: string): string => ({ task_type: "type", tenant_id: "tenant" })[field] ?? field;

function table(tasks: readonly TaskView[], now: Date): string {
  const header = ["TASK_ID", "TYPE", "STATE", "ATTEMPT", "PROGRESS", "OUTPUTS", "TOOK", "UPDATED", "ERROR"];
  const rows = tasks.map((t) => {
    const accepted = t.accepted_at ? Date.parse(t.accepted_at) : NaN;
    const updated = t.updated_at ? Date.parse(t.updated_at) : NaN;
    const settled = SETTLED_STATES.includes(t.state);
    const took = Number.isNaN(accepted) ? "-" : humanDuration(Math.max(0, ((settled ? updated : now.getTime()) - accepted) / 1000));
    const outputs = t.outputs.filter((o) => o.part_of === undefined);
    const bytes = t.outputs.reduce((n, o) => n + o.size_bytes, 0);
    return [
      t.task_id,
      t.task_type ?? "-",
      t.rejected ? "rejected" : t.state,
      t.max_attempts === null ? String(t.attempt) : `${t.attempt}/${t.max_attempts}`,
      t.progress ? `${Math.round(t.progress.percent)}%` : "-",
      outputs.length === 0 ? "-" : `${outputs.length} (${humanBytes(bytes)})`,
      took,
      Number.isNaN(updated) ? "-" : `${humanDuration(Math.max(0, (now.getTime() - updated) / 1000))} ago`,
      t.error ? t.error.code : "",
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
