import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/service-process.ts";

const VS3D = join(REPO_ROOT, "bin", "vs3d.js");
const lastLine = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as { task_id: string; status: string; error?: { code: string; message: string } };

test("CLI boundary: a NUL in --params is a result line with INVALID_MESSAGE and exit 2 (no stack trace); array params are INVALID_PARAMS", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-b-"));
  const photo = fixture("images", "recurser_Landscape_3.jpg");
  const env = { LOG_LEVEL: "silent", DATA_DIR: join(cwd, "data"), WORK_DIR: join(cwd, "work") };
  const nul = await execa(VS3D, ["process", photo, "--type", "image_thumbnail", "--params", '{"sizes":[64],"x\\u0000":1}', "--json"], { cwd, reject: false, env });
  assert.equal(nul.exitCode, 2, nul.stderr);
  const r = lastLine(nul.stdout);
  assert.equal(r.error?.code, "INVALID_MESSAGE");
  assert.match(r.error?.message ?? "", /cannot be stored/);
  assert.doesNotMatch(nul.stderr, /at .*\.ts:\d+/, "no stack trace");

  const deep = await execa(VS3D, ["process", photo, "--type", "image_thumbnail", "--params", `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`, "--json"], { cwd, reject: false, env });
  assert.equal(deep.exitCode, 2, deep.stderr);
  assert.match(lastLine(deep.stdout).error?.message ?? "", /deeper than/);

  const arr = await execa(VS3D, ["process", photo, "--type", "image_thumbnail", "--params", "[256]", "--json"], { cwd, reject: false, env });
  assert.equal(arr.exitCode, 1, arr.stderr);
  const a = lastLine(arr.stdout);
  assert.equal(a.status, "failed");
  assert.equal(a.error?.code, "INVALID_PARAMS");
});

test("defect 5: SIGTERM during vs3d process records TaskInterrupted, removes the work dir and prints an INTERRUPTED result line", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-term-"));
  const input = join(cwd, "input.bin");
  await writeFile(input, "hello");
  const work = join(cwd, "work");
  const env = { LOG_LEVEL: "silent", DATA_DIR: join(cwd, "data"), WORK_DIR: work, PROCESSOR_MODULES: join(REPO_ROOT, "test", "fixtures", "test-processors.ts"), SHUTDOWN_GRACE_SECONDS: "10" };
  const child = execa(VS3D, ["process", input, "--type", "image_convert", "--params", '{"stages":2,"stage_ms":30000}', "--out", "out", "--json"], { cwd, reject: false, env });
  // The task is running once its work dir holds the downloaded input.
  await waitFor("the task to start", async () => (await readdir(work, { recursive: true }).catch(() => [])).some((p) => String(p).endsWith("input.bin")), 60_000);
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  child.kill("SIGTERM");
  const run = await child;
  assert.ok(Date.now() - t0 < 10_000, `stopped in ${Date.now() - t0} ms`);
  assert.equal(run.exitCode, 143, `${run.stderr}\n${run.stdout}`);
  const r = lastLine(run.stdout);
  assert.equal(r.error?.code, "INTERRUPTED");
  assert.deepEqual(await readdir(work), [], "the task's work dir is gone");

  // (An uppercase copy of the id names the same stream.)
  const replay = await execa(VS3D, ["replay", r.task_id.toUpperCase()], { cwd, reject: false, env });
  assert.equal(replay.exitCode, 0, replay.stderr);
  assert.match(replay.stdout, /TaskInterrupted/);
  assert.doesNotMatch(replay.stdout.trim().split("\n").at(-1)!, /processing/, "the stream does not stay in processing");
});
