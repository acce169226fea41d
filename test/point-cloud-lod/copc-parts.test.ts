import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hierarchy } from "copc";
import { decodeChunkTable } from "../../src/processors/point-cloud/lazperf/laz-chunk-table.ts";
import { emptyHeader, type PointChunk, type PointCloudHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { nodeName, type NodeKey } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { chooseScaleOffset, copcPointFormat } from "../../src/processors/point-cloud-lod/copc/copc-header.ts";
import { encodeHierarchy, planHierarchy, type HierarchyEntry } from "../../src/processors/point-cloud-lod/copc/copc-hierarchy.ts";
import { expandDeprecatedExtraBytes } from "../../src/processors/point-cloud-lod/copc/extra-bytes-descriptor.ts";
import { compressionOrder, reorderChunk } from "../../src/processors/point-cloud-lod/copc/point-order.ts";
import { encodeVariableChunkTable } from "../../src/processors/point-cloud-lod/copc/variable-chunk-table.ts";

/** Every key of a full octree down to `depth`, as node entries with made-up chunk positions. */
function fullTree(depth: number): HierarchyEntry[] {
  const out: HierarchyEntry[] = [];
  for (let d = 0; d <= depth; d++) {
    for (let x = 0; x < 2 ** d; x++)
      for (let y = 0; y < 2 ** d; y++)
        for (let z = 0; z < 2 ** d; z++) {
          out.push({ key: { d, x, y, z }, offset: 1000 + out.length * 10, byteSize: 10, pointCount: 5 + out.length });
        }
  }
  return out;
}

/** Parses every page with the copc package's own parser, following child pages from the root. */
function readPages(bytes: Uint8Array, dataOffset: number, rootOffset: number, rootSize: number) {
  const nodes: Record<string, { pointCount: number; pointDataOffset: number; pointDataLength: number }> = {};
  let pages = 0;
  const queue = [{ pageOffset: rootOffset, pageLength: rootSize }];
  while (queue.length > 0) {
    const page = queue.shift()!;
    pages++;
    const sub = Hierarchy.parse(bytes.subarray(page.pageOffset - dataOffset, page.pageOffset - dataOffset + page.pageLength));
    for (const [k, n] of Object.entries(sub.nodes)) {
      assert.equal(nodes[k], undefined, `${k} in two pages`);
      nodes[k] = n!;
    }
    for (const p of Object.values(sub.pages)) queue.push(p!);
  }
  return { nodes, pages };
}

void describe("COPC parts", () => {
  void it("a small hierarchy is one page; a large one splits every pageLevels levels and every node is reached once", () => {
    const entries = fullTree(4); // 4 681 nodes
    const one = encodeHierarchy(planHierarchy(entries), 5000);
    assert.equal(one.pages, 1);
    assert.equal(one.rootSize, entries.length * 32);
    const split = encodeHierarchy(planHierarchy(entries, { maxPageEntries: 100, pageLevels: 2 }), 5000);
    // root page: levels 0–1 and pointers to the 64 level-2 pages; each of those (73 nodes) fits one page
    assert.equal(split.pages, 1 + 64);
    assert.equal(split.rootSize, (1 + 8 + 64) * 32);
    const { nodes, pages } = readPages(split.bytes, 5000, split.rootOffset, split.rootSize);
    assert.equal(pages, 65);
    assert.equal(Object.keys(nodes).length, entries.length);
    for (const e of entries) {
      const n = nodes[nodeName(e.key)]!;
      assert.deepEqual([n.pointCount, n.pointDataOffset, n.pointDataLength], [e.pointCount, e.offset, e.byteSize]);
    }
  });

  void it("missing ancestors get empty entries (pointCount 0) so a reader walking down finds deep nodes", () => {
    const deep: NodeKey = { d: 3, x: 5, y: 2, z: 7 };
    const { bytes, rootOffset, rootSize } = encodeHierarchy(planHierarchy([{ key: deep, offset: 400, byteSize: 20, pointCount: 9 }]), 0);
    const { nodes } = readPages(bytes, 0, rootOffset, rootSize);
    assert.deepEqual(Object.keys(nodes).sort(), ["0-0-0-0", "1-1-0-1", "2-2-1-3", "3-5-2-7"]);
    assert.equal(nodes["2-2-1-3"]!.pointCount, 0);
    assert.equal(nodes["2-2-1-3"]!.pointDataOffset, 0);
    assert.throws(() => planHierarchy([{ key: { d: 1, x: 2, y: 0, z: 0 }, offset: 0, byteSize: 1, pointCount: 1 }]), { code: "INTERNAL" });
  });

  void it("the variable chunk table decodes (with the project's decoder) to each chunk's points and bytes", () => {
    const chunks = [
      { points: 1, bytes: 30 },
      { points: 20_000, bytes: 310_000 },
      { points: 7, bytes: 90 },
      { points: 2 ** 30, bytes: 2 ** 31 - 1 },
    ];
    const decoded = decodeChunkTable(encodeVariableChunkTable(chunks), 1234, true);
    let at = 1234;
    assert.deepEqual(
      decoded,
      chunks.map((c) => {
        const d = { offset: at, byteLength: c.bytes, points: c.points };
        at += c.bytes;
        return d;
      }),
    );
    assert.deepEqual(decodeChunkTable(encodeVariableChunkTable([]), 0, true), []);
  });

  void it("scale and offset: the source's when they hold the points, else a nearby round offset and a coarser scale", () => {
    const header: PointCloudHeader = { ...emptyHeader("las"), scale: [0.001, 0.001, 0.001], offset: [0, 0, 0] };
    const near = { min: [100, 200, 0] as [number, number, number], max: [2000, 3000, 50] as [number, number, number] };
    assert.deepEqual(chooseScaleOffset(header, near), { scale: [0.001, 0.001, 0.001], offset: [0, 0, 0] });
    // UTM northings at 1 mm from a 0 offset overflow int32 (4.5e9): offset moves to the data
    const utm = { min: [500_000, 4_500_000, 10] as [number, number, number], max: [501_000, 4_501_000, 60] as [number, number, number] };
    const moved = chooseScaleOffset(header, utm);
    assert.deepEqual(moved.scale, [0.001, 0.001, 0.001]);
    assert.deepEqual(moved.offset, [501_000, 4_501_000, 0]);
    // a 10 000 km extent does not fit 1 mm steps at all: the scale coarsens by powers of ten
    const huge = { min: [-5e6, 0, 0] as [number, number, number], max: [5e6, 1, 1] as [number, number, number] };
    const coarse = chooseScaleOffset({ ...emptyHeader("ply") }, huge);
    assert.ok(Math.abs(coarse.scale[0] - 0.01) < 1e-12, `x scale ${coarse.scale[0]}`);
    assert.equal(coarse.scale[1], 0.001);
    for (const v of [huge.min[0], huge.max[0]]) assert.ok(Math.abs((v - coarse.offset[0]) / coarse.scale[0]) < 2 ** 31);
  });

  void it("point format: 8 with NIR, 7 with colour, else 6", () => {
    const h = emptyHeader("las");
    assert.equal(copcPointFormat(h), 6);
    assert.equal(copcPointFormat({ ...h, attributes: { ...h.attributes, color: true } }), 7);
    assert.equal(copcPointFormat({ ...h, attributes: { ...h.attributes, color: true, nir: true } }), 8);
  });

  void it("deprecated array extra-bytes descriptors become scalar ones over the same bytes; others are untouched", () => {
    const d = new Uint8Array(2 * 192);
    const v = new DataView(d.buffer);
    d[2] = 23; // 3 × u16
    d.set(new TextEncoder().encode("Colors"), 4);
    d[3] = 0b1000; // options: scale present
    [0.5, 0.25, 0.125].forEach((s, k) => v.setFloat64(112 + 8 * k, s, true));
    d[192 + 2] = 9; // f32, untouched
    d.set(new TextEncoder().encode("Height"), 192 + 4);
    const out = expandDeprecatedExtraBytes(d);
    assert.equal(out.length, 4 * 192);
    const ov = new DataView(out.buffer);
    const name = (i: number): string => new TextDecoder().decode(out.subarray(i * 192 + 4, i * 192 + 36)).replace(/\0+$/, "");
    assert.deepEqual([0, 1, 2, 3].map(name), ["Colors_0", "Colors_1", "Colors_2", "Height"]);
    assert.deepEqual(
      [0, 1, 2].map((i) => out[i * 192 + 2]),
      [3, 3, 3],
    );
    assert.deepEqual(
      [0, 1, 2].map((i) => ov.getFloat64(i * 192 + 112, true)),
      [0.5, 0.25, 0.125],
    );
    assert.deepEqual(
      [0, 1, 2].map((i) => ov.getFloat64(i * 192 + 120, true)),
      [0, 0, 0],
    );
    assert.ok(Buffer.from(out.subarray(576)).equals(Buffer.from(d.subarray(192))));
    const plain = d.subarray(192);
    assert.equal(expandDeprecatedExtraBytes(plain), plain);
  });
});

void describe("compression order within a node", () => {
  void it("GPS time ascending with ties in arrival order; z-order without GPS time; every attribute moves with its point", () => {
    const base = { x: Float64Array.of(0, 1, 2, 3), y: Float64Array.of(0, 0, 0, 0), z: Float64Array.of(0, 0, 0, 0) };
    const chunk: PointChunk = { count: 4, ...base, gpsTime: Float64Array.of(5, 2, 5, 1), intensity: Uint16Array.of(10, 11, 12, 13), extraBytes: Uint8Array.of(1, 1, 2, 2, 3, 3, 4, 4) };
    const cube = { min: [0, 0, 0] as [number, number, number], max: [4, 4, 4] as [number, number, number] };
    const order = compressionOrder(chunk, cube)!;
    assert.deepEqual([...order], [3, 1, 0, 2]);
    const moved = reorderChunk(chunk, order, 2);
    assert.deepEqual([...moved.intensity!], [13, 11, 10, 12]);
    assert.deepEqual([...moved.extraBytes!], [4, 4, 2, 2, 1, 1, 3, 3]);
    assert.deepEqual([...moved.x], [3, 1, 0, 2]);
    assert.deepEqual([...chunk.intensity!], [10, 11, 12, 13], "the input chunk is left alone");
    assert.equal(compressionOrder(moved, cube), undefined, "already ordered");
    // no GPS time: z-order (x lowest bit) within the cube
    const noTime: PointChunk = { count: 4, x: Float64Array.of(3.9, 0.1, 0.1, 3.9), y: Float64Array.of(3.9, 0.1, 3.9, 0.1), z: Float64Array.of(0, 0, 0, 0) };
    assert.deepEqual([...compressionOrder(noTime, cube)!], [1, 3, 2, 0]);
  });
});
