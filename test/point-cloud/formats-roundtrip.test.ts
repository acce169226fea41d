import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NodeIO } from "@gltf-transform/core";
import type { PointCloudConvertParams } from "../../src/processors/point-cloud/point-cloud-convert.params.ts";
import { createPointCloudSink } from "../../src/processors/point-cloud/point-cloud-sink.ts";
import { detectInputFormat, openPointCloud } from "../../src/processors/point-cloud/point-cloud-source.ts";
import { collect, maxDiff, type Collected } from "./collect.ts";
import { pc, withTempDir } from "./pc-test-utils.ts";

async function convert(from: string, to: string, params: PointCloudConvertParams): Promise<void> {
  const src = await openPointCloud(from, await detectInputFormat(from), { chunkSize: 400 });
  const sink = await createPointCloudSink(to, src.header, params);
  for await (const c of src.points()) await sink.write(c);
  await sink.close();
  await src.close();
}

const read = async (path: string): Promise<Collected> => collect(await openPointCloud(path, await detectInputFormat(path)));
const to8 = (v: number[]): number[] => v.map((n) => (n > 255 ? n >> 8 : n));

void describe("point cloud format round trips", () => {
  void it("LAS → XYZ / PTS give the reference exports' values, decimals from the LAS scale", () =>
    withTempDir(async (dir) => {
      for (const kind of ["xyz", "pts"] as const) {
        const out = join(dir, `a.${kind}`);
        await convert(pc("laspy_simple.las"), out, { output_format: kind });
        const text = await readFile(out, "utf8");
        assert.match(text.split("\n")[kind === "pts" ? 1 : 0]!, /^\d+\.\d\d \d+\.\d\d \d+\.\d\d /, "scale 0.01 → 2 decimals");
        const [got, ref] = [await read(out), await read(pc(`derived_simple.${kind}`))];
        assert.equal(got.count, 1065);
        assert.ok(maxDiff(got.x, ref.x) < 1e-6 && maxDiff(got.y, ref.y) < 1e-6 && maxDiff(got.z, ref.z) < 1e-6);
        assert.deepEqual([got.red, got.green, got.blue, got.intensity], [ref.red, ref.green, ref.blue, ref.intensity]);
      }
      assert.equal((await readFile(join(dir, "a.pts"), "utf8")).split("\n")[0], "1065");
    }));

  void it("XYZ / PTS / PLY read back the LAS points with 8-bit colour ×257", async () => {
    const las = await read(pc("laspy_simple1_4.las"));
    for (const name of ["derived_simple1_4.xyz", "derived_simple1_4.pts", "derived_simple1_4_xyzrgb_binary.ply"]) {
      const got = await read(pc(name));
      assert.equal(got.count, 22600, name);
      assert.ok(maxDiff(got.x, las.x) < 0.0006 && maxDiff(got.z, las.z) < 0.0006, `${name} coordinates`);
      assert.deepEqual(
        got.red.map((v) => v / 257),
        to8(las.red),
        `${name} colour`,
      );
    }
    const pts = await read(pc("derived_simple1_4.pts"));
    assert.deepEqual(pts.intensity, las.intensity);
  });

  for (const encoding of ["binary", "ascii"] as const) {
    void it(`LAS → PLY (${encoding}) → read back equals the source`, () =>
      withTempDir(async (dir) => {
        const out = join(dir, `a.ply`);
        await convert(pc("laspy_simple1_4.las"), out, { output_format: "ply", ply_encoding: encoding });
        const [a, b] = [await read(pc("laspy_simple1_4.las")), await read(out)];
        assert.equal(b.count, a.count);
        assert.ok(maxDiff(a.x, b.x) < 1e-9 && maxDiff(a.y, b.y) < 1e-9);
        assert.deepEqual(b.intensity, a.intensity);
        assert.deepEqual(
          b.green.map((v) => v >> 8),
          a.green.map((v) => v >> 8),
        );
      }));
  }

  void it("big-endian binary PLY reads the same as little-endian", () =>
    withTempDir(async (dir) => {
      const le = await readFile(pc("derived_simple_xyzrgb_binary.ply"));
      const headerEnd = le.indexOf("end_header\n") + "end_header\n".length;
      const head = le.subarray(0, headerEnd).toString("latin1").replace("binary_little_endian", "binary_big_endian");
      const body = Buffer.from(le.subarray(headerEnd));
      for (let p = 0; p < body.length; p += 29) {
        for (let k = 0; k < 3; k++) body.subarray(p + 8 * k, p + 8 * k + 8).reverse();
        body.subarray(p + 27, p + 29).reverse();
      }
      const { writeFile } = await import("node:fs/promises");
      await writeFile(join(dir, "be.ply"), Buffer.concat([Buffer.from(head, "latin1"), body]));
      const [a, b] = [await read(pc("derived_simple_xyzrgb_binary.ply")), await read(join(dir, "be.ply"))];
      assert.deepEqual(b, a);
    }));

  void it("LAS → GLB is a glTF POINTS mesh whose node translation restores the coordinates", () =>
    withTempDir(async (dir) => {
      const out = join(dir, "a.glb");
      await convert(pc("laspy_simple1_4.las"), out, { output_format: "glb" });
      const doc = await new NodeIO().read(out);
      const node = doc.getRoot().listNodes()[0]!;
      const prim = node.getMesh()!.listPrimitives()[0]!;
      assert.equal(prim.getMode(), 0);
      const pos = prim.getAttribute("POSITION")!,
        col = prim.getAttribute("COLOR_0")!;
      assert.equal(pos.getCount(), 22600);
      assert.equal(col.getNormalized(), true);
      const t = node.getTranslation();
      const las = await read(pc("laspy_simple1_4.las"));
      const v: number[] = [],
        c: number[] = [];
      let worst = 0;
      for (let i = 0; i < 22600; i += 97) {
        pos.getElement(i, v);
        col.getElement(i, c);
        // glTF is Y-up: (x, y, z)_las = (gx, −gz, gy) + translation mapped back.
        worst = Math.max(worst, Math.abs(v[0]! + t[0] - las.x[i]!), Math.abs(-(v[2]! + t[2]) - las.y[i]!), Math.abs(v[1]! + t[1] - las.z[i]!));
        assert.equal(Math.round(c[0]! * 255), las.red[i]! >> 8);
      }
      assert.ok(worst < 0.01, `positions within 1 cm (worst ${worst})`);
    }));

  void it("XYZ (count unknown up front) → PLY and PTS patch the count on close", () =>
    withTempDir(async (dir) => {
      for (const kind of ["ply", "pts"] as const) {
        const out = join(dir, `a.${kind}`);
        await convert(pc("derived_simple1_4.xyz"), out, { output_format: kind });
        const back = await read(out);
        assert.equal(back.count, 22600, kind);
        assert.match(await readFile(out, "latin1"), kind === "ply" ? /element vertex 0*22600\n/ : /^0*22600\n/);
      }
    }));

  void it("OBJ vertices with colour read as points", () =>
    withTempDir(async (dir) => {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(join(dir, "a.obj"), "# test\nv 1 2 3 1 0 0.5\nv 4 5 6 0 1 0\nvn 0 0 1\nf 1 2 1\n");
      const got = await read(join(dir, "a.obj"));
      assert.deepEqual([got.count, got.x, got.z, got.red, got.blue], [2, [1, 4], [3, 6], [65535, 0], [32768, 0]]);
    }));
});
