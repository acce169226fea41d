import { execa, type ExecaError } from "execa";
import { AppError } from "../../contracts/app-error.ts";
import { gdalProgressListener } from "./gdal-progress.ts";

export interface GdalRunOptions {
  signal: AbortSignal;
  /** Called with 0–100 as GDAL reports it; absent means progress tools run with -q. */
  onPercent?: (percent: number) => void;
  stage?: string;
  /** GDAL config options, passed as environment (e.g. GDAL_NUM_THREADS). */
  env?: Record<string, string>;
}

const TOOLS_WITH_PROGRESS = new Set(["gdal_translate", "gdalwarp", "gdaladdo"]);

/** GDAL's messages when pixel data cannot be read: the input's bytes are missing or damaged. */
const CORRUPT_INPUT = /TIFFRead|IReadBlock failed|Read error at|truncated|Cannot read|not a TIFF|TIFFFetch|ZIPDecode|LZWDecode|JPEGLib|Premature end/i;

/** Runs a GDAL command-line tool with an argument array and the task's AbortSignal. Failures become
 * AppErrors: INPUT_CORRUPT when GDAL could not read the input's pixels, TOOL_FAILED otherwise. */
export async function runGdal(tool: string, args: readonly string[], options: GdalRunOptions): Promise<{ stdout: string; stderr: string }> {
  const { signal, onPercent, stage } = options;
  const quiet = !onPercent && TOOLS_WITH_PROGRESS.has(tool);
  const child = execa(tool, quiet ? ["-q", ...args] : args, {
    cancelSignal: signal,
    stdin: "ignore",
    // GDAL_PAM_ENABLED=NO: no .aux.xml side files next to the (read-only) input.
    env: { GDAL_PAM_ENABLED: "NO", CPL_LOG_ERRORS: "ON", ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (onPercent) {
    const listen = gdalProgressListener(onPercent);
    child.stdout?.on("data", (chunk: Buffer) => listen(chunk.toString("latin1")));
  }
  try {
    const result = await child;
    return { stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    throw toGdalError(tool, error as ExecaError, signal, stage);
  }
}

function toGdalError(tool: string, error: ExecaError, signal: AbortSignal, stage: string | undefined): AppError {
  const where = stage ? { stage } : {};
  if (error.isCanceled || signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    return new AppError("CANCELLED", `${tool} was cancelled`, { ...where, cause: error });
  }
  const stderr = String(error.stderr ?? "").trim();
  const lastLines = stderr.split("\n").filter((l) => !l.startsWith("Warning")).slice(-3).join(" | ") || error.shortMessage;
  if (CORRUPT_INPUT.test(stderr)) {
    return new AppError("INPUT_CORRUPT", `${tool} could not read the input: ${lastLines}`, { ...where, cause: error });
  }
  return new AppError("TOOL_FAILED", `${tool} failed (exit ${String(error.exitCode ?? error.signal)}): ${lastLines}`, {
    ...where,
    cause: error,
    details: { tool, exitCode: error.exitCode ?? null },
  });
}
