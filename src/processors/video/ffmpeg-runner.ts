import { basename } from "node:path";
import { execa, type ExecaError } from "execa";
import { AppError } from "../../contracts/app-error.ts";
import { ffmpegProgressListener, type FfmpegProgressEvent } from "./ffmpeg-progress.ts";

export interface FfmpegRunOptions {
  signal: AbortSignal;
  stage?: string;
  /** Called per `-progress` block; adds `-progress pipe:1` to ffmpeg's arguments. */
  onProgress?: (event: FfmpegProgressEvent) => void;
  /** Where ffmpeg runs: relative names in its arguments (HLS segments) land here. */
  cwd?: string;
}

export const FFMPEG_RUN_DEFAULTS = {
  /** SIGKILL this long after SIGTERM when ffmpeg does not stop. Default: 2000 ms. */
  forceKillAfterMs: 2000,
} as const;

/** ffmpeg's words for input it cannot demux or decode: the file's bytes are at fault, not ours. */
const CORRUPT_INPUT = /Invalid data found when processing input|moov atom not found|partial file|Error splitting the input into NAL units|EBML header parsing failed|could not find codec parameters|Truncating packet|End of file/i;

/** Runs ffmpeg or ffprobe with an argument array and the task's AbortSignal; failures become
 * AppErrors (INPUT_CORRUPT when the input could not be read, the signal's reason when aborted). */
export async function runFfmpeg(tool: "ffmpeg" | "ffprobe", args: readonly string[], options: FfmpegRunOptions): Promise<{ stdout: string; stderr: string }> {
  const { signal, onProgress, stage } = options;
  const common = tool === "ffmpeg" ? ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"] : ["-hide_banner", "-loglevel", "error"];
  const progressArgs = onProgress ? ["-progress", "pipe:1", "-nostats"] : [];
  const child = execa(tool, [...common, ...progressArgs, ...args], {
    cancelSignal: signal,
    forceKillAfterDelay: FFMPEG_RUN_DEFAULTS.forceKillAfterMs,
    stdin: "ignore",
    maxBuffer: 64 * 1024 * 1024,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (onProgress) {
    const listen = ffmpegProgressListener(onProgress);
    child.stdout?.on("data", (chunk: Buffer) => listen(chunk.toString("latin1")));
  }
  try {
    const result = await child;
    return { stdout: String(result.stdout), stderr: String(result.stderr) };
  } catch (error) {
    throw toFfmpegError(tool, error as ExecaError, signal, stage, args);
  }
}

export function toFfmpegError(tool: string, error: ExecaError, signal: AbortSignal, stage: string | undefined, args: readonly string[] = []): AppError {
  const where = stage ? { stage } : {};
  if (error.isCanceled || signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    return new AppError("CANCELLED", `${tool} was cancelled`, { ...where, cause: error });
  }
  const stderr = String(error.stderr ?? "").trim();
  // Messages reach the platform: the worker's scratch paths mean nothing there, the file names do.
  const scrub = (text: string) => args.filter((a) => a.startsWith("/")).reduce((t, a) => t.replaceAll(a, basename(a)), text);
  const lastLines = scrub(stderr.split("\n").slice(-3).join(" | ") || error.shortMessage);
  if (/No space left on device/i.test(stderr)) {
    return new AppError("INSUFFICIENT_DISK", `${tool} ran out of disk space in the work directory`, { ...where, cause: error });
  }
  if (CORRUPT_INPUT.test(stderr)) {
    return new AppError("INPUT_CORRUPT", `the video is damaged or truncated and cannot be read: ${lastLines}`, { ...where, cause: error });
  }
  return new AppError("TOOL_FAILED", `${tool} failed (exit ${String(error.exitCode ?? error.signal)}): ${lastLines}`, {
    ...where,
    cause: error,
    details: { tool, exitCode: error.exitCode ?? null },
  });
}
