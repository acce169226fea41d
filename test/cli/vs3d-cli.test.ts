import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import sharp from "sharp";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import { acceptTask } from "../../src/actors/accept-task.ts";
import { parseStored } from "../../src/actors/task-stream.ts";
import { taskStreamId } from "../../src/contracts/task-events.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/pglite-event-store.ts";
import { lastResult } from "../../src/projections/pure/task-history.ts";
import { loadProcessorRegistry } from "../../src/processors/registry.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { sampleTask } from "../helpers/task-events.ts";

const VS3D = join(REPO_ROOT, "bin", "vs3d.js");

async function vs3d(cwd: string, args: string[]) {
  return execa(VS3D, args, { cwd, reject: false, env: { LOG_LEVEL: "silent" } });
}

function lastLine(stdout: string): unknown {
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("vs3d process --json makes an upright 256 px thumbnail, and vs3d replay shows it completed", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-"));
  const run = await vs3d(cwd, ["process", fixture("images", "recurser_Landscape_6.jpg"), "--type", "image_thumbnail", "--params", '{"sizes":[256]}', "--out", "out", "--json"]);
  assert.equal(run.exitCode, 0, run.stderr);
  const result = ResultMessage.parse(lastLine(run.stdout));
  assert.equal(result.status, "completed");
  if (result.status !== "completed") return;
  assert.equal(result.outputs.length, 1);
  assert.equal(result.outputs[0]!.type, "thumbnail");
  const meta = await sharp(join(cwd, "out", "thumbnails", "256.webp")).metadata();
  assert.equal(meta.width, 256, "landscape: the long edge is the width once EXIF orientation 6 is applied");
  assert.ok((meta.height ?? 0) < 256);

  const replay = await vs3d(cwd, ["replay", result.task_id]);
  assert.equal(replay.exitCode, 0, replay.stderr);
  const lines = replay.stdout.trim().split("\n");
  assert.match(lines[0]!, /TaskAccepted/);
  assert.match(lines.at(-2)!, /TaskCompleted\s+→ completed/);
  assert.equal(lines.at(-1), "state: completed");
});

test("vs3d process on a pixel bomb prints a failed result with INPUT_TOO_LARGE and exits non-zero", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-"));
  const run = await vs3d(cwd, ["process", fixture("images", "derived_pixelbomb_20000x20000_gray.png"), "--type", "image_thumbnail", "--out", "out", "--json"]);
  assert.equal(run.exitCode, 1);
  const result = ResultMessage.parse(lastLine(run.stdout));
  assert.equal(result.status, "failed");
  if (result.status !== "failed") return;
  assert.equal(result.error.code, "INPUT_TOO_LARGE");
  assert.equal(result.error.recoverable, false);
  assert.equal(result.error.stage, "thumbnail_256");
  assert.equal(result.retry.will_retry, false);
});

test("vs3d process: an unknown task type is INVALID_MESSAGE, a known type without a processor is UNSUPPORTED_TASK_TYPE, bad params are INVALID_PARAMS", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-"));
  const photo = fixture("images", "recurser_Landscape_3.jpg");
  const unknown = await vs3d(cwd, ["process", photo, "--type", "teleport", "--json"]);
  assert.equal(unknown.exitCode, 2);
  assert.equal((lastLine(unknown.stdout) as { error: { code: string } }).error.code, "INVALID_MESSAGE");

  // Every built-in type has a processor now: a node whose registry lacks the type (as the host's
  // acceptTask sees it) is what "known type without a processor" means.
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    const registry = await loadProcessorRegistry([], { only: ["image_thumbnail"] });
    const task = sampleTask({ task_type: "mesh_3d_lod", params: {} });
    assert.equal((await acceptTask({ store, registry, tenantPrefix: undefined }, task)).outcome, "rejected");
    const failed = lastResult((await store.readStream(taskStreamId(task.task_id))).map(parseStored));
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.status === "failed" ? failed.error.code : null, "UNSUPPORTED_TASK_TYPE");
  } finally {
    await store.close();
  }

  const badParams = await vs3d(cwd, ["process", photo, "--type", "image_thumbnail", "--params", '{"sizes":[-5]}', "--json"]);
  assert.equal(badParams.exitCode, 1);
  const r = lastLine(badParams.stdout) as { error: { code: string; message: string } };
  assert.equal(r.error.code, "INVALID_PARAMS");
  assert.match(r.error.message, /sizes/);
});

test("vs3d machine prints the task machine's definition with every state", { timeout: 60_000 }, async () => {
  const run = await vs3d(REPO_ROOT, ["machine", "task"]);
  assert.equal(run.exitCode, 0, run.stderr);
  const { version, definition } = JSON.parse(run.stdout) as { version: string; definition: { states: Record<string, unknown> } };
  assert.match(version, /^task-machine@\d+$/);
  for (const s of ["queued", "downloading", "waiting_for_slot", "processing", "uploading", "retrying", "completed", "failed", "dead_lettered", "cancelled"]) {
    assert.ok(s in definition.states, s);
  }
  assert.equal((await vs3d(REPO_ROOT, ["machine", "nope"])).exitCode, 2);
});
