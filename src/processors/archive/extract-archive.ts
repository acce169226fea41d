import { AppError } from "../../contracts/app-error.ts";
import { innerFileName, type ArchiveFormat } from "./archive-format.ts";
import { decompressFile } from "./decompress-streams.ts";
import { asReadError, type ExtractJob } from "./extract-job.ts";
import { readRar } from "./rar-reader.ts";
import { readSevenZip } from "./sevenzip-reader.ts";
import { readTar } from "./tar-reader.ts";
import { readZip } from "./zip-reader.ts";

/** A lone gz / xz / zst file: one entry, named after the source key without its extension. */
async function readSingle(job: ExtractJob, compression: "gz" | "xz" | "zst"): Promise<void> {
  let read = 0;
  const source = decompressFile(job.path, compression, job.signal, (n) => job.progress((read += n), job.size), job.size);
  try {
    await job.target.file(innerFileName(job.sourceKey), source.chunks);
    await source.finish();
  } catch (e) {
    throw asReadError(e, compression, job.signal);
  } finally {
    source.stop();
  }
}

/** Runs the reader for a detected format; every reader writes only through `job.target`. */
export async function extractArchive(job: ExtractJob, format: ArchiveFormat): Promise<void> {
  switch (format) {
    case "zip":
      if ((await readZip(job)) === "encrypted") await readSevenZip(job, "zip");
      return;
    case "7z":
      return readSevenZip(job, "7z");
    case "rar":
      return readRar(job);
    case "tar":
      return readTar(job, null);
    case "tar.gz":
    case "tar.xz":
    case "tar.zst":
      return readTar(job, format.slice(4) as "gz" | "xz" | "zst");
    case "gz":
    case "xz":
    case "zst":
      return readSingle(job, format);
    default:
      throw new AppError("UNSUPPORTED_FORMAT", `archive format ${String(format satisfies never)} is not supported`);
  }
}
