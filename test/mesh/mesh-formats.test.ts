import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import yauzl from "yauzl";
import { detectMeshFormat } from "../../src/processors/mesh/mesh-format.ts";
import { meshConvertProcessor } from "../../src/processors/mesh/mesh-convert.processor.ts";
import { meshLodProcessor } from "../../src/processors/mesh/mesh-lod.processor.ts";
import { gltfIO } from "../../src/processors/mesh/gltf-io.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { buildZip } from "../archive/zip-builder.ts";
import { asciiStl, assertValidatorClean, binaryStl, colladaQuad, cubeTriangles, glbJson, glbSummary, texturedSphereDoc, writeBytes, writeGlb } from "./mesh-test-utils.ts";

after(cleanupRuns);

const convert = (path: string, params: object = {}) => runStages(meshConvertProcessor, path, { thumbnail: false, ...params });

test("format detection reads content: a binary STL whose header starts with 'solid' is binary, an extension means nothing", () => {
  const bin = binaryStl(cubeTriangles());
  assert.ok(bin.subarray(0, 5).toString() === "solid");
  assert.equal(detectMeshFormat(bin.subarray(0, 4096), bin.length), "stl_binary");
  const ascii = Buffer.from(asciiStl(cubeTriangles()));
  assert.equal(detectMeshFormat(ascii.subarray(0, 4096), ascii.length), "stl_ascii");
  const obj = Buffer.from("# cube\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  assert.equal(detectMeshFormat(obj, obj.length), "obj");
  assert.equal(detectMeshFormat(Buffer.from(colladaQuad()), colladaQuad().length), "dae");
  assert.equal(detectMeshFormat(Buffer.from("Kaydara FBX Binary  \0\x1a\0"), 23), "fbx_binary");
  assert.equal(detectMeshFormat(Buffer.from("; FBX 7.5.0 project file\nFBXHeaderExtension:  {\n"), 48), "fbx_ascii");
  const text = Buffer.from("just some words\nnot a model\n");
  assert.equal(detectMeshFormat(text, text.length), null);
});

test("STL: binary with a 'solid' header (named .txt) and ASCII both convert to a 12-triangle cube", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  for (const [file, bytes] of [
    ["cube-solid-header.txt", binaryStl(cubeTriangles())],
    ["cube.stl", asciiStl(cubeTriangles())],
  ] as const) {
    const run = await convert(await writeBytes(join(dir, file), bytes));
    await assertValidatorClean(run.file("mesh"));
    const s = await glbSummary(run.file("mesh"));
    assert.equal(s.triangles, 12, file);
    assert.deepEqual(s.bbox, { min: [0, 0, 0], max: [1, 1, 1] }, file);
    assert.ok(s.vertices <= 24, `${file}: corners welded (${s.vertices} vertices)`);
  }
});

test("DAE (COLLADA) through assimp converts", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  const run = await convert(await writeBytes(join(dir, "quad.dae"), colladaQuad()));
  await assertValidatorClean(run.file("mesh"));
  assert.equal((await glbSummary(run.file("mesh"))).triangles, 2);
});

test("glTF + .bin + image as a set of keys, and the same model as a ZIP: textures embedded in one GLB", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  const doc = await texturedSphereDoc(16, 32);
  const io = await gltfIO();
  const { json, resources } = await io.writeJSON(doc, { basename: "sphere" });
  const set = join(dir, "set");
  await writeBytes(join(set, "model", "sphere.gltf"), JSON.stringify(json));
  const zipEntries = [{ name: "model/sphere.gltf", data: JSON.stringify(json) }];
  for (const [uri, bytes] of Object.entries(resources)) {
    await writeBytes(join(set, "model", uri), bytes);
    zipEntries.push({ name: `model/${uri}`, data: Buffer.from(bytes).toString("latin1") });
  }
  const fromDir = await convert(set);
  await assertValidatorClean(fromDir.file("mesh"));
  const a = await glbSummary(fromDir.file("mesh"));
  assert.equal(a.textures, 1);
  assert.equal(a.triangles, 16 * 32 * 2 - 2 * 32);

  const zip = await writeBytes(
    join(dir, "sphere-upload.bin"),
    buildZip(
      Object.entries(resources)
        .map(([uri, bytes]) => ({ name: `model/${uri}`, data: new Uint8Array(bytes) }))
        .concat([{ name: "model/sphere.gltf", data: new TextEncoder().encode(JSON.stringify(json)) }]),
    ),
  );
  const fromZip = await convert(zip);
  const b = await glbSummary(fromZip.file("mesh"));
  assert.deepEqual([b.triangles, b.textures], [a.triangles, 1]);
});

test("options: meshopt, Draco and quantization round-trip validator-clean; WEBP textures with a maximum size; Z-up centimetres become Y-up metres", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  const src = await writeGlb(await texturedSphereDoc(24, 48, 512), join(dir, "sphere.glb"));
  const plain = await glbSummary((await convert(src)).file("mesh"));
  for (const params of [{ compression: "meshopt" }, { compression: "draco" }, { compression: "none", quantize: true }, { compression: "draco", quantize: true }]) {
    const run = await convert(src, params);
    await assertValidatorClean(run.file("mesh"));
    const json = await glbJson(run.file("mesh"));
    const ext = params.compression === "meshopt" ? "EXT_meshopt_compression" : params.compression === "draco" ? "KHR_draco_mesh_compression" : "KHR_mesh_quantization";
    assert.ok(json.extensionsUsed?.includes(ext), `${JSON.stringify(params)} uses ${ext}`);
    const s = await glbSummary(run.file("mesh"));
    assert.equal(s.triangles, plain.triangles, JSON.stringify(params));
    for (const k of [0, 1, 2]) assert.ok(Math.abs(s.bbox.max[k]! - plain.bbox.max[k]!) < 1e-3, "decoded geometry matches");
  }
  const webp = await convert(src, { texture_webp: true, max_texture_size: 128 });
  const w = await glbSummary(webp.file("mesh"));
  assert.deepEqual(w.mimeTypes, ["image/webp"]);
  assert.deepEqual(w.textureSizes, [[128, 128]]);
  await assertValidatorClean(webp.file("mesh"));

  const zup = await glbSummary((await convert(src, { up_axis: "z", unit: "cm" })).file("mesh"));
  // The sphere's seam meridian starts at +X; Z-up → Y-up maps +Z to +Y, and 1 cm = 0.01 m.
  for (const k of [0, 1, 2]) assert.ok(Math.abs(zup.bbox.max[k]! - 0.01) < 1e-4, `axis ${k}: ${zup.bbox.max[k]}`);
});

test("USDZ for AR Quick Look: an uncompressed ZIP, the USD layer first, every file's data 64-byte aligned, PNG texture", { timeout: 60_000 }, async () => {
  const run = await runStages(meshConvertProcessor, fixture("mesh", "obj2gltf_box-textured"), { usdz: true, thumbnail: false });
  const bytes = await readFile(join(run.outDir, "model.usdz"));
  const entries = await new Promise<{ name: string; offset: number; method: number; size: number }[]>((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: { name: string; offset: number; method: number; size: number }[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        const nameLen = bytes.readUInt16LE(e.relativeOffsetOfLocalHeader + 26),
          extraLen = bytes.readUInt16LE(e.relativeOffsetOfLocalHeader + 28);
        out.push({ name: e.fileName, offset: e.relativeOffsetOfLocalHeader + 30 + nameLen + extraLen, method: e.compressionMethod, size: e.uncompressedSize });
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.readEntry();
    });
  });
  assert.equal(entries[0]!.name, "model.usda");
  assert.ok(entries.some((e) => /^textures\/t0\.png$/.test(e.name)));
  for (const e of entries) {
    assert.equal(e.method, 0, `${e.name} stored`);
    assert.equal(e.offset % 64, 0, `${e.name} aligned`);
  }
  const usda = bytes.subarray(entries[0]!.offset, entries[0]!.offset + entries[0]!.size).toString("utf8");
  assert.match(usda, /^#usda 1\.0/);
  assert.match(usda, /upAxis = "Y"/);
  assert.match(usda, /def Mesh "Mesh0"/);
  assert.equal(usda.match(/faceVertexCounts = \[([^\]]*)\]/)![1]!.split(",").length, 12);
  assert.match(usda, /UsdPreviewSurface/);
  assert.match(usda, /asset inputs:file = @textures\/t0\.png@/);
  const png = entries.find((e) => e.name === "textures/t0.png")!;
  assert.equal(bytes.subarray(png.offset, png.offset + 8).toString("latin1"), "\x89PNG\r\n\x1a\n");
});

test("mesh_3d_lod: ratio and max_triangles levels on a textured sphere; textures shrink per level and survive", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  const src = await writeGlb(await texturedSphereDoc(64, 128, 1024), join(dir, "sphere.glb"));
  const run = await runStages(meshLodProcessor, src, {
    thumbnail: false,
    lod_levels: [
      { level: 0, ratio: 1, label: "full" },
      { level: 1, max_triangles: 4000, label: "mid" },
      { level: 2, ratio: 0.02, label: "far" },
    ],
  });
  const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as {
    levels: { label: string; triangles: number; target_triangles: number; target_reached: boolean; texture_max_size: number; error: { relative: number } }[];
  };
  const [full, mid, far] = manifest.levels;
  assert.equal(full!.triangles, 64 * 128 * 2 - 2 * 128);
  assert.equal(mid!.target_triangles, 4000);
  assert.ok(mid!.target_reached && far!.target_reached, JSON.stringify(manifest.levels));
  assert.ok(full!.texture_max_size === 1024 && mid!.texture_max_size < 1024 && far!.texture_max_size < mid!.texture_max_size, JSON.stringify(manifest.levels.map((l) => l.texture_max_size)));
  assert.ok(far!.error.relative >= mid!.error.relative && mid!.error.relative > 0);
  for (const l of manifest.levels) {
    const s = await glbSummary(join(run.outDir, `lod_${l.label}.glb`));
    assert.equal(s.textures, 1);
    assert.equal(Math.max(...s.textureSizes[0]!), l.texture_max_size);
    // The silhouette holds: the unit sphere's box stays within 2 % of radius 1 down to 4 000
    // triangles, and within 8 % at 322 (a polyhedron that coarse has ~13 edges around).
    for (const k of [0, 1, 2]) assert.ok(Math.abs(s.bbox.max[k]! - 1) < (l.label === "far" ? 0.08 : 0.02), `${l.label} axis ${k}: ${s.bbox.max[k]}`);
  }
});

test("a resumed mesh_3d_lod runs only the remaining levels, from the previous level's GLB (the source is not read again)", { timeout: 60_000 }, async () => {
  const first = await runStages(meshLodProcessor, fixture("mesh", "gltftransform_DenseSphere.glb"), { thumbnail: false });
  const params = meshLodProcessor.params.parse({ thumbnail: false });
  const low = meshLodProcessor.stages(params).find((s) => s.name === "lod_low")!;
  const again = await low.run(
    {
      filePath: "/nonexistent/source.glb",
      workDir: first.workDir,
      outDir: first.outDir,
      params,
      source: { key: "k" },
      previous: { lod_high: first.outputs.lod_high!, lod_medium: first.outputs.lod_medium! },
    },
    { signal: new AbortController().signal, progress: () => {}, log: () => {} },
  );
  assert.deepEqual(
    again.outputs.map((o) => o.path),
    ["lod_low.glb"],
  );
  assert.equal((await glbSummary(join(first.outDir, "lod_low.glb"))).triangles, 1536);
});

test("OBJ + MTL + texture as a ZIP (the usual upload), with the MTL naming the texture by an absolute Windows path; PNG kept, downscaled to max_texture_size", { timeout: 60_000 }, async () => {
  const dir = await scratchDir("vs3d-mesh-");
  const folder = fixture("mesh", "obj2gltf_box-textured");
  const mtl = (await readFile(join(folder, "box-textured.mtl"), "utf8")).replace(/map_Kd\s+\S+/, "map_Kd C:\\Users\\artist\\Desktop\\cesium.png");
  const zip = buildZip([
    { name: "upload/box-textured.obj", data: new Uint8Array(await readFile(join(folder, "box-textured.obj"))) },
    { name: "upload/box-textured.mtl", data: mtl },
    { name: "upload/maps/cesium.png", data: new Uint8Array(await readFile(join(folder, "cesium.png"))) },
  ]);
  const run = await convert(await writeBytes(join(dir, "box.zip"), zip), { max_texture_size: 64 });
  await assertValidatorClean(run.file("mesh"));
  const s = await glbSummary(run.file("mesh"));
  assert.equal(s.textures, 1, "found by its file name below the ZIP's root");
  assert.deepEqual(s.mimeTypes, ["image/png"]);
  assert.equal(Math.max(...s.textureSizes[0]!), 64);
  const manifest = JSON.parse(await readFile(join(run.outDir, "manifest.json"), "utf8")) as { source: { missing_resources: unknown[]; model_file: string } };
  assert.deepEqual(manifest.source.missing_resources, []);
  assert.equal(manifest.source.model_file, "box-textured.obj");
});
