import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStorage } from "../../src/infra/storage/local-storage.ts";

async function sandbox() {
  const root = await mkdtemp(join(tmpdir(), "vs3d-review-ls-"));
  const storageDir = join(root, "storage");
  const outside = join(root, "outside");
  await mkdir(join(storageDir, "out", "tenants", "a"), { recursive: true });
  await mkdir(outside, { recursive: true });
  return { root, storageDir, outside };
}

test("local storage: an upload does not follow a folder symlink planted in STORAGE_DIR out of it", { timeout: 10_000 }, async () => {
  const s = await sandbox();
  await symlink(s.outside, join(s.storageDir, "out", "tenants", "a", "processed"));
  const src = join(s.root, "thumb.webp");
  await writeFile(src, "pixels");
  const storage = createLocalStorage({ rootDir: s.storageDir, diskReserveBytes: 0 });
  const uploaded = await storage.upload("out", "tenants/a/processed/thumb.webp", src).then(
    () => "written",
    (e: unknown) => e,
  );
  assert.deepEqual(await readdir(s.outside), [], `nothing lands outside STORAGE_DIR (upload: ${String(uploaded)})`);
});

test("local storage: a download does not read a file outside STORAGE_DIR through a planted symlink", { timeout: 10_000 }, async () => {
  const s = await sandbox();
  await writeFile(join(s.outside, "secret.txt"), "another tenant's data");
  await symlink(join(s.outside, "secret.txt"), join(s.storageDir, "out", "tenants", "a", "scan.las"));
  const storage = createLocalStorage({ rootDir: s.storageDir, diskReserveBytes: 0 });
  const listed = await storage.list("out", "tenants/a/");
  const got = await storage.download("out", "tenants/a/scan.las", join(s.root, "work", "scan.las")).then(
    () => "read",
    (e: unknown) => (e as { code?: string }).code,
  );
  // list() already skips symlinks; download must agree with it.
  assert.deepEqual(listed, []);
  assert.notEqual(got, "read", "the symlinked object is refused (INPUT_NOT_FOUND or DESTINATION_OUTSIDE_PREFIX)");
});
