import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { pointCloudLodProcessor } from "../../src/processors/point-cloud-lod/point-cloud-lod.processor.ts";
import type { StageInput } from "../../src/processors/processor.ts";
import type { PointCloudLodParams } from "../../src/processors/point-cloud-lod/point-cloud-lod.params.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";

after(cleanupRuns);

const AUTZEN = fixture("pointcloud", "laspy_autzen_trim.laz");

test("point_cloud_lod on a LAZ: levels, tileset, COPC, preview and thumbnail, one stage each", { timeout: 120_000 }, async () => {
  const run = await runStages(pointCloudLodProcessor, AUTZEN, { output_formats: ["laz", "3dtiles", "copc"] });
  assert.deepEqual(Object.keys(run.outputs), ["read_header", "index", "lod_high", "lod_medium", "lod_low", "tiles", "copc", "preview", "thumbnail"]);
  const listed = run.allOutputs.filter((o) => o.partOf === undefined).map((o) => [o.type, o.path]);
  assert.deepEqual(listed, [
    ["lod_high", "lod_high.laz"],
    ["lod_medium", "lod_medium.laz"],
    ["lod_low", "lod_low.laz"],
    ["tileset", "tiles/tileset.json"],
    ["copc", "points.copc.laz"],
    ["preview", "preview.glb"],
    ["thumbnail", "thumbnail.webp"],
  ]);
  const tiles = run.outputs.tiles!.filter((o) => o.partOf !== undefined);
  assert.ok(tiles.length > 1 && tiles.every((t) => t.partOf === "tiles/tileset.json" && t.path.startsWith("tiles/")));
  const tileset = JSON.parse(await readFile(join(run.outDir, "tiles/tileset.json"), "utf8")) as { asset: { version: string }; root: { refine: string } };
  assert.equal(tileset.asset.version, "1.1");
  assert.equal(tileset.root.refine, "ADD");
  const copc = await readFile(join(run.outDir, "points.copc.laz"));
  assert.equal(copc.subarray(0, 4).toString(), "LASF");
  assert.equal(copc.subarray(377, 381).toString(), "copc", "the copc info VLR comes first");
  assert.equal((await readFile(join(run.outDir, "preview.glb"))).subarray(0, 4).toString(), "glTF");
  const thumb = await sharp(join(run.outDir, "thumbnail.webp")).metadata();
  assert.equal(thumb.format, "webp");
  const labels = run.progress.filter((p) => p.stage === "tiles" || p.stage === "copc");
  assert.ok(labels.length > 0 && labels.every((p) => p.total > 0));
});

test("a later stage that finds no octree (a resume on another node) rebuilds it and writes the same bytes", { timeout: 120_000 }, async () => {
  const params = pointCloudLodProcessor.params.parse({ output_formats: ["laz"], generate_thumbnails: false, tiles: { points_per_tile: 3000 } });
  const run = await runStages(pointCloudLodProcessor, AUTZEN, params);
  const first = await readFile(join(run.outDir, "lod_medium.laz"));
  // Another node: a fresh work directory without the octree; only lod_medium runs there.
  const root = await scratchDir();
  const stage = pointCloudLodProcessor.stages(params).find((s) => s.name === "lod_medium")!;
  const logs: string[] = [];
  const input: StageInput<PointCloudLodParams> = { filePath: AUTZEN, workDir: join(root, "work"), outDir: run.outDir, params, source: { key: "tenants/t/files/a.laz" }, previous: {} };
  await rm(join(run.outDir, "lod_medium.laz"));
  await stage.run(input, { signal: new AbortController().signal, progress: () => {}, log: (m) => logs.push(m) });
  assert.ok(logs.some((m) => /rebuilding/.test(m)));
  const second = await readFile(join(run.outDir, "lod_medium.laz"));
  // LAS headers carry the creation day; the points (everything after the header) are byte-identical.
  assert.equal(second.byteLength, first.byteLength);
  assert.ok(second.subarray(375).equals(first.subarray(375)));
  // The same node (work directory intact): the octree is reused, not rebuilt.
  logs.length = 0;
  await stage.run({ ...input, workDir: run.workDir }, { signal: new AbortController().signal, progress: () => {}, log: (m) => logs.push(m) });
  assert.ok(!logs.some((m) => /rebuilding/.test(m)));
});

test("a cancelled index stage ends with CANCELLED", { timeout: 60_000 }, async () => {
  const ac = new AbortController();
  ac.abort();
  const error = await runStages(pointCloudLodProcessor, AUTZEN, { output_formats: ["laz"] }, { signal: ac.signal }).catch((e: unknown) => e);
  assert.equal((error as { code?: string }).code, "CANCELLED");
});
