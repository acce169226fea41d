import { runTool } from "../shared/run-tool.ts";
import type { ToolFailureRule } from "../shared/tool-error.ts";
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
const CORRUPT_INPUT =
  /Invalid data found when processing input|moov atom not found|partial file|Error splitting the input into NAL units|EBML header parsing failed|could not find codec parameters|Truncating packet|End of file/i;

const FFMPEG_FAILURES: readonly ToolFailureRule[] = [
  { when: /No space left on device/i, code: "INSUFFICIENT_DISK", message: (tool) => `${tool} ran out of disk space in the work directory` },
  { when: CORRUPT_INPUT, code: "INPUT_CORRUPT", message: (_tool, tail) => `the video is damaged or truncated and cannot be read: ${tail}` },
];

/** Runs ffmpeg or ffprobe with an argument array and the task's AbortSignal; failures become
 * AppErrors (INPUT_CORRUPT when the input could not be read, the signal's reason when aborted). */
export function runFfmpeg(tool: "ffmpeg" | "ffprobe", args: readonly string[], options: FfmpegRunOptions): Promise<{ stdout: string; stderr: string }> {
  const { signal, onProgress, stage } = options;
  const common = tool === "ffmpeg" ? ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"] : ["-hide_banner", "-loglevel", "error"];
  const progressArgs = onProgress ? ["-progress", "pipe:1", "-nostats"] : [];
  return runTool(tool, [...common, ...progressArgs, ...args], {
    signal,
    ...(stage ? { stage } : {}),
    forceKillAfterMs: FFMPEG_RUN_DEFAULTS.forceKillAfterMs,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(onProgress ? { onStdout: ffmpegProgressListener(onProgress) } : {}),
    rules: FFMPEG_FAILURES,
    scrubPaths: true,
  });
}
