import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";

const VS3D = join(REPO_ROOT, "bin", "vs3d.js");

/** Runs one task through `vs3d process --json` in a fresh directory; returns the result and the out dir. */
async function processFile(file: string, type: string, params: object) {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-types-"));
  const run = await execa(VS3D, ["process", file, "--type", type, "--params", JSON.stringify(params), "--out", "out", "--json"], { cwd, reject: false, env: { LOG_LEVEL: "silent" } });
  const result = ResultMessage.parse(JSON.parse(run.stdout.trim().split("\n").at(-1)!));
  return { result, out: join(cwd, "out"), exitCode: run.exitCode };
}

function outputsOf(r: Awaited<ReturnType<typeof processFile>>) {
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  assert.equal(r.exitCode, 0);
  return r.result.status === "completed" ? r.result.outputs : [];
}

test("geotiff_cog and geotiff_resize through the CLI", { timeout: 180_000 }, async () => {
  const cog = outputsOf(await processFile(fixture("geotiff", "riocogeo_image_nodata.tif"), "geotiff_cog", { preview: { format: "png", max_size: 256 } }));
  assert.deepEqual(cog.map((o) => o.type).sort(), ["cog", "preview"]);
  const resized = await processFile(fixture("geotiff", "riocogeo_image_2000px.tif"), "geotiff_resize", { width: 500 });
  assert.deepEqual(
    outputsOf(resized).map((o) => o.type),
    ["raster"],
  );
  const info = await execa("gdalinfo", ["-json", join(resized.out, "resized.tif")]);
  assert.deepEqual((JSON.parse(info.stdout) as { size: number[] }).size[0], 500);
});

test("video_transcode through the CLI", { timeout: 180_000 }, async () => {
  const r = await processFile(fixture("video", "derived_testsrc2_720p_10s.mp4"), "video_transcode", { heights: [144], preset: "ultrafast", poster: true });
  const outputs = outputsOf(r);
  assert.deepEqual(outputs.map((o) => o.type).sort(), ["poster", "video"]);
  const probe = await execa("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=codec_name,height",
    "-of",
    "json",
    join(r.out, outputs.find((o) => o.type === "video")!.key.split("/out/")[1]!),
  ]);
  const stream = (JSON.parse(probe.stdout) as { streams: { codec_name: string; height: number }[] }).streams[0]!;
  assert.deepEqual([stream.codec_name, stream.height], ["h264", 144]);
});

test("archive_extract and archive_compress through the CLI; a zip-slip fails without writing outside", { timeout: 180_000 }, async () => {
  const extracted = await processFile(fixture("archives", "filetype_fixture.zip"), "archive_extract", {});
  const outputs = outputsOf(extracted);
  assert.ok(outputs.some((o) => o.type === "manifest"));
  const manifest = JSON.parse(await readFile(join(extracted.out, "manifest.json"), "utf8")) as { file_count: number };
  assert.equal(manifest.file_count, outputs.filter((o) => o.type === "file").length);

  const compressed = await processFile(fixture("images", "recurser_Landscape_3.jpg"), "archive_compress", { format: "tar.gz" });
  assert.deepEqual(
    outputsOf(compressed).map((o) => o.format),
    ["tar.gz"],
  );
  assert.ok((await stat(join(compressed.out, "archive.tar.gz"))).size > 0);

  const evil = await processFile(fixture("archives", "evil_zip_relative.zip"), "archive_extract", {});
  assert.equal(evil.result.status, "failed");
  if (evil.result.status === "failed") {
    assert.equal(evil.result.error.code, "UNSAFE_ARCHIVE");
    assert.equal(evil.result.error.recoverable, false);
  }
});

test("point_cloud_convert through the CLI: LAZ → LAS and LAS → LAZ", { timeout: 180_000 }, async () => {
  const las = await processFile(fixture("pointcloud", "laspy_autzen_trim.laz"), "point_cloud_convert", { output_format: "las" });
  assert.deepEqual(
    outputsOf(las).map((o) => o.format),
    ["las"],
  );
  const header = await readFile(join(las.out, "points.las"));
  assert.equal(header.subarray(0, 4).toString(), "LASF");
  const laz = await processFile(fixture("pointcloud", "laspy_simple.las"), "point_cloud_convert", { output_format: "laz" });
  assert.deepEqual(
    outputsOf(laz).map((o) => o.format),
    ["laz"],
  );
});
