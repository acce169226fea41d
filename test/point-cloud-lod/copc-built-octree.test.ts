import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { createLasSink } from "../../src/processors/point-cloud/las/las-writer.ts";
import type { PointChunk } from "../../src/processors/point-cloud/point-chunk.ts";
import { buildOctree } from "../../src/processors/point-cloud-lod/octree/build-octree.ts";
import { nodeName } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { writeCopc } from "../../src/processors/point-cloud-lod/copc/write-copc.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { readAll, selectPoints } from "./copc-fake-octree.ts";
import { assertSameAsChunk, copcHierarchy, copcNodePoints } from "./copc-readback.ts";

/** x, y, z, GPS time and intensity of each point, as sortable strings: a point's identity. */
function identities(c: PointChunk, into: string[]): void {
  for (let i = 0; i < c.count; i++) into.push(`${c.x[i]!.toFixed(2)} ${c.y[i]!.toFixed(2)} ${c.z[i]!.toFixed(2)} ${c.gpsTime?.[i]} ${c.intensity?.[i]}`);
}

void describe("writeCopc on the real out-of-core octree builder's output", () => {
  void it("autzen (110 000 points, LAS 1.2 LAZ): every node reads back from its hierarchy entry, inside its cube, and the file holds each input point once", () =>
    withTempDir(async (dir) => {
      const source = pc("laspy_autzen_trim.laz");
      const octree = await buildOctree(() => openLasSource(source), join(dir, "octree"), { maxLeafPoints: 5_000, threads: 1, signal: new AbortController().signal, progress: () => undefined });
      assert.ok(octree.nodes.length > 9 && octree.nodes.some((n) => n.key.d >= 2), `a tree of several levels (${octree.nodes.length} nodes)`);
      const path = join(dir, "autzen.copc.laz");
      const result = await writeCopc(octree, path, { signal: new AbortController().signal, progress: () => undefined });
      assert.deepEqual(result, { points: 110_000, nodes: octree.nodes.length });
      // points go into each chunk in acquisition (GPS time) order, which LASzip's predictors need: in
      // the octree's sampling order the file is 2.5 × the source (1.33 × in GPS order with the default
      // 20 000-point leaves; 5 000-point leaves here restart the models more often)
      const ratio = (await stat(path)).size / (await stat(source)).size;
      assert.ok(ratio < 1.7, `COPC is ${ratio.toFixed(2)} × the source LAZ`);

      const { copc, nodes } = await copcHierarchy(path);
      assert.equal(copc.header.pointCount, 110_000);
      assert.deepEqual(Object.keys(nodes).sort(), octree.nodes.map((n) => nodeName(n.key)).sort());
      assert.equal(copc.info.spacing, octree.nodes[0]!.spacing);
      const [minX, minY, minZ, maxX, maxY, maxZ] = copc.info.cube;
      const side = maxX - minX;
      assert.ok(Math.abs(maxY - minY - side) < 1e-9 && Math.abs(maxZ - minZ - side) < 1e-9, "the info VLR's cube is a cube");
      const ids: string[] = [];
      for (const node of octree.nodes) {
        const got = await copcNodePoints(path, copc, nodes[nodeName(node.key)]!);
        assertSameAsChunk(got, await octree.readNode(node.key), copc.header, nodeName(node.key));
        // a COPC reader finds a node's points by its key: they must lie in the cube the key names
        const edge = side / 2 ** node.key.d,
          slack = 0.011;
        const lo = [minX + node.key.x * edge, minY + node.key.y * edge, minZ + node.key.z * edge];
        for (const [axis, name] of (["X", "Y", "Z"] as const).entries()) {
          for (const v of got[name]!) assert.ok(v >= lo[axis]! - slack && v <= lo[axis]! + edge + slack, `${nodeName(node.key)}: ${name}=${v} outside [${lo[axis]}, ${lo[axis]! + edge}]`);
        }
        identities(
          {
            count: got.X!.length,
            x: Float64Array.from(got.X!),
            y: Float64Array.from(got.Y!),
            z: Float64Array.from(got.Z!),
            gpsTime: Float64Array.from(got.GpsTime!),
            intensity: Uint16Array.from(got.Intensity!),
          },
          ids,
        );
      }
      const want: string[] = [];
      identities((await readAll(source)).points, want);
      assert.deepEqual(ids.sort(), want.sort(), "the COPC holds exactly the input's points");
    }));
});

void describe("writeCopc on degenerate clouds the builder accepts", () => {
  for (const [label, count] of [
    ["one point", 1],
    ["30 000 identical points", 30_000],
  ] as const) {
    void it(`${label}: a COPC the copc reader opens, with every point`, () =>
      withTempDir(async (dir) => {
        const { header, points } = await readAll(pc("laspy_simple.las"));
        const same = Array.from({ length: count }, () => 7);
        const chunk = selectPoints(points, same, 0);
        const las = join(dir, "in.las");
        const sink = await createLasSink(las, header);
        await sink.write(chunk);
        await sink.close();
        const octree = await buildOctree(() => openLasSource(las), join(dir, "octree"), { threads: 1, signal: new AbortController().signal, progress: () => undefined });
        const path = join(dir, "out.copc.laz");
        const result = await writeCopc(octree, path, { signal: new AbortController().signal, progress: () => undefined });
        assert.equal(result.points, count);
        const { copc, nodes } = await copcHierarchy(path);
        assert.equal(copc.header.pointCount, count);
        let total = 0;
        for (const node of Object.values(nodes)) {
          if (!node || node.pointCount === 0) continue;
          const got = await copcNodePoints(path, copc, node);
          total += got.X!.length;
          assert.ok(
            got.X!.every((x) => Math.abs(x - points.x[7]!) < 0.006),
            "the point's X",
          );
        }
        assert.equal(total, count);
      }));
  }
});
