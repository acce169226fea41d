import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { acceptTask } from "../../src/actors/accept-task.ts";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import { createLogger } from "../../src/infra/logger.ts";
import { loadProcessorRegistry } from "../../src/processors/registry.ts";
import { runTaskLogProjection } from "../../src/projections/task-log.projection.ts";
import { appendDeadLettered } from "../helpers/dead-lettered-task.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario } from "./task-scenarios.ts";

type Line = { level: string; msg: string; event: string; task_id: string; task_type: string; tenant_id: string; attempt: number; code: string };

function capturedLogger() {
  const out = new PassThrough();
  const lines: Line[] = [];
  let rest = "";
  out.on("data", (d: Buffer) => {
    const parts = (rest + d.toString()).split("\n");
    rest = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Line);
  });
  return { logger: createLogger({ level: "info", destination: out }), lines };
}

const until = async (what: string, ok: () => boolean) => {
  for (const deadline = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 50))) assert.ok(Date.now() < deadline, what);
};

test(
  "the task log projection writes one line per fact, with task_id, task_type, tenant_id, attempt and code; user errors at warn; a restart from the checkpoint repeats none",
  { timeout: 60_000 },
  async () => {
    const store = await openEventStore("memory://", { pollIntervalMs: 20 });
    const { logger, lines } = capturedLogger();
    const run = (signal: AbortSignal) => runTaskLogProjection({ store, checkpoints: store.checkpoints, logger, signal, name: "projection:task-log" });
    const task = sampleTask({ task_type: "image_convert" });
    const s = await TaskStream.open(store, task.task_id);
    const first = new AbortController();
    const running = run(first.signal);
    try {
      const completed = (await appendScenario(store, "completed")).task;
      const retried = (await appendScenario(store, "retried-then-completed")).task;
      const failed = (await appendScenario(store, "failed-final")).task;
      const cancelled = (await appendScenario(store, "cancelled")).task;
      const dead = await appendDeadLettered(store, 2);
      // A rejection as the intake records it: accepted and failed in one append.
      const registry = await loadProcessorRegistry([], { only: ["image_thumbnail"] });
      const rejected = sampleTask({ task_type: "mesh_3d_lod", params: {} });
      assert.equal((await acceptTask({ store, registry, tenantPrefix: undefined }, rejected)).outcome, "rejected");

      const ends = (l: Line) => ["task completed", "task failed", "task cancelled", "task dead-lettered", "task rejected"].includes(l.msg);
      await until("six tasks ended in the log", () => lines.filter(ends).length >= 6);
      await new Promise((r) => setTimeout(r, 300)); // room for a double line to show
      const of = (id: string) => lines.filter((l) => l.task_id === id).map((l) => `${l.level} ${l.msg} ${l.code} #${l.attempt}`);
      assert.deepEqual(of(completed.task_id), ["info task accepted ACCEPTED #1", "info task completed COMPLETED #1"]);
      assert.deepEqual(of(retried.task_id), ["info task accepted ACCEPTED #1", "warn task attempt failed: retrying STORAGE_ERROR #1", "info task completed COMPLETED #2"]);
      assert.deepEqual(of(failed.task_id), ["info task accepted ACCEPTED #1", "warn task failed INPUT_CORRUPT #1"], "a bad input is the user's error: warn");
      assert.deepEqual(of(cancelled.task_id), ["info task accepted ACCEPTED #1", "info task cancelled CANCELLED #1"]);
      assert.deepEqual(of(dead.task_id), ["info task accepted ACCEPTED #1", "warn task attempt failed: retrying STORAGE_ERROR #1", "error task dead-lettered STORAGE_ERROR #2"]);
      assert.deepEqual(of(rejected.task_id), ["warn task rejected UNSUPPORTED_TASK_TYPE #1"], "a rejected task is not also logged as accepted");
      for (const l of lines.filter((x) => x.task_id === dead.task_id)) {
        assert.equal(l.task_type, "geotiff_cog");
        assert.equal(l.tenant_id, dead.tenant_id);
      }
      assert.equal(lines.filter((l) => l.task_id === rejected.task_id)[0]!.task_type, "mesh_3d_lod");
      await s.append(s.event("TaskAccepted", { task, stages: [{ name: "convert", label: "Convert", weight: 1 }] }));
      await until("the last task's accept", () => lines.some((l) => l.task_id === task.task_id));
    } finally {
      first.abort();
      await running;
    }

    // The next leader starts at the checkpoint: old facts are not logged again, new ones are — with
    // the task's type and tenant read from its stream, since this run never saw its TaskAccepted.
    const before = lines.length;
    const second = new AbortController();
    const again = run(second.signal);
    try {
      await s.append(s.event("TaskCancelled", { reason: "operator" }));
      await until("the cancel", () => lines.some((l) => l.task_id === task.task_id && l.code === "CANCELLED"));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        lines.slice(before).map((l) => `${l.msg} ${l.task_type} ${l.tenant_id === task.tenant_id}`),
        ["task cancelled image_convert true"],
      );
    } finally {
      second.abort();
      await again;
      await store.close();
    }
  },
);
