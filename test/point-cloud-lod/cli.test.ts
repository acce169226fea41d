import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";

test("vs3d process autzen.laz --type point_cloud_lod --json: a completed result with three LAZ levels, the tileset, preview and thumbnail", { timeout: 120_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-lod-"));
  const run = await execa(join(REPO_ROOT, "bin", "vs3d.js"), ["process", fixture("pointcloud", "laspy_autzen_trim.laz"), "--type", "point_cloud_lod", "--out", "out", "--json"], {
    cwd,
    reject: false,
    env: { LOG_LEVEL: "silent" },
  });
  assert.equal(run.exitCode, 0, run.stderr);
  const result = ResultMessage.parse(JSON.parse(run.stdout.trim().split("\n").at(-1)!));
  assert.equal(result.status, "completed");
  if (result.status !== "completed") return;
  assert.deepEqual(
    result.outputs.map((o) => o.type),
    ["lod_high", "lod_medium", "lod_low", "tileset", "preview", "thumbnail"],
  );
  const out = join(cwd, "out");
  const files = await readdir(out, { recursive: true });
  const medium = files.find((f) => f.endsWith("lod_medium.laz"));
  assert.ok(medium, files.join(", "));
  const laz = await openLasSource(join(out, medium));
  await laz.close();
  assert.equal(laz.header.pointCount, 11_000, "10 % of 110 000");
  const tileset = files.find((f) => f.endsWith("tileset.json"))!;
  assert.equal((JSON.parse(await readFile(join(out, tileset), "utf8")) as { asset: { version: string } }).asset.version, "1.1");
});
