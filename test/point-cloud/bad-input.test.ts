import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import type { ErrorCode } from "../../src/contracts/error-codes.ts";
import { pc, runConvert, withTempDir } from "./pc-test-utils.ts";

/** Writes `bytes` as `name`, converts it to LAS and expects `code` with a message matching `message`. */
async function expectFailure(name: string, bytes: Uint8Array, code: ErrorCode, message: RegExp, params: object = { output_format: "las" }): Promise<void> {
  await withTempDir(async (dir) => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    await assert.rejects(runConvert(dir, file, params), (e: unknown) => {
      assert.ok(e instanceof AppError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
    assert.deepEqual(await readdir(join(dir, "out")), [], "no half-written output left behind");
  });
}

const fixtureBytes = async (name: string): Promise<Uint8Array> => new Uint8Array(await readFile(pc(name)));

void describe("bad point cloud input", () => {
  void it("LAS cut in the middle of its points → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("laspy_simple.las");
    await expectFailure("cut.las", b.subarray(0, b.byteLength - 1000), "INPUT_CORRUPT", /truncated|lying/);
  });

  void it("LAS header claiming more points than the data → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("laspy_simple.las");
    new DataView(b.buffer).setUint32(107, 5_000_000, true);
    await expectFailure("lying.las", b, "INPUT_CORRUPT", /5000000 points/);
  });

  void it("LAS offset to point data beyond the end of the file → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("laspy_simple.las");
    new DataView(b.buffer).setUint32(96, b.byteLength + 10, true);
    await expectFailure("offset.las", b, "INPUT_CORRUPT", /offset to point data/);
  });

  void it("unknown LAS point format 11 → UNSUPPORTED_FORMAT", async () => {
    const b = await fixtureBytes("laspy_simple.las");
    b[104] = 11;
    await expectFailure("pf11.las", b, "UNSUPPORTED_FORMAT", /format 11/);
  });

  void it("truncated LAZ → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("laspy_autzen_trim.laz");
    await expectFailure("cut.laz", b.subarray(0, b.byteLength >> 1), "INPUT_CORRUPT", /truncated/);
  });

  void it("LAZ header claiming more points than its chunks hold → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("laspy_autzen_trim.laz");
    new DataView(b.buffer).setUint32(107, 10_000_000, true);
    await expectFailure("lying.laz", b, "INPUT_CORRUPT", /10000000 points/);
  });

  void it("PLY announcing more vertices than it holds → INPUT_CORRUPT", async () => {
    const b = Buffer.from(await fixtureBytes("derived_simple_xyzrgb_binary.ply"));
    const lying = Buffer.from(b.toString("latin1").replace("element vertex 1065", "element vertex 9065"), "latin1");
    await expectFailure("lying.ply", lying, "INPUT_CORRUPT", /9065 vertices/);
  });

  void it("PTS announcing more points than it holds → INPUT_CORRUPT", async () => {
    const text = (await readFile(pc("derived_simple.pts"), "utf8")).replace(/^1065/, "2000");
    await expectFailure("lying.pts", new TextEncoder().encode(text), "INPUT_CORRUPT", /2000 points/);
  });

  void it("truncated E57 → INPUT_CORRUPT", async () => {
    const b = await fixtureBytes("e57rs_tinyCartesianFloatRgb.e57");
    await expectFailure("cut.e57", b.subarray(0, 20_000), "INPUT_CORRUPT", /truncated/);
  });

  void it("a file of unknown type → UNSUPPORTED_FORMAT", async () => {
    await expectFailure("blob.bin", new Uint8Array(100).fill(7), "UNSUPPORTED_FORMAT", /Cannot tell/);
  });

  void it("LAS 1.2 with point format 7 → INVALID_PARAMS", async () => {
    await expectFailure("ok.las", await fixtureBytes("laspy_simple.las"), "INVALID_PARAMS", /point_format 7/, { output_format: "las", las_version: "1.2", point_format: 7 });
  });
});
