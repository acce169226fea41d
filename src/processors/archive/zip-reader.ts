import yauzl from "yauzl";
import { AppError } from "../../contracts/app-error.ts";
import { asReadError, type ExtractJob } from "./extract-job.ts";
import { kindFromMode } from "./unix-mode.ts";

/** Longest symlink target read from a zip entry; a longer one is refused, not truncated. */
const MAX_LINK_TARGET = 4096;
const UNIX_HOST = 3;

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => zip.removeListener("entry", onEntry).removeListener("end", onEnd).removeListener("error", onError);
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (e: Error) => (cleanup(), reject(e));
    zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
    zip.readEntry();
  });
}

/** Opens the entry's stream only when the writer starts reading, so its errors always have a listener. */
async function* entryChunks(zip: yauzl.ZipFile, entry: yauzl.Entry): AsyncGenerator<Uint8Array> {
  yield* (await zip.openReadStreamPromise(entry)) as AsyncIterable<Uint8Array>;
}

async function readLinkTarget(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await zip.openReadStreamPromise(entry)) {
    size += (chunk as Buffer).length;
    if (size > MAX_LINK_TARGET) throw new AppError("UNSAFE_ARCHIVE", `symlink ${JSON.stringify(name)} has a target longer than ${MAX_LINK_TARGET} bytes: refused`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * ZIP through yauzl, reading the central directory first: the entry cap, encryption and every name
 * are checked before a byte is written. Names are decoded without yauzl's own validation so that
 * ours (one rule set, one error code) decides. Returns "encrypted" when the archive needs the 7-Zip
 * reader, the only one here that decrypts ZipCrypto and AES.
 */
export async function readZip(job: ExtractJob): Promise<"done" | "encrypted"> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await yauzl.openPromise(job.path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
    const { maxEntries } = job.budget.caps;
    if (zip.entryCount > maxEntries) {
      throw new AppError("ARCHIVE_BOMB", `the zip lists ${zip.entryCount} entries, more than the cap of ${maxEntries}: extraction stopped`, {
        details: { cap: "max_entries", entries: zip.entryCount },
      });
    }
    const entries: yauzl.Entry[] = [];
    for (let e = await nextEntry(zip); e !== null; e = await nextEntry(zip)) entries.push(e);
    if (entries.some((e) => e.isEncrypted())) {
      if (job.password === undefined) throw new AppError("PASSWORD_REQUIRED", "the zip archive is encrypted and no password was given");
      return "encrypted";
    }
    const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    let done = 0;
    job.target.onBytes = (n) => job.progress((done += n), Math.max(done, declared));
    for (const entry of entries) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, true);
      const kind = name.endsWith("/") ? "directory" : entry.versionMadeBy >> 8 === UNIX_HOST ? kindFromMode(entry.externalFileAttributes >>> 16) : "file";
      if (kind === "directory") await job.target.directory(name);
      else if (kind === "file") {
        const rel = job.target.claimFile(name);
        // Nothing stored inflates to nothing; skipping the stream matters for archives of many empty files.
        await job.target.writeClaimed(rel, entry.compressedSize === 0 ? [] : entryChunks(zip, entry));
      } else if (kind === "symlink") job.target.symlink(name, await readLinkTarget(zip, entry, name));
      else job.target.special(name, kind);
    }
    return "done";
  } catch (e) {
    throw asReadError(e, "zip", job.signal);
  } finally {
    zip?.close();
  }
}
