import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTask } from "../../src/intake/decode-task.ts";
import { MESSAGE_LIMITS, jsonSafetyIssue } from "../../src/contracts/json-safety.ts";
import { publicMessage, AppError } from "../../src/contracts/app-error.ts";
import { CancelMessage } from "../../src/contracts/control-message.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/pglite-event-store.ts";
import { sampleTask } from "../helpers/task-events.ts";

const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

test("defect 3: a NUL or a lone surrogate in any string the schemas do not check is INVALID_MESSAGE at the decoder", () => {
  const t = sampleTask();
  const cases: [string, unknown][] = [
    ["unknown params key", { ...t, params: { ...t.params, "evil\u0000key": 1 } }],
    ["params value", { ...t, params: { sizes: [64], note: "a\u0000b" } }],
    ["source.format", { ...t, source: { ...t.source, format: "jpg\u0000" } }],
    ["source.bucket", { ...t, source: { ...t.source, bucket: "in\u0000" } }],
    ["lone high surrogate", { ...t, params: { note: "x\ud800y" } }],
    ["lone low surrogate in a key", { ...t, params: { "\udc00": true } }],
  ];
  for (const [what, msg] of cases) {
    const d = decodeTask(bytes(msg));
    assert.equal(d.kind, "invalid", what);
    if (d.kind !== "invalid") continue;
    assert.match(d.reason, /cannot be stored/, what);
    assert.equal(d.salvage?.task_id, t.task_id, `${what}: the task still gets its failed result`);
  }
  // A well-formed pair (an emoji) is fine.
  assert.equal(decodeTask(bytes({ ...t, params: { ...t.params, note: "ok \ud83d\ude00" } })).kind, "task");
});

test("defect 3: what the decoder refuses is exactly what PostgreSQL jsonb refuses", async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    for (const value of ["a\u0000b", "x\ud800y"]) {
      assert.notEqual(jsonSafetyIssue({ v: value }), null);
      await assert.rejects(
        store.append("probe-1", [{ id: crypto.randomUUID(), type: "Probe", data: { v: value }, metadata: { correlation_id: "probe", causation_id: "probe" } }], { expectedRevision: "any" }),
      );
    }
    // …and a safe value goes in.
    assert.equal(jsonSafetyIssue({ v: "ok \ud83d\ude00" }), null);
    await store.append("probe-2", [{ id: crypto.randomUUID(), type: "Probe", data: { v: "ok \ud83d\ude00" }, metadata: { correlation_id: "probe", causation_id: "probe" } }], {
      expectedRevision: "any",
    });
  } finally {
    await store.close();
  }
});

test("defect 6: params nested 5 000 deep are INVALID_MESSAGE, not a crash; 30 deep still decodes", () => {
  const t = sampleTask();
  // Built as text: JSON.stringify itself overflows the stack on such a value (that was the 500).
  const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
  const d = decodeTask(bytes(JSON.stringify({ ...t, params: { deep: "@" } }).replace('"@"', deep)));
  assert.equal(d.kind, "invalid");
  if (d.kind === "invalid") assert.match(d.reason, new RegExp(`deeper than ${MESSAGE_LIMITS.maxDepth}`));
  // The message is level 1 and params level 2, so a value 29 objects down is at level 31.
  assert.equal(decodeTask(bytes({ ...t, params: { sizes: [64], deep: nested(28) } })).kind, "task");
});

test("defect 6: a body over the message size limit is refused before it is parsed", () => {
  const t = sampleTask();
  const big = bytes({ ...t, params: { sizes: [64], pad: "x".repeat(MESSAGE_LIMITS.maxBytes) } });
  const d = decodeTask(big);
  assert.equal(d.kind, "invalid");
  if (d.kind === "invalid") {
    assert.equal(d.tooLarge, true);
    assert.match(d.reason, /over the limit/);
  }
});

test("defect 8: an uppercase task_id is the same task: one canonical lowercase form", () => {
  const t = sampleTask();
  const upper = { ...t, task_id: t.task_id.toUpperCase(), webhook: { progress_channel: `task:${t.task_id.toUpperCase()}:progress` } };
  const d = decodeTask(bytes(upper));
  assert.equal(d.kind, "task");
  if (d.kind === "task") {
    assert.equal(d.task.task_id, t.task_id);
    assert.equal(d.task.webhook.progress_channel, `task:${t.task_id}:progress`);
  }
  const cancel = CancelMessage.parse({ type: "cancel", task_id: t.task_id.toUpperCase() });
  assert.equal(cancel.task_id, t.task_id);
  assert.equal(CancelMessage.safeParse({ type: "cancel", task_id: t.task_id, reason: "a\u0000" }).success, false, "a cancel reason is stored too");
});

test("defect 8: attempt over max_attempts is refused", () => {
  const d = decodeTask(bytes({ ...sampleTask(), retry: { attempt: 5, max_attempts: 3 } }));
  assert.equal(d.kind, "invalid");
  if (d.kind === "invalid") assert.match(d.reason, /retry\.attempt: attempt 5 is over max_attempts 3/);
  assert.equal(decodeTask(bytes({ ...sampleTask(), retry: { attempt: 3, max_attempts: 3 } })).kind, "task");
});

test("defect 7: progress_channel must be the task's own channel or absent", () => {
  const t = sampleTask();
  const other = sampleTask();
  const d = decodeTask(bytes({ ...t, webhook: { progress_channel: `task:${other.task_id}:progress` } }));
  assert.equal(d.kind, "invalid");
  if (d.kind === "invalid") assert.match(d.reason, /webhook\.progress_channel/);
  assert.equal(decodeTask(bytes({ ...t, webhook: { progress_channel: `task:${t.task_id}:progress` } })).kind, "task");
  assert.equal(decodeTask(bytes({ ...t, webhook: {} })).kind, "task");
});

test("defect 8: params given as an array (or a string, null) are a task with bad params, not a bad message", () => {
  for (const params of [[1, 2], "sizes=64", null, 7]) {
    const d = decodeTask(bytes({ ...sampleTask(), params }));
    assert.equal(d.kind, "task", JSON.stringify(params));
    if (d.kind !== "task") continue;
    assert.match(d.paramsError ?? "", /params must be a JSON object/);
    assert.deepEqual(d.task.params, {});
  }
  const ok = decodeTask(bytes(sampleTask()));
  assert.ok(ok.kind === "task" && ok.paramsError === undefined);
});

test("defect 8: no host path in any error message", () => {
  const e = new AppError("INTERNAL", "ENAMETOOLONG: name too long, open '/tmp/vs3d-work/3f1c/out/files/aaaaaaaa.txt'");
  assert.doesNotMatch(e.message, /\/tmp|vs3d-work/);
  assert.match(e.message, /aaaaaaaa\.txt/);
  assert.equal(publicMessage("see http://127.0.0.1:9000/bucket/key and tenants/t/files/a.jpg"), "see http://127.0.0.1:9000/bucket/key and tenants/t/files/a.jpg", "URLs and object keys are kept");
  assert.ok(new AppError("INTERNAL", "x".repeat(10_000)).message.length <= 2000);
  // A tool's stderr with a NUL or half a surrogate pair still makes a storable failure.
  const storable = new AppError("TOOL_FAILED", "gdal said a\u0000b and \ud800").message;
  assert.equal(jsonSafetyIssue(storable), null);
  assert.equal(storable, "gdal said a\uFFFDb and \uFFFD");
});
