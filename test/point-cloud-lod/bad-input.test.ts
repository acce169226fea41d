import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import { pointCloudLodProcessor } from "../../src/processors/point-cloud-lod/point-cloud-lod.processor.ts";
import { loadOctree } from "../../src/processors/point-cloud-lod/octree/octree-store.ts";
import { createLasSink } from "../../src/processors/point-cloud/las/las-writer.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { emptyHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { sourceKeys } from "./lod-test-utils.ts";

after(cleanupRuns);

const LAZ_ONLY = { output_formats: ["laz"], generate_thumbnails: false };

async function failsWith(path: string, code: string, stage: string, params: unknown = LAZ_ONLY): Promise<AppError> {
  const error = await runStages(pointCloudLodProcessor, path, params).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.stage, stage);
  return error;
}

async function lasWith(points: [number, number, number][]): Promise<string> {
  const path = join(await scratchDir(), "cloud.las");
  const sink = await createLasSink(path, { ...emptyHeader("las"), scale: [0.01, 0.01, 0.01], offset: [0, 0, 0] });
  if (points.length > 0) await sink.write({ count: points.length, x: Float64Array.from(points, (p) => p[0]), y: Float64Array.from(points, (p) => p[1]), z: Float64Array.from(points, (p) => p[2]) });
  await sink.close();
  return path;
}

test("a LAS of 0 points fails at read_header with INPUT_EMPTY", async () => {
  const e = await failsWith(await lasWith([]), "INPUT_EMPTY", "read_header");
  assert.match(e.message, /0 points/);
});

test("an XYZ whose every line is NaN/inf holds no points: INPUT_EMPTY at index", async () => {
  const path = join(await scratchDir(), "nan.xyz");
  await writeFile(path, "nan 1 2\n1 inf 2\n-inf 0 0\n");
  await failsWith(path, "INPUT_EMPTY", "index");
});

test("a PLY with a NaN or an infinite coordinate fails with INPUT_CORRUPT naming the point", async () => {
  const bytes = await readFile(fixture("pointcloud", "derived_simple_xyzrgb_binary.ply"));
  const body = bytes.indexOf("end_header\n") + "end_header\n".length;
  const record = 3 * 8 + 3 + 2;
  for (const [bad, index] of [
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 500],
  ] as const) {
    const copy = Buffer.from(bytes);
    copy.writeDoubleLE(bad, body + index * record + 8);
    const path = join(await scratchDir(), "bad.ply");
    await writeFile(path, copy);
    const e = await failsWith(path, "INPUT_CORRUPT", "index");
    assert.match(e.message, new RegExp(`Point ${index + 1} has a coordinate that is not a finite number`));
  }
});

test("a LAS whose header claims more points than it holds fails with INPUT_CORRUPT", async () => {
  const bytes = Buffer.from(await readFile(fixture("pointcloud", "laspy_simple.las")));
  bytes.writeUInt32LE(bytes.readUInt32LE(107) + 500, 107);
  const path = join(await scratchDir(), "lies.las");
  await writeFile(path, bytes);
  const e = await failsWith(path, "INPUT_CORRUPT", "read_header");
  assert.match(e.message, /point|truncat|size/i);
});

test("one point: the task completes with three one-point levels", async () => {
  const run = await runStages(pointCloudLodProcessor, await lasWith([[10, 20, 30]]), LAZ_ONLY);
  for (const label of ["high", "medium", "low"]) {
    const keys = await sourceKeys(await openLasSource(join(run.outDir, `lod_${label}.laz`)));
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^10,20,30,/);
  }
});

test("header bounds that do not contain the points: the octree uses the real bounds and keeps every point", { timeout: 60_000 }, async () => {
  const bytes = Buffer.from(await readFile(fixture("pointcloud", "laspy_simple.las")));
  // LAS 1.2 header: max x, min x, max y, min y, max z, min z at 179.
  for (let i = 0; i < 6; i++) bytes.writeDoubleLE(i % 2 === 0 ? 1 : 0, 179 + 8 * i);
  const path = join(await scratchDir(), "bounds.las");
  await writeFile(path, bytes);
  const run = await runStages(pointCloudLodProcessor, path, LAZ_ONLY);
  const tree = (await loadOctree(join(run.workDir, "octree")))!;
  const truth = await openLasSource(fixture("pointcloud", "laspy_simple.las"));
  await truth.close();
  assert.deepEqual(
    tree.bounds.min.map((v, a) => Math.abs(v - truth.header.bounds!.min[a]!) < 1e-6),
    [true, true, true],
  );
  assert.deepEqual(
    tree.bounds.max.map((v, a) => Math.abs(v - truth.header.bounds!.max[a]!) < 1e-6),
    [true, true, true],
  );
  const high = await openLasSource(join(run.outDir, "lod_high.laz"));
  assert.deepEqual(
    high.header.bounds!.max.map((v, a) => Math.abs(v - truth.header.bounds!.max[a]!) < 0.01),
    [true, true, true],
    "the level's header has the real bounds",
  );
  assert.equal((await sourceKeys(high)).length, truth.header.pointCount);
});

test("bad params are rejected by the schema", () => {
  const bad = [
    { output_formats: ["tiff"] },
    { output_formats: [] },
    {
      lod_levels: [
        { level: 0, max_points: 10, label: "a" },
        { level: 1, max_points: 5, label: "a" },
      ],
    },
    { lod_levels: [{ level: 0, max_points: 0, label: "a" }] },
    { lod_levels: [{ level: 0, max_points: 10, label: "../x" }] },
    { tiles: { geometric_error_scale: -1 } },
  ];
  for (const p of bad) assert.equal(pointCloudLodProcessor.params.safeParse(p).success, false, JSON.stringify(p));
  const parsed = pointCloudLodProcessor.params.parse({});
  assert.deepEqual(parsed.output_formats, ["laz", "3dtiles"]);
  assert.equal(parsed.generate_thumbnails, true);
});

test("an unknown srs_in fails at read_header with INVALID_PARAMS, before any indexing", { timeout: 60_000 }, async () => {
  const e = await failsWith(fixture("pointcloud", "laspy_simple.las"), "INVALID_PARAMS", "read_header", { output_formats: ["laz", "3dtiles"], tiles: { srs_in: "EPSG:999999" } });
  assert.match(e.message, /srs_in/);
});

test("a cloud without a CRS still completes: levels and a tileset placed at the origin", { timeout: 60_000 }, async () => {
  const run = await runStages(
    pointCloudLodProcessor,
    await lasWith([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9.5],
    ]),
    { output_formats: ["laz", "3dtiles"], generate_thumbnails: false },
  );
  assert.deepEqual(
    run.allOutputs.filter((o) => !o.partOf).map((o) => o.type),
    ["lod_high", "lod_medium", "lod_low", "tileset"],
  );
  const tileset = JSON.parse(await readFile(join(run.outDir, "tiles/tileset.json"), "utf8")) as { root: { transform?: number[] } };
  assert.ok(!tileset.root.transform || tileset.root.transform.slice(12, 15).every((v) => Math.abs(v) < 1e3), "not placed on the globe");
});
