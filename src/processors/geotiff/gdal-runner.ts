import { runTool } from "../shared/run-tool.ts";
import type { ToolFailureRule } from "../shared/tool-error.ts";
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

const GDAL_FAILURES: readonly ToolFailureRule[] = [
  // Disk first: a write that fails for space is retryable on a node with room, corrupt input is not.
  { when: /No space left on device|Free disk space available is/i, code: "INSUFFICIENT_DISK", message: (tool) => `${tool} ran out of disk space in the work directory` },
  { when: CORRUPT_INPUT, code: "INPUT_CORRUPT", message: (tool, tail) => `${tool} could not read the input: ${tail}` },
];

/** Runs a GDAL command-line tool with an argument array and the task's AbortSignal. Failures become
 * AppErrors: INSUFFICIENT_DISK when the work directory is full, INPUT_CORRUPT when GDAL could not
 * read the input's pixels, TOOL_FAILED otherwise. */
export function runGdal(tool: string, args: readonly string[], options: GdalRunOptions): Promise<{ stdout: string; stderr: string }> {
  const { signal, onPercent, stage } = options;
  const quiet = !onPercent && TOOLS_WITH_PROGRESS.has(tool);
  return runTool(tool, quiet ? ["-q", ...args] : args, {
    signal,
    ...(stage ? { stage } : {}),
    // GDAL_PAM_ENABLED=NO: no .aux.xml side files next to the (read-only) input.
    env: { GDAL_PAM_ENABLED: "NO", CPL_LOG_ERRORS: "ON", ...options.env },
    ...(onPercent ? { onStdout: gdalProgressListener(onPercent) } : {}),
    rules: GDAL_FAILURES,
    // Warnings come before the real error and would push it out of the message.
    skipLine: (line) => line.startsWith("Warning"),
  });
}
