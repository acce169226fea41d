import { test } from "node:test";
import assert from "node:assert/strict";
import { TASK_STATES } from "../../src/machines/task.machine.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

const json = { "content-type": "application/json" };

test(
  "HTTP boundary: unstorable strings, depth and size are 400/413 (never 500); array params are INVALID_PARAMS; one task per canonical task_id; a different body is 409",
  { timeout: 120_000 },
  async () => {
    const sandbox = await embeddedEnv();
    await sandbox.put("in", "files/input.bin", "hello");
    const svc = await startServiceProcess({ ...sandbox.env, LOG_LEVEL: "warn" });
    const post = (body: string) => fetch(`${svc.url}/tasks`, { method: "POST", headers: json, body });
    const quick = { stages: 1, stage_ms: 10 };
    try {
      // Defect 3: NUL in strings no schema checks; a lone surrogate.
      const nulKey = JSON.stringify(taskMessage({ params: { ...quick, "evil\u0000": 1 } }));
      const cases: [string, string, number, RegExp][] = [
        ["NUL in an unknown params key", nulKey, 400, /cannot be stored/],
        ["NUL in source.bucket", JSON.stringify(taskMessage({ source: { bucket: "in\u0000", key: "files/input.bin" } })), 400, /cannot be stored/],
        ["NUL in source.format", JSON.stringify(taskMessage({ source: { bucket: "in", key: "files/input.bin", format: "bin\u0000" } })), 400, /cannot be stored/],
        ["lone surrogate", JSON.stringify(taskMessage({ params: { ...quick, note: "\ud800" } })), 400, /surrogate/],
        // Defect 6: depth.
        ["params 5 000 deep", JSON.stringify(taskMessage({ params: "@" })).replace('"@"', `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`), 400, /deeper than/],
        // Defect 8: attempt over max_attempts; someone else's progress channel.
        ["attempt 5 of 3", JSON.stringify(taskMessage({ retry: { attempt: 5, max_attempts: 3 } })), 400, /max_attempts/],
        ["another task's progress channel", JSON.stringify(taskMessage({ webhook: { progress_channel: `task:${crypto.randomUUID()}:progress` } })), 400, /progress_channel/],
      ];
      for (const [what, body, status, message] of cases) {
        const r = await post(body);
        const answer = (await r.json()) as { error: { code: string; message: string } };
        assert.equal(r.status, status, `${what}: ${JSON.stringify(answer)}`);
        assert.equal(answer.error.code, "INVALID_MESSAGE", what);
        assert.match(answer.error.message, message, what);
      }

      // Defect 6: a body over the limit is 413, read no further; nothing is stored.
      const bigMsg = taskMessage({ params: { ...quick, pad: "x".repeat(5 * 2 ** 20) } });
      const big = await post(JSON.stringify(bigMsg));
      assert.equal(big.status, 413);
      assert.equal(((await big.json()) as { error: { code: string } }).error.code, "INVALID_MESSAGE");
      assert.equal((await fetch(`${svc.url}/tasks/${bigMsg.task_id as string}/events`)).status, 404, "the oversized message left no stream");

      // Defect 8: params as an array: accepted and failed with INVALID_PARAMS.
      const arr = taskMessage({ params: [1, 2] });
      const rejected = await post(JSON.stringify(arr));
      assert.equal(rejected.status, 422, "a task the service will not run is refused now, not 202");
      const body = (await rejected.json()) as { outcome: string; error: { code: string } };
      assert.equal(body.outcome, "rejected");
      assert.equal(body.error.code, "INVALID_PARAMS");
      const view = (await (await fetch(`${svc.url}/tasks/${arr.task_id as string}`)).json()) as { state: string; error: { code: string } };
      assert.equal(view.state, "failed");
      assert.equal(view.error.code, "INVALID_PARAMS");

      // Defect 8: an uppercase copy is the same task; a different body is a conflict.
      const msg = taskMessage({ params: quick });
      const id = msg.task_id as string;
      assert.equal((await post(JSON.stringify(msg))).status, 202);
      const upper = await post(JSON.stringify({ ...msg, task_id: id.toUpperCase() }));
      assert.equal(upper.status, 200);
      // Its state is the task's at that moment: a 10 ms task may have moved on by the next request.
      const duplicate = (await upper.json()) as { task_id: string; outcome: string; state: string };
      assert.deepEqual({ task_id: duplicate.task_id, outcome: duplicate.outcome }, { task_id: id, outcome: "duplicate" });
      assert.ok((TASK_STATES as readonly string[]).includes(duplicate.state), duplicate.state);
      const conflict = await post(JSON.stringify({ ...msg, params: { ...quick, stages: 2 } }));
      assert.equal(conflict.status, 409);
      assert.match(((await conflict.json()) as { error: { message: string } }).error.message, /differs in params/);
      await waitFor("the task to complete", async () => ((await (await fetch(`${svc.url}/tasks/${id.toUpperCase()}`)).json()) as { state: string }).state === "completed", 30_000);
      const events = (await (await fetch(`${svc.url}/tasks/${id}/events`)).json()) as { events: { type: string }[] };
      assert.equal(events.events.filter((e) => e.type === "TaskAccepted").length, 1);
      assert.equal(events.events.filter((e) => e.type === "StageStarted").length, 1, "ran once, with the first body");

      // A cancel reason is stored as well: a NUL in it is refused like any unstorable string (400), never a 500.
      const slow = taskMessage({ params: { stages: 1, stage_ms: 20_000 } });
      await post(JSON.stringify(slow));
      const cancel = await fetch(`${svc.url}/tasks/${slow.task_id as string}/cancel`, { method: "POST", headers: json, body: JSON.stringify({ reason: "bye\u0000" }) });
      assert.equal(cancel.status, 400, `cancel answered ${cancel.status}`);
      assert.equal(((await cancel.json()) as { error: { code: string } }).error.code, "INVALID_MESSAGE");
      assert.equal((await fetch(`${svc.url}/health/live`)).status, 200, "the node is still up");
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${svc.logs().slice(-4000)}`, { cause: error });
    } finally {
      svc.process.kill("SIGTERM");
      await svc.process;
    }
  },
);
