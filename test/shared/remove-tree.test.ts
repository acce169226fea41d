import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../../src/shared/remove-tree.ts";

test("removeTree removes a work folder with nested folders and files, unlinks a link without following it, and takes a missing folder as done", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "vs3d-remove-tree-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const outside = join(root, "outside");
  await mkdir(join(outside, "keep"), { recursive: true });
  await writeFile(join(outside, "keep", "file.txt"), "stays");
  const work = join(root, "work");
  await mkdir(join(work, "out", "thumbnails"), { recursive: true });
  await mkdir(join(work, "input"), { recursive: true });
  await mkdir(join(work, "empty"), { recursive: true });
  await writeFile(join(work, "input", "photo.jpg"), "x");
  await writeFile(join(work, "out", "thumbnails", "256.webp"), "y");
  await symlink(outside, join(work, "out", "link-to-outside"));
  await symlink(join(outside, "keep", "file.txt"), join(work, "file-link"));
  await removeTree(work);
  await assert.rejects(stat(work), { code: "ENOENT" });
  assert.deepEqual(await readdir(join(outside, "keep")), ["file.txt"], "what a link pointed at is untouched");
  await removeTree(work);
  await removeTree(join(root, "never-made"));
});

test("removeTree given a file removes the file", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "vs3d-remove-tree-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, "f"), "z");
  await removeTree(join(root, "f"));
  assert.deepEqual(await readdir(root), []);
});
