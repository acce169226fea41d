import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { archiveCompressProcessor } from "../../src/processors/archive/archive-compress.processor.ts";
import { archiveExtractProcessor } from "../../src/processors/archive/archive-extract.processor.ts";
import { memberPaths } from "../../src/processors/archive/source-members.ts";
import { commonKeyPrefix } from "../../src/storage-rules/key-policy.ts";
import { ArchiveCompressParams } from "../../src/processors/archive/archive-params.ts";
import { expectAppError, makeSandbox } from "./archive-harness.ts";
import { runStages } from "../helpers/run-stages.ts";

/** The directory the service would download: keys relative to their common prefix. */
const TREE: Record<string, Buffer> = {
  "readme.md": Buffer.from("# scan\n"),
  "scans/part 1.las": randomBytes(1_500_000),
  "scans/empty.txt": Buffer.alloc(0),
  "textures/ünïcödé [1] *?.png": randomBytes(3000),
  "a/b/c/d/deep.bin": Buffer.alloc(200_000, 7),
};

async function writeTree(dir: string): Promise<void> {
  for (const [path, data] of Object.entries(TREE)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), data);
  }
}

void test("round trip: each format compresses the directory and extracts to the same bytes", async () => {
  const sb = await makeSandbox();
  try {
    const src = join(sb.workDir, "download");
    await writeTree(src);
    const total = Object.values(TREE).reduce((s, b) => s + b.length, 0);
    for (const format of ["zip", "tar.gz", "tar.zst", "7z"] as const) {
      const out = join(sb.outDir, format);
      const r = await runStages(archiveCompressProcessor, src, { format, archive_name: "bundle" }, { workDir: sb.workDir, outDir: out });
      assert.deepEqual(r.outputs["compress"], [{ path: `bundle.${format}`, type: "archive", format }]);
      assert.deepEqual(r.progress.at(-1), { done: total, total, label: "Compressing 5 files", stage: "compress" }, format);
      const archive = join(out, `bundle.${format}`);
      assert.ok((await stat(archive)).size < total, `${format} compresses`);
      const back = join(sb.outDir, `${format}-back`);
      const x = await runStages(archiveExtractProcessor, archive, {}, { workDir: sb.workDir, outDir: back });
      assert.deepEqual(x.outputs["extract"]?.map((o) => o.path.slice("files/".length)).sort(), Object.keys(TREE).sort(), format);
      for (const [path, data] of Object.entries(TREE)) assert.ok(data.equals(await readFile(join(back, "files", path))), `${format}: ${path}`);
    }
  } finally {
    await sb.cleanup();
  }
});

void test("source_keys select files; paths are relative to source_prefix or the keys' common prefix", async () => {
  assert.equal(commonKeyPrefix(["t/p/a.txt", "t/p/q/b.txt"]), "t/p/");
  assert.equal(commonKeyPrefix(["t/pa/a.txt", "t/pb/b.txt"]), "t/");
  assert.equal(commonKeyPrefix(["a.txt"]), "");
  assert.deepEqual(memberPaths(["t/p/scans/empty.txt", "t/p/readme.md", "t/p/readme.md"], undefined), ["readme.md", "scans/empty.txt"]);
  assert.deepEqual(memberPaths(["t/p/scans/empty.txt"], "t/p"), ["scans/empty.txt"]);
  assert.throws(() => memberPaths(["t/x/a.txt"], "t/p/"), { code: "INVALID_PARAMS" });
  assert.throws(() => memberPaths(["t/p/../a.txt"], "t/p/"), { code: "INVALID_PARAMS" });

  const sb = await makeSandbox();
  try {
    const src = join(sb.workDir, "download");
    await writeTree(src);
    const params = { format: "tar.gz", source_prefix: "tenants/t/files/", source_keys: ["tenants/t/files/readme.md", "tenants/t/files/scans/empty.txt"] };
    const r = await runStages(archiveCompressProcessor, src, params, { workDir: sb.workDir, outDir: sb.outDir });
    const back = join(sb.outDir, "back");
    const x = await runStages(archiveExtractProcessor, join(sb.outDir, r.outputs["compress"]![0]!.path), {}, { workDir: sb.workDir, outDir: back });
    assert.deepEqual(
      x.outputs["extract"]?.map((o) => o.path),
      ["files/readme.md", "files/scans/empty.txt"],
    );
    const missing = { ...params, source_keys: ["tenants/t/files/not-downloaded.txt"] };
    await expectAppError(runStages(archiveCompressProcessor, src, missing, { workDir: sb.workDir, outDir: join(sb.outDir, "m") }), "INPUT_NOT_FOUND");
    assert.deepEqual(await readdir(join(sb.outDir, "m")).catch(() => []), []);
  } finally {
    await sb.cleanup();
  }
});

void test("archive_name cannot climb or nest, and a format outside the list is refused", () => {
  for (const archive_name of ["../x", "a/b", "a\\b", "..", ""]) {
    assert.equal(ArchiveCompressParams.safeParse({ format: "zip", archive_name }).success, false, archive_name);
  }
  assert.equal(ArchiveCompressParams.safeParse({ format: "rar" }).success, false);
  assert.equal(ArchiveCompressParams.safeParse({ format: "7z", archive_name: "Report 2026" }).success, true);
});
