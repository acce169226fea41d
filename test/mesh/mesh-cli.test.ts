import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { assertValidatorClean, glbSummary } from "./mesh-test-utils.ts";

const VS3D = join(REPO_ROOT, "bin", "vs3d.js");
const made: string[] = [];
after(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function processFile(file: string, type: string, params: object) {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-mesh-cli-"));
  made.push(cwd);
  const run = await execa(VS3D, ["process", file, "--type", type, "--params", JSON.stringify(params), "--out", "out", "--json"], { cwd, reject: false, env: { LOG_LEVEL: "silent" } });
  const result = ResultMessage.parse(JSON.parse(run.stdout.trim().split("\n").at(-1)!));
  return { result, out: join(cwd, "out"), exitCode: run.exitCode, stderr: run.stderr };
}

test("vs3d process --type mesh_3d_lod --json: three levels, thumbnail and manifest listed in the result", { timeout: 120_000 }, async () => {
  const r = await processFile(fixture("mesh", "gltftransform_DenseSphere.glb"), "mesh_3d_lod", {});
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  assert.equal(r.exitCode, 0, r.stderr);
  if (r.result.status !== "completed") return;
  assert.deepEqual(
    r.result.outputs.map((o) => o.type),
    ["lod", "lod", "lod", "thumbnail", "manifest"],
  );
  const manifest = JSON.parse(await readFile(join(r.out, "manifest.json"), "utf8")) as { levels: { file: string; triangles: number; target_reached: boolean }[] };
  assert.deepEqual(
    manifest.levels.map((l) => l.triangles),
    [30720, 7680, 1536],
  );
  for (const l of manifest.levels) {
    await assertValidatorClean(join(r.out, l.file));
    const key = r.result.outputs.find((o) => o.key.endsWith(l.file))!;
    assert.ok(key.size_bytes > 0);
  }
});

test("vs3d process --type mesh_3d_convert --json: a binary FBX becomes a meshopt GLB (FBX2glTF) and a USDZ", { timeout: 120_000 }, async () => {
  const r = await processFile(fixture("mesh", "filetype_fixture.fbx"), "mesh_3d_convert", { compression: "meshopt", usdz: true });
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  if (r.result.status !== "completed") return;
  assert.deepEqual(
    r.result.outputs.map((o) => o.type),
    ["mesh", "usdz", "thumbnail", "manifest"],
  );
  await assertValidatorClean(join(r.out, "model.glb"));
  assert.equal((await glbSummary(join(r.out, "model.glb"))).triangles, 12);
});

test("vs3d process --json: a texture the model names but the input lacks is a warning in the completed result", { timeout: 120_000 }, async () => {
  const r = await processFile(fixture("mesh", "derived_box-textured_ascii7500.fbx"), "mesh_3d_convert", { thumbnail: false });
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  if (r.result.status !== "completed") return;
  assert.deepEqual(
    r.result.warnings?.map((w) => [w.code, w.stage, w.output_key?.split("/").pop(), w.details?.["uri"]]),
    [["TEXTURE_MISSING", "convert", "model.glb", "cesium.png"]],
  );
});
