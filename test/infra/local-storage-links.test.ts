import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFile, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStorage } from "../../src/infra/storage/local-storage.ts";

/** A storage root and a work folder on the same filesystem, as the embedded service lays them out. */
async function sandbox(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), "vs3d-ls-links-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  const work = join(root, "work");
  const storageDir = join(root, "storage");
  await mkdir(work, { recursive: true });
  return { root, work, storageDir, storage: createLocalStorage({ rootDir: storageDir, diskReserveBytes: 0 }) };
}

test("local storage: an upload from the same filesystem publishes the file itself (a hard link), no copy, no temp file left", async (t) => {
  const s = await sandbox(t);
  const src = join(s.work, "cog.tif");
  await writeFile(src, "tiles and overviews");
  const { size } = await s.storage.upload("out", "tenants/a/cog.tif", src, { contentType: "image/tiff" });
  assert.equal(size, 19);
  const object = join(s.storageDir, "out", "tenants", "a", "cog.tif");
  const [a, b] = [await stat(src), await stat(object)];
  assert.equal(b.ino, a.ino, "the object is the uploaded file, not a copy of it");
  assert.equal(a.nlink, 2);
  assert.deepEqual(await readdir(join(s.storageDir, "out", "tenants", "a")), ["cog.tif"]);
  // The work directory goes when the task ends; the object stays whole.
  await rm(s.work, { recursive: true });
  const back = join(s.root, "back.tif");
  await s.storage.download("out", "tenants/a/cog.tif", back);
  assert.equal(await readFile(back, "utf8"), "tiles and overviews");
  assert.equal((await s.storage.head("out", "tenants/a/cog.tif"))?.contentType, "image/tiff");
});

test("local storage: uploading the same file to its key again (a stage redone) leaves no temp file beside it", async (t) => {
  const s = await sandbox(t);
  const src = join(s.work, "preview.webp");
  await writeFile(src, "pixels");
  await s.storage.upload("out", "p/preview.webp", src);
  await s.storage.upload("out", "p/preview.webp", src);
  assert.deepEqual(await readdir(join(s.storageDir, "out", "p")), ["preview.webp"]);
  assert.deepEqual(await s.storage.list("out", "p/"), [{ key: "p/preview.webp", size: 6 }]);
});

test("local storage: a second upload to a linked key replaces it by rename and leaves the first file as it was", async (t) => {
  const s = await sandbox(t);
  const first = join(s.work, "v1.json");
  const second = join(s.work, "v2.json");
  await writeFile(first, '{"v":1}');
  await writeFile(second, '{"v":22}');
  await s.storage.upload("out", "k/x.json", first);
  await s.storage.upload("out", "k/x.json", second);
  assert.equal(await readFile(join(s.storageDir, "out", "k", "x.json"), "utf8"), '{"v":22}');
  assert.equal(await readFile(first, "utf8"), '{"v":1}');
  assert.equal((await stat(first)).nlink, 1);
});

test("local storage: a symbolic link given as the upload source is copied (its target's bytes), never linked into storage", async (t) => {
  const s = await sandbox(t);
  const real = join(s.work, "real.txt");
  await writeFile(real, "bytes");
  await symlink(real, join(s.work, "alias.txt"));
  await s.storage.upload("out", "l/alias.txt", join(s.work, "alias.txt"));
  const object = join(s.storageDir, "out", "l", "alias.txt");
  assert.equal((await lstat(object)).isFile(), true);
  assert.notEqual((await stat(object)).ino, (await stat(real)).ino);
  assert.equal(await readFile(object, "utf8"), "bytes");
});

test("local storage: a download is a copy — changing the downloaded file does not change the object", async (t) => {
  const s = await sandbox(t);
  const src = join(s.work, "scan.las");
  await writeFile(src, "points");
  await s.storage.upload("out", "in/scan.las", src);
  const input = join(s.root, "task", "input", "scan.las");
  await s.storage.download("out", "in/scan.las", input);
  await appendFile(input, " and more");
  const again = join(s.root, "again.las");
  await s.storage.download("out", "in/scan.las", again);
  assert.equal(await readFile(again, "utf8"), "points");
});

/** A folder on another filesystem than the temp dir, where a hard link cannot reach (EXDEV). */
async function otherFilesystem(): Promise<string | null> {
  const candidate = "/dev/shm";
  try {
    if ((await stat(candidate)).dev === (await stat(tmpdir())).dev) return null;
    return await mkdtemp(join(candidate, "vs3d-ls-links-"));
  } catch {
    return null;
  }
}

test("local storage: an upload from another filesystem is copied, and only a copy needs the free-disk reserve", async (t) => {
  const elsewhere = await otherFilesystem();
  if (elsewhere === null) {
    t.skip("no writable /dev/shm on another filesystem than the temp dir");
    return;
  }
  t.after(() => rm(elsewhere, { recursive: true, force: true }));
  const s = await sandbox(t);
  const src = join(elsewhere, "cog.tif");
  await writeFile(src, "far away");
  await s.storage.upload("out", "x/cog.tif", src);
  const object = join(s.storageDir, "out", "x", "cog.tif");
  assert.notEqual((await stat(object)).dev, (await stat(src)).dev);
  assert.equal(await readFile(object, "utf8"), "far away");
  assert.deepEqual(await readdir(join(s.storageDir, "out", "x")), ["cog.tif"]);

  const greedy = createLocalStorage({ rootDir: s.storageDir, diskReserveBytes: Number.MAX_SAFE_INTEGER });
  await assert.rejects(greedy.upload("out", "x/far.tif", src), { code: "INSUFFICIENT_DISK" });
  const near = join(s.work, "near.tif");
  await writeFile(near, "close by");
  await greedy.upload("out", "x/near.tif", near);
  assert.equal((await stat(join(s.storageDir, "out", "x", "near.tif"))).ino, (await stat(near)).ino);
});

test("local storage: a read-only download is the stored file itself (a hard link); a plain download stays a copy the caller may write", async (t) => {
  const s = await sandbox(t);
  await mkdir(join(s.storageDir, "in", "t"), { recursive: true });
  const object = join(s.storageDir, "in", "t", "photo.jpg");
  await writeFile(object, "original bytes");
  const linked = join(s.work, "input", "photo.jpg");
  assert.deepEqual(await s.storage.download("in", "t/photo.jpg", linked, { readOnly: true }), { size: 14 });
  assert.equal((await stat(linked)).ino, (await stat(object)).ino, "no copy for a reader");
  assert.deepEqual(await readdir(join(s.work, "input")), ["photo.jpg"], "no temp name left");
  const copied = join(s.work, "copy", "photo.jpg");
  await s.storage.download("in", "t/photo.jpg", copied);
  assert.notEqual((await stat(copied)).ino, (await stat(object)).ino);
  await appendFile(copied, " changed");
  assert.equal(await readFile(object, "utf8"), "original bytes", "a processor that writes its input changes its own copy only");
  // The work directory goes when the task ends; the stored object stays.
  await rm(s.work, { recursive: true });
  assert.equal(await readFile(object, "utf8"), "original bytes");
  assert.equal((await stat(object)).nlink, 1);
});

test("local storage: a read-only download still refuses a missing object and a link planted in the storage folder", async (t) => {
  const s = await sandbox(t);
  await assert.rejects(s.storage.download("in", "t/missing.jpg", join(s.work, "m.jpg"), { readOnly: true }), { code: "INPUT_NOT_FOUND" });
  const outside = join(s.root, "outside");
  await mkdir(outside);
  await writeFile(join(outside, "secret.jpg"), "not yours");
  await mkdir(join(s.storageDir, "in"), { recursive: true });
  await symlink(outside, join(s.storageDir, "in", "t"));
  await assert.rejects(s.storage.download("in", "t/secret.jpg", join(s.work, "s.jpg"), { readOnly: true }), { code: "DESTINATION_OUTSIDE_PREFIX" });
  await assert.rejects(stat(join(s.work, "s.jpg")), { code: "ENOENT" });
});

test("local storage: an object of its extension's type keeps no metadata record, and a record left by an earlier upload with another type goes", async (t) => {
  const s = await sandbox(t);
  const src = join(s.work, "thumb.webp");
  await writeFile(src, "pixels");
  await s.storage.upload("out", "p/thumb.webp", src, { contentType: "image/webp" });
  await assert.rejects(stat(join(s.storageDir, ".vs3d-meta")), { code: "ENOENT" }, "nothing to record");
  assert.equal((await s.storage.head("out", "p/thumb.webp"))?.contentType, "image/webp");
  await s.storage.upload("out", "p/thumb.webp", src, { contentType: "application/x-custom" });
  assert.equal((await s.storage.head("out", "p/thumb.webp"))?.contentType, "application/x-custom");
  await s.storage.upload("out", "p/thumb.webp", src);
  assert.equal((await s.storage.head("out", "p/thumb.webp"))?.contentType, "image/webp", "the earlier record does not outlive the upload that replaced it");
  assert.deepEqual(await readdir(join(s.storageDir, ".vs3d-meta", "out", "p")), []);
});
