import { loadConfig } from "../config/config.ts";
import { taskStreamId } from "../contracts/task-events.ts";
import type { TaskEvent } from "../contracts/task-events.ts";
import { openEventStore } from "../infra/event-store/index.ts";
import { parseStored } from "../actors/task-stream.ts";
import { taskHistory } from "../projections/pure/task-history.ts";
import { acquireDataDirLock } from "../service/data-dir-lock.ts";

/** `vs3d replay <task_id>`: the task's transitions from its stream, folded through the machine. */
export async function replayCommand(args: { taskId: string; json: boolean }, env: Record<string, string | undefined>): Promise<number> {
  const config = loadConfig(env);
  const release = config.eventStore.kind === "pglite" ? await acquireDataDirLock(config.eventStore.dataDir) : async () => {};
  const store = await openEventStore(config.eventStore.kind === "pglite" ? config.eventStore.dataDir : config.eventStore.url);
  try {
    // Streams are named by the canonical (lowercase) task_id.
    const stored = await store.readStream(taskStreamId(args.taskId.toLowerCase()));
    if (stored.length === 0) {
      process.stderr.write(`vs3d: no stream ${taskStreamId(args.taskId)} in ${config.eventStore.kind === "pglite" ? config.eventStore.dataDir : "the event store"}\n`);
      return 2;
    }
    const { steps, final } = taskHistory(stored.map(parseStored));
    const t0 = stored[0]!.createdAt.getTime();
    for (const [i, step] of steps.entries()) {
      const e = stored[i]!;
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ revision: e.revision, at: e.createdAt.toISOString(), type: step.event.type, state: step.state, data: step.event })}\n`);
        continue;
      }
      const offset = ((e.createdAt.getTime() - t0) / 1000).toFixed(3).padStart(9);
      process.stdout.write(`${e.createdAt.toISOString()} +${offset}s  #${String(e.revision).padEnd(3)} ${step.event.type.padEnd(17)} → ${step.state.padEnd(16)} ${detail(step.event)}\n`);
    }
    if (!args.json) process.stdout.write(`state: ${String(final.value)}\n`);
    return 0;
  } finally {
    await store.close();
    await release();
  }
}

function detail(e: TaskEvent): string {
  switch (e.type) {
    case "TaskAccepted":
      return `${e.task.task_type} attempt ${e.attempt}/${e.task.retry.max_attempts}; stages: ${e.stages.map((s) => s.name).join(", ") || "none"}`;
    case "StageStarted":
      return e.stage;
    case "ProgressReported":
      return `${e.stage} ${e.done}/${e.total}${e.label ? ` ${e.label}` : ""}`;
    case "StageCompleted":
      return `${e.stage}: ${e.outputs.map((o) => o.key).join(", ")}`;
    case "TaskFailed":
      return `${e.error.code} (${e.error.stage ?? "-"}): ${e.error.message}${e.will_retry ? " — will retry" : ""}`;
    case "RetryScheduled":
      return `attempt ${e.next_attempt} in ${e.delay_seconds} s`;
    case "DownloadCompleted":
      return `${e.size_bytes} B`;
    case "SlotGranted":
      return `cpu ${e.cpu_percent}% ram ${Math.round(e.ram_bytes / 2 ** 20)} MiB${e.exclusive ? " exclusive" : ""}`;
    case "TaskCompleted":
      return `${e.duration_seconds.toFixed(2)} s`;
    case "TaskCancelled":
    case "TaskDeadLettered":
    case "TaskInterrupted":
      return e.reason;
    case "AttemptStarted":
      return `attempt ${e.attempt} (${e.reason})`;
    case "WebhookDeliveryAttempted":
      return `webhook ${e.delivered ? "delivered" : "not delivered"} (try ${e.delivery_attempt}): ${e.status ?? e.error ?? ""}${e.next_attempt_at ? `, again at ${e.next_attempt_at}` : ""}`;
    case "DownloadStarted":
    case "SlotRequested":
    case "UploadCompleted":
      return "";
  }
}
