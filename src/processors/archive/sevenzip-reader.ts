import { execa } from "execa";
import { AppError } from "../../contracts/app-error.ts";
import { ChunkReader, holdOutput, ShortReadError } from "./chunk-reader.ts";
import { asReadError, type ExtractJob } from "./extract-job.ts";
import { classifySevenZipFailure, parseSevenZipListing } from "./sevenzip-listing.ts";

const MAX_LINK_TARGET = 4096;

function toolError(output: string, job: ExtractJob, format: string): AppError {
  const code = classifySevenZipFailure(output, job.password !== undefined);
  const message = {
    PASSWORD_REQUIRED: `the ${format} archive is encrypted and no password was given`,
    WRONG_PASSWORD: `the password does not open the ${format} archive`,
    INPUT_CORRUPT: `the ${format} archive could not be read: ${output.trim().split("\n").slice(-3).join(" ").slice(0, 300)}`,
  }[code];
  return new AppError(code, message);
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString("utf8");
}

/**
 * 7Z (and encrypted ZIP) through the `7zz` binary. 7-Zip is never allowed to write to disk: the
 * listing gives names, kinds and sizes; `x -so` streams every file's bytes in listing order to
 * stdout, which is cut into entries and written by the extraction target like any other format.
 * Without a password no `-p` is passed and stdin is closed, so an encrypted header makes 7-Zip ask,
 * which we read as PASSWORD_REQUIRED instead of waiting forever.
 */
export async function readSevenZip(job: ExtractJob, format: "7z" | "zip"): Promise<void> {
  const pw = job.password === undefined ? [] : [`-p${job.password}`];
  const common = { cancelSignal: job.signal, stdin: "ignore", reject: false, all: true } as const;
  const listing = await execa("7zz", ["l", "-slt", "-ba", "-bd", `-t${format}`, ...pw, "--", job.path], common);
  if (listing.exitCode !== 0) throw toolError(listing.all ?? "", job, format);
  const entries = parseSevenZipListing(listing.stdout);
  if (entries.length > job.budget.caps.maxEntries) {
    throw new AppError("ARCHIVE_BOMB", `the ${format} lists ${entries.length} entries, more than the cap of ${job.budget.caps.maxEntries}: extraction stopped`, {
      details: { cap: "max_entries", entries: entries.length },
    });
  }
  if (job.password === undefined && entries.some((e) => e.encrypted)) {
    throw new AppError("PASSWORD_REQUIRED", `the ${format} archive is encrypted and no password was given`);
  }
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  let done = 0;
  job.target.onBytes = (n) => job.progress((done += n), Math.max(done, declared));

  const child = execa("7zz", ["x", "-so", "-bd", "-y", `-t${format}`, ...pw, "--", job.path], { ...common, buffer: { stdout: false, stderr: true }, all: false });
  holdOutput(child.stdout);
  const reader = new ChunkReader(child.stdout as AsyncIterable<Uint8Array>);
  try {
    for (const entry of entries) {
      if (entry.kind === "directory") await job.target.directory(entry.path);
      else if (entry.kind === "file") await job.target.writeClaimed(job.target.claimFile(entry.path), reader.take(entry.size));
      else if (entry.kind === "symlink") {
        if (entry.size > MAX_LINK_TARGET) throw new AppError("UNSAFE_ARCHIVE", `symlink ${JSON.stringify(entry.path)} has an overlong target: refused`);
        job.target.symlink(entry.path, await readAll(reader.take(entry.size)));
      } else job.target.special(entry.path, entry.kind);
    }
    if (!(await reader.atEnd())) throw new AppError("INPUT_CORRUPT", `the ${format} archive produced more data than its listing declares`);
    const result = await child;
    if (result.exitCode !== 0) throw toolError(result.stderr ?? "", job, format);
  } catch (e) {
    if (e instanceof ShortReadError) {
      const result = await child;
      throw toolError(`${result.stderr ?? ""}\n${e.message}`, job, format);
    }
    throw asReadError(e, format, job.signal);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
