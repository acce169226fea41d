import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { decodeLasRecords } from "../../src/processors/point-cloud/las/las-record-decoder.ts";
import { lasPointLayout } from "../../src/processors/point-cloud/las/las-point-formats.ts";
import { parseLasHeader } from "../../src/processors/point-cloud/las/las-header.ts";
import { parseVlrs } from "../../src/processors/point-cloud/las/las-vlr.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import type { PointChunk } from "../../src/processors/point-cloud/point-chunk.ts";
import { nodeName } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { parseCopcInfo } from "../../src/processors/point-cloud-lod/copc/copc-info.ts";
import { writeCopc, type CopcWriteOptions } from "../../src/processors/point-cloud-lod/copc/write-copc.ts";
import { decodeWithLazPerf } from "../point-cloud/laz/laz-perf-reader.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { concatChunks, fakeOctree, readAll, selectPoints } from "./copc-fake-octree.ts";
import { assertSameAsChunk, copcHierarchy, copcNodePoints } from "./copc-readback.ts";

const ctx = (progress: { done: number; total: number; label?: string }[] = []) => ({
  signal: new AbortController().signal,
  progress: (p: { done: number; total: number; label?: string }) => progress.push(p),
});

async function writeFixtureCopc(dir: string, name: string, options: CopcWriteOptions = {}, grid = 16) {
  const { header, points } = await readAll(pc(name));
  const octree = fakeOctree(header, points, { grid });
  const path = join(dir, `${name}.copc.laz`);
  const progress: { done: number; total: number }[] = [];
  const result = await writeCopc(octree, path, ctx(progress), options);
  return { header, points, octree, path, result, progress };
}

void describe("writeCopc: COPC 1.0 from an octree, read back by the copc reader, laz-perf and our LAS reader", () => {
  const cases = [
    { name: "laspy_autzen_trim.laz", format: 7, note: "LAS 1.2 format 3 LAZ, 110 000 points, CRS" },
    { name: "laspy_simple1_4.las", format: 7, note: "LAS 1.4 format 7, returns 0, EPSG:4326" },
    { name: "laspy_1_4_w_evlr.laz", format: 6, note: "LAS 1.4 format 6, WKT in an EVLR" },
    { name: "laspy_extrabytes.las", format: 7, note: "27 extra bytes with a descriptor" },
    { name: "derived_simple_xyzrgb_binary.ply", format: 7, note: "PLY: no LAS scale, no CRS" },
  ];
  for (const c of cases) {
    void it(`${c.name} (${c.note}): every node's points come back through Copc.loadPointDataView`, () =>
      withTempDir(async (dir) => {
        const { octree, path, result, progress } = await writeFixtureCopc(dir, c.name);
        assert.equal(result.points, octree.pointCount);
        assert.equal(result.nodes, octree.nodes.length);
        assert.ok(octree.nodes.length > 5, "the fake octree has several levels");
        const { copc, nodes } = await copcHierarchy(path);
        assert.equal(copc.header.majorVersion, 1);
        assert.equal(copc.header.minorVersion, 4);
        assert.equal(copc.header.pointDataRecordFormat, c.format);
        assert.equal(copc.header.pointCount, octree.pointCount);
        assert.deepEqual(Object.keys(nodes).sort(), octree.nodes.map((n) => nodeName(n.key)).sort());
        for (let a = 0; a < 3; a++) {
          assert.ok(Math.abs(copc.info.cube[a]! - octree.cube.min[a]!) < 1e-9 * Math.max(1, Math.abs(octree.cube.min[a]!)), "cube min");
          assert.ok(Math.abs(copc.info.cube[a + 3]! - octree.cube.max[a]!) < 1e-9 * Math.max(1, Math.abs(octree.cube.max[a]!)), "cube max");
        }
        assert.equal(copc.info.spacing, octree.nodes[0]!.spacing);
        let total = 0;
        for (const node of octree.nodes) {
          const entry = nodes[nodeName(node.key)]!;
          assert.equal(entry.pointCount, node.pointCount);
          assertSameAsChunk(await copcNodePoints(path, copc, entry), await octree.readNode(node.key), copc.header, `${c.name} node ${nodeName(node.key)}`);
          total += entry.pointCount;
        }
        assert.equal(total, octree.pointCount);
        assert.equal(progress.at(-1)?.done, octree.pointCount);
        assert.equal(progress.at(-1)?.total, octree.pointCount);
        assert.match((progress.at(-1) as { label?: string }).label ?? "", /^Writing COPC: [\d.]+( k| M)? of [\d.]+( k| M)? points$/);
      }));
  }

  void it("a source with NIR becomes format 8 and its NIR reads back as Infrared", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_simple1_4.las"));
      const nir = Uint16Array.from({ length: points.count }, (_, i) => (i * 37) & 0xffff);
      const withNir = { ...points, nir };
      const octree = fakeOctree({ ...header, attributes: { ...header.attributes, nir: true } }, withNir);
      const path = join(dir, "nir.copc.laz");
      await writeCopc(octree, path, ctx());
      const { copc, nodes } = await copcHierarchy(path);
      assert.equal(copc.header.pointDataRecordFormat, 8);
      assert.equal(copc.header.pointDataRecordLength, 38);
      for (const node of octree.nodes) {
        const want = await octree.readNode(node.key);
        assert.ok(want.nir, "the node carries NIR");
        assertSameAsChunk(await copcNodePoints(path, copc, nodes[nodeName(node.key)]!), want, copc.header, nodeName(node.key));
      }
    }));

  void it("laz-perf decodes the whole file sequentially (variable chunks) into the nodes' points in octree order", () =>
    withTempDir(async (dir) => {
      // laz-perf's sequential reader slows down with the chunk count (25 s for 2 700 chunks): bigger nodes here
      const { octree, path, header } = await writeFixtureCopc(dir, "laspy_autzen_trim.laz", {}, 64);
      const file = new Uint8Array(await readFile(path));
      const decoded = await decodeWithLazPerf(file);
      const las = parseLasHeader(file);
      assert.equal(decoded.format, 7);
      assert.equal(decoded.count, 110_000);
      assert.deepEqual(las.scale, header.scale, "the source's scale is kept");
      assert.deepEqual(las.offset, header.offset, "the source's offset is kept");
      const back = decodeLasRecords(decoded.records, decoded.count, { layout: lasPointLayout(7), recordLength: decoded.recordLength, scale: las.scale, offset: las.offset });
      // the file holds the nodes one after another, in the octree's order
      let at = 0;
      for (const node of octree.nodes) {
        const segment = selectPoints(
          back,
          Array.from({ length: node.pointCount }, (_, i) => at + i),
          0,
        );
        assertChunksEqual(segment, await octree.readNode(node.key), las, nodeName(node.key));
        at += node.pointCount;
      }
      assert.equal(at, decoded.count);
    }));

  void it("our LAS reader opens it as COPC with the CRS, bounds and counts of the source", () =>
    withTempDir(async (dir) => {
      const { octree, path, header, points } = await writeFixtureCopc(dir, "laspy_simple1_4.las");
      const source = await openLasSource(path);
      try {
        assert.equal(source.header.sourceFormat, "copc");
        assert.equal(source.header.pointCount, points.count);
        // formats 6–8 carry the CRS as WKT only (the source's GeoTIFF keys, which named EPSG:4326, are not allowed)
        assert.equal(source.header.crs.wkt, header.crs.wkt);
        assert.ok(header.crs.wkt?.startsWith("GEOGCS["));
        const chunks: PointChunk[] = [];
        for await (const c of source.points()) chunks.push(c);
        assertChunksEqual(concatChunks(chunks, 0), concatChunks(await Promise.all(octree.nodes.map((n) => octree.readNode(n.key))), 0), { scale: source.header.scale!, offset: source.header.offset! });
        for (let a = 0; a < 3; a++) {
          assert.ok(Math.abs(source.header.bounds!.min[a]! - octree.bounds.min[a]!) <= header.scale![a]!);
          assert.ok(Math.abs(source.header.bounds!.max[a]! - octree.bounds.max[a]!) <= header.scale![a]!);
        }
      } finally {
        await source.close();
      }
    }));

  void it("the layout the spec requires: info VLR at 375, variable chunks, hierarchy EVLR, 1.4 counts, WKT", () =>
    withTempDir(async (dir) => {
      const { octree, path } = await writeFixtureCopc(dir, "laspy_autzen_trim.laz");
      const file = new Uint8Array(await readFile(path));
      const v = new DataView(file.buffer);
      const las = parseLasHeader(file);
      assert.equal(new TextDecoder().decode(file.subarray(377, 381)), "copc");
      assert.equal(file[393], 1);
      assert.equal(file[394], 0);
      assert.equal(v.getUint16(395, true), 160, "info VLR payload is 160 bytes");
      assert.equal(las.headerSize, 375);
      assert.equal(las.compressed, true);
      assert.equal(las.pointCount, 110_000);
      assert.equal(v.getUint32(107, true), 0, "legacy point count is 0 for format 7");
      assert.equal(
        las.pointsByReturn.reduce((a, b) => a + b, 0),
        110_000,
        "points by return add up",
      );
      assert.equal(las.globalEncoding & 16, 16, "WKT bit");
      const { vlrs } = parseVlrs(file.subarray(375, las.offsetToPointData), las.numberOfVlrs, false);
      assert.deepEqual(
        vlrs.map((r) => `${r.userId}/${r.recordId}`),
        ["copc/1", "LASF_Projection/2112", "laszip encoded/22204"],
      );
      const laszip = new DataView(vlrs[2]!.data.buffer);
      assert.equal(laszip.getUint32(12, true), 0xffffffff, "variable-size chunks");
      assert.equal(las.numberOfEvlrs, 1);
      const { vlrs: evlrs } = parseVlrs(file.subarray(las.startOfFirstEvlr), 1, true);
      assert.equal(evlrs[0]!.userId, "copc");
      assert.equal(evlrs[0]!.recordId, 1000);
      assert.equal(evlrs[0]!.description, "EPT Hierarchy", "as PDAL names it");
      const info = parseCopcInfo(vlrs[0]!.data);
      assert.equal(info.rootHierOffset, las.startOfFirstEvlr + 60);
      assert.equal(info.rootHierSize % 32, 0);
      assert.ok(info.rootHierOffset + info.rootHierSize <= file.length);
      const src = await readAll(pc("laspy_autzen_trim.laz"));
      const gps = src.points.gpsTime!;
      assert.equal(
        info.gpsTimeMin,
        gps.reduce((m, t) => Math.min(m, t), Infinity),
      );
      assert.equal(
        info.gpsTimeMax,
        gps.reduce((m, t) => Math.max(m, t), -Infinity),
      );
      assert.equal(octree.nodes.length > 0, true);
    }));

  void it("extra bytes are kept byte for byte; deprecated array descriptors become scalar ones the copc reader names", () =>
    withTempDir(async (dir) => {
      const { octree, path } = await writeFixtureCopc(dir, "laspy_extrabytes.las");
      const decoded = await decodeWithLazPerf(new Uint8Array(await readFile(path)));
      assert.equal(decoded.recordLength, 36 + 27);
      const all = concatChunks(await Promise.all(octree.nodes.map((n) => octree.readNode(n.key))), 27);
      const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
      const want = Array.from({ length: all.count }, (_, i) => `${all.gpsTime![i]} ${hex(all.extraBytes!.subarray(i * 27, i * 27 + 27))}`).sort();
      const dv = new DataView(decoded.records.buffer);
      const got = Array.from({ length: decoded.count }, (_, i) => `${dv.getFloat64(i * 63 + 22, true)} ${hex(decoded.records.subarray(i * 63 + 36, i * 63 + 63))}`).sort();
      assert.deepEqual(got, want, "every point keeps its extra bytes");
      const { copc, nodes } = await copcHierarchy(path);
      assert.deepEqual(
        copc.eb.map((e) => e.name),
        ["Colors_0", "Colors_1", "Colors_2", "Reserved", "Flags_0", "Flags_1", "Intensity", "Time"],
      );
      const root = octree.nodes[0]!;
      const view = await copcNodePoints(path, copc, nodes[nodeName(root.key)]!);
      const node = await octree.readNode(root.key);
      const eb = new DataView(node.extraBytes!.buffer, node.extraBytes!.byteOffset, node.extraBytes!.byteLength);
      const wantDims = Array.from({ length: root.pointCount }, (_, i) => `${node.gpsTime![i]} ${eb.getUint16(i * 27 + 4, true)} ${eb.getBigUint64(i * 27 + 19, true)}`).sort();
      const gotDims = view.GpsTime!.map((t, i) => `${t} ${view.Colors_2![i]} ${view.Time![i]}`).sort();
      assert.deepEqual(gotDims, wantDims, "copc.js reads the expanded descriptors' values");
    }));

  void it("a hierarchy split into child pages is followed by the copc reader", () =>
    withTempDir(async (dir) => {
      const { octree, path } = await writeFixtureCopc(dir, "laspy_autzen_trim.laz", { hierarchy: { maxPageEntries: 4, pageLevels: 1 } });
      const { copc, nodes, pages } = await copcHierarchy(path);
      assert.ok(pages > 5, `several pages (${pages})`);
      assert.equal(Object.keys(nodes).length, octree.nodes.length);
      const sample = octree.nodes.at(-1)!;
      assertSameAsChunk(await copcNodePoints(path, copc, nodes[nodeName(sample.key)]!), await octree.readNode(sample.key), copc.header, "deepest node");
    }));

  void it("LAS 1.2 (format 3) becomes format 7 with classes, flags, returns, scan angle and GPS time as the source's", () =>
    withTempDir(async (dir) => {
      const { octree, path, points } = await writeFixtureCopc(dir, "laspy_simple.las");
      const { copc, nodes } = await copcHierarchy(path);
      assert.equal(copc.header.pointDataRecordFormat, 7);
      const scanDirections = Array.from(points.las!.flags).filter((f) => f & 16).length;
      assert.ok(scanDirections > 0 && scanDirections < points.count, "the fixture has both scan directions");
      let seen = 0;
      for (const node of octree.nodes) {
        const got = await copcNodePoints(path, copc, nodes[nodeName(node.key)]!);
        assertSameAsChunk(got, await octree.readNode(node.key), copc.header, nodeName(node.key));
        seen += got.ScanDirectionFlag!.filter(Boolean).length;
      }
      assert.equal(seen, scanDirections);
    }));

  void it("the same octree gives the same bytes; a cancelled write leaves no file", () =>
    withTempDir(async (dir) => {
      const created = new Date(Date.UTC(2026, 0, 2));
      const a = await writeFixtureCopc(join(dir, ".."), "laspy_simple.las", { created });
      const first = await readFile(a.path);
      const again = join(dir, "again.copc.laz");
      await writeCopc(a.octree, again, ctx(), { created });
      assert.ok(first.equals(await readFile(again)), "identical bytes");
      const controller = new AbortController();
      const cancelled = join(dir, "cancelled.copc.laz");
      await assert.rejects(writeCopc(a.octree, cancelled, { signal: controller.signal, progress: () => controller.abort() }), { name: "AbortError" });
      await assert.rejects(stat(cancelled), { code: "ENOENT" });
    }));

  void it("compressing on 2 worker threads gives the same bytes as inline", () =>
    withTempDir(async (dir) => {
      const created = new Date(Date.UTC(2026, 0, 2));
      const inline = await writeFixtureCopc(dir, "laspy_autzen_trim.laz", { created, threads: 0 });
      const parallel = join(dir, "parallel.copc.laz");
      const progress: { done: number; total: number }[] = [];
      await writeCopc(inline.octree, parallel, ctx(progress), { created, threads: 2 });
      assert.ok((await readFile(inline.path)).equals(await readFile(parallel)), "identical bytes");
      assert.deepEqual(
        progress.map((p) => p.done),
        [...progress.map((p) => p.done)].sort((a, b) => a - b),
        "progress only grows",
      );
      assert.equal(progress.at(-1)?.done, 110_000);
      const controller = new AbortController();
      const cancelled = join(dir, "cancelled.copc.laz");
      await assert.rejects(writeCopc(inline.octree, cancelled, { signal: controller.signal, progress: () => controller.abort() }, { threads: 2 }), { name: "AbortError" });
      await assert.rejects(stat(cancelled), { code: "ENOENT" });
    }));

  void it("a node whose points disagree with its count fails with INTERNAL and leaves no file", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_simple.las"));
      const octree = fakeOctree(header, points);
      const lying = { ...octree, nodes: octree.nodes.map((n, i) => (i === 1 ? { ...n, pointCount: n.pointCount + 1 } : n)) };
      const path = join(dir, "lying.copc.laz");
      await assert.rejects(writeCopc(lying, path, ctx()), { code: "INTERNAL" });
      await assert.rejects(stat(path), { code: "ENOENT" });
    }));
});

/** `got` holds exactly `want`'s points in any order: coordinates quantised with the file's
 * scale/offset, the other attributes equal. */
function assertChunksEqual(got: PointChunk, want: PointChunk, file: { scale: number[]; offset: number[] }, where = "file"): void {
  assert.equal(got.count, want.count, `${where}: count`);
  const names = ["intensity", "classification", "returnNumber", "gpsTime", "red", "green", "blue"] as const;
  const rowsOf = (c: PointChunk): string[] => {
    const out: string[] = [];
    for (let i = 0; i < c.count; i++) {
      const xyz = [c.x[i]!, c.y[i]!, c.z[i]!].map((v, a) => Math.round((v - file.offset[a]!) / file.scale[a]!));
      out.push([...xyz, ...names.filter((n) => want[n]).map((n) => c[n]![i])].join(" "));
    }
    return out.sort();
  };
  const [a, b] = [rowsOf(got), rowsOf(want)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${where}: rows differ\n got  ${a[i]}\n want ${b[i]}`);
}
