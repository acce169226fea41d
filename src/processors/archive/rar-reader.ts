import { closeSync, constants, openSync, writeSync } from "node:fs";
import { UnrarError, type FileHeader } from "node-unrar-js";
// Deep imports: the package exports only the extractor that writes where unrar says.
import { ExtractorFile } from "node-unrar-js/dist/js/ExtractorFile.js";
import { getUnrar } from "node-unrar-js/dist/js/unrar.singleton.js";
import { AppError } from "../../contracts/app-error.ts";
import { asReadError, type ExtractJob } from "./extract-job.ts";

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * node-unrar-js's file extractor with its writing taken away: unrar's `create` opens our scratch
 * file (never a path unrar chose), and every `write` is counted by the budget before it lands. The
 * WASM callbacks are synchronous, so a cap crossed inside one is remembered and reported as a failed
 * write, which makes unrar stop; the remembered error is what the caller sees.
 */
class GuardedRarExtractor extends ExtractorFile {
  failure: unknown;
  private out: { fd: number; pos: number } | undefined;
  nextTemp = "";
  private readonly job: ExtractJob;

  constructor(unrar: unknown, filepath: string, password: string, job: ExtractJob) {
    super(unrar, filepath, "", password, (n) => n);
    this.job = job;
  }

  protected override create(_filename: string): number {
    const fd = openSync(this.nextTemp, CREATE_FLAGS, 0o644);
    this.out = { fd, pos: 0 };
    return fd;
  }

  protected override write(fd: number, buf: number, size: number): boolean {
    if (fd !== this.out?.fd) return super.write(fd, buf, size);
    try {
      this.job.budget.addBytes(size);
      this.job.target.onBytes(size);
      const heap = (this.unrar as { HEAPU8: Uint8Array }).HEAPU8;
      writeSync(fd, heap.subarray(buf, buf + size));
      this.out.pos += size;
      return true;
    } catch (e) {
      this.failure ??= e;
      return false;
    }
  }

  protected override tell(fd: number): number {
    return fd === this.out?.fd ? this.out.pos : super.tell(fd);
  }

  protected override closeFile(fd: number): void {
    if (fd !== this.out?.fd) return super.closeFile(fd);
    closeSync(fd);
    this.out = undefined;
  }
}

function rarError(e: UnrarError, job: ExtractJob): AppError {
  if (e.reason === "ERAR_MISSING_PASSWORD") return new AppError("PASSWORD_REQUIRED", "the rar archive is encrypted and no password was given");
  if (e.reason === "ERAR_BAD_PASSWORD" || (e.reason === "ERAR_BAD_DATA" && job.password !== undefined)) {
    return new AppError("WRONG_PASSWORD", "the password does not open the rar archive");
  }
  return new AppError("INPUT_CORRUPT", `the rar archive could not be read: ${e.message}${e.file ? ` (${e.file})` : ""}`, { cause: e });
}

/** RAR 4/5 via node-unrar-js (WASM unrar), reading the archive from disk, one entry at a time. */
export async function readRar(job: ExtractJob): Promise<void> {
  const unrar = (await getUnrar()) as { extractor: unknown };
  const extractor = new GuardedRarExtractor(unrar, job.path, job.password ?? "", job);
  unrar.extractor = extractor;
  let claimed = "";
  const directories: string[] = [];
  let declared = 0;
  let done = 0;
  job.target.onBytes = (n) => job.progress((done += n), Math.max(done, declared));
  const accept = (header: FileHeader): boolean => {
    if (header.flags.encrypted && job.password === undefined) throw new AppError("PASSWORD_REQUIRED", "the rar archive is encrypted and no password was given");
    if (header.flags.directory) {
      directories.push(job.target.claimDirectory(header.name));
      return false;
    }
    declared += header.unpSize;
    claimed = job.target.claimFile(header.name);
    extractor.nextTemp = job.target.newTempPath();
    return true;
  };
  try {
    const { files } = extractor.extract({ files: accept });
    for (const _file of files) {
      job.signal.throwIfAborted();
      await job.target.commitTemp(claimed, extractor.nextTemp);
    }
    for (const dir of directories) await job.target.ensureDirectory(dir);
  } catch (e) {
    const failure = extractor.failure ?? e;
    throw failure instanceof UnrarError ? rarError(failure, job) : asReadError(failure, "rar", job.signal);
  }
}
