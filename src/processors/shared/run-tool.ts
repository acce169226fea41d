import { execa, type ExecaError } from "execa";
import { toToolError, type ToolErrorOptions } from "./tool-error.ts";

export interface RunToolOptions extends Omit<ToolErrorOptions, "scrubArgs"> {
  signal: AbortSignal;
  /** Fed each stdout chunk (latin1) as it arrives: where a tool's progress parser listens. */
  onStdout?: (chunk: string) => void;
  /** Added to the environment. Default: none. */
  env?: Record<string, string>;
  /** Where the tool runs. Default: this process's cwd. */
  cwd?: string;
  /** SIGKILL this long after SIGTERM when the tool ignores the abort. Default: execa's (5000 ms). */
  forceKillAfterMs?: number;
  /** Show file names instead of the worker's absolute paths in error messages. Default: false. */
  scrubPaths?: boolean;
}

export const RUN_TOOL_DEFAULTS = {
  /** stdout/stderr kept in memory; JSON from gdalinfo/ffprobe of big inputs is large. Default: 64 MiB. */
  maxBuffer: 64 * 1024 * 1024,
} as const;

/** Runs an external tool with an argument array (never a shell) and the task's AbortSignal; a
 * failure becomes an AppError (see toToolError). */
export async function runTool(tool: string, args: readonly string[], options: RunToolOptions): Promise<{ stdout: string; stderr: string }> {
  const { signal, onStdout } = options;
  const child = execa(tool, args, {
    cancelSignal: signal,
    stdin: "ignore",
    maxBuffer: RUN_TOOL_DEFAULTS.maxBuffer,
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.forceKillAfterMs === undefined ? {} : { forceKillAfterDelay: options.forceKillAfterMs }),
  });
  if (onStdout) child.stdout?.on("data", (chunk: Buffer) => onStdout(chunk.toString("latin1")));
  try {
    const result = await child;
    return { stdout: String(result.stdout), stderr: String(result.stderr) };
  } catch (error) {
    throw toToolError(tool, error as ExecaError, signal, { ...options, ...(options.scrubPaths ? { scrubArgs: args } : {}) });
  }
}
