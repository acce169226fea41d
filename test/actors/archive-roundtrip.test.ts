import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { taskStreamId } from "../../src/contracts/task-events.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { parseStored } from "../../src/actors/task-stream.ts";
import { lastResult } from "../../src/projections/pure/task-history.ts";
import { createService } from "../../src/service/service.ts";

test("archive_compress over a prefix of objects, then archive_extract of its output, through the service", { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), "vs3d-archive-"));
  const config = loadConfig({ DATA_DIR: join(root, "data"), WORK_DIR: join(root, "work"), LOG_LEVEL: "silent", TENANT_PREFIX: "tenants/{tenant_id}/" });
  const service = await createService(config, silentLogger());
  const tenant = randomUUID();
  const files = { "a.txt": "alpha\n", "sub/b.txt": "beta\n".repeat(1000), "sub/deeper/c.bin": "\u0000\u0001gamma" };
  try {
    for (const [name, body] of Object.entries(files)) {
      const path = join(root, "data", "storage", "b", "tenants", tenant, "set", name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
    }
    const submit = async (taskType: string, key: string, params: Record<string, unknown>) => {
      const task = TaskMessage.parse({
        task_id: randomUUID(),
        tenant_id: tenant,
        file_id: randomUUID(),
        task_type: taskType,
        submitted_at: new Date().toISOString(),
        source: { bucket: "b", key },
        destination: { bucket: "b", base_key: `tenants/${tenant}/out/${taskType}/` },
        params,
      });
      const { done } = await service.host.submit(task);
      await done;
      const result = lastResult((await service.store.readStream(taskStreamId(task.task_id))).map(parseStored));
      assert.ok(result);
      return result;
    };
    const compressed = await submit("archive_compress", `tenants/${tenant}/set/a.txt`, { format: "zip", source_prefix: `tenants/${tenant}/set/` });
    assert.equal(compressed.status, "completed", JSON.stringify(compressed));
    if (compressed.status !== "completed") return;
    const zipKey = compressed.outputs[0]!.key;
    assert.equal(zipKey, `tenants/${tenant}/out/archive_compress/archive.zip`);

    const extracted = await submit("archive_extract", zipKey, {});
    assert.equal(extracted.status, "completed", JSON.stringify(extracted));
    if (extracted.status !== "completed") return;
    for (const [name, body] of Object.entries(files)) {
      const out: { key: string } | undefined = extracted.outputs.find((o) => o.key.endsWith(`/files/${name}`));
      assert.ok(out, `extracted ${name}`);
      assert.equal(await readFile(join(root, "data", "storage", "b", out.key), "utf8"), body);
    }
    assert.ok(extracted.outputs.some((o) => o.type === "manifest"));

    // A prefix outside the tenant's folder is refused before anything is read.
    const escaped = await submit("archive_compress", `tenants/${tenant}/set/a.txt`, { format: "zip", source_prefix: "tenants/someone-else/" });
    assert.equal(escaped.status, "failed");
    if (escaped.status === "failed") assert.equal(escaped.error.code, "DESTINATION_OUTSIDE_PREFIX");
  } finally {
    await service.close();
  }
});
