import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { execa } from "execa";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

interface Listed {
  tasks: { task_id: string; state: string; rejected: boolean; outputs: { size_bytes: number }[] }[];
  total: number;
}

test("vs3d tasks and vs3d cancel: through the service's HTTP API while it holds the store, from the store once it stopped", { timeout: 240_000 }, async () => {
  const installation = await embeddedEnv();
  await installation.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess(installation.env);
  const port = new URL(svc.url).port;
  const vs3d = (args: string[]) => execa(join(REPO_ROOT, "bin", "vs3d.js"), args, { cwd: installation.root, reject: false, env: { ...installation.env, HTTP_PORT: port, LOG_LEVEL: "silent" } });
  const submit = (body: Record<string, unknown>) => fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const stateOf = async (id: unknown) => ((await (await fetch(`${svc.url}/tasks/${String(id)}`)).json()) as { state: string }).state;
  const done = taskMessage({ params: { stages: 2, stage_ms: 50 } });
  // Long enough to be cancelled while running, even when CLI runs take seconds each under load.
  const long = taskMessage({ params: { stages: 3, stage_ms: 25_000 } });
  const later = taskMessage({ params: { stages: 3, stage_ms: 25_000 } });
  const refused = taskMessage({ params: { stages: "many" } });
  let stopped = false;
  try {
    assert.equal((await submit(done)).status, 202);
    assert.equal((await submit(long)).status, 202);
    assert.equal((await submit(refused)).status, 422);
    await waitFor("the short task", async () => (await stateOf(done.task_id)) === "completed", 60_000);
    await waitFor("the long task running", async () => (await stateOf(long.task_id)) === "processing", 60_000);

    // The service holds DATA_DIR: the CLI asks it instead of failing.
    const table = await vs3d(["tasks"]);
    assert.equal(table.exitCode, 0, table.stderr);
    const rows = table.stdout.split("\n");
    assert.match(rows[0]!, /^TASK_ID\s+TYPE\s+STATE\s+ATTEMPT\s+PROGRESS\s+OUTPUTS\s+TOOK\s+UPDATED\s+ERROR$/);
    const row = (id: unknown) => rows.find((r) => r.startsWith(String(id))) ?? "";
    assert.match(row(done.task_id), /image_convert\s+completed\s+1\/3\s+100%\s+2 \(\d+ B\)\s+[\d.]+ (ms|s)\s+[\d.]+ (ms|s|m \d+ s) ago/, row(done.task_id));
    assert.match(row(long.task_id), /processing/);
    assert.equal(row(refused.task_id), "", "refused tasks are hidden by default");
    assert.match(table.stdout, new RegExp(`2 of 2 task\\(s\\) \\(from the service at http://127\\.0\\.0\\.1:${port}\\)`));

    const cancel = await vs3d(["cancel", String(long.task_id), "--reason", "wrong file"]);
    assert.equal(cancel.exitCode, 0, cancel.stderr);
    await waitFor("the cancel", async () => (await stateOf(long.task_id)) === "cancelled", 30_000);
    const events = (await (await fetch(`${svc.url}/tasks/${String(long.task_id)}/events`)).json()) as { events: { type: string; data: { reason?: string } }[] };
    assert.equal(events.events.find((e) => e.type === "TaskCancelled")?.data.reason, "wrong file");
    const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Listed;
    const onlyDone = await vs3d(["tasks", "--state", "completed", "--type", "image_convert", "--json"]);
    assert.deepEqual(
      json(onlyDone).tasks.map((t) => t.task_id),
      [done.task_id],
    );
    assert.deepEqual(
      json(await vs3d(["tasks", "--rejected", "only", "--json"])).tasks.map((t) => t.task_id),
      [refused.task_id],
    );
    assert.equal(json(await vs3d(["tasks", "--limit", "1", "--json"])).tasks.length, 1);

    const again = await vs3d(["cancel", String(long.task_id)]);
    assert.equal(again.exitCode, 1, "already settled");
    assert.equal(again.stderr.trim().split("\n").length, 1);
    assert.equal((await vs3d(["cancel", "00000000-0000-4000-8000-000000000000"])).exitCode, 2, "no such task");

    // A task interrupted by a stop is queued in its stream; with the service gone the CLI reads and
    // writes the store itself.
    assert.equal((await submit(later)).status, 202);
    await waitFor("the third task running", async () => (await stateOf(later.task_id)) === "processing", 60_000);
    svc.process.kill("SIGTERM");
    await svc.process;
    stopped = true;
    const local = await vs3d(["tasks", "--json"]);
    assert.equal(local.exitCode, 0, local.stderr);
    const states = Object.fromEntries(json(local).tasks.map((t) => [t.task_id, t.state]));
    assert.deepEqual(states, { [String(done.task_id)]: "completed", [String(long.task_id)]: "cancelled", [String(later.task_id)]: "queued" });
    const localTable = await vs3d(["tasks"]);
    assert.doesNotMatch(localTable.stdout, /from the service/);
    const cancelLocal = await vs3d(["cancel", String(later.task_id), "--json"]);
    assert.equal(cancelLocal.exitCode, 0, cancelLocal.stderr);
    assert.equal((JSON.parse(cancelLocal.stdout) as { cancel: string }).cancel, "recorded");
    assert.equal(json(await vs3d(["tasks", "--state", "cancelled", "--json"])).total, 2);
  } finally {
    if (!stopped) {
      svc.process.kill("SIGTERM");
      await svc.process;
    }
  }
});
