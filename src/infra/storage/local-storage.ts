import { randomBytes } from "node:crypto";
import { constants as fsConstants, createReadStream, createWriteStream } from "node:fs";
import { copyFile, link, lstat, mkdir, readFile, readdir, realpath, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { AppError } from "../../contracts/app-error.ts";
import type { ObjectInfo } from "../../ports/storage.port.ts";
import { contentTypeFor } from "../../storage-rules/content-type.ts";
import { assertFreeDisk, DISK_SPACE_DEFAULTS } from "./disk-space.ts";
import { assertSafeKey } from "../../storage-rules/key-policy.ts";
import { abortReasonOr, type StorageAdapter, type StoredObjectInfo } from "./storage-adapter.ts";

export interface LocalStorageOptions {
  /** Each bucket is a folder of it; created on demand. */
  rootDir: string;
  /** Free space a transfer must leave on the target filesystem. Default: 256 MiB. */
  diskReserveBytes?: number;
}

/** Names no bucket can take (buckets start with a letter or digit), so metadata never collides. */
const META_DIR = ".vs3d-meta";
/** In-flight writes; hidden from `list` so readers never see half a file. */
const TMP_PREFIX = ".vs3d-tmp-";

/** The embedded storage adapter: `<rootDir>/<bucket>/<key>`, content types in `<rootDir>/.vs3d-meta`.
 * Writes go to a temp file beside the target and are renamed into place, so a crash leaves either the
 * old object or the new one. Like S3, a key cannot be both an object and a folder of other keys — a
 * filesystem limit this adapter shares with every S3 gateway that stores on disk.
 *
 * An upload from the same filesystem hard-links the file instead of copying it: the service uploads
 * finished outputs, which nothing writes to afterwards, from a work directory that is deleted when
 * the task ends. So a caller must not rewrite an uploaded file in place (replacing it by a rename is
 * fine). A download copies unless the caller says it only reads the file (`readOnly`): the object is
 * the tenant's original or a checkpointed output, and a processor that wrote into its input would
 * otherwise change it in storage for good. A read-only download is a link where one can be made:
 * 20 photo thumbnails copied 110 MB a round on libuv's pool, about 0.2 CPU-s the tools needed. */
export function createLocalStorage(options: LocalStorageOptions): StorageAdapter {
  const rootDir = resolve(options.rootDir);
  const disk = { reserveBytes: options.diskReserveBytes ?? DISK_SPACE_DEFAULTS.reserveBytes };

  const objectPath = (bucket: string, key: string) => join(rootDir, checkBucket(bucket), assertSafeKey(key));
  const metaPath = (bucket: string, key: string) => `${join(rootDir, META_DIR, checkBucket(bucket), assertSafeKey(key))}.json`;

  async function readType(bucket: string, key: string): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(metaPath(bucket, key), "utf8")) as { contentType?: unknown };
      if (typeof meta.contentType === "string") return meta.contentType;
    } catch {
      // Objects dropped into the folder by hand have no metadata: fall back to the extension.
    }
    return contentTypeFor(key);
  }

  // The root as the kernel names it (it may itself be reached through a link): see assertNoLinkBelow.
  let realRoot: Promise<string> | undefined;
  const noLinkBelow = async (path: string, what: string) => assertNoLinkBelow(rootDir, path, what, (realRoot ??= realpath(rootDir).catch(() => rootDir)));

  /** The object's path, refused if any existing part of it below rootDir is a symbolic link: a link
   * planted in the storage folder must not let a key read or write outside it. */
  async function safeObjectPath(bucket: string, key: string): Promise<string> {
    const path = objectPath(bucket, key);
    await noLinkBelow(path, `${bucket}/${key}`);
    return path;
  }

  return {
    async download(bucket, key, destPath, opts = {}) {
      const src = await safeObjectPath(bucket, key);
      const info = await statObject(src, bucket, key);
      if (info === null) throw new AppError("INPUT_NOT_FOUND", `object ${bucket}/${key} does not exist`, { details: { bucket, key } });
      await mkdir(dirname(destPath), { recursive: true });
      if (opts.readOnly && (await atomicLink(src, destPath, opts.signal, `download of ${bucket}/${key}`))) return { size: info.size };
      await assertFreeDisk(dirname(destPath), info.size, disk);
      await atomicCopy(src, destPath, info.size, opts.signal, `download of ${bucket}/${key}`);
      return { size: info.size };
    },

    async upload(bucket, key, srcPath, opts = {}) {
      const dest = await safeObjectPath(bucket, key);
      const size = await localFileSize(srcPath);
      // A folder that cannot be made (read-only, a file in the way) is the storage failing.
      await mkdir(dirname(dest), { recursive: true }).catch((error: unknown) => {
        throw storageError(`upload of ${bucket}/${key} failed`, error);
      });
      if (!(await atomicLink(srcPath, dest, opts.signal, `upload of ${bucket}/${key}`))) {
        await assertFreeDisk(dirname(dest), size, disk);
        await atomicCopy(srcPath, dest, size, opts.signal, `upload of ${bucket}/${key}`);
      }
      const meta = metaPath(bucket, key);
      // The extension's own type needs no record (readType falls back to it); one left by an earlier
      // upload of this key with another type must go. Most outputs are such: one lstat instead of
      // some 13 file operations. A record found is checked for links part by part before it goes.
      if ((opts.contentType ?? contentTypeFor(key)) === contentTypeFor(key)) {
        if ((await lstat(meta).catch(() => null)) && (await noLinkBelow(meta, `${bucket}/${key} (metadata)`)))
          await unlink(meta).catch((error: unknown) => {
            if (!isMissing(error)) throw storageError(`upload of ${bucket}/${key} (metadata) failed`, error);
          });
        return { size };
      }
      await noLinkBelow(meta, `${bucket}/${key} (metadata)`);
      await mkdir(dirname(meta), { recursive: true })
        .then(() => atomicWrite(meta, JSON.stringify({ contentType: opts.contentType ?? contentTypeFor(key) })))
        .catch((error: unknown) => {
          throw storageError(`upload of ${bucket}/${key} (metadata) failed`, error);
        });
      return { size };
    },

    async head(bucket, key): Promise<StoredObjectInfo | null> {
      const info = await statObject(await safeObjectPath(bucket, key), bucket, key);
      return info === null ? null : { key, size: info.size, contentType: await readType(bucket, key) };
    },

    async list(bucket, prefix) {
      const bucketDir = join(rootDir, checkBucket(bucket));
      // Walk only the deepest folder the prefix names; S3 prefixes may end mid-name ("lod/level_").
      const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/") + 1) : "";
      if (folder !== "") assertSafeKey(folder.slice(0, -1));
      const found: ObjectInfo[] = [];
      await walk(join(bucketDir, folder), folder, found, bucket);
      return found.filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}

/** Refuses `path` if a part of it below rootDir is a symbolic link; true when all of it exists. One
 * realpath answers for a path that exists and names no link (a download's object, a key written
 * before); otherwise each part is looked at in turn, up to the first that does not exist yet. */
async function assertNoLinkBelow(rootDir: string, path: string, what: string, realRoot: Promise<string>): Promise<boolean> {
  const resolved = await realpath(path).catch(() => null);
  if (resolved !== null && resolved === join(await realRoot, relative(rootDir, path))) return true;
  let current = rootDir;
  for (const part of relative(rootDir, path).split(sep)) {
    current = join(current, part);
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (isMissing(error)) return false; // the rest does not exist yet; mkdir makes real folders
      throw storageError(`cannot read ${what}`, error);
    }
    if (info.isSymbolicLink()) {
      throw new AppError("DESTINATION_OUTSIDE_PREFIX", `${what} is refused: ${relative(rootDir, current)} in the storage directory is a symbolic link`, {
        details: { path: relative(rootDir, current) },
      });
    }
  }
  return true;
}

function checkBucket(bucket: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(bucket)) {
    throw new AppError("DESTINATION_OUTSIDE_PREFIX", `bucket ${JSON.stringify(bucket)} is refused: a bucket is one name of letters, digits, '.', '_' or '-'`);
  }
  return bucket;
}

async function statObject(path: string, bucket: string, key: string): Promise<{ size: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size } : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw storageError(`cannot read ${bucket}/${key}`, error);
  }
}

async function localFileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    throw new AppError("INTERNAL", `upload source ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** Up to this size a copy is one `copyFile` (the kernel copies, on libuv's thread pool: no chunks
 * through the event loop, a clone where the filesystem can): it cannot be stopped midway, and this
 * bounds how long an abort waits (about a second on a local disk). Larger files are streamed. */
const KERNEL_COPY_MAX_BYTES = 256 * 2 ** 20;

async function atomicCopy(src: string, dest: string, size: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  const tmp = join(dirname(dest), `${TMP_PREFIX}${randomBytes(6).toString("hex")}-${basename(dest)}`);
  try {
    signal?.throwIfAborted();
    if (size <= KERNEL_COPY_MAX_BYTES) await copyFile(src, tmp, fsConstants.COPYFILE_FICLONE);
    else await pipeline(createReadStream(src), createWriteStream(tmp), ...(signal ? [{ signal }] : []));
    signal?.throwIfAborted();
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw abortReasonOr(signal, error);
    throw error instanceof AppError ? error : storageError(`${what} failed`, error);
  }
}

/** Why a hard link cannot be made where a copy can: another filesystem (EXDEV), a file the process
 * may not link (EPERM: fs.protected_hardlinks, or a filesystem without links), too many links. */
const LINK_REFUSED = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "ENOSYS"]);

/** Publishes `src` at `dest` as a second name of the same file, through a temp name and a rename like
 * a copy. False when it cannot be linked (see LINK_REFUSED) or is not a plain file: a symbolic link
 * would be linked itself, not the file it names, so it is copied as before. */
async function atomicLink(src: string, dest: string, signal: AbortSignal | undefined, what: string): Promise<boolean> {
  const tmp = join(dirname(dest), `${TMP_PREFIX}${randomBytes(6).toString("hex")}-${basename(dest)}`);
  try {
    signal?.throwIfAborted();
    if (!(await lstat(src)).isFile()) return false;
    await link(src, tmp);
    await rename(tmp, dest);
    // Renaming a name onto another name of the same file does nothing and leaves the temp name.
    // Usually there is none: one unlink, where fs.rm would look first.
    await removeFile(tmp);
    return true;
  } catch (error) {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw abortReasonOr(signal, error);
    if (LINK_REFUSED.has((error as { code?: string }).code ?? "")) return false;
    throw error instanceof AppError ? error : storageError(`${what} failed`, error);
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `${TMP_PREFIX}${randomBytes(6).toString("hex")}`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function walk(dir: string, keyPrefix: string, out: ObjectInfo[], bucket: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw storageError(`cannot list ${bucket}/${keyPrefix}`, error);
  }
  for (const entry of entries) {
    if (entry.name.startsWith(TMP_PREFIX)) continue;
    const key = keyPrefix + entry.name;
    if (entry.isDirectory()) await walk(join(dir, entry.name), `${key}/`, out, bucket);
    else if (entry.isFile()) out.push({ key, size: (await stat(join(dir, entry.name))).size });
  }
}

/** Unlinks a file that may not be there. */
async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
}

const isMissing = (error: unknown) => ["ENOENT", "ENOTDIR"].includes((error as { code?: string }).code ?? "");

function storageError(message: string, cause: unknown): AppError {
  return new AppError("STORAGE_ERROR", `${message}: ${(cause as Error).message}`, { cause });
}
