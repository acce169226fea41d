import { TaskStream } from "../../src/actors/task-stream.ts";
import type { ResultMessage } from "../../src/contracts/result-message.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import type { TaskMessage } from "../../src/contracts/task-message.ts";
import type { EventStore } from "../../src/ports/event-store.port.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { asPromise } from "../../src/shared/as-promise.ts";

/** Task streams as the task host writes them, appended through TaskStream so the machine accepts
 * every fact. Each returns the task and the ids of its outcome events (the expected message ids). */

export type Scenario = "completed" | "retried-then-completed" | "failed-final" | "cancelled";

const STAGES = [
  { name: "thumbnail_64", label: "Thumbnail 64 px", weight: 1 },
  { name: "thumbnail_128", label: "Thumbnail 128 px", weight: 2 },
];
const output = (stage: string) => ({ path: `${stage}.webp`, type: "thumbnail", format: "webp", key: `out/${stage}.webp`, size_bytes: 10, content_type: "image/webp" });
const OUTCOMES = new Set<TaskEvent["type"]>(["TaskCompleted", "TaskFailed", "TaskCancelled"]);

export async function appendScenario(store: EventStore, scenario: Scenario, task: TaskMessage = sampleTask()): Promise<{ task: TaskMessage; outcomeIds: string[] }> {
  const s = await TaskStream.open(store, task.task_id);
  const add = (type: TaskEvent["type"], body: Record<string, unknown> = {}, attempt?: number) => s.append(s.event<TaskEvent["type"]>(type, body, attempt));
  const startAttempt = async () => {
    await add("DownloadStarted");
    await add("DownloadCompleted", { size_bytes: 1234 });
    await add("SlotGranted", { cpu_percent: 3, ram_bytes: 1e8, exclusive: false });
  };
  const runStages = async () => {
    for (const stage of STAGES) {
      await add("StageStarted", { stage: stage.name });
      await add("ProgressReported", { stage: stage.name, done: 1, total: 2 });
      await add("StageCompleted", { stage: stage.name, outputs: [output(stage.name)] });
    }
    await add("UploadCompleted", { outputs: STAGES.map((st) => output(st.name)) });
    await add("TaskCompleted", { duration_seconds: 3 });
  };

  await add("TaskAccepted", { task, stages: STAGES });
  switch (scenario) {
    case "completed":
      await startAttempt();
      await runStages();
      break;
    case "retried-then-completed":
      await add("DownloadStarted");
      await add("TaskFailed", { error: { code: "STORAGE_ERROR", message: "R2 timed out", stage: null, recoverable: true }, will_retry: true });
      await add("RetryScheduled", { next_attempt: 2, delay_seconds: 30 });
      await add("AttemptStarted", { reason: "retry" }, 2);
      await startAttempt();
      await runStages();
      break;
    case "failed-final":
      await startAttempt();
      await add("StageStarted", { stage: "thumbnail_64" });
      await add("TaskFailed", { error: { code: "INPUT_CORRUPT", message: "truncated JPEG", stage: "thumbnail_64", recoverable: false }, will_retry: false });
      break;
    case "cancelled":
      await add("TaskCancelled", { reason: "user" });
      break;
  }
  const events = await store.readStream(s.streamId);
  return { task, outcomeIds: events.filter((e) => OUTCOMES.has(e.type as TaskEvent["type"])).map((e) => e.id) };
}

/** A ResultPublisher that records what it was asked to send; `failAt` makes the n-th publish
 * (1-based) record and then throw, as a broker that took a message but lost the confirm. */
export function recordingPublisher(options: { failAt?: number } = {}) {
  const sent: { queue: string; messageId: string; status: string; taskId: string; willRetry: boolean | null }[] = [];
  let calls = 0;
  return {
    sent,
    publish(queue: string, message: ResultMessage, messageId: string) {
      return asPromise(() => {
        calls += 1;
        sent.push({ queue, messageId, status: message.status, taskId: message.task_id, willRetry: message.status === "failed" ? message.retry.will_retry : null });
        if (calls === options.failAt) throw new Error("broker connection lost before the confirm");
      });
    },
  };
}

export async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
