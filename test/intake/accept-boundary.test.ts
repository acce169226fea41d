import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { acceptTask, TaskConflictError } from "../../src/actors/accept-task.ts";
import { parseStored } from "../../src/actors/task-stream.ts";
import { taskStreamId } from "../../src/contracts/task-events.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/pglite-event-store.ts";
import { decodeTask } from "../../src/intake/decode-task.ts";
import { lastResult } from "../../src/projections/pure/task-history.ts";
import { loadProcessorRegistry } from "../../src/processors/registry.ts";
import { sampleTask } from "../helpers/task-events.ts";

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

async function runtime(tenantPrefix?: string) {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  const registry = await loadProcessorRegistry([], { only: ["image_thumbnail", "archive_compress", "archive_extract"] });
  return { rt: { store, registry, tenantPrefix }, close: () => store.close() };
}

async function result(store: Awaited<ReturnType<typeof createPgliteEventStore>>, taskId: string) {
  return lastResult((await store.readStream(taskStreamId(taskId))).map(parseStored));
}

test("defect 8: the same task_id with a different body is a conflict; the same body (any case, any attempt) is a duplicate", async () => {
  const { rt, close } = await runtime();
  try {
    const task = sampleTask();
    assert.equal((await acceptTask(rt, task)).outcome, "new");
    const upper = decodeTask(bytes({ ...task, task_id: task.task_id.toUpperCase() }));
    assert.ok(upper.kind === "task");
    assert.equal((await acceptTask(rt, upper.task)).outcome, "duplicate", "an uppercase copy is the same task, not a second one");
    assert.equal((await acceptTask(rt, { ...task, retry: { attempt: 1, max_attempts: 5 } })).outcome, "duplicate", "retry fields may differ");
    await assert.rejects(acceptTask(rt, { ...task, params: { sizes: [512] } }), (e: unknown) => e instanceof TaskConflictError && /differs in params/.test(e.message));
    await assert.rejects(acceptTask(rt, { ...task, destination: { bucket: "other", base_key: "x/" } }), TaskConflictError);
    // The conflicting copy changed nothing.
    const events = (await rt.store.readStream(taskStreamId(task.task_id))).map(parseStored);
    assert.deepEqual(
      events.map((e) => e.type),
      ["TaskAccepted"],
    );
  } finally {
    await close();
  }
});

test("defect 8: params given as an array are accepted and failed with INVALID_PARAMS (a result, not a DLQ entry)", async () => {
  const { rt, close } = await runtime();
  try {
    const d = decodeTask(bytes({ ...sampleTask(), params: [64, 128] }));
    assert.ok(d.kind === "task" && d.paramsError);
    assert.equal((await acceptTask(rt, d.task, undefined, { paramsError: d.paramsError })).outcome, "rejected");
    const r = await result(rt.store, d.task.task_id);
    assert.equal(r?.status, "failed");
    if (r?.status === "failed") {
      assert.equal(r.error.code, "INVALID_PARAMS");
      assert.match(r.error.message, /not an array/);
    }
    // A redelivery of the same message is a duplicate, not a conflict.
    assert.equal((await acceptTask(rt, d.task, undefined, { paramsError: d.paramsError })).outcome, "duplicate");
  } finally {
    await close();
  }
});

function compressTask(tenant: string, sourceKey: string, params: Record<string, unknown>) {
  return sampleTask({ task_type: "archive_compress", tenant_id: tenant, source: { bucket: "in", key: sourceKey }, destination: { bucket: "out", base_key: `tenants/${tenant}/out/` }, params });
}

test("defect 7: archive_compress reads only its own source area: no empty prefix, no other tenant, no whole bucket", async () => {
  const tenant = randomUUID();
  const other = randomUUID();
  const cases: { tenantPrefix?: string; key: string; params: Record<string, unknown>; code: string | null }[] = [
    { key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_prefix: "" }, code: "INVALID_PARAMS" },
    { key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_prefix: "tenants/" }, code: "DESTINATION_OUTSIDE_PREFIX" },
    { key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_keys: [`tenants/${other}/secret.txt`] }, code: "DESTINATION_OUTSIDE_PREFIX" },
    { key: "a.txt", params: { format: "zip", source_prefix: "tenants/" }, code: "DESTINATION_OUTSIDE_PREFIX" },
    { tenantPrefix: "tenants/{tenant_id}/", key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_prefix: `tenants/${other}/` }, code: "DESTINATION_OUTSIDE_PREFIX" },
    // Allowed: within the folder of source.key, or anywhere in the tenant's prefix when TENANT_PREFIX is set.
    { key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_prefix: `tenants/${tenant}/set/sub/` }, code: null },
    { tenantPrefix: "tenants/{tenant_id}/", key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_prefix: `tenants/${tenant}/other/` }, code: null },
    { key: `tenants/${tenant}/set/a.txt`, params: { format: "zip", source_keys: [`tenants/${tenant}/set/a.txt`, `tenants/${tenant}/set/b/c.txt`] }, code: null },
  ];
  for (const c of cases) {
    const { rt, close } = await runtime(c.tenantPrefix);
    try {
      const task = compressTask(tenant, c.key, c.params);
      const { outcome } = await acceptTask(rt, task);
      const r = await result(rt.store, task.task_id);
      const what = JSON.stringify(c);
      if (c.code === null) assert.equal(outcome, "new", what);
      else {
        assert.equal(outcome, "rejected", what);
        assert.equal(r?.status === "failed" ? r.error.code : r?.status, c.code, what);
      }
    } finally {
      await close();
    }
  }
});

test("defect 7: archive_extract caps can be lowered by params but not raised past the operator's ceiling", async () => {
  const { rt, close } = await runtime();
  try {
    for (const [params, code] of [
      [{ max_ratio: 1000 }, "INVALID_PARAMS"],
      [{ max_entries: 1_000_000 }, "INVALID_PARAMS"],
      [{ max_total_bytes: 2 ** 50 }, "INVALID_PARAMS"],
      [{ max_ratio: 10, max_entries: 100 }, null],
    ] as const) {
      const task = sampleTask({ task_type: "archive_extract", source: { bucket: "in", key: "tenants/t/a.zip" }, params });
      const { outcome } = await acceptTask(rt, task);
      const r = await result(rt.store, task.task_id);
      if (code === null) assert.equal(outcome, "new");
      else {
        assert.equal(r?.status === "failed" ? r.error.code : outcome, code, JSON.stringify(params));
        if (r?.status === "failed") assert.match(r.error.message, /ceiling/);
      }
    }
  } finally {
    await close();
  }
});
