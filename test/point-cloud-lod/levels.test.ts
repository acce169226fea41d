import { test, after } from "node:test";
import assert from "node:assert/strict";
import { pointCloudLodProcessor } from "../../src/processors/point-cloud-lod/point-cloud-lod.processor.ts";
import { planLevel } from "../../src/processors/point-cloud-lod/levels/level-plan.ts";
import { openPointCloud } from "../../src/processors/point-cloud/point-cloud-source.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages } from "../helpers/run-stages.ts";
import { sourceKeys } from "./lod-test-utils.ts";

after(cleanupRuns);

const AUTZEN = fixture("pointcloud", "laspy_autzen_trim.laz");

test("planLevel: exact totals, whole depths above the cut, proportional shares at the cut", () => {
  const n = (d: number, x: number, pointCount: number) => ({ key: { d, x, y: 0, z: 0 }, pointCount });
  const nodes = [n(0, 0, 100), n(1, 0, 300), n(1, 1, 100), n(2, 0, 50), n(2, 1, 50)];
  assert.deepEqual(planLevel(nodes, 600), [100, 300, 100, 50, 50]);
  assert.deepEqual(planLevel(nodes, 10_000), [100, 300, 100, 50, 50], "clamped to the cloud");
  assert.deepEqual(planLevel(nodes, 50), [50, 0, 0, 0, 0]);
  assert.deepEqual(planLevel(nodes, 300), [100, 150, 50, 0, 0]);
  assert.deepEqual(planLevel(nodes, 101), [100, 1, 0, 0, 0]);
  for (let t = 0; t <= 600; t += 7)
    assert.equal(
      planLevel(nodes, t).reduce((a, b) => a + b, 0),
      t,
    );
});

test("LOD levels of a LAZ: exact counts, decoded by laz-perf, every attribute of the source kept, spatially even", { timeout: 120_000 }, async () => {
  const levels = [
    { level: 0, max_points: 1_000_000, label: "high" },
    { level: 1, max_points: 12_345, label: "mid" },
    { level: 2, max_points: 777, label: "low" },
  ];
  const run = await runStages(pointCloudLodProcessor, AUTZEN, { lod_levels: levels, output_formats: ["laz", "las", "ply"], generate_thumbnails: false, tiles: { points_per_tile: 2000 } });
  assert.deepEqual(Object.keys(run.outputs), ["read_header", "index", "lod_high", "lod_mid", "lod_low"]);
  assert.deepEqual(
    run.outputs.lod_mid!.map((o) => [o.path, o.type, o.format]),
    [
      ["lod_mid.laz", "lod_mid", "laz"],
      ["lod_mid.las", "lod_mid", "las"],
      ["lod_mid.ply", "lod_mid", "ply"],
    ],
  );
  const source = await sourceKeys(await openLasSource(AUTZEN));
  const all = new Set(source);
  const srcFile = await openLasSource(AUTZEN);
  const src = srcFile.header;
  await srcFile.close();
  for (const [label, expected] of [
    ["high", 110_000],
    ["mid", 12_345],
    ["low", 777],
  ] as const) {
    const laz = await openLasSource(`${run.outDir}/lod_${label}.laz`);
    assert.equal(laz.header.pointCount, expected, `lod_${label}.laz header count`);
    assert.equal(laz.header.las?.pointFormat, src.las?.pointFormat);
    assert.deepEqual(laz.header.crs.wkt, src.crs.wkt);
    const keys = await sourceKeys(laz);
    assert.equal(keys.length, expected, `lod_${label}.laz decodes to its count`);
    assert.equal(new Set(keys).size <= keys.length, true);
    for (const k of keys) assert.ok(all.has(k), `lod_${label} has a point that is not in the source: ${k}`);
    assert.deepEqual(await sourceKeys(await openLasSource(`${run.outDir}/lod_${label}.las`)), keys, "LAS and LAZ hold the same points");
    const ply = await openPointCloud(`${run.outDir}/lod_${label}.ply`, "ply");
    assert.equal(ply.header.pointCount, expected);
    await ply.close();
    if (label === "high") assert.deepEqual(keys, source, "the high level is the whole cloud");
  }
  // No point twice in a level: the multiset of the low level has no more copies than the source.
  const low = await sourceKeys(await openLasSource(`${run.outDir}/lod_low.laz`));
  const copies = new Map<string, number>();
  for (const k of source) copies.set(k, (copies.get(k) ?? 0) + 1);
  for (const k of low) copies.set(k, copies.get(k)! - 1);
  assert.ok([...copies.values()].every((v) => v >= 0));
  // Spatially even: the 777 points of the low level fall in every cell of a 6×6 grid over the cloud.
  const lowLaz = await openLasSource(`${run.outDir}/lod_low.laz`);
  const b = src.bounds!;
  const cells = new Set<number>();
  for await (const c of lowLaz.points()) {
    for (let i = 0; i < c.count; i++) {
      const cx = Math.min(5, Math.floor(((c.x[i]! - b.min[0]) / (b.max[0] - b.min[0])) * 6)),
        cy = Math.min(5, Math.floor(((c.y[i]! - b.min[1]) / (b.max[1] - b.min[1])) * 6));
      cells.add(cx * 6 + cy);
    }
  }
  await lowLaz.close();
  assert.equal(cells.size, 36);
  // Progress counts points.
  const indexing = run.progress.filter((p) => p.stage === "index");
  assert.ok(
    indexing.some((p) => /^Indexing .* of 110 k points$/.test(p.label ?? "")),
    JSON.stringify(indexing.slice(-3)),
  );
  assert.equal(indexing.at(-1)?.done, 110_000);
  assert.ok(
    indexing.every((p, i) => i === 0 || p.done >= indexing[i - 1]!.done),
    "monotonic",
  );
  assert.deepEqual(run.progress.filter((p) => p.stage === "lod_mid").at(-1), { done: 12_345, total: 12_345, label: "LOD mid: 12345 of 12345 points", stage: "lod_mid" });
});

test("default levels: high/medium/low = all / 10 % / 1 % of the input, LAZ; extra bytes kept", { timeout: 60_000 }, async () => {
  const path = fixture("pointcloud", "laspy_extrabytes.las");
  const run = await runStages(pointCloudLodProcessor, path, { output_formats: ["laz"], generate_thumbnails: false });
  const src = await openLasSource(path);
  const n = src.header.pointCount!;
  const all = new Set(await sourceKeys(src));
  assert.deepEqual(
    run.allOutputs.map((o) => o.path),
    ["lod_high.laz", "lod_medium.laz", "lod_low.laz"],
  );
  for (const [label, want] of [
    ["high", n],
    ["medium", Math.round(n * 0.1)],
    ["low", Math.max(1, Math.round(n * 0.01))],
  ] as const) {
    const laz = await openLasSource(`${run.outDir}/lod_${label}.laz`);
    assert.equal(laz.header.extraBytes?.size, src.header.extraBytes?.size);
    const keys = await sourceKeys(laz);
    assert.equal(keys.length, want, label);
    for (const k of keys) assert.ok(all.has(k));
  }
});
