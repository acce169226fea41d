import assert from "node:assert/strict";
import { test } from "node:test";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { replayTask } from "../../src/machines/task-replay.ts";
import { resultMessageOf } from "../../src/projections/pure/result.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";

const task = sampleTask({ task_type: "point_cloud_lod", params: {} });
const at = "2026-12-01T10:00:00.000Z";
const base = { task_id: task.task_id, attempt: 1, at };
const out = (path: string, type: string, partOf?: string) => ({
  path,
  type,
  format: path.split(".").pop()!,
  key: `tenants/t/processed/photo/${path}`,
  size_bytes: 10,
  content_type: "application/octet-stream",
  ...(partOf ? { part_of: partOf } : {}),
});
const tileset = [out("tiles/tileset.json", "tileset"), out("tiles/0-0-0-0.glb", "tile", "tiles/tileset.json"), out("tiles/1-0-0-0.glb", "tile", "tiles/tileset.json")];

function history(end: TaskEvent[]): TaskEvent[] {
  return [
    {
      type: "TaskAccepted",
      ...base,
      task,
      stages: [
        { name: "lod_high", label: "high", weight: 1 },
        { name: "tiles", label: "tiles", weight: 1 },
      ],
    },
    { type: "DownloadStarted", ...base },
    { type: "DownloadCompleted", ...base, size_bytes: 1234 },
    { type: "SlotRequested", ...base },
    { type: "SlotGranted", ...base, cpu_percent: 3, ram_bytes: 1e8, exclusive: false },
    { type: "StageStarted", ...base, stage: "lod_high" },
    { type: "StageCompleted", ...base, stage: "lod_high", outputs: [out("lod_high.laz", "lod_high")] },
    { type: "StageStarted", ...base, stage: "tiles" },
    ...end,
  ];
}

test("a tileset's tiles are checkpointed with the stage but the result lists only tileset.json", () => {
  const events = history([
    { type: "StageCompleted", ...base, stage: "tiles", outputs: tileset },
    { type: "UploadCompleted", ...base, outputs: [out("lod_high.laz", "lod_high"), ...tileset] },
    { type: "TaskCompleted", ...base, duration_seconds: 3 },
  ]);
  const snapshot = replayTask(events);
  assert.equal(snapshot.context.completed["tiles"]?.length, 3, "every tile is in the checkpoint, so a resume can restore it");
  const result = resultMessageOf(events.at(-1)!, snapshot.context);
  assert.equal(result?.status, "completed");
  assert.deepEqual(
    result?.outputs.map((o) => o.type),
    ["lod_high", "tileset"],
  );
});

test("partial outputs of a failed task leave tiles out too", () => {
  const events = history([
    { type: "StageCompleted", ...base, stage: "tiles", outputs: tileset },
    { type: "TaskFailed", ...base, error: { code: "INTERNAL", message: "boom", stage: "copc", recoverable: false }, will_retry: false },
  ]);
  const result = resultMessageOf(events.at(-1)!, replayTask(events).context);
  assert.equal(result?.status, "failed");
  assert.deepEqual(result && "partial_outputs" in result ? result.partial_outputs.map((o) => o.key.split("/").pop()) : [], ["lod_high.laz", "tileset.json"]);
});

test("warnings a stage attached to its outputs are in the completed result, with the stage and the output's key; none, no field", () => {
  const warned = { ...out("tiles/tileset.json", "tileset"), warnings: [{ code: "TEXTURE_MISSING", message: "texture a.png is not in the input", details: { uri: "a.png" } }] };
  const events = history([
    { type: "StageCompleted", ...base, stage: "tiles", outputs: [warned] },
    { type: "UploadCompleted", ...base, outputs: [out("lod_high.laz", "lod_high"), warned] },
    { type: "TaskCompleted", ...base, duration_seconds: 3 },
  ]);
  const result = resultMessageOf(events.at(-1)!, replayTask(events).context);
  assert.deepEqual(result && "warnings" in result ? result.warnings : null, [
    { code: "TEXTURE_MISSING", message: "texture a.png is not in the input", details: { uri: "a.png" }, stage: "tiles", output_key: "tenants/t/processed/photo/tiles/tileset.json" },
  ]);
  assert.ok(ResultMessage.safeParse(result).success, "the result still matches its contract");
  const plain = history([
    { type: "StageCompleted", ...base, stage: "tiles", outputs: tileset },
    { type: "UploadCompleted", ...base, outputs: [out("lod_high.laz", "lod_high"), ...tileset] },
    { type: "TaskCompleted", ...base, duration_seconds: 3 },
  ]);
  assert.equal("warnings" in resultMessageOf(plain.at(-1)!, replayTask(plain).context)!, false);
});
