import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { renderSchemas } from "../../scripts/export-schemas.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";

test("the checked-in JSON Schemas match the zod contracts (run `npm run schemas` when this fails)", async () => {
  for (const [file, text] of await renderSchemas()) {
    const current = await readFile(join(REPO_ROOT, "schemas", file), "utf8").catch(() => null);
    assert.equal(current, text, `schemas/${file} is stale`);
  }
});

test("the task message schema accepts DESIGN.md's example and rejects an unknown task type", async () => {
  const ajv = new Ajv2020({ strict: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // Loaded as Laravel would: every file of schemas/, the task message referring to its params schemas.
  for (const f of await readdir(join(REPO_ROOT, "schemas"))) ajv.addSchema(JSON.parse(await readFile(join(REPO_ROOT, "schemas", f), "utf8")) as object);
  const validate = ajv.getSchema("https://schemas.vision-s3d.dev/converter/task-message.schema.json")!;
  const example = {
    task_id: "7d0f3c1e-2b4a-4f7e-9a51-0c2d8e6f1a23",
    tenant_id: "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
    file_id: "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f",
    task_type: "point_cloud_lod",
    priority: 5,
    submitted_at: "2026-02-28T10:00:00Z",
    source: { bucket: "b", key: "tenants/abc/files/scan.las", size_bytes: 2147483648, format: "las" },
    destination: { bucket: "b", base_key: "tenants/abc/processed/scan/" },
    params: { levels: 3 },
    webhook: { callback_queue: "vision-s3d.results", progress_channel: "task:7d0f3c1e-2b4a-4f7e-9a51-0c2d8e6f1a23:progress" },
    retry: { attempt: 1, max_attempts: 3 },
  };
  assert.equal(validate(example), true, JSON.stringify(validate.errors));
  assert.equal(validate({ ...example, task_type: "teleport" }), false);
});
