import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { fixture } from "../helpers/fixtures.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

interface EventRow {
  type: string;
  data: { stage?: string; outputs?: { type: string }[] };
}

async function events(url: string, taskId: string): Promise<EventRow[]> {
  const r = await fetch(`${url}/tasks/${taskId}/events`);
  return r.ok ? ((await r.json()) as { events: EventRow[] }).events : [];
}

const started = (evs: EventRow[], stage: string) => evs.filter((e) => e.type === "StageStarted" && e.data.stage === stage).length;
const completed = (evs: EventRow[], stage: string) => evs.filter((e) => e.type === "StageCompleted" && e.data.stage === stage).length;

test("point_cloud_lod: SIGKILL after the first level, restart: the task completes without redoing the octree or that level", { timeout: 240_000 }, async () => {
  const sandbox = await embeddedEnv();
  const laz = await readFile(fixture("pointcloud", "laspy_autzen_trim.laz"));
  await sandbox.put("in", "files/autzen.laz", laz);
  const msg = taskMessage({
    task_type: "point_cloud_lod",
    source: { bucket: "in", key: "files/autzen.laz", size_bytes: laz.byteLength, format: "laz" },
    params: { output_formats: ["laz", "3dtiles"] },
  });
  const taskId = msg.task_id as string;
  const first = await startServiceProcess(sandbox.env);
  let atKill: EventRow[];
  try {
    const posted = await fetch(`${first.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
    assert.equal(posted.status, 202);
    atKill = await waitFor(
      "lod_high completed",
      async () => {
        const evs = await events(first.url, taskId);
        return completed(evs, "lod_high") > 0 ? evs : null;
      },
      120_000,
    );
  } finally {
    first.process.kill("SIGKILL");
    await first.process;
  }
  assert.ok(!atKill.some((e) => e.type === "TaskCompleted"), "the kill came before the task ended");
  const second = await startServiceProcess(sandbox.env);
  try {
    const final = await waitFor(
      "completion",
      async () => {
        const evs = await events(second.url, taskId);
        return evs.some((e) => e.type === "TaskCompleted" || e.type === "TaskFailed") ? evs : null;
      },
      180_000,
    );
    assert.ok(
      final.some((e) => e.type === "TaskCompleted"),
      JSON.stringify(final.filter((e) => e.type === "TaskFailed")),
    );
    assert.ok(
      final.some((e) => e.type === "TaskInterrupted"),
      "the restart records the interruption",
    );
    for (const stage of ["read_header", "index", "lod_high"]) {
      assert.equal(started(final, stage), 1, `${stage} ran once`);
      assert.equal(completed(final, stage), 1);
    }
    for (const stage of ["lod_medium", "lod_low", "tiles", "preview", "thumbnail"]) assert.equal(completed(final, stage), 1, `${stage} completed once`);
    const view = (await (await fetch(`${second.url}/tasks/${taskId}`)).json()) as { state: string; outputs: { type: string; key: string }[] };
    assert.equal(view.state, "completed");
    assert.deepEqual(
      view.outputs.map((o) => o.type).filter((t) => t !== "tile"),
      ["lod_high", "lod_medium", "lod_low", "tileset", "preview", "thumbnail"],
    );
    const high = await readFile(`${sandbox.env.STORAGE_DIR}/out/${view.outputs[0]!.key}`);
    assert.equal(high.subarray(0, 4).toString(), "LASF");
  } finally {
    second.process.kill("SIGTERM");
    await second.process;
  }
});
