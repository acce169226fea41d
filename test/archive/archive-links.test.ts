import { test } from "node:test";
import assert from "node:assert/strict";
import { link, lstat, mkdir, readFile, readlink, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { create } from "tar";
import { archiveExtractProcessor } from "../../src/processors/archive/archive-extract.processor.ts";
import { ExtractBudget } from "../../src/processors/archive/extract-budget.ts";
import { createExtractTarget } from "../../src/processors/archive/extract-target.ts";
import { expectAppError, listTree, withSandbox, type Sandbox } from "./archive-harness.ts";
import { runStages } from "../helpers/run-stages.ts";
import { buildZip, type RawZipEntry } from "./zip-builder.ts";

async function extractZip(sb: Sandbox, entries: RawZipEntry[], params: Record<string, unknown> = {}) {
  const file = join(sb.workDir, `crafted-${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(file, buildZip(entries));
  return runStages(archiveExtractProcessor, file, params, { workDir: sb.workDir, outDir: sb.outDir });
}

void test("crafted names with backslashes, drive letters or NUL are UNSAFE_ARCHIVE, and nothing is written", async () => {
  for (const name of ["..\\..\\evil_backslash.txt", "ok\\..\\..\\x.txt", "C:/evil.txt", "C:evil.txt", "a\0.txt", "/abs.txt"]) {
    await withSandbox(async (sb) => {
      const before = await listTree(sb.top);
      await expectAppError(extractZip(sb, [{ name: "fine.txt" }, { name }]), "UNSAFE_ARCHIVE");
      const after = (await listTree(sb.top)).filter((p) => !p.includes("crafted-"));
      assert.deepEqual(after, before, JSON.stringify(name));
    });
  }
});

void test("FIFOs, sockets and block devices in a zip are refused even with allow_links", async () => {
  for (const mode of [0o010644, 0o140644, 0o060644]) {
    await withSandbox(async (sb) => {
      await expectAppError(extractZip(sb, [{ name: "thing", mode }], { allow_links: true }), "UNSAFE_ARCHIVE");
    });
  }
});

void test("allow_links: a link that stays inside is created; one that climbs out is refused", async () => {
  await withSandbox(async (sb) => {
    const r = await extractZip(
      sb,
      [
        { name: "data/x.txt", data: "x" },
        { name: "data/l", data: "x.txt", mode: 0o120777 },
        { name: "top", data: "data/x.txt", mode: 0o120777 },
      ],
      { allow_links: true },
    );
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      ["files/data/x.txt"],
      "links are not uploaded as files",
    );
    assert.equal(await readlink(join(sb.outDir, "files", "data", "l")), "x.txt");
    assert.equal(await readFile(join(sb.outDir, "files", "top"), "utf8"), "x");
  });
  for (const target of ["../../outside", "/etc/passwd", "data/../../x", "../..", "C:/x"]) {
    await withSandbox(async (sb) => {
      await expectAppError(extractZip(sb, [{ name: "data/l", data: target, mode: 0o120777 }], { allow_links: true }), "UNSAFE_ARCHIVE");
    });
  }
});

void test("allow_links: nothing is written through a link, even one pointing inside", async () => {
  await withSandbox(async (sb) => {
    const entries = [{ name: "real/keep.txt" }, { name: "d", data: "real", mode: 0o120777 }, { name: "d/keep.txt", data: "overwrite" }];
    await expectAppError(extractZip(sb, entries, { allow_links: true }), "UNSAFE_ARCHIVE");
  });
});

void test("an existing symlink in the output directory is never followed", async () => {
  await withSandbox(async (sb) => {
    const outside = join(sb.top, "outside");
    await mkdir(outside);
    // The writer itself refuses to go through a symlink it did not make …
    const root = join(sb.outDir, "planted");
    await mkdir(root);
    await symlink(outside, join(root, "d"));
    const target = await createExtractTarget({ root, partialDir: join(sb.outDir, ".p"), budget: new ExtractBudget(1), allowLinks: false, signal: new AbortController().signal });
    await expectAppError(target.file("d/planted.txt", [Buffer.from("x")]), "UNSAFE_ARCHIVE");
    // … and the stage replaces a files/ that is a symlink instead of writing into where it points.
    await symlink(outside, join(sb.outDir, "files"));
    const r = await extractZip(sb, [{ name: "planted.txt" }]);
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      ["files/planted.txt"],
    );
    assert.deepEqual(await readdir(outside), []);
  });
});

void test("tar with allow_links: inside symlinks and hardlinks extract; by default they are refused", async () => {
  await withSandbox(async (sb) => {
    const src = join(sb.workDir, "src");
    await mkdir(join(src, "dir"), { recursive: true });
    await writeFile(join(src, "dir", "a.txt"), "aaa");
    await link(join(src, "dir", "a.txt"), join(src, "dir", "hard.txt"));
    await symlink("a.txt", join(src, "dir", "soft"));
    const file = join(sb.workDir, "links.tar");
    // Sync: node-tar's async pack of a directory with links can race ("write after end").
    create({ file, cwd: src, portable: true, sync: true }, ["dir"]);
    await expectAppError(runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: join(sb.outDir, "no") }), "UNSAFE_ARCHIVE");
    const r = await runStages(archiveExtractProcessor, file, { allow_links: true }, { workDir: sb.workDir, outDir: sb.outDir });
    assert.deepEqual(r.outputs["extract"]?.map((o) => o.path).sort(), ["files/dir/a.txt", "files/dir/hard.txt"]);
    const a = await lstat(join(sb.outDir, "files", "dir", "a.txt"));
    const hard = await lstat(join(sb.outDir, "files", "dir", "hard.txt"));
    assert.equal(hard.ino, a.ino, "a hardlink, not a copy");
    assert.equal(await readlink(join(sb.outDir, "files", "dir", "soft")), "a.txt");
  });
});

void test("a pax tar (long unicode names) extracts", async () => {
  await withSandbox(async (sb) => {
    const src = join(sb.workDir, "src");
    const long = `${"ü".repeat(60)}/${"naïve-".repeat(20)}.txt`;
    await mkdir(join(src, long, ".."), { recursive: true });
    await writeFile(join(src, long), "pax");
    const file = join(sb.workDir, "pax.tar");
    create({ file, cwd: src, portable: true, sync: true }, [long.split("/")[0]!]);
    assert.ok((await readFile(file)).includes("path="), "node-tar wrote a pax header");
    const r = await runStages(archiveExtractProcessor, file, {}, { workDir: sb.workDir, outDir: sb.outDir });
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      [`files/${long}`],
    );
    assert.equal(await readFile(join(sb.outDir, "files", long), "utf8"), "pax");
  });
});

void test("7z symlinks (7zz -snl): refused by default, created inside with allow_links, refused outside", async () => {
  await withSandbox(async (sb) => {
    const src = join(sb.workDir, "src");
    await mkdir(join(src, "d"), { recursive: true });
    await writeFile(join(src, "d", "a.txt"), "aaa");
    await symlink("a.txt", join(src, "d", "inside"));
    const inside = join(sb.workDir, "inside.7z");
    await execa("7zz", ["a", "-snl", "-bso0", inside, "d"], { cwd: src });
    await expectAppError(runStages(archiveExtractProcessor, inside, {}, { workDir: sb.workDir, outDir: join(sb.outDir, "no") }), "UNSAFE_ARCHIVE");
    const r = await runStages(archiveExtractProcessor, inside, { allow_links: true }, { workDir: sb.workDir, outDir: join(sb.outDir, "yes") });
    assert.deepEqual(
      r.outputs["extract"]?.map((o) => o.path),
      ["files/d/a.txt"],
    );
    assert.equal(await readFile(join(sb.outDir, "yes", "files", "d", "inside"), "utf8"), "aaa");

    await symlink("/etc/hostname", join(src, "d", "outside"));
    const outside = join(sb.workDir, "outside.7z");
    await execa("7zz", ["a", "-snl", "-bso0", outside, "d"], { cwd: src });
    await expectAppError(runStages(archiveExtractProcessor, outside, { allow_links: true }, { workDir: sb.workDir, outDir: join(sb.outDir, "out") }), "UNSAFE_ARCHIVE");
  });
});
