import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Document } from "@gltf-transform/core";
import { AppError } from "../../src/contracts/app-error.ts";
import { meshConvertProcessor } from "../../src/processors/mesh/mesh-convert.processor.ts";
import { meshLodProcessor } from "../../src/processors/mesh/mesh-lod.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { assertValidatorClean, glbSummary, texturedSphereDoc, writeBytes, writeGlb } from "./mesh-test-utils.ts";

after(cleanupRuns);

/** Runs mesh_3d_convert and expects it to fail with `code`; returns the error. */
async function fails(path: string, code: string, params: object = {}, processor: typeof meshConvertProcessor | typeof meshLodProcessor = meshConvertProcessor): Promise<AppError> {
  let caught: unknown;
  try {
    await runStages(processor as typeof meshConvertProcessor, path, { thumbnail: false, ...params });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.recoverable, false);
  return caught;
}

function triangleDoc(positions: number[], indices: number[]): Document {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const prim = doc
    .createPrimitive()
    .setAttribute("POSITION", doc.createAccessor().setType("VEC3").setArray(new Float32Array(positions)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType("SCALAR").setArray(new Uint32Array(indices)).setBuffer(buffer));
  doc.createScene().addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)));
  return doc;
}

test("empty file, truncated GLB, text that is no model, garbage FBX: INPUT_CORRUPT or UNSUPPORTED_FORMAT", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-bad-");
  await fails(await writeBytes(join(dir, "empty.glb"), ""), "INPUT_CORRUPT");
  const sphere = await readFile(fixture("mesh", "gltftransform_DenseSphere.glb"));
  const truncated = await fails(await writeBytes(join(dir, "truncated.glb"), sphere.subarray(0, Math.floor(sphere.length / 2))), "INPUT_CORRUPT");
  assert.match(truncated.message, /GLB|validation/);
  await fails(await writeBytes(join(dir, "notes.obj"), "Dear user,\nthis is a letter, not a model.\nRegards\n"), "UNSUPPORTED_FORMAT");
  await fails(await writeBytes(join(dir, "noise.fbx"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))), "UNSUPPORTED_FORMAT");
  const fbx = Buffer.concat([Buffer.from("Kaydara FBX Binary  \0\x1a\0"), Buffer.alloc(2000, 0x5a)]);
  const e = await fails(await writeBytes(join(dir, "broken.fbx"), fbx), "INPUT_CORRUPT");
  assert.match(e.message, /FBX/);
});

test("an index out of range or NaN positions are INPUT_CORRUPT (GLB through glTF-Validator, PLY through the integrity check)", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-bad-");
  const oob = await fails(await writeGlb(triangleDoc([0, 0, 0, 1, 0, 0, 0, 1, 0], [0, 1, 7]), join(dir, "oob.glb")), "INPUT_CORRUPT", {}, meshLodProcessor);
  assert.match(oob.message, /ACCESSOR_INDEX_OOB/);
  const nan = await fails(await writeGlb(triangleDoc([0, 0, 0, NaN, 0, 0, 0, 1, 0], [0, 1, 2]), join(dir, "nan.glb")), "INPUT_CORRUPT", {}, meshLodProcessor);
  assert.match(nan.message, /ACCESSOR_INVALID_FLOAT|NaN/);
  const ply =
    "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 9\n";
  assert.match((await fails(await writeBytes(join(dir, "oob.ply"), ply), "INPUT_CORRUPT")).message, /out of range/);
  const nanPly = ply.replace("1 0 0\n", "nan 0 0\n").replace("3 0 1 9", "3 0 1 2");
  assert.match((await fails(await writeBytes(join(dir, "nan.ply"), nanPly), "INPUT_CORRUPT")).message, /NaN/);
});

test("an empty mesh (no triangles: a GLB with no mesh, a PLY of points) is INPUT_CORRUPT", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-bad-");
  const doc = new Document();
  doc.createBuffer();
  doc.createScene().addChild(doc.createNode("nothing"));
  assert.match((await fails(await writeGlb(doc, join(dir, "empty-scene.glb")), "INPUT_CORRUPT")).message, /no triangles/);
  const points = "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 1 1\n";
  assert.match((await fails(await writeBytes(join(dir, "points.ply"), points), "INPUT_CORRUPT")).message, /no triangles/);
});

test("more vertices than the RAM grant allows is INPUT_TOO_LARGE, decided from the header before anything is parsed", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-bad-");
  // The header claims two billion vertices; the body is a few bytes: only the header was read.
  const liar = "ply\nformat binary_little_endian 1.0\nelement vertex 2000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n\0\0\0\0";
  const big = await fails(await writeBytes(join(dir, "huge.ply"), liar), "INPUT_TOO_LARGE", {}, meshLodProcessor);
  assert.match(big.message, /2000000000 vertices/);
  const capped = await fails(fixture("mesh", "gltftransform_DenseSphere.glb"), "INPUT_TOO_LARGE", { max_vertices: 10_000 });
  assert.match(capped.message, /15362 vertices.*allows 10000/);
});

test("ZIP inputs go through archive_extract's defences: a bomb is ARCHIVE_BOMB, a zip-slip UNSAFE_ARCHIVE, nothing lands outside the work dir", { timeout: 60_000 }, async () => {
  const root = await scratchDir("vs3d-mesh-zip-");
  await fails(fixture("archives", "bomb_zip_ratio_1000x.zip"), "ARCHIVE_BOMB", {}, meshConvertProcessor);
  let caught: unknown;
  try {
    await runStages(meshConvertProcessor, fixture("archives", "evil_zip_relative.zip"), { thumbnail: false }, { root });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError && caught.code === "UNSAFE_ARCHIVE", String(caught));
  assert.deepEqual((await readdir(root)).sort(), ["out", "work"], "nothing beside the task's directories");
  assert.deepEqual(await readdir(join(root, "out")), []);
  await fails(fixture("archives", "filetype_fixture.zip"), "UNSUPPORTED_FORMAT");
});

test("missing MTL and missing textures are reported in the manifest and as result warnings, never silently dropped; the model still converts", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-miss-");
  const obj = await readFile(fixture("mesh", "obj2gltf_box-textured", "box-textured.obj"));
  const mtl = await readFile(fixture("mesh", "obj2gltf_box-textured", "box-textured.mtl"));
  await writeBytes(join(dir, "no-mtl", "box-textured.obj"), obj);
  await writeBytes(join(dir, "no-png", "box-textured.obj"), obj);
  await writeBytes(join(dir, "no-png", "box-textured.mtl"), mtl);
  for (const [sub, expected] of [
    ["no-mtl", [{ kind: "material_library", uri: "box-textured.mtl" }]],
    ["no-png", [{ kind: "texture", uri: "cesium.png" }]],
  ] as const) {
    const run = await runStages(meshConvertProcessor, join(dir, sub), { thumbnail: false });
    await assertValidatorClean(run.file("mesh"));
    const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as { source: { missing_resources: unknown[] } };
    assert.deepEqual(manifest.source.missing_resources, expected, sub);
    assert.equal((await glbSummary(run.file("mesh"))).textures, 0);
    const warnings = run.allOutputs.find((o) => o.type === "mesh")?.warnings ?? [];
    assert.deepEqual(
      warnings.map((w) => [w.code, w.details?.["uri"]]),
      [[sub === "no-mtl" ? "MATERIAL_LIBRARY_MISSING" : "TEXTURE_MISSING", expected[0].uri]],
      "and in the result",
    );
  }
});

test("skinned and morph-target meshes stay valid through every level (joints, weights and targets compacted with the vertices)", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-skin-");
  const doc = await texturedSphereDoc(32, 64, 64);
  const prim = doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
  const n = prim.getAttribute("POSITION")!.getCount();
  const buffer = doc.getRoot().listBuffers()[0]!;
  const joints = new Uint16Array(n * 4);
  const weights = new Float32Array(n * 4);
  const pos = prim.getAttribute("POSITION")!.getArray()!;
  for (let i = 0; i < n; i++) {
    const w = (pos[i * 3 + 1]! + 1) / 2;
    joints.set([0, 1, 0, 0], i * 4);
    weights.set([1 - w, w, 0, 0], i * 4);
  }
  prim.setAttribute("JOINTS_0", doc.createAccessor().setType("VEC4").setArray(joints).setBuffer(buffer));
  prim.setAttribute("WEIGHTS_0", doc.createAccessor().setType("VEC4").setArray(weights).setBuffer(buffer));
  const bump = new Float32Array(n * 3).map((_, i) => (i % 3 === 1 ? 0.1 : 0));
  prim.addTarget(doc.createPrimitiveTarget().setAttribute("POSITION", doc.createAccessor().setType("VEC3").setArray(bump).setBuffer(buffer)));
  doc.getRoot().listMeshes()[0]!.setWeights([0]);
  const j0 = doc.createNode("j0"),
    j1 = doc.createNode("j1").setTranslation([0, 1, 0]);
  j0.addChild(j1);
  const ibm = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, -1, 0, 1]);
  const skin = doc.createSkin("skin").addJoint(j0).addJoint(j1).setInverseBindMatrices(doc.createAccessor().setType("MAT4").setArray(ibm).setBuffer(buffer));
  const node = doc
    .getRoot()
    .listNodes()
    .find((x) => x.getMesh())!
    .setSkin(skin);
  doc.getRoot().listScenes()[0]!.addChild(j0);
  void node;
  const run = await runStages(meshLodProcessor, await writeGlb(doc, join(dir, "skinned.glb")), { thumbnail: false });
  const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as {
    source: { features: { skinned: boolean; morph_targets: boolean } };
    levels: { file: string; triangles: number }[];
  };
  assert.deepEqual(manifest.source.features, { skinned: true, morph_targets: true, animations: 0 });
  for (const l of manifest.levels) {
    await assertValidatorClean(join(run.outDir, l.file));
    const { doc: out } = await glbSummary(join(run.outDir, l.file));
    const p = out.getRoot().listMeshes()[0]!.listPrimitives()[0]!;
    assert.equal(out.getRoot().listSkins().length, 1, l.file);
    assert.equal(p.listTargets().length, 1, l.file);
    assert.equal(p.listTargets()[0]!.getAttribute("POSITION")!.getCount(), p.getAttribute("POSITION")!.getCount());
    assert.equal(p.getAttribute("WEIGHTS_0")!.getCount(), p.getAttribute("POSITION")!.getCount());
  }
  assert.ok(manifest.levels[2]!.triangles < manifest.levels[0]!.triangles / 10);
});

test("a cancelled mesh_3d_lod stops with the abort's reason and writes no level", { timeout: 60_000 }, async () => {
  const controller = new AbortController();
  controller.abort(new AppError("CANCELLED", "cancelled by the test"));
  const root = await scratchDir("vs3d-mesh-cancel-");
  await assert.rejects(
    runStages(meshLodProcessor, fixture("mesh", "gltftransform_DenseSphere.glb"), { thumbnail: false }, { root, signal: controller.signal }),
    (e: unknown) => e instanceof AppError && e.code === "CANCELLED",
  );
  assert.deepEqual(await readdir(join(root, "out")), []);
});
