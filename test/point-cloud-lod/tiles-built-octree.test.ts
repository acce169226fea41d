import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import type { PointChunk } from "../../src/processors/point-cloud/point-chunk.ts";
import { crsSourceFromFile, defineCrs } from "../../src/processors/point-cloud-lod/georef/crs-definition.ts";
import { createGeoreference } from "../../src/processors/point-cloud-lod/georef/georeference.ts";
import { buildOctree } from "../../src/processors/point-cloud-lod/octree/build-octree.ts";
import { writeTileset } from "../../src/processors/point-cloud-lod/tiles/write-tileset.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { readAll } from "./tiles-fake-octree.ts";
import { gltfValidator, matchPoints, validateTileset } from "./tiles-validate.ts";

const quiet = { signal: new AbortController().signal, progress: () => undefined };
const shiftOf = (p: PointChunk): number => ([p.red, p.green, p.blue].some((c) => c?.some((v) => v > 255)) ? 8 : 0);

for (const [name, leaf] of [
  ["laspy_autzen_trim.laz", 5_000],
  ["laspy_1_4_w_evlr.laz", 200],
] as const) {
  test(`the real octree builder's output of ${name} tiles into a valid tileset holding each point once`, async () => {
    await withTempDir(async (dir) => {
      const source = pc(name);
      const octree = await buildOctree(() => openLasSource(source), join(dir, "octree"), { maxLeafPoints: leaf, threads: 1, ...quiet });
      assert.ok(octree.nodes.length > 3, `${octree.nodes.length} nodes`);
      const result = await writeTileset(octree, join(dir, "out"), {}, { ...quiet, progress: () => {} });
      assert.equal(result.georeferenced, true);
      assert.equal(result.outputs.length, octree.nodes.length + 1);
      const report = await validateTileset(join(dir, "out/tiles/tileset.json"));
      assert.deepEqual(report.issues, []);
      assert.equal(
        report.tiles.reduce((s, t) => s + t.count, 0),
        octree.pointCount,
      );

      const { header, points } = await readAll(source);
      const geo = createGeoreference(defineCrs(crsSourceFromFile(header.crs))!, octree.bounds);
      const positions = new Float64Array(points.count * 3);
      for (let i = 0; i < points.count; i++) geo.toLocal(points.x[i]!, points.y[i]!, points.z[i]!, positions, i * 3);
      const s = shiftOf(points);
      const rgb = points.red ? Uint8Array.from({ length: points.count * 3 }, (_, k) => [points.red!, points.green!, points.blue!][k % 3]![Math.floor(k / 3)]! >> s) : undefined;
      const m = matchPoints(
        {
          positions,
          count: points.count,
          ...(rgb ? { rgb } : {}),
          ...(points.intensity ? { intensity: points.intensity } : {}),
          ...(points.classification ? { classification: points.classification } : {}),
        },
        report.tiles,
        0.002,
      );
      assert.deepEqual([m.unmatchedExpected, m.unmatchedDecoded], [0, 0], `max error ${m.maxError}`);
      for (const t of report.tiles) {
        for (const bytes of [t.glb, t.plainGlb]) {
          const v = await gltfValidator(bytes);
          assert.equal(v.issues.numErrors, 0, `${t.uri}: ${JSON.stringify(v.issues.messages.filter((x) => x.severity === 0).slice(0, 3))}`);
        }
      }
    });
  });
}
