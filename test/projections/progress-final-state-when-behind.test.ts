import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskStream } from "../../src/actors/task-stream.ts";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { openEventStore } from "../../src/infra/event-store/index.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { runProgressProjection } from "../../src/projections/progress.projection.ts";
import { START_PROJECTIONS_DEFAULTS } from "../../src/projections/start-projections.ts";
import { taskMessage } from "../helpers/embedded-env.ts";

test("a progress projection that runs behind (restart backoff, backlog) still sends each task's final state", { timeout: 30_000 }, async () => {
  const store = await openEventStore("memory://");
  const task = TaskMessage.parse(taskMessage());
  const s = await TaskStream.open(store, task.task_id);
  await s.append(s.event("TaskAccepted", { task, stages: [{ name: "step_1", label: "Step 1", weight: 1 }] }, 1));
  for (const e of [
    s.event("DownloadStarted", {}),
    s.event("DownloadCompleted", { size_bytes: 5 }),
    s.event("SlotGranted", { cpu_percent: 1, ram_bytes: 0, exclusive: false }),
    s.event("StageStarted", { stage: "step_1" }),
    s.event("StageCompleted", { stage: "step_1", outputs: [] }),
    s.event("UploadCompleted", { outputs: [] }),
    s.event("TaskCompleted", { duration_seconds: 1 }),
  ])
    await s.append(e);

  const published: ProgressMessage[] = [];
  const stop = new AbortController();
  const run = runProgressProjection({
    store,
    bus: { publish: (_c, m) => Promise.resolve(void published.push(m)), last: () => Promise.resolve(null), subscribe: () => Promise.resolve(() => Promise.resolve()), close: () => Promise.resolve() },
    logger: silentLogger(),
    signal: stop.signal,
    maxAgeMs: START_PROJECTIONS_DEFAULTS.progressMaxAgeMs,
    // The projection handles these events two minutes after they were written.
    now: () => Date.now() + 120_000,
  }).catch(() => {});
  await new Promise((r) => setTimeout(r, 1500));
  stop.abort();
  await run;
  await store.close();
  assert.equal(published.at(-1)?.status, "completed", `final state published (sent: ${published.map((m) => m.status).join(",") || "nothing"})`);
});
