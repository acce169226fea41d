import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadInput } from "../../src/actors/download-input.ts";
import type { DownloadOptions, ObjectStorage } from "../../src/ports/storage.port.ts";
import { BUILT_IN_PROCESSORS } from "../../src/processors/built-in.ts";
import { sampleTask } from "../helpers/task-events.ts";

test("only processors whose every reader opens the input read-only may have it linked (images, GDAL, ffmpeg); the others get a copy", async () => {
  const readOnly: string[] = [];
  for (const [type, load] of Object.entries(BUILT_IN_PROCESSORS)) if ((await load()).inputReadOnly === true) readOnly.push(type);
  assert.deepEqual(readOnly.sort(), ["geotiff_cog", "geotiff_resize", "image_convert", "image_detect", "image_ocr", "image_process", "image_thumbnail", "video_transcode"]);
});

test("downloadInput passes the processor's read-only promise to storage, for one object and for each of a batch", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-ro-input-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seen: (DownloadOptions | undefined)[] = [];
  const storage: ObjectStorage = {
    download: (_b, _k, _p, options) => (seen.push(options), Promise.resolve({ size: 1 })),
    upload: () => Promise.resolve({ size: 0 }),
    head: () => Promise.resolve(null),
    list: () => Promise.resolve([]),
  };
  const signal = new AbortController().signal;
  const task = sampleTask();
  await downloadInput(storage, task, null, { inputDir: join(dir, "a"), tenantPrefix: undefined, signal, readOnly: true });
  await downloadInput(storage, task, { keys: ["b/1.jpg", "b/2.jpg"] }, { inputDir: join(dir, "b"), tenantPrefix: undefined, signal, readOnly: true });
  await downloadInput(storage, task, null, { inputDir: join(dir, "c"), tenantPrefix: undefined, signal });
  assert.deepEqual(
    seen.map((o) => o?.readOnly),
    [true, true, true, false],
  );
});
