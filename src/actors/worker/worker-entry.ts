/** The worker child: one per task, runs the stages the host asks for. A crash or an out-of-memory
 * here ends this process only; the host turns it into PROCESSOR_CRASHED for this one task. */
import { getEachMessage, sendMessage } from "execa";
import { toAppError } from "../../contracts/app-error.ts";
import { loadProcessorRegistry } from "../../processors/registry.ts";
import type { TaskType } from "../../contracts/task-types.ts";
import { runStage } from "./run-stage.ts";
import type { HostToWorker, WorkerToHost } from "./worker-protocol.ts";

const send = (m: WorkerToHost) => sendMessage(m);
const extra = (process.env.PROCESSOR_MODULES ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
// A worker runs one task: it loads that type's processor only (the host says which).
const only = process.env.VS3D_WORKER_TASK_TYPE ? [process.env.VS3D_WORKER_TASK_TYPE as TaskType] : undefined;
const registry = await loadProcessorRegistry(extra, only ? { only } : {});
const controller = new AbortController();
process.on("SIGTERM", () => controller.abort(new Error("worker terminated")));
await send({ type: "ready" });

for await (const raw of getEachMessage()) {
  const msg = raw as unknown as HostToWorker;
  if (msg.type === "shutdown") break;
  try {
    const outputs = await runStage(registry, msg, {
      signal: controller.signal,
      progress: (p) => void send({ type: "progress", stage: msg.stage, ...p }).catch(() => {}),
      log: (message, fields) => void send({ type: "log", message, ...(fields ? { fields } : {}) }).catch(() => {}),
    });
    await send({ type: "stage-done", stage: msg.stage, outputs });
  } catch (error) {
    await send({ type: "stage-failed", stage: msg.stage, error: toAppError(error, msg.stage).toJSON() });
  }
}
process.exit(0);
