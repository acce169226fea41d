import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PointChunk } from "../../src/processors/point-cloud/point-chunk.ts";
import { writePreviewGlb } from "../../src/processors/point-cloud-lod/preview/write-preview-glb.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { readAll } from "./copc-fake-octree.ts";
import { asyncIterableOf } from "../helpers/async-iterable-of.ts";

const require = createRequire(import.meta.url);
const validator = require("gltf-validator") as { validateBytes(b: Uint8Array, o: { maxIssues: number }): Promise<{ issues: { numErrors: number; messages: { code: string; message: string }[] } }> };

interface Gltf {
  accessors: { count: number; min?: number[]; max?: number[]; componentType: number; type: string; normalized?: boolean }[];
  meshes: { primitives: { attributes: Record<string, number>; mode: number }[] }[];
  nodes: { translation?: number[] }[];
}

function maxOf(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}
function minOf(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}

// As a point source hands its chunks: asynchronously, `size` points at a time.
const inChunks = (all: PointChunk, size: number): AsyncIterable<PointChunk> => asyncIterableOf(slices(all, size));

function* slices(all: PointChunk, size: number): Generator<PointChunk> {
  for (let at = 0; at < all.count; at += size) {
    const end = Math.min(all.count, at + size);
    const part: PointChunk = { count: end - at, x: all.x.subarray(at, end), y: all.y.subarray(at, end), z: all.z.subarray(at, end) };
    if (all.red) Object.assign(part, { red: all.red.subarray(at, end), green: all.green!.subarray(at, end), blue: all.blue!.subarray(at, end) });
    yield part;
  }
}

function parseGlb(bytes: Uint8Array): { json: Gltf; bin: Uint8Array } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(v.getUint32(0, true), 0x46546c67, "glTF magic");
  assert.equal(v.getUint32(8, true), bytes.byteLength, "GLB length");
  const jsonLength = v.getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength))) as Gltf;
  return { json, bin: bytes.subarray(28 + jsonLength) };
}

async function validGlb(path: string): Promise<{ json: Gltf; bin: Uint8Array; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await readFile(path));
  const report = await validator.validateBytes(bytes, { maxIssues: 50 });
  assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.slice(0, 5)));
  return { ...parseGlb(bytes), bytes };
}

void describe("writePreviewGlb: a small Y-up, centred, metric GLB of points", () => {
  void it("autzen (RGB, 110 000 points): valid POINTS with COLOR_0, centred, Y up, every point, the source's colours", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
      const path = join(dir, "preview.glb");
      const result = await writePreviewGlb(inChunks(points, 30_000), header, path);
      assert.equal(result.points, 110_000);
      const { json, bin } = await validGlb(path);
      const prim = json.meshes[0]!.primitives[0]!;
      assert.equal(prim.mode, 0, "POINTS");
      assert.ok(prim.attributes.COLOR_0 !== undefined, "COLOR_0");
      const pos = json.accessors[prim.attributes.POSITION!]!;
      assert.equal(pos.count, 110_000);
      const zExtent = maxOf(points.z) - minOf(points.z);
      const yExtent = maxOf(points.y) - minOf(points.y);
      assert.ok(Math.abs(pos.max![1]! - pos.min![1]! - zExtent) < 1e-3, "glTF Y spans the source's Z");
      assert.ok(Math.abs(pos.max![2]! - pos.min![2]! - yExtent) < 1e-3, "glTF Z spans the source's Y");
      for (let a = 0; a < 3; a++) assert.ok(Math.abs(pos.max![a]! + pos.min![a]!) < 1e-3, `centred on axis ${a}`);
      assert.deepEqual(json.nodes[0]!.translation ?? [0, 0, 0], [0, 0, 0]);
      const positions = new Float32Array(bin.slice(0, 110_000 * 12).buffer);
      const cz = (maxOf(points.z) + minOf(points.z)) / 2;
      assert.ok(Math.abs(positions[1]! - (points.z[0]! - cz)) < 1e-3, "first point's height");
      const colours = bin.subarray(110_000 * 12);
      // 8-bit values in the 16-bit fields stay as they are; true 16-bit colour is shifted down
      const shift = Math.max(maxOf(points.red!), maxOf(points.green!), maxOf(points.blue!)) > 255 ? 8 : 0;
      for (const i of [0, 54_321, 109_999]) {
        assert.deepEqual([...colours.subarray(4 * i, 4 * i + 4)], [points.red![i]! >> shift, points.green![i]! >> shift, points.blue![i]! >> shift, 255]);
      }
      assert.ok(
        colours.some((c, i) => i % 4 !== 3 && c > 100),
        "not all dark",
      );
    }));

  void it("metresPerUnit scales to metres (US survey feet)", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
      const feet = 1200 / 3937;
      await writePreviewGlb(inChunks(points, 50_000), header, join(dir, "m.glb"), { metresPerUnit: feet });
      const { json } = await validGlb(join(dir, "m.glb"));
      const pos = json.accessors[0]!;
      const xExtent = maxOf(points.x) - minOf(points.x);
      assert.ok(Math.abs(pos.max![0]! - pos.min![0]! - xExtent * feet) < 1e-2);
      await assert.rejects(writePreviewGlb(inChunks(points, 50_000), header, join(dir, "bad.glb"), { metresPerUnit: 0 }), { code: "INVALID_PARAMS" });
    }));

  void it("a cloud without colour has no COLOR_0; maxPoints thins evenly and deterministically", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_1_4_w_evlr.laz"));
      await writePreviewGlb(inChunks(points, 100), header, join(dir, "plain.glb"));
      const { json } = await validGlb(join(dir, "plain.glb"));
      assert.equal(json.meshes[0]!.primitives[0]!.attributes.COLOR_0, undefined);
      assert.equal(json.accessors[0]!.count, 1000);
      const big = await readAll(pc("laspy_autzen_trim.laz"));
      const a = await writePreviewGlb(inChunks(big.points, 7_000), big.header, join(dir, "a.glb"), { maxPoints: 5000 });
      await writePreviewGlb(inChunks(big.points, 33_333), big.header, join(dir, "b.glb"), { maxPoints: 5000 });
      assert.ok(a.points <= 5000 && a.points > 2500, `${a.points} points`);
      const [ga, gb] = [await validGlb(join(dir, "a.glb")), await validGlb(join(dir, "b.glb"))];
      assert.ok(Buffer.from(ga.bytes).equals(Buffer.from(gb.bytes)), "same bytes whatever the chunking");
    }));

  void it("no points gives a valid empty GLB", () =>
    withTempDir(async (dir) => {
      const { header } = await readAll(pc("laspy_simple.las"));
      const empty = async function* (): AsyncGenerator<PointChunk> {};
      const result = await writePreviewGlb(empty(), header, join(dir, "empty.glb"));
      assert.equal(result.points, 0);
      await validGlb(join(dir, "empty.glb"));
    }));
});
