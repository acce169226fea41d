import { after, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { meshConvertProcessor } from "../../src/processors/mesh/mesh-convert.processor.ts";
import { meshLodProcessor } from "../../src/processors/mesh/mesh-lod.processor.ts";
import { parseMtlMaps } from "../../src/processors/mesh/mtl-maps.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { assertValidatorClean, glbSummary } from "./mesh-test-utils.ts";

after(cleanupRuns);

const COMPLEX = fixture("mesh", "obj2gltf_box-complex-material");

test("MTL map statements: options with one to three values are skipped, the file name may contain spaces", () => {
  const maps = parseMtlMaps(
    [
      "newmtl wood",
      "map_Kd -s 2 2 -o 0.5 -clamp on my wood.png",
      "bump -bm 0.3 C:\\tex\\wood bump.jpg",
      "# map_Ks not.png",
      "newmtl glass",
      "map_d -imfchan r mask.png",
      "disp",
      "refl -type sphere sky.jpg",
    ].join("\r\n"),
  );
  assert.deepEqual(
    maps.map((m) => [m.material, m.map, m.uri, m.bumpMultiplier, m.channel]),
    [
      ["wood", "map_Kd", "my wood.png", 1, null],
      ["wood", "bump", "C:\\tex\\wood bump.jpg", 0.3, null],
      ["glass", "map_d", "mask.png", 1, "r"],
      ["glass", "refl", "sky.jpg", 1, null],
    ],
  );
});

test("OBJ maps glTF has no slot for are warnings on the model, in the manifest too; the bump (height) map becomes a normal map", { timeout: 60_000 }, async () => {
  const run = await runStages(meshConvertProcessor, COMPLEX, { thumbnail: false });
  await assertValidatorClean(run.file("mesh"));
  const model = run.allOutputs.find((o) => o.type === "mesh")!;
  assert.deepEqual(
    model.warnings?.map((w) => [w.code, w.details?.["map"], w.details?.["uri"]]),
    [
      ["MATERIAL_MAP_DROPPED", "map_Ka", "ambient.gif"],
      ["MATERIAL_MAP_DROPPED", "map_Ks", "specular.jpeg"],
      ["MATERIAL_MAP_DROPPED", "map_Ns", "shininess.png"],
    ],
  );
  const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as { source: { dropped_maps: { map: string }[] } };
  assert.deepEqual(
    manifest.source.dropped_maps.map((d) => d.map),
    ["map_Ka", "map_Ks", "map_Ns"],
  );
  const material = (await glbSummary(run.file("mesh"))).doc
    .getRoot()
    .listMaterials()
    .find((m) => m.getName() === "Material")!;
  assert.ok(material.getBaseColorTexture() && material.getEmissiveTexture(), "map_Kd and map_Ke keep their slots");
  const normal = material.getNormalTexture();
  assert.ok(normal, "map_Bump is carried as the normal map");
  // The source bump.png is grey (a height map): used as it is, it would tilt every normal. Converted, it is bluish.
  const [r, g, b] = (await sharp(normal.getImage()!).stats()).channels.map((c) => c.mean);
  assert.ok(b! > 200 && Math.abs(r! - 128) < 30 && Math.abs(g! - 128) < 30, `a tangent-space normal map (${r}, ${g}, ${b})`);
});

test("map_d becomes the base colour's alpha, map_Pr/map_Pm the metallicRoughness texture; disp and refl are warnings; every level keeps the maps", { timeout: 90_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-maps-");
  for (const f of await readdir(COMPLEX)) if (!f.endsWith(".mtl")) await copyFile(join(COMPLEX, f), join(dir, f));
  await writeFile(
    join(dir, "box-complex-material.mtl"),
    [
      "newmtl Material",
      "Kd 0.64 0.64 0.64",
      "map_Kd diffuse.png",
      "map_d -imfchan m shininess.png",
      "map_Pr specular.jpeg",
      "map_Pm shininess.png",
      "norm bump.png",
      "map_Bump bump.png",
      "disp bump.png",
      "refl -type sphere ambient.gif",
      "",
    ].join("\n"),
  );
  const run = await runStages(meshLodProcessor, dir, { thumbnail: false });
  const warnings = run.allOutputs.flatMap((o) => (o.warnings ?? []).map((w) => `${o.path}:${String(w.details?.["map"])}`));
  assert.deepEqual(warnings, ["lod_high.glb:map_Bump", "lod_high.glb:disp", "lod_high.glb:refl"], "raised once, by the level that read the source (map_Bump: norm took the slot)");
  for (const file of ["lod_high.glb", "lod_medium.glb", "lod_low.glb"]) {
    await assertValidatorClean(join(run.outDir, file));
    const material = (await glbSummary(join(run.outDir, file))).doc
      .getRoot()
      .listMaterials()
      .find((m) => m.getName() === "Material")!;
    assert.equal(material.getAlphaMode(), "BLEND", file);
    const base = await sharp(material.getBaseColorTexture()!.getImage()!).stats();
    // shininess.png's mean grey is ~125: the dissolve map, not diffuse.png's own alpha (~200), is the alpha now.
    assert.ok(Math.abs(base.channels[3]!.mean - 125) < 15, `${file}: alpha from map_d (${base.channels[3]!.mean})`);
    const mr = material.getMetallicRoughnessTexture();
    assert.ok(mr && material.getNormalTexture(), `${file}: metallicRoughness and normal maps`);
    const [, rough, metal] = (await sharp(mr.getImage()!).stats()).channels.map((c) => c.mean);
    assert.ok(Math.abs(rough! - 171) < 15 && Math.abs(metal! - 125) < 15, `${file}: roughness from map_Pr (G ${rough}), metalness from map_Pm (B ${metal})`);
    assert.deepEqual([material.getRoughnessFactor(), material.getMetallicFactor()], [1, 1]);
  }
});
