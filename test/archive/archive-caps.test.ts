import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Zstd } from "@hpcc-js/wasm-zstd";
import { archiveExtractProcessor as shippedExtract } from "../../src/processors/archive/archive-extract.processor.ts";
import { archiveExtractParams } from "../../src/processors/archive/archive-params.ts";
import { ARCHIVE_CEILINGS_DEFAULTS } from "../../src/config/archive-ceilings.ts";

// These cases raise caps past the default ceilings, as an operator would with ARCHIVE_MAX_RATIO and
// ARCHIVE_MAX_ENTRIES (test/archive/archive-ceilings.test.ts covers the ceilings themselves).
const archiveExtractProcessor = { ...shippedExtract, params: archiveExtractParams({ ...ARCHIVE_CEILINGS_DEFAULTS, maxRatio: 10_000, maxEntries: 20_000 }) };
import { fixture } from "../helpers/fixtures.ts";
import { expectAppError, listTree, withSandbox } from "./archive-harness.ts";
import { runStages } from "../helpers/run-stages.ts";
import { buildZip } from "./zip-builder.ts";

const BOMB = fixture("archives", "bomb_zip_ratio_1000x.zip");
const MiB = 1024 * 1024;

void test("each cap stops the 50 MiB zip bomb on real bytes, early, and leaves nothing", async () => {
  const cases: [Record<string, unknown>, string, number][] = [
    [{}, "max_ratio", 17 * MiB],
    [{ max_ratio: 10_000, max_total_bytes: MiB }, "max_total_bytes", MiB + 256 * 1024],
    [{ max_ratio: 10_000, max_entry_bytes: 100_000 }, "max_entry_bytes", 100_000 + 256 * 1024],
  ];
  for (const [params, cap, atMost] of cases) {
    await withSandbox(async (sb) => {
      const before = await listTree(sb.top);
      const error = await expectAppError(runStages(archiveExtractProcessor, BOMB, params, { workDir: sb.workDir, outDir: sb.outDir }), "ARCHIVE_BOMB");
      assert.equal(error.details?.["cap"], cap);
      assert.ok((error.details?.["total_bytes"] as number) <= atMost, `stopped after ${String(error.details?.["total_bytes"])} bytes`);
      assert.deepEqual(await listTree(sb.top), before);
    });
  }
});

void test("with raised caps the bomb extracts, and progress climbs to bytes done = total", async () => {
  await withSandbox(async (sb) => {
    const r = await runStages(archiveExtractProcessor, BOMB, { max_ratio: 2000 }, { workDir: sb.workDir, outDir: sb.outDir });
    const manifest = JSON.parse(await readFile(join(sb.outDir, "manifest.json"), "utf8")) as { files: { size: number }[] };
    assert.equal(manifest.files[0]?.size, 50 * MiB);
    const extract = r.progress.filter((p) => p.label === "Extracting files");
    assert.ok(extract.length >= 1);
    for (const [i, p] of extract.entries()) {
      assert.ok(p.done <= p.total);
      if (i > 0) assert.ok(p.done >= extract[i - 1]!.done, "progress never goes back");
    }
    assert.deepEqual(extract.at(-1), { done: 50 * MiB, total: 50 * MiB, label: "Extracting files", stage: "extract" });
  });
});

void test("a zstd single-file bomb (256 MiB of zeros in a few KiB) is stopped by the ratio cap", async () => {
  await withSandbox(async (sb) => {
    const zstd = await Zstd.load();
    zstd.reset();
    const parts: Uint8Array[] = [];
    const zeros = new Uint8Array(MiB);
    for (let i = 0; i < 256; i++) parts.push(zstd.compressChunk(zeros).slice());
    parts.push(zstd.compressEnd().slice());
    const file = join(sb.workDir, "zeros.bin.zst");
    await writeFile(file, Buffer.concat(parts));
    const started = Date.now();
    const error = await expectAppError(runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir, source: { key: "t/zeros.bin.zst" } }), "ARCHIVE_BOMB");
    assert.equal(error.details?.["cap"], "max_ratio");
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(await readdir(sb.outDir), []);
  });
});

void test("a single .gz file extracts under the source name without its extension", async () => {
  await withSandbox(async (sb) => {
    const file = join(sb.workDir, "download");
    await writeFile(file, gzipSync("x,y,z\n1,2,3\n"));
    const r = await runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir, source: { key: "t/points.csv.gz" } });
    assert.deepEqual(r.outputs["extract"], [{ path: "files/points.csv", type: "file", format: "csv" }]);
    assert.equal(await readFile(join(sb.outDir, "files", "points.csv"), "utf8"), "x,y,z\n1,2,3\n");
  });
});

void test("a zip whose header under-states an entry's size fails as corrupt, with nothing left", async () => {
  await withSandbox(async (sb) => {
    const file = join(sb.workDir, "liar.zip");
    await writeFile(file, buildZip([{ name: "small.bin", data: new Uint8Array(2 * MiB), deflate: true, declaredSize: 10 }]));
    await expectAppError(runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir }), "INPUT_CORRUPT");
    assert.deepEqual(await readdir(sb.outDir), []);
  });
});

void test("cancelling mid-extraction stops at once and leaves nothing", async () => {
  await withSandbox(async (sb) => {
    const controller = new AbortController();
    const run = runStages(archiveExtractProcessor, BOMB, { max_ratio: 2000 }, { workDir: sb.workDir, outDir: sb.outDir, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled by test")), 5);
    await assert.rejects(run, /cancelled by test/);
    assert.deepEqual(await readdir(sb.outDir), []);
  });
});

void test("nested archives stay files unless extract_nested, which unpacks them one level into <name>.d/", async () => {
  await withSandbox(async (sb) => {
    const inner = buildZip([{ name: "deep/inner.txt", data: "inner" }]);
    const file = join(sb.workDir, "outer.zip");
    await writeFile(
      file,
      buildZip([
        { name: "readme.txt", data: "outer" },
        { name: "inner.zip", data: inner },
      ]),
    );
    const flat = await runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: join(sb.outDir, "flat") });
    assert.deepEqual(
      flat.outputs["extract"]?.map((o) => o.path),
      ["files/readme.txt", "files/inner.zip"],
    );
    const nested = await runStages(archiveExtractProcessor, file, { extract_nested: true }, { workDir: sb.workDir, outDir: join(sb.outDir, "nested") });
    assert.deepEqual(
      nested.outputs["extract"]?.map((o) => o.path),
      ["files/readme.txt", "files/inner.zip", "files/inner.zip.d/deep/inner.txt"],
    );
    assert.equal(await readFile(join(sb.outDir, "nested", "files", "inner.zip.d", "deep", "inner.txt"), "utf8"), "inner");
  });
});

void test("a bomb nested in an archive counts against the same caps", async () => {
  await withSandbox(async (sb) => {
    const file = join(sb.workDir, "outer.zip");
    await writeFile(file, buildZip([{ name: "innocent.zip", data: await readFile(BOMB) }]));
    await expectAppError(runStages(archiveExtractProcessor, file, { extract_nested: true }, { workDir: sb.workDir, outDir: sb.outDir }), "ARCHIVE_BOMB");
    assert.deepEqual(await readdir(sb.outDir), []);
  });
});

void test("a retry after a crash starts over instead of tripping on the files the crashed attempt left", async () => {
  await withSandbox(async (sb) => {
    await mkdir(join(sb.outDir, "files"), { recursive: true });
    await writeFile(join(sb.outDir, "files", "same.txt"), "left by a crashed attempt");
    const r = await runStages(archiveExtractProcessor, fixture("archives", "evil_zip_duplicate_names.zip"), {}, { workDir: sb.workDir, outDir: sb.outDir });
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      ["files/same.txt", "files/same (2).txt"],
    );
    assert.equal(await readFile(join(sb.outDir, "files", "same.txt"), "utf8"), "first\n");
  });
});

void test("truncated archives of every format fail as INPUT_CORRUPT, never as a crash or a success", async () => {
  for (const name of ["filetype_fixture.zip", "filetype_fixture.tar.gz", "filetype_fixture.tar.xz", "filetype_fixture.tar.zst", "filetype_fixture.7z", "nodeunrar_FolderTest.rar"]) {
    await withSandbox(async (sb) => {
      const whole = await readFile(fixture("archives", name));
      const file = join(sb.workDir, name);
      await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
      await expectAppError(runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir }), "INPUT_CORRUPT");
      assert.deepEqual(await readdir(sb.outDir), [], name);
    });
  }
});
