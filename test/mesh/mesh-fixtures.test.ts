import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { meshConvertProcessor } from "../../src/processors/mesh/mesh-convert.processor.ts";
import { meshLodProcessor } from "../../src/processors/mesh/mesh-lod.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages } from "../helpers/run-stages.ts";
import { assertValidatorClean, glbSummary } from "./mesh-test-utils.ts";

after(cleanupRuns);

interface Expect {
  path: string[];
  triangles: number;
  /** Textures the model carries (after MTL / FBX / glTF resolution). */
  textures: number;
  /** Smooth enough that every level must land within 95–100 % of its target. */
  smooth?: boolean;
  missing?: string[];
  morph?: boolean;
}

/** Every file in ../shared/fixtures/mesh, with what a user would see of it. */
const FIXTURES: Expect[] = [
  { path: ["gltftransform_DenseSphere.glb"], triangles: 30720, textures: 0, smooth: true },
  { path: ["gltftransform_ShapeCollection.glb"], triangles: 2390, textures: 0 },
  { path: ["gltftransform_BoxMeshopt.glb"], triangles: 12, textures: 0 },
  { path: ["derived_box-textured_embedded.glb"], triangles: 12, textures: 1 },
  { path: ["happly_platonic_shelf.ply"], triangles: 80, textures: 0 },
  { path: ["happly_platonic_shelf_ascii.ply"], triangles: 80, textures: 0 },
  { path: ["filetype_fixture.fbx"], triangles: 12, textures: 0, morph: true },
  // A lone ASCII FBX: its texture sits in another folder, so it is reported missing, not dropped silently.
  { path: ["derived_box-textured_ascii7500.fbx"], triangles: 12, textures: 0, missing: ["cesium.png"] },
  // OBJ + MTL + textures given as a set of files (the inputObjects directory).
  { path: ["obj2gltf_box-textured"], triangles: 12, textures: 1 },
  // map_Kd, map_Ke, and map_Bump as the normal map; map_Ka, map_Ks and map_Ns are warnings (mesh-material-maps.test.ts).
  { path: ["obj2gltf_box-complex-material"], triangles: 12, textures: 3 },
];

interface LevelEntry {
  label: string;
  file: string;
  triangles: number;
  vertices: number;
  target_triangles: number;
  target_reached: boolean;
  achieved_ratio: number;
  simplify_cpu_seconds: number;
  bytes: number;
  extensions: string[];
  sha256: string;
  bbox: { min: number[]; max: number[] };
  error: { relative: number; absolute: number };
}

for (const f of FIXTURES) {
  const name = f.path.join("/");
  test(`mesh_3d_convert: ${name} → one validator-clean GLB with its textures, a thumbnail and a manifest`, { timeout: 60_000 }, async () => {
    const run = await runStages(meshConvertProcessor, fixture("mesh", ...f.path), {});
    assert.deepEqual(
      run.allOutputs.map((o) => o.type),
      ["mesh", "thumbnail", "manifest"],
    );
    const model = join(run.outDir, "model.glb");
    await assertValidatorClean(model);
    const s = await glbSummary(model);
    assert.equal(s.triangles, f.triangles);
    assert.equal(s.textures, f.textures, "every texture the model names and the input holds is embedded");
    const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as {
      model: { triangles: number; sha256: string; bytes: number; extensions: string[] };
      source: { missing_resources: { uri: string }[]; features: { morph_targets: boolean } };
    };
    const bytes = await readFile(model);
    assert.equal(manifest.model.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(manifest.model.bytes, bytes.length);
    // (a quantized input stays quantized: KHR_mesh_quantization is valid glTF, not compression)
    assert.deepEqual(
      manifest.model.extensions.filter((e) => /compression/.test(e)),
      [],
      "no compression unless asked for; the input's Draco/meshopt is decoded",
    );
    assert.deepEqual(
      manifest.source.missing_resources.map((m) => m.uri),
      f.missing ?? [],
    );
    assert.equal(manifest.source.features.morph_targets, f.morph ?? false);
    const thumb = await sharp(join(run.outDir, "thumbnail.webp")).stats();
    const meta = await sharp(join(run.outDir, "thumbnail.webp")).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["webp", 512, 512]);
    assert.ok(thumb.channels[3]!.max === 255 && thumb.channels[3]!.min === 0, "the model covers part of the frame, the background is transparent");
  });

  test(`mesh_3d_lod: ${name} → 100/25/5 % levels, validator-clean, counts within their targets`, { timeout: 60_000 }, async () => {
    const run = await runStages(meshLodProcessor, fixture("mesh", ...f.path), {});
    assert.deepEqual(
      run.allOutputs.map((o) => o.path),
      ["lod_high.glb", "lod_medium.glb", "lod_low.glb", "thumbnail.webp", "manifest.json"],
    );
    assert.deepEqual(Object.keys(run.outputs), ["lod_high", "lod_medium", "lod_low", "thumbnail", "manifest"], "each level is its own checkpointed stage");
    const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as { levels: LevelEntry[]; source: { source_triangles: number } };
    assert.equal(manifest.source.source_triangles, f.triangles);
    let previous = Infinity;
    for (const [i, level] of manifest.levels.entries()) {
      const path = join(run.outDir, level.file);
      await assertValidatorClean(path);
      const s = await glbSummary(path);
      assert.equal(s.triangles, level.triangles, "the manifest counts what the GLB holds");
      assert.equal(s.vertices, level.vertices);
      assert.equal(level.bytes, (await stat(path)).size);
      assert.equal(
        level.sha256,
        createHash("sha256")
          .update(await readFile(path))
          .digest("hex"),
      );
      assert.equal(s.textures, f.textures, `textures survive level ${level.label}`);
      assert.ok(level.triangles <= previous, "levels never grow");
      previous = level.triangles;
      const target = Math.max(1, Math.floor(f.triangles * [1, 0.25, 0.05][i]!));
      assert.equal(level.target_triangles, target);
      const within = level.triangles <= target && level.triangles >= 0.95 * target;
      assert.equal(level.target_reached, within, `${level.label}: target_reached says whether ${level.triangles} is within 95–100 % of ${target}`);
      if (f.smooth) assert.ok(within, `${level.label}: a smooth mesh reaches its target (${level.triangles} of ${target})`);
      for (const k of [0, 1, 2]) assert.ok(level.bbox.min[k]! <= level.bbox.max[k]!);
      assert.ok(level.extensions.includes("EXT_meshopt_compression"), `${level.label} is meshopt-compressed`);
      assert.ok(!level.extensions.includes("KHR_draco_mesh_compression"), `${level.label}: the input's Draco is not carried over`);
      assert.ok(level.simplify_cpu_seconds >= 0 && level.simplify_cpu_seconds < 60, `${level.label}: the simplifier's CPU time is reported (${level.simplify_cpu_seconds})`);
    }
    assert.ok(manifest.levels[0]!.target_reached, "the 100 % level is the source itself");
  });
}
