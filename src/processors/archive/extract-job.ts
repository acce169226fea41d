import { AppError } from "../../contracts/app-error.ts";
import type { ExtractBudget } from "./extract-budget.ts";
import type { ExtractTarget } from "./extract-target.ts";

/** What every format reader gets: the archive, where to put entries, and how to report progress. */
export interface ExtractJob {
  path: string;
  /** Real size of the archive file, in bytes. */
  size: number;
  password: string | undefined;
  signal: AbortSignal;
  target: ExtractTarget;
  budget: ExtractBudget;
  /** Bytes done / total; readers pick the measure they can know (input read, or declared output). */
  progress: (done: number, total: number) => void;
  /** Object key of the source, for naming the output of a single compressed file. */
  sourceKey: string;
}

const SYSTEM_ERRNO = new Set(["ENOSPC", "EDQUOT", "EMFILE", "ENFILE", "ENOMEM", "EACCES", "EROFS", "EIO"]);

/**
 * A reader's failure as the caller should see it: our own AppErrors and the machine's trouble
 * (disk full, aborted) pass through; anything the parser complains about is a damaged input.
 */
export function asReadError(error: unknown, format: string, signal: AbortSignal): unknown {
  if (error instanceof AppError) return error;
  if (signal.aborted) return signal.reason ?? error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && SYSTEM_ERRNO.has(code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError("INPUT_CORRUPT", `the ${format} archive could not be read: ${message}`, { cause: error });
}
