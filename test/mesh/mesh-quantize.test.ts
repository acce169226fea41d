import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { getBounds } from "@gltf-transform/functions";
import { gltfIO } from "../../src/processors/mesh/gltf-io.ts";
import { meshLodProcessor } from "../../src/processors/mesh/mesh-lod.processor.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { assertValidatorClean, glbJson, glbSummary, texturedSphereDoc, writeGlb } from "./mesh-test-utils.ts";

after(cleanupRuns);

interface Json {
  accessors: { componentType: number; normalized?: boolean; max?: number[] }[];
  meshes: { primitives: { attributes: Record<string, number> }[] }[];
  extensionsRequired?: string[];
}

test("levels: two nodes sharing a material become one primitive; positions and UVs on gltfpack's unpadded integer grids; world geometry and UVs survive", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-grid-");
  const doc = await texturedSphereDoc(24, 48);
  const root = doc.getRoot();
  const first = root.listNodes()[0]!.setTranslation([10, 0, 0]).setRotation([0, Math.SQRT1_2, 0, Math.SQRT1_2]).setScale([2, 2, 2]);
  // A second copy of the geometry (its own mesh, same material) somewhere else.
  const copy = doc.createMesh("copy").addPrimitive(first.getMesh()!.listPrimitives()[0]!.clone());
  root.listScenes()[0]!.addChild(doc.createNode("copy").setMesh(copy).setTranslation([-3, 1, 0]));
  const sourceBox = getBounds(root.listScenes()[0]!);
  const src = await writeGlb(doc, join(dir, "two.glb"));
  const run = await runStages(meshLodProcessor, src, { thumbnail: false });
  for (const file of ["lod_high.glb", "lod_medium.glb", "lod_low.glb"]) {
    const path = join(run.outDir, file);
    await assertValidatorClean(path);
    const json = (await glbJson(path)) as unknown as Json;
    assert.equal(json.meshes.flatMap((m) => m.primitives).length, 1, `${file}: one primitive for the one material`);
    const { POSITION, TEXCOORD_0 } = json.meshes[0]!.primitives[0]!.attributes as { POSITION: number; TEXCOORD_0: number };
    const pos = json.accessors[POSITION]!,
      uv = json.accessors[TEXCOORD_0]!;
    assert.deepEqual([pos.componentType, pos.normalized ?? false], [5123, false], `${file}: positions are unsigned shorts, not normalized`);
    assert.ok(Math.max(...pos.max!) <= 2 ** 14 - 1, `${file}: 14-bit grid, no padded low bits (max ${pos.max?.join(",")})`);
    assert.deepEqual([uv.componentType, uv.normalized ?? false], [5123, false]);
    const raw = (await (await gltfIO()).readBinary(new Uint8Array(await readFile(path)))).getRoot().listAccessors()[TEXCOORD_0]!;
    assert.ok(Math.max(...raw.getMax([])) <= 2 ** 12 - 1, `${file}: 12-bit UV grid (max ${raw.getMax([]).join(",")})`);
    assert.ok(json.extensionsRequired?.includes("KHR_texture_transform") && json.extensionsRequired.includes("KHR_mesh_quantization"));
    const s = await glbSummary(path);
    // A grid step of the merged box (~16 units / 16383) at full detail; simplified, the radius-2
    // sphere's silhouette shrinks (~0.17 at 5 %). A transform folded wrongly into the nodes is off by whole units.
    const tolerance = { "lod_high.glb": 2e-3, "lod_medium.glb": 0.1, "lod_low.glb": 0.25 }[file]!;
    for (let i = 0; i < 3; i++) {
      assert.ok(
        Math.abs(s.bbox.min[i]! - sourceBox.min[i]!) < tolerance && Math.abs(s.bbox.max[i]! - sourceBox.max[i]!) < tolerance,
        `${file}: world box ${JSON.stringify(s.bbox)} vs ${JSON.stringify(sourceBox)}`,
      );
    }
    // Read back (as the thumbnail, the USDZ writer and the next level read it), the UVs are plain [0, 1] again.
    const uvs = s.doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute("TEXCOORD_0")!;
    assert.ok(Math.abs(uvs.getMin([])[0]!) < 1e-3 && Math.abs(uvs.getMax([])[0]! - 1) < 1e-3, `${file}: UVs baked back (${uvs.getMin([]).join(",")}…${uvs.getMax([]).join(",")})`);
    assert.equal(s.textures, 1, `${file}: the texture survives`);
  }
});
