import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { AppError } from "../../src/contracts/app-error.ts";
import type { StorageAdapter } from "../../src/infra/storage/storage-adapter.ts";

export interface StorageSubject {
  storage: StorageAdapter;
  /** A bucket that exists and is empty. */
  bucket: string;
  /** Upload parts seen for a key, where the backend uploads in parts. */
  partsUploaded?: (key: string) => number;
  /** A second adapter over the same backend and bucket, with a different free-disk reserve. */
  withDiskReserve(bytes: number): StorageAdapter;
  close(): Promise<void>;
}

export interface StorageContractOptions {
  /** Builds a fresh adapter over an empty bucket. */
  create(): Promise<StorageSubject>;
  /** How many parts a 40 MiB upload must use at least, or why the backend has no parts. */
  multipart: { minParts: number } | { skip: string };
  /** Most the process RSS may grow while downloading the 40 MiB object. */
  maxDownloadRssGrowthBytes: number;
}

const MiB = 1024 * 1024;

/** The storage port's contract (STYLE.md §3): every adapter runs it unchanged. */
export function testStorageContract(name: string, options: StorageContractOptions): void {
  describe(`storage contract: ${name}`, () => {
    let subject: StorageSubject;
    let dir: string;
    before(async () => {
      subject = await options.create();
      dir = await mkdtemp(join(tmpdir(), "vs3d-storage-contract-"));
    });
    after(async () => {
      await subject.close();
      await rm(dir, { recursive: true, force: true });
    });

    const local = async (fileName: string, content: Buffer | string) => {
      const path = join(dir, fileName);
      await writeFile(path, content);
      return path;
    };

    test("upload then download gives the same bytes, into a folder that did not exist", async () => {
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
      const up = await subject.storage.upload(subject.bucket, "files/scan.las", await local("scan.las", bytes));
      assert.equal(up.size, bytes.length);
      const dest = join(dir, "new", "nested", "scan.las");
      const down = await subject.storage.download(subject.bucket, "files/scan.las", dest);
      assert.equal(down.size, bytes.length);
      assert.deepEqual(await readFile(dest), bytes);
    });

    test("an empty file round-trips", async () => {
      await subject.storage.upload(subject.bucket, "empty/none.txt", await local("none.txt", ""));
      const dest = join(dir, "none-back.txt");
      assert.deepEqual(await subject.storage.download(subject.bucket, "empty/none.txt", dest), { size: 0 });
      assert.equal((await stat(dest)).size, 0);
    });

    test("a second upload to a key replaces the object", async () => {
      await subject.storage.upload(subject.bucket, "over/x.json", await local("x1.json", '{"v":1}'));
      await subject.storage.upload(subject.bucket, "over/x.json", await local("x2.json", '{"v":22}'));
      const dest = join(dir, "x-back.json");
      await subject.storage.download(subject.bucket, "over/x.json", dest);
      assert.equal(await readFile(dest, "utf8"), '{"v":22}');
    });

    test("the content type is stored: given, or derived from the key", async () => {
      const src = await local("t.bin", "x");
      await subject.storage.upload(subject.bucket, "types/given.dat", src, { contentType: "image/avif" });
      await subject.storage.upload(subject.bucket, "types/model.glb", src);
      assert.equal((await subject.storage.head(subject.bucket, "types/given.dat"))?.contentType, "image/avif");
      assert.equal((await subject.storage.head(subject.bucket, "types/model.glb"))?.contentType, "model/gltf-binary");
    });

    test("head gives the size, or null for a missing key", async () => {
      await subject.storage.upload(subject.bucket, "head/a.txt", await local("a.txt", "12345"));
      assert.deepEqual(await subject.storage.head(subject.bucket, "head/a.txt"), { key: "head/a.txt", size: 5, contentType: "text/plain" });
      assert.equal(await subject.storage.head(subject.bucket, "head/missing.txt"), null);
    });

    test("list returns the keys under a prefix, sorted, with sizes; a prefix may end mid-name", async () => {
      const src = await local("l.txt", "abc");
      for (const key of ["lod/level_1/b.laz", "lod/level_0/a.laz", "lod/manifest.json", "lodx/other.txt", "nolod.txt"]) {
        await subject.storage.upload(subject.bucket, key, src);
      }
      const all = await subject.storage.list(subject.bucket, "lod/");
      assert.deepEqual(
        all.map((o) => o.key),
        ["lod/level_0/a.laz", "lod/level_1/b.laz", "lod/manifest.json"],
      );
      assert.ok(all.every((o) => o.size === 3));
      assert.deepEqual(
        (await subject.storage.list(subject.bucket, "lod/level_")).map((o) => o.key),
        ["lod/level_0/a.laz", "lod/level_1/b.laz"],
      );
      assert.deepEqual(await subject.storage.list(subject.bucket, "nothing-here/"), []);
    });

    test("downloading a missing key is INPUT_NOT_FOUND naming the key, and leaves no file", async () => {
      const dest = join(dir, "missing", "out.las");
      await assert.rejects(subject.storage.download(subject.bucket, "files/never-uploaded.las", dest), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, "INPUT_NOT_FOUND");
        assert.match(error.message, /never-uploaded\.las/);
        return true;
      });
      assert.deepEqual(await readdir(join(dir, "missing")).catch(() => []), []);
    });

    test("keys that climb or are absolute are refused with DESTINATION_OUTSIDE_PREFIX", async () => {
      const src = await local("evil.txt", "x");
      for (const key of ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "a\\..\\b"]) {
        await assert.rejects(subject.storage.upload(subject.bucket, key, src), { code: "DESTINATION_OUTSIDE_PREFIX" }, key);
        await assert.rejects(subject.storage.download(subject.bucket, key, join(dir, "evil-out")), { code: "DESTINATION_OUTSIDE_PREFIX" }, key);
      }
    });

    test("an aborted transfer rejects with the abort reason and leaves nothing behind", async () => {
      const src = await local("abort.txt", "abc");
      const reason = new Error("task cancelled");
      const signal = AbortSignal.abort(reason);
      await assert.rejects(subject.storage.upload(subject.bucket, "abort/a.txt", src, { signal }), (e) => e === reason);
      assert.equal(await subject.storage.head(subject.bucket, "abort/a.txt"), null);
      await subject.storage.upload(subject.bucket, "abort/b.txt", src);
      await assert.rejects(subject.storage.download(subject.bucket, "abort/b.txt", join(dir, "aborted", "b.txt"), { signal }), (e) => e === reason);
      assert.deepEqual(await readdir(join(dir, "aborted")).catch(() => []), []);
    });

    test("a download that would leave less than the disk reserve free is INSUFFICIENT_DISK before writing", async () => {
      await subject.storage.upload(subject.bucket, "disk/a.txt", await local("disk.txt", "abc"));
      const greedy = subject.withDiskReserve(Number.MAX_SAFE_INTEGER);
      const dest = join(dir, "disk", "a.txt");
      await assert.rejects(greedy.download(subject.bucket, "disk/a.txt", dest), { code: "INSUFFICIENT_DISK" });
      assert.deepEqual(await readdir(join(dir, "disk")).catch(() => []), []);
    });

    test("a 40 MiB file round-trips byte-equal, in parts, without the download holding it in memory", async (t) => {
      const size = 40 * MiB;
      const src = join(dir, "big.bin");
      const srcHash = await writePatternFile(src, size);
      const key = "big/cloud.laz";
      await subject.storage.upload(subject.bucket, key, src);
      if ("minParts" in options.multipart) {
        assert.ok(subject.partsUploaded, "a multipart backend must report its parts");
        assert.ok(subject.partsUploaded(key) >= options.multipart.minParts, `parts used: ${subject.partsUploaded(key)}`);
      } else {
        t.diagnostic(`multipart not checked: ${options.multipart.skip}`);
      }
      // Multipart uploads carry the content type on CreateMultipartUpload, not on the parts.
      assert.deepEqual(await subject.storage.head(subject.bucket, key), { key, size, contentType: "application/vnd.laszip" });

      const dest = join(dir, "big-back.bin");
      const growthOfOneDownload = async (): Promise<number> => {
        const baseline = process.memoryUsage().rss;
        let peak = baseline;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
        try {
          assert.deepEqual(await subject.storage.download(subject.bucket, key, dest), { size });
        } finally {
          clearInterval(sampler);
        }
        return Math.max(peak, process.memoryUsage().rss) - baseline;
      };
      // RSS also moves for reasons of its own: on a loaded machine the kernel takes back pages the
      // allocator freed, so the baseline drops and reusing them reads as growth (41.8 MiB once, in
      // CI). A download that holds the object grows it every time: the smaller of two is the measure.
      let growth = await growthOfOneDownload();
      if (growth >= options.maxDownloadRssGrowthBytes) growth = Math.min(growth, await growthOfOneDownload());
      t.diagnostic(`download RSS growth: ${(growth / MiB).toFixed(1)} MiB for a ${size / MiB} MiB object`);
      assert.ok(growth < options.maxDownloadRssGrowthBytes, `RSS grew ${(growth / MiB).toFixed(1)} MiB`);
      assert.equal(await sha256(dest), srcHash);
    });
  });
}

/** Writes `size` bytes of a non-repeating pattern chunk by chunk, so the test never holds the file. */
async function writePatternFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const out = createWriteStream(path);
  for (let offset = 0; offset < size; offset += MiB) {
    const chunk = createHash("sha512").update(String(offset)).digest();
    const block = Buffer.alloc(Math.min(MiB, size - offset));
    for (let i = 0; i < block.length; i += chunk.length) chunk.copy(block, i);
    block.writeUInt32LE(offset, 0);
    hash.update(block);
    if (!out.write(block)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return hash.digest("hex");
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
