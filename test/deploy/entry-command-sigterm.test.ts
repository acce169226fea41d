import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { freePort, waitFor } from "../helpers/service-process.ts";

/** ENTRYPOINT + CMD of the Dockerfile, as the container runtime would join them. */
async function imageCommandLine(): Promise<string[]> {
  const docker = await readFile(join(REPO_ROOT, "Dockerfile"), "utf8");
  const json = (key: string) => JSON.parse(new RegExp(`^${key} (\\[.*\\])$`, "m").exec(docker)![1]!) as string[];
  return [...json("ENTRYPOINT"), ...json("CMD")];
}

test("SIGTERM to the image's entry command line (tini → node) during a task: TaskInterrupted and a clean exit within the grace", { timeout: 90_000 }, async () => {
  const [command, ...args] = await imageCommandLine();
  assert.equal(command, "/usr/bin/tini", "tini is PID 1 in the image");
  assert.ok(!args.includes("npm"), "node is started directly, not through npm");
  const root = await mkdtemp(join(tmpdir(), "vs3d-entry-"));
  const storage = join(root, "storage");
  const tenant = randomUUID();
  const key = `tenants/${tenant}/files/input.bin`;
  await mkdir(join(storage, "in", `tenants/${tenant}/files`), { recursive: true });
  await writeFile(join(storage, "in", key), "hello");
  const port = await freePort();
  const grace = 10;
  const child = execa(command, args, {
    cwd: REPO_ROOT,
    reject: false,
    env: {
      // The image's `node` is Node 24: here, the one running this test (the project's, not the system's).
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
      HTTP_PORT: String(port),
      DATA_DIR: join(root, "data"),
      STORAGE_DIR: storage,
      WORK_DIR: join(root, "work"),
      SHUTDOWN_GRACE_SECONDS: String(grace),
      LOG_LEVEL: "info",
      PROCESSOR_MODULES: join(REPO_ROOT, "test", "fixtures", "test-processors.ts"),
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "the service to answer",
      () =>
        fetch(`${url}/health/live`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
    const taskId = randomUUID();
    const submitted = await fetch(`${url}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        task_id: taskId,
        tenant_id: tenant,
        file_id: randomUUID(),
        task_type: "image_convert",
        priority: 5,
        submitted_at: new Date().toISOString(),
        source: { bucket: "in", key },
        destination: { bucket: "out", base_key: `tenants/${tenant}/processed/${taskId}/` },
        params: { stages: 2, stage_ms: 20_000 },
        retry: { attempt: 1, max_attempts: 3 },
      }),
    });
    assert.ok(submitted.status < 300, `submitted: ${submitted.status} ${await submitted.text()}`);
    await waitFor(
      "step_1 to start",
      async () => {
        const r = await fetch(`${url}/tasks/${taskId}/events`);
        return r.ok && ((await r.json()) as { events: { type: string }[] }).events.some((e) => e.type === "StageStarted");
      },
      30_000,
    );

    const t0 = Date.now();
    child.kill("SIGTERM"); // to tini, as `docker stop` does
    const result = await child;
    const stopMs = Date.now() - t0;
    assert.equal(result.exitCode, 0, `a clean exit (signal ${String(result.signal)}):\n${result.stdout}\n${result.stderr}`);
    assert.ok(stopMs < grace * 1000, `exited within SHUTDOWN_GRACE_SECONDS (${stopMs} ms)`);
    assert.match(result.stdout, /"msg":"stopped"/, "the service logs JSON lines on stdout");

    const store = await openEventStore(join(root, "data", "events"));
    try {
      const events = await store.readStream(`task-${taskId}`);
      const interrupted = events.find((e) => e.type === "TaskInterrupted");
      assert.ok(interrupted, `the stream records the shutdown: ${events.map((e) => e.type).join(", ")}`);
      assert.ok(!events.some((e) => e.type === "StageCompleted"), "the 20 s stage did not run to its end");
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await child;
    await rm(root, { recursive: true, force: true });
  }
});
