import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { archiveExtractProcessor as shippedExtract } from "../../src/processors/archive/archive-extract.processor.ts";
import { archiveExtractParams } from "../../src/processors/archive/archive-params.ts";
import { ARCHIVE_CEILINGS_DEFAULTS } from "../../src/config/archive-ceilings.ts";

// These cases raise caps past the default ceilings, as an operator would with ARCHIVE_MAX_RATIO and
// ARCHIVE_MAX_ENTRIES (test/archive/archive-ceilings.test.ts covers the ceilings themselves).
const archiveExtractProcessor = { ...shippedExtract, params: archiveExtractParams({ ...ARCHIVE_CEILINGS_DEFAULTS, maxRatio: 10_000, maxEntries: 20_000 }) };
import { fixture } from "../helpers/fixtures.ts";
import { expectAppError, listTree, makeSandbox } from "./archive-harness.ts";
import { runStages } from "../helpers/run-stages.ts";

const ARCHIVES = ["archives"];
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function extract(file: string, params: Record<string, unknown> = {}, read = true) {
  const sb = await makeSandbox();
  try {
    const result = await runStages(archiveExtractProcessor, file, params, { workDir: sb.workDir, outDir: sb.outDir });
    const manifest = JSON.parse(await readFile(join(sb.outDir, "manifest.json"), "utf8")) as { files: { path: string; size: number; sha256: string }[] };
    const files = new Map<string, Buffer>();
    for (const o of read ? (result.outputs["extract"] ?? []) : []) files.set(o.path.slice("files/".length), await readFile(join(sb.outDir, o.path)));
    return { ...result, manifest, files };
  } finally {
    await sb.cleanup();
  }
}

// Where the shipped evil archives aim when they escape: must never appear (or change) on this machine.
const ESCAPE_TARGETS = ["evil_absolute.txt", "evil_relative.txt", "evil_tar_absolute.txt", "evil_dirsymlink.txt", "evil_tar_dirsymlink.txt", "evil_symlink_target.txt"].map((f) => join("/tmp", f));

const EVIL: [string, string][] = [
  ["bomb_zip_ratio_1000x.zip", "ARCHIVE_BOMB"],
  ["evil_tar_absolute.tar", "UNSAFE_ARCHIVE"],
  ["evil_tar_device.tar", "UNSAFE_ARCHIVE"],
  ["evil_tar_hardlink_abs.tar", "UNSAFE_ARCHIVE"],
  ["evil_tar_relative.tar", "UNSAFE_ARCHIVE"],
  ["evil_tar_symlink_dir.tar", "UNSAFE_ARCHIVE"],
  ["evil_zip_absolute.zip", "UNSAFE_ARCHIVE"],
  ["evil_zip_nested_dotdot.zip", "UNSAFE_ARCHIVE"],
  ["evil_zip_relative.zip", "UNSAFE_ARCHIVE"],
  ["evil_zip_symlink_dir.zip", "UNSAFE_ARCHIVE"],
  ["evil_zip_symlink_file.zip", "UNSAFE_ARCHIVE"],
];

void test("every malicious fixture is refused with its code and nothing lands outside (or inside) the sandbox", async () => {
  const shipped = (await readdir(fixture(...ARCHIVES))).filter((f) => /^(evil|bomb)_/.test(f) && f !== "evil_zip_duplicate_names.zip");
  assert.deepEqual(shipped.sort(), EVIL.map(([f]) => f).sort(), "every shipped evil_*/bomb_* fixture is covered");
  const before = new Map(await Promise.all(ESCAPE_TARGETS.map(async (p) => [p, (await stat(p).catch(() => null))?.mtimeMs] as const)));
  for (const allowLinks of [false, true]) {
    for (const [name, code] of EVIL) {
      const sb = await makeSandbox();
      try {
        const treeBefore = await listTree(sb.top);
        const run = runStages(archiveExtractProcessor, fixture(...ARCHIVES, name), { allow_links: allowLinks }, { workDir: sb.workDir, outDir: sb.outDir });
        const error = await expectAppError(run, code);
        assert.equal(error.stage, "extract");
        // A refused archive leaves no half-extracted tree either: the sandbox is exactly as before.
        assert.deepEqual(await listTree(sb.top), treeBefore, `${name} (allow_links=${allowLinks}) left files behind`);
      } finally {
        await sb.cleanup();
      }
    }
  }
  for (const p of ESCAPE_TARGETS) assert.equal((await stat(p).catch(() => null))?.mtimeMs, before.get(p), `${p} was written`);
});

void test("ZIP, TAR.GZ, TAR.XZ, 7Z extract the same image, listed in the manifest with size and sha256", async () => {
  const hashes = new Set<string>();
  for (const name of ["filetype_fixture.zip", "filetype_fixture.tar.gz", "filetype_fixture.tar.xz", "filetype_fixture.7z"]) {
    const { outputs, manifest, files } = await extract(fixture(...ARCHIVES, name));
    assert.deepEqual(outputs["extract"], [{ path: "files/test.jpg", type: "file", format: "jpg" }], name);
    assert.deepEqual(
      outputs["manifest"]?.map((o) => [o.path, o.type]),
      [["manifest.json", "manifest"]],
    );
    const jpg = files.get("test.jpg")!;
    assert.equal(jpg.length, 2248, name);
    assert.deepEqual(jpg.subarray(0, 3), Buffer.from([0xff, 0xd8, 0xff]), `${name}: a JPEG`);
    assert.deepEqual(manifest.files, [{ path: "test.jpg", size: 2248, sha256: sha256(jpg) }]);
    hashes.add(sha256(jpg));
  }
  assert.equal(hashes.size, 1, "all four containers hold the same bytes");
});

void test("TAR.ZST extracts with its folders", async () => {
  const zst = await extract(fixture(...ARCHIVES, "filetype_fixture.tar.zst"));
  assert.deepEqual([...zst.files.keys()], ["Users/ardavan/Downloads/._empty.txt", "Users/ardavan/Downloads/empty.txt"]);
  assert.equal(zst.files.get("Users/ardavan/Downloads/._empty.txt")?.length, 220);
  assert.equal(zst.files.get("Users/ardavan/Downloads/empty.txt")?.length, 0);
});

void test("the shipped pax TAR is truncated (header says 20561 bytes, none follow): INPUT_CORRUPT, not a silently empty file", async () => {
  const sb = await makeSandbox();
  try {
    const run = runStages(archiveExtractProcessor, fixture(...ARCHIVES, "filetype_fixture-pax.tar"), {}, { workDir: sb.workDir, outDir: sb.outDir });
    const error = await expectAppError(run, "INPUT_CORRUPT");
    assert.match(error.message, /Truncated/);
  } finally {
    await sb.cleanup();
  }
});

void test("RAR 4 and 5 extract, unicode names and folders included", async () => {
  const folder = await extract(fixture(...ARCHIVES, "nodeunrar_FolderTest.rar"));
  assert.deepEqual([...folder.files.keys()].sort(), ["Folder1/Folder Space/long.txt", "Folder1/Folder 中文/2中文.txt"].sort());
  assert.ok((folder.files.get("Folder1/Folder Space/long.txt")?.length ?? 0) > 1000);
  const comment = await extract(fixture(...ARCHIVES, "nodeunrar_WithComment.rar"));
  assert.deepEqual([...comment.files.keys()].sort(), ["1File.txt", "2中文.txt"]);
  for (const small of ["small_rar4.rar", "small_rar5.rar"]) {
    const r = await extract(fixture(...ARCHIVES, small));
    assert.equal(r.files.size, 1, small);
    assert.equal(r.manifest.files.length, 1, small);
  }
});

void test("duplicate names: the first keeps its name, the later one becomes `same (2).txt`", async () => {
  const { files, manifest } = await extract(fixture(...ARCHIVES, "evil_zip_duplicate_names.zip"));
  assert.equal(files.get("same.txt")?.toString(), "first\n");
  assert.equal(files.get("same (2).txt")?.toString(), "second\n");
  assert.deepEqual(
    manifest.files.map((f) => f.path),
    ["same.txt", "same (2).txt"],
  );
});

void test("20 000 entries trip the entry cap by default and extract with a raised cap", async () => {
  const file = fixture(...ARCHIVES, "many_entries_20000.zip");
  const sb = await makeSandbox();
  try {
    const error = await expectAppError(runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir }), "ARCHIVE_BOMB");
    assert.equal(error.details?.["cap"], "max_entries");
  } finally {
    await sb.cleanup();
  }
  const { outputs, manifest } = await extract(file, { max_entries: 20_000 }, false);
  assert.equal(outputs["extract"]?.length, 20_000);
  assert.equal(manifest.files.length, 20_000);
  assert.equal(manifest.files[19_999]?.path, "f/19999.txt");
});

void test("a format is read from its bytes, not its name", async () => {
  const sb = await makeSandbox();
  try {
    const disguised = join(sb.workDir, "photo.tar.gz");
    await writeFile(disguised, await readFile(fixture(...ARCHIVES, "filetype_fixture.7z")));
    const r = await runStages(archiveExtractProcessor, disguised, {}, { workDir: sb.workDir, outDir: sb.outDir, source: { key: "t/photo.tar.gz", format: "tar.gz" } });
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      ["files/test.jpg"],
    );
    const notArchive = join(sb.workDir, "notes.zip");
    await writeFile(notArchive, "just text, named like a zip");
    await expectAppError(runStages(archiveExtractProcessor, notArchive, {}, { workDir: sb.workDir, outDir: join(sb.outDir, "x") }), "UNSUPPORTED_FORMAT");
  } finally {
    await sb.cleanup();
  }
});
