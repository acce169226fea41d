import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { execa } from "execa";
import { Pack } from "tar";
import { AppError } from "../../contracts/app-error.ts";
import type { CompressFormat } from "./archive-params.ts";
import { createZstdCompressStream } from "./zstd-compress.ts";

export interface CompressJob {
  /** Directory the member paths are relative to. */
  cwd: string;
  members: readonly string[];
  outPath: string;
  /** Scratch space for the 7-Zip list file. */
  workDir: string;
  signal: AbortSignal;
  /** Uncompressed bytes consumed so far. */
  onBytes: (done: number) => void;
}

/** tar → gzip or zstd. Progress counts the tar stream, which is the files plus their headers. */
async function writeTar(job: CompressJob, compression: "gz" | "zst"): Promise<void> {
  // noDirRecurse: only the listed files, never something that appeared in the directory meanwhile.
  const pack = new Pack({ cwd: job.cwd, portable: true, noDirRecurse: true, strict: true });
  let done = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      job.onBytes((done += chunk.length));
      cb(null, chunk);
    },
  });
  const compressor = compression === "gz" ? createGzip({ level: 6 }) : await createZstdCompressStream();
  for (const m of job.members) pack.add(m);
  pack.end();
  await pipeline(pack as unknown as Readable, counter, compressor, createWriteStream(job.outPath, { flags: "wx" }), { signal: job.signal });
}

/** zip and 7z through `7zz a`, its percent output turned into bytes. */
async function writeWithSevenZip(job: CompressJob, type: "zip" | "7z", totalBytes: number): Promise<void> {
  const listFile = join(job.workDir, "archive-members.txt");
  await writeFile(listFile, `${job.members.join("\n")}\n`);
  const child = execa(
    "7zz",
    // -spd: names are names, not wildcards; -mcu: UTF-8 names in zip; -bsp1: progress on stdout.
    // No "--": it would make the @listfile a literal name; both paths are absolute, so none reads as a switch.
    ["a", `-t${type}`, "-spd", "-bsp1", "-bso0", "-bse2", "-y", ...(type === "zip" ? ["-mcu=on"] : []), job.outPath, `@${listFile}`],
    { cwd: job.cwd, cancelSignal: job.signal, stdin: "ignore", reject: false, buffer: { stdout: false, stderr: true } },
  );
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    const percents = [...text.matchAll(/(\d{1,3})%/g)];
    const last = percents.at(-1)?.[1];
    if (last !== undefined) job.onBytes(Math.round((Number(last) / 100) * totalBytes));
  });
  const result = await child;
  if (result.isCanceled) job.signal.throwIfAborted();
  if (result.exitCode !== 0) {
    throw new AppError("TOOL_FAILED", `7zz could not write the ${type} archive: ${(result.stderr ?? "").trim().slice(0, 300)}`, {
      details: { exit_code: result.exitCode },
    });
  }
}

export async function writeArchive(format: CompressFormat, job: CompressJob, totalBytes: number): Promise<void> {
  if (format === "tar.gz") return writeTar(job, "gz");
  if (format === "tar.zst") return writeTar(job, "zst");
  return writeWithSevenZip(job, format, totalBytes);
}
