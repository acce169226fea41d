/** Runs under Node (node --test) and Deno (deno test): one image task through the embedded mode. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { loadConfig } from "../../src/config/config.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { createService } from "../../src/service/service.ts";
import { fixture } from "../helpers/fixtures.ts";

test("embedded mode: an image_thumbnail task completes with an upright 256 px thumbnail", async () => {
  const root = await mkdtemp(join(tmpdir(), "vs3d-smoke-"));
  const config = loadConfig({ DATA_DIR: join(root, "data"), WORK_DIR: join(root, "work") });
  // Deno's child processes do not speak execa's IPC, so the smoke test runs stages inline.
  const service = await createService(config, silentLogger(), { workerMode: "inline" });
  try {
    const storageRoot = join(root, "data", "storage");
    await mkdir(join(storageRoot, "in"), { recursive: true });
    await copyFile(fixture("images", "recurser_Landscape_6.jpg"), join(storageRoot, "in", "photo.jpg"));
    const task = TaskMessage.parse({
      task_id: randomUUID(),
      tenant_id: randomUUID(),
      file_id: randomUUID(),
      task_type: "image_thumbnail",
      submitted_at: new Date().toISOString(),
      source: { bucket: "in", key: "photo.jpg" },
      destination: { bucket: "out", base_key: "photo/" },
      params: { sizes: [256] },
    });
    const { done } = await service.host.submit(task);
    assert.equal(await done, "completed");
    const meta = await sharp(join(storageRoot, "out", "photo", "thumbnails", "256.webp")).metadata();
    assert.equal(Math.max(meta.width ?? 0, meta.height ?? 0), 256);
    assert.ok((meta.width ?? 0) > (meta.height ?? 0), "EXIF orientation 6 applied: the landscape stays landscape");
  } finally {
    await service.close();
    await rm(root, { recursive: true, force: true });
  }
});
