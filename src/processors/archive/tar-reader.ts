import { once } from "node:events";
import { Parser, type ReadEntry } from "tar";
import { AppError } from "../../contracts/app-error.ts";
import type { Compression } from "./archive-format.ts";
import { decompressFile } from "./decompress-streams.ts";
import { asReadError, type ExtractJob } from "./extract-job.ts";

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const SPECIAL_TYPES: Record<string, string> = {
  CharacterDevice: "character device",
  BlockDevice: "block device",
  FIFO: "FIFO",
};

async function handleEntry(entry: ReadEntry, job: ExtractJob): Promise<void> {
  const { target } = job;
  if (FILE_TYPES.has(entry.type)) return target.file(entry.path, entry as AsyncIterable<Uint8Array>);
  entry.resume();
  if (entry.type === "Directory") return target.directory(entry.path);
  if (entry.type === "SymbolicLink") return target.symlink(entry.path, entry.linkpath ?? "");
  if (entry.type === "Link") return target.hardlink(entry.path, entry.linkpath ?? "");
  const special = SPECIAL_TYPES[entry.type];
  if (special !== undefined) target.special(entry.path, special);
  throw new AppError("UNSUPPORTED_FORMAT", `tar entry ${JSON.stringify(entry.path)} has type ${entry.type}, which is not extracted`, {
    details: { entry: entry.path, type: entry.type },
  });
}

/**
 * TAR, optionally gz / xz / zst. Entries are handled strictly one after another: node-tar emits the
 * next entry only once the current one is drained, and the promise chain keeps the async writes in
 * order, so names are claimed in archive order and the duplicate rule is deterministic.
 */
export async function readTar(job: ExtractJob, compression: Compression | null): Promise<void> {
  let read = 0;
  const source = decompressFile(
    job.path,
    compression,
    job.signal,
    (n) => {
      read += n;
      job.progress(read, job.size);
    },
    job.size,
  );
  const parser = new Parser({ strict: true });
  let failure: unknown;
  let chain = Promise.resolve();
  parser.on("entry", (entry: ReadEntry) => {
    chain = chain
      .then(() => (failure === undefined ? handleEntry(entry, job) : entry.resume()))
      .catch((e: unknown) => {
        failure ??= e;
        entry.resume();
      });
  });
  parser.on("error", (e: unknown) => {
    failure ??= e;
  });
  try {
    for await (const chunk of source.chunks) {
      if (failure !== undefined) break;
      if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) await Promise.race([once(parser, "drain"), chain]);
    }
    if (failure === undefined) {
      const ended = once(parser, "end");
      parser.end();
      await Promise.race([ended, chain.then(() => (failure === undefined ? ended : undefined))]);
    }
    await chain;
    if (failure === undefined) await source.finish();
  } catch (e) {
    failure ??= e;
  } finally {
    source.stop();
  }
  if (failure !== undefined) throw asReadError(failure, compression === null ? "tar" : `tar.${compression}`, job.signal);
}
