import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { execa } from "execa";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { freePort, waitFor } from "../helpers/service-process.ts";

interface LogLine {
  level: string;
  msg: string;
  task_id?: string;
  task_type?: string;
  tenant_id?: string;
  attempt?: number;
  code?: string;
  source?: string;
  warning?: { code?: string };
}

test(
  "service stdout is JSON lines only: one line each for an accepted, rejected, cancelled, retried and dead-lettered task, and a dependency's notices become lines too",
  { timeout: 180_000 },
  async () => {
    const installation = await embeddedEnv();
    await installation.put("in", "files/input.bin", "hello");
    const port = await freePort();
    const child = execa(process.execPath, ["--import", "tsx", "--import", join(REPO_ROOT, "test/service/noisy-dependency.preload.mjs"), join(REPO_ROOT, "src/main.ts")], {
      cwd: REPO_ROOT,
      env: { ...installation.env, LOG_LEVEL: "info", HTTP_PORT: String(port), RETRY_DELAYS_SECONDS: "1" },
      reject: false,
      buffer: false,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const lines = (): LogLine[] =>
      stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as LogLine);
    const submit = async (body: Record<string, unknown>) => (await fetch(`${url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).status;
    const stateOf = async (id: string) => ((await (await fetch(`${url}/tasks/${id}`)).json()) as { state: string }).state;
    const completed = taskMessage({ params: { stages: 1, stage_ms: 50 } });
    const rejected = taskMessage({ params: { stages: "three" } });
    const cancelled = taskMessage({ params: { stages: 3, stage_ms: 5000 } });
    const malformed: Record<string, unknown> = { ...taskMessage(), source: 5 }; // breaks the contract: never a task, refused at the door
    const dead = taskMessage({ params: { stages: 1, stage_ms: 50, crash_in: "step_1" }, retry: { attempt: 1, max_attempts: 2 } });
    try {
      await waitFor(
        "the service",
        () =>
          fetch(`${url}/health/live`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
      );

      assert.equal(await submit(completed), 202);
      assert.equal(await submit(rejected), 422);
      assert.equal(await submit(cancelled), 202);
      assert.equal(await submit(dead), 202);
      assert.equal(await submit(malformed), 400);
      await waitFor("the slow task running", async () => (await stateOf(String(cancelled.task_id))) === "processing", 60_000);
      assert.equal(
        (await fetch(`${url}/tasks/${String(cancelled.task_id)}/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "operator test" }) }))
          .status,
        202,
      );
      child.kill("SIGUSR2");

      const ended = (id: unknown, msg: string) => lines().some((l) => l.task_id === id && l.msg === msg);
      await waitFor(
        "every task's last line",
        () =>
          Promise.resolve(
            ended(completed.task_id, "task completed") && ended(rejected.task_id, "task rejected") && ended(cancelled.task_id, "task cancelled") && ended(dead.task_id, "task dead-lettered"),
          ),
        120_000,
      );
      await waitFor("the noise", () => Promise.resolve(lines().filter((l) => l.source !== undefined || l.warning !== undefined).length >= 4), 10_000);
    } finally {
      child.kill("SIGTERM");
      await child;
    }

    // Every line on stdout parsed above (JSON.parse throws on raw text); now their content.
    const all = lines();
    const one = (id: unknown, msg: string) => {
      const found = all.filter((l) => l.task_id === id && l.msg === msg);
      assert.equal(found.length, 1, `one "${msg}" line for ${String(id)}:\n${found.map((l) => JSON.stringify(l)).join("\n")}`);
      const l = found[0]!;
      for (const field of ["task_id", "task_type", "tenant_id", "attempt", "code"] as const) assert.notEqual(l[field], undefined, `${msg} has ${field}`);
      return l;
    };
    const accepted = one(completed.task_id, "task accepted");
    assert.deepEqual([accepted.level, accepted.task_type, accepted.tenant_id, accepted.attempt], ["info", "image_convert", completed.tenant_id, 1]);
    const refused = one(rejected.task_id, "task rejected");
    assert.deepEqual([refused.level, refused.code], ["warn", "INVALID_PARAMS"], "a user's bad params: warn, not error");
    assert.equal(all.filter((l) => l.task_id === rejected.task_id && l.msg === "task accepted").length, 0, "a rejected task is not also accepted");
    const door = one(malformed.task_id, "task rejected");
    assert.deepEqual([door.level, door.code, door.tenant_id, (door as { intake?: string }).intake], ["warn", "INVALID_MESSAGE", malformed.tenant_id, "http"]);
    assert.deepEqual([one(cancelled.task_id, "task cancelled").level, one(cancelled.task_id, "task cancelled").code], ["info", "CANCELLED"]);
    const retried = one(dead.task_id, "task attempt failed: retrying");
    assert.deepEqual([retried.level, retried.code, retried.attempt], ["warn", "PROCESSOR_CRASHED", 1]);
    const lettered = one(dead.task_id, "task dead-lettered");
    assert.deepEqual([lettered.code, lettered.attempt], ["PROCESSOR_CRASHED", 2]);

    assert.ok(
      all.some((l) => l.warning?.code === "DEP_VS3D_TEST" && l.level === "warn"),
      "the deprecation warning is a JSON line",
    );
    assert.ok(
      all.some((l) => l.source === "stdout" && /notice on stdout/.test(JSON.stringify(l))),
      "console.log from a dependency is a JSON line",
    );
    assert.ok(all.some((l) => l.source === "stdout" && /raw bytes without a newline/.test(JSON.stringify(l))));
    assert.ok(
      all.some((l) => l.source === "stderr" && /notice on stderr/.test(JSON.stringify(l))),
      "console.warn too",
    );
    assert.doesNotMatch(stderr, /DeprecationWarning|noisy-lib/, "nothing of it on stderr as raw text");
  },
);
