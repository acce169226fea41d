/** `npm run bench -- task-start [runs]`: what one task pays to start, in the embedded service with a
 * worker child per task. Each run is one 256 px thumbnail of a small JPEG, alone, submitted after
 * the last settled; from its stream it reads SlotGranted → first StageStarted (the worker's start:
 * a process, the runtime, its processor's libraries) and submit → settled. */
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/config.ts";
import { taskStreamId } from "../src/contracts/task-events.ts";
import { TaskMessage } from "../src/contracts/task-message.ts";
import { silentLogger } from "../src/infra/logger.ts";
import { createService } from "../src/service/service.ts";
import { FIXTURES } from "../test/helpers/fixtures.ts";
import { machineLine, median } from "./bench-report.ts";

const runs = Number(process.argv[2] ?? 7);
const root = await mkdtemp(join(tmpdir(), "vs3d-bench-start-"));
const config = loadConfig({ DATA_DIR: join(root, "data"), WORK_DIR: join(root, "work"), LOG_LEVEL: "silent" });
const service = await createService(config, silentLogger());
await mkdir(join(root, "data", "storage", "in"), { recursive: true });
await copyFile(join(FIXTURES, "images", "recurser_Landscape_3.jpg"), join(root, "data", "storage", "in", "photo.jpg"));

const at = (events: { type: string; data: unknown }[], type: string): number => {
  const event = events.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} in the task's stream`);
  return Date.parse((event.data as { at: string }).at);
};

const startMs: number[] = [];
const settledMs: number[] = [];
try {
  // One run before the measured ones: the first worker also warms the OS file cache.
  for (let i = 0; i <= runs; i++) {
    const task = TaskMessage.parse({
      task_id: randomUUID(),
      tenant_id: randomUUID(),
      file_id: randomUUID(),
      task_type: "image_thumbnail",
      submitted_at: new Date().toISOString(),
      source: { bucket: "in", key: "photo.jpg" },
      destination: { bucket: "out", base_key: `${randomUUID()}/` },
      params: { sizes: [256] },
      retry: { attempt: 1, max_attempts: 1 },
    });
    const submitted = performance.now();
    const { done } = await service.host.submit(task);
    if ((await done) !== "completed") throw new Error("thumbnail task did not complete");
    const settled = performance.now() - submitted;
    const events = await service.store.readStream(taskStreamId(task.task_id));
    if (i === 0) continue;
    settledMs.push(settled);
    startMs.push(at(events, "StageStarted") - at(events, "SlotGranted"));
  }
} finally {
  await service.close();
  await rm(root, { recursive: true, force: true });
}
console.log(machineLine(`${runs} runs`));
console.log(`SlotGranted → StageStarted ms: ${startMs.map((x) => x.toFixed(0)).join(", ")}`);
console.log(`submit → settled ms:          ${settledMs.map((x) => x.toFixed(0)).join(", ")}`);
console.log(`slot_to_stage_ms=${median(startMs).toFixed(0)} submit_to_settled_ms=${median(settledMs).toFixed(0)}`);
