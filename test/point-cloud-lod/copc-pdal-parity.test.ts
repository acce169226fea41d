import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Copc } from "copc";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import type { PointChunk, Vec3 } from "../../src/processors/point-cloud/point-chunk.ts";
import { nodeName, type NodeKey, type Octree, type OctreeNode } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { writeCopc } from "../../src/processors/point-cloud-lod/copc/write-copc.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { boundsOf } from "./copc-fake-octree.ts";
import { assertSameAsChunk, copcHierarchy, copcNodePoints } from "./copc-readback.ts";

/** A copc.js node view as the columnar chunk our readers yield. */
function toChunk(v: Record<string, number[]>): PointChunk {
  const n = v.X!.length;
  const f64 = (name: string) => Float64Array.from(v[name]!),
    u16 = (name: string) => Uint16Array.from(v[name]!),
    u8 = (name: string) => Uint8Array.from(v[name]!);
  const flags = new Uint8Array(n);
  ["Synthetic", "KeyPoint", "Withheld", "Overlap", "ScanDirectionFlag", "EdgeOfFlightLine"].forEach((name, bit) => v[name]!.forEach((b, i) => (flags[i]! |= b << bit)));
  return {
    count: n,
    x: f64("X"),
    y: f64("Y"),
    z: f64("Z"),
    intensity: u16("Intensity"),
    classification: u8("Classification"),
    returnNumber: u8("ReturnNumber"),
    numberOfReturns: u8("NumberOfReturns"),
    gpsTime: f64("GpsTime"),
    red: u16("Red"),
    green: u16("Green"),
    blue: u16("Blue"),
    las: { flags, scannerChannel: u8("ScannerChannel"), scanAngle: Float32Array.from(v.ScanAngle!), userData: u8("UserData"), pointSourceId: u16("PointSourceId") },
  };
}

/** The octree a reference COPC (PDAL-written) stores: its nodes, cube, spacing and points. */
async function octreeOfCopc(path: string): Promise<Octree> {
  const source = await openLasSource(path);
  await source.close();
  const { copc, nodes } = await copcHierarchy(path);
  const [x0, y0, z0, x1] = copc.info.cube;
  const side = x1 - x0;
  const chunks = new Map<string, PointChunk>();
  const listed: OctreeNode[] = [];
  for (const [name, node] of Object.entries(nodes)) {
    if (!node || node.pointCount === 0) continue;
    const [d, x, y, z] = name.split("-").map(Number) as [number, number, number, number];
    const chunk = toChunk(await copcNodePoints(path, copc, node));
    chunks.set(name, chunk);
    const edge = side / 2 ** d;
    const min: Vec3 = [x0 + x * edge, y0 + y * edge, z0 + z * edge];
    listed.push({
      key: { d, x, y, z },
      cube: { min, max: min.map((m) => m + edge) as Vec3 },
      bounds: boundsOf(chunk),
      pointCount: chunk.count,
      subtreePointCount: chunk.count,
      spacing: copc.info.spacing / 2 ** d,
      children: [],
    });
  }
  listed.sort((a, b) => a.key.d - b.key.d || nodeName(a.key).localeCompare(nodeName(b.key)));
  const all = boundsOf({
    count: 2,
    x: Float64Array.of(copc.header.min[0], copc.header.max[0]),
    y: Float64Array.of(copc.header.min[1], copc.header.max[1]),
    z: Float64Array.of(copc.header.min[2], copc.header.max[2]),
  });
  return {
    header: source.header,
    pointCount: copc.header.pointCount,
    bounds: all,
    cube: { min: [x0, y0, z0], max: [x0 + side, y0 + side, z0 + side] },
    nodes: listed,
    readNode: (key: NodeKey) => Promise.resolve(chunks.get(nodeName(key))!),
  };
}

void describe("writeCopc against a PDAL-written COPC", () => {
  void it("PDAL's octree of laspy_simple.copc.laz, rewritten: same info cube and spacing, same nodes and counts, same points, byte-identical chunks", () =>
    withTempDir(async (dir) => {
      const reference = pc("laspy_simple.copc.laz");
      const octree = await octreeOfCopc(reference);
      assert.ok(octree.nodes.length > 3, `${octree.nodes.length} nodes`);
      const path = join(dir, "ours.copc.laz");
      await writeCopc(octree, path, { signal: new AbortController().signal, progress: () => undefined });
      const [theirs, ours] = [await copcHierarchy(reference), await copcHierarchy(path)];
      assert.deepEqual(ours.copc.info.cube, theirs.copc.info.cube);
      assert.equal(ours.copc.info.spacing, theirs.copc.info.spacing);
      assert.deepEqual(ours.copc.info.gpsTimeRange, theirs.copc.info.gpsTimeRange);
      assert.deepEqual(ours.copc.header.scale, theirs.copc.header.scale);
      assert.deepEqual(ours.copc.header.offset, theirs.copc.header.offset);
      for (let a = 0; a < 3; a++) {
        assert.ok(Math.abs(ours.copc.header.min[a]! - theirs.copc.header.min[a]!) < 1e-6, "header min");
        assert.ok(Math.abs(ours.copc.header.max[a]! - theirs.copc.header.max[a]!) < 1e-6, "header max");
      }
      assert.deepEqual(ours.copc.header.pointCountByReturn, theirs.copc.header.pointCountByReturn);
      assert.equal(ours.copc.wkt, theirs.copc.wkt);
      const counts = (h: typeof ours) =>
        Object.fromEntries(
          Object.entries(h.nodes)
            .filter(([, n]) => n && n.pointCount > 0)
            .map(([k, n]) => [k, n.pointCount]),
        );
      assert.deepEqual(counts(ours), counts(theirs));
      for (const node of octree.nodes) {
        assertSameAsChunk(await copcNodePoints(path, ours.copc, ours.nodes[nodeName(node.key)]!), await octree.readNode(node.key), ours.copc.header, nodeName(node.key));
      }
      let same = 0;
      for (const node of octree.nodes) {
        const k = nodeName(node.key);
        const [a, b] = [await Copc.loadCompressedPointDataBuffer(path, ours.nodes[k]!), await Copc.loadCompressedPointDataBuffer(reference, theirs.nodes[k]!)];
        if (Buffer.from(a).equals(Buffer.from(b))) same++;
      }
      // our LAZ encoder, fed a node's points in GPS-time order, writes exactly laz-perf's bytes
      assert.equal(same, octree.nodes.length, "every node's LAZ chunk byte-identical to PDAL's");
      const ratio = (await stat(path)).size / (await stat(reference)).size;
      assert.ok(ratio < 1.05, `ours is ${ratio.toFixed(3)} × PDAL's size`); // 1.000 when measured
    }));
});
