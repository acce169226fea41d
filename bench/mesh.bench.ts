/**
 * mesh_3d_lod against gltfpack (meshoptimizer's own CLI, npm WASM build), same run, same inputs.
 *   npm run bench -- mesh [--quick]
 * Inputs: a generated ~1 M-triangle sphere with low-frequency relief, UVs and a 1024² PNG texture
 * (--quick: ~250 k), and every GLB/OBJ fixture gltfpack reads. For each level (100 / 25 / 5 %):
 *   - our input triangles per second inside meshoptimizer, and the whole stage's time;
 *   - our GLB's size against gltfpack's at comparable settings: `-si <ratio> -se <our max_error>
 *     -slb -cc` (meshopt compression, quantization); textures kept as they are on both sides (the
 *     WASM gltfpack cannot encode WebP nor resize without it). gltfpack reads no Draco, so it gets
 *     the input decoded to a plain GLB (same geometry);
 *   - the sampled symmetric Hausdorff distance of each result against the 100 % level, in % of the
 *     bounding-box diagonal (20 000 samples each way).
 */
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { Document } from "@gltf-transform/core";
import { execa } from "execa";
import { MeshoptSimplifier } from "meshoptimizer";
import sharp from "sharp";
import { gltfIO } from "../src/processors/mesh/gltf-io.ts";
import { meshLodProcessor } from "../src/processors/mesh/mesh-lod.processor.ts";
import { readOwnGlb } from "../src/processors/mesh/mesh-source.ts";
import type { OutputFile } from "../src/processors/processor.ts";
import { diagonal, hausdorff, worldTriangles } from "./mesh-geometry.ts";

const require = createRequire(import.meta.url);
const GLTFPACK = require.resolve("gltfpack/cli.js");
const quick = process.argv.includes("--quick");
const FIXTURES = join(import.meta.dirname, "..", "..", "shared", "fixtures", "mesh");
const RATIOS = [1, 0.25, 0.05];

/** A sphere with gentle relief (smooth at every scale the levels keep), UVs and a texture. */
async function generated(path: string, rings: number): Promise<{ positions: Float32Array; normals: Float32Array; indices: Uint32Array }> {
  const segments = rings * 2;
  const n = (rings + 1) * (segments + 1);
  const positions = new Float32Array(n * 3),
    normals = new Float32Array(n * 3),
    uvs = new Float32Array(n * 2);
  for (let r = 0; r <= rings; r++) {
    const theta = (r / rings) * Math.PI;
    for (let s = 0; s <= segments; s++) {
      const phi = (s / segments) * 2 * Math.PI,
        i = r * (segments + 1) + s;
      const d = [Math.sin(theta) * Math.cos(phi), Math.cos(theta), Math.sin(theta) * Math.sin(phi)];
      const h = 1 + 0.05 * Math.sin(5 * theta) * Math.cos(4 * phi);
      positions.set(
        d.map((c) => c * h),
        i * 3,
      );
      normals.set(d, i * 3);
      uvs.set([s / segments, r / rings], i * 2);
    }
  }
  const idx: number[] = [];
  for (let r = 0; r < rings; r++)
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s,
        b = a + segments + 1;
      if (r > 0) idx.push(a, a + 1, b);
      if (r < rings - 1) idx.push(a + 1, b + 1, b);
    }
  const size = 1024,
    px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) px.set([(x * 255) / size, (y * 255) / size, ((x >> 6) + (y >> 6)) % 2 ? 200 : 60], (y * size + x) * 3);
  const doc = new Document();
  const buf = doc.createBuffer();
  const acc = (t: "VEC2" | "VEC3" | "SCALAR", a: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>) => doc.createAccessor().setType(t).setArray(a).setBuffer(buf);
  const tex = doc
    .createTexture("albedo")
    .setImage(
      new Uint8Array(
        await sharp(px, { raw: { width: size, height: size, channels: 3 } })
          .png()
          .toBuffer(),
      ),
    )
    .setMimeType("image/png");
  const prim = doc
    .createPrimitive()
    .setAttribute("POSITION", acc("VEC3", positions))
    .setAttribute("NORMAL", acc("VEC3", normals))
    .setAttribute("TEXCOORD_0", acc("VEC2", uvs))
    .setIndices(acc("SCALAR", Uint32Array.from(idx)))
    .setMaterial(doc.createMaterial("m").setBaseColorTexture(tex));
  doc.createScene().addChild(doc.createNode("relief").setMesh(doc.createMesh("relief").addPrimitive(prim)));
  await (await gltfIO()).write(path, doc);
  return { positions, normals, indices: Uint32Array.from(idx) };
}

/** meshoptimizer alone on the raw arrays (no glTF, no copies of ours): the ceiling for our per-level figure. */
async function bareSimplify(m: { positions: Float32Array; normals: Float32Array; indices: Uint32Array }, ratio: number) {
  await MeshoptSimplifier.ready;
  const target = Math.floor((m.indices.length / 3) * ratio) * 3;
  const time = (f: () => unknown) => {
    const t0 = performance.now(),
      c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
  return {
    plain: time(() => MeshoptSimplifier.simplify(m.indices, m.positions, 3, target, 0.05, ["LockBorder"])),
    attributes: time(() => MeshoptSimplifier.simplifyWithAttributes(m.indices, m.positions, 3, m.normals, 3, [0.5, 0.5, 0.5], null, target, 0.05, ["LockBorder"])),
  };
}

interface Row {
  input: string;
  label: string;
  ratio: number;
  triangles: number;
  packTriangles: number;
  bytes: number;
  packBytes: number;
  mtris: number;
  cpuMtris: number;
  stage: number;
  packSeconds: number;
  h: number;
  packH: number;
}

async function bench(input: string, work: string): Promise<Row[]> {
  // The npm (WASM) gltfpack has no WebP encoder and resizes textures only when it re-encodes them:
  // both sides keep the source's textures as they are, so the sizes compare geometry encoding.
  const params = meshLodProcessor.params.parse({
    thumbnail: false,
    lod_levels: [
      { level: 0, ratio: 1, label: "high" },
      { level: 1, ratio: 0.25, label: "medium", max_texture_size: 16384 },
      { level: 2, ratio: 0.05, label: "low", max_texture_size: 16384 },
    ],
  });
  const outDir = join(work, "out"),
    workDir = join(work, "work");
  await mkdir(outDir, { recursive: true });
  await mkdir(workDir, { recursive: true });
  const previous: Record<string, OutputFile[]> = {};
  const seconds: Record<string, number> = {};
  for (const stage of meshLodProcessor.stages(params)) {
    const t0 = performance.now();
    const r = await stage.run(
      { filePath: input, workDir, outDir, params, source: { key: basename(input) }, previous: { ...previous } },
      { signal: new AbortController().signal, progress: () => {}, log: () => {} },
    );
    seconds[stage.name] = (performance.now() - t0) / 1000;
    previous[stage.name] = r.outputs;
  }
  const manifest = JSON.parse(await readFile(join(outDir, "manifest.json"), "utf8")) as {
    levels: { label: string; file: string; triangles: number; bytes: number; texture_max_size: number; simplify_seconds: number; simplify_cpu_seconds: number }[];
  };
  const highLevel = manifest.levels[0]!;
  const plain = join(work, "plain.glb");
  const io = await gltfIO();
  const decoded = (await readOwnGlb(input)).doc;
  await io.write(plain, decoded);
  const reference = worldTriangles((await readOwnGlb(join(outDir, highLevel.file))).doc);
  const diag = diagonal(reference);
  const rows: Row[] = [];
  for (const [i, level] of manifest.levels.entries()) {
    const ratio = RATIOS[i]!;
    const packed = join(work, `pack_${level.label}.glb`);
    const t0 = performance.now();
    await execa("node", [GLTFPACK, "-i", plain, "-o", packed, "-si", String(ratio), "-se", String(params.max_error), "-slb", "-cc"], { reject: true });
    const packSeconds = (performance.now() - t0) / 1000;
    const ours = worldTriangles((await readOwnGlb(join(outDir, level.file))).doc);
    const theirs = worldTriangles((await readOwnGlb(packed)).doc);
    const inputTris = i === 0 ? level.triangles : manifest.levels[i - 1]!.triangles;
    rows.push({
      input: basename(input),
      label: level.label,
      ratio,
      triangles: ours.count,
      packTriangles: theirs.count,
      bytes: level.bytes,
      packBytes: (await stat(packed)).size,
      mtris: level.simplify_seconds > 0 ? inputTris / level.simplify_seconds / 1e6 : NaN,
      cpuMtris: level.simplify_cpu_seconds > 0 ? inputTris / level.simplify_cpu_seconds / 1e6 : NaN,
      stage: seconds[`lod_${level.label}`] ?? NaN,
      packSeconds,
      h: (100 * hausdorff(reference, ours)) / diag,
      packH: (100 * hausdorff(reference, theirs)) / diag,
    });
  }
  return rows;
}

const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "—");
const root = await mkdtemp(join(tmpdir(), "vs3d-mesh-bench-"));
try {
  console.log(`mesh bench — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  const big = join(root, "relief.glb");
  const arrays = await generated(big, quick ? 250 : 500);
  for (const ratio of [0.25, 0.05]) {
    const b = await bareSimplify(arrays, ratio);
    const tris = arrays.indices.length / 3 / 1e6;
    console.log(
      `bare meshoptimizer on relief.glb (${(tris * 1e6).toLocaleString("en")} tris) → ${ratio * 100} %: simplify ${fmt(tris / b.plain.wall)} M tris/s wall, ${fmt(tris / b.plain.cpu)} per CPU-s; simplifyWithAttributes ${fmt(tris / b.attributes.wall)} wall, ${fmt(tris / b.attributes.cpu)} per CPU-s`,
    );
  }
  const inputs = [big, ...["gltftransform_DenseSphere.glb", "gltftransform_ShapeCollection.glb", "derived_box-textured_embedded.glb"].map((f) => join(FIXTURES, f))];
  const rows: Row[] = [];
  for (const [i, input] of inputs.entries()) {
    try {
      rows.push(...(await bench(input, join(root, `run${i}`))));
    } catch (error) {
      console.log(`${basename(input)}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    "\n| input | level | triangles (ours / gltfpack) | simplify M tris/s (wall / per CPU-s) | stage s | gltfpack s | bytes (ours / gltfpack) | size ratio | Hausdorff % diag (ours / gltfpack) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.input} | ${r.label} ${r.ratio * 100} % | ${r.triangles.toLocaleString("en")} / ${r.packTriangles.toLocaleString("en")} | ${r.ratio === 1 ? "—" : `${fmt(r.mtris)} / ${fmt(r.cpuMtris)}`} | ${fmt(r.stage)} | ${fmt(r.packSeconds)} | ${r.bytes.toLocaleString("en")} / ${r.packBytes.toLocaleString("en")} | ${fmt(r.bytes / r.packBytes)} | ${fmt(r.h, 3)} / ${fmt(r.packH, 3)} |`,
    );
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
