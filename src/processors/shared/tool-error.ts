import { basename } from "node:path";
import type { ExecaError } from "execa";
import { AppError } from "../../contracts/app-error.ts";
import type { ErrorCode } from "../../contracts/error-codes.ts";

/** A tool's stderr pattern that says whose fault a failure is, and how to tell the platform. */
export interface ToolFailureRule {
  when: RegExp;
  code: ErrorCode;
  /** `tail` is the end of stderr, as in the TOOL_FAILED message. */
  message: (tool: string, tail: string) => string;
}

export interface ToolErrorOptions {
  stage?: string | undefined;
  /** Checked in order against the whole stderr; the first match wins. Default: none. */
  rules?: readonly ToolFailureRule[];
  /** stderr lines that never explain a failure (e.g. warnings); left out of the tail. Default: none. */
  skipLine?: (line: string) => boolean;
  /** Replace absolute paths among these arguments by their file names in the message. Default: none. */
  scrubArgs?: readonly string[];
}

/** How many stderr lines end up in a message: tools print the reason last, the rest is noise. */
const TAIL_LINES = 3;

/** Turns an execa failure into an AppError: the abort reason (or CANCELLED) when the task was
 * stopped, the first matching rule's code, else TOOL_FAILED with the exit code and stderr's tail. */
export function toToolError(tool: string, error: ExecaError, signal: AbortSignal, options: ToolErrorOptions = {}): AppError {
  const where = options.stage ? { stage: options.stage } : {};
  if (error.isCanceled || signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    return new AppError("CANCELLED", `${tool} was cancelled`, { ...where, cause: error });
  }
  const stderr = String(error.stderr ?? "").trim();
  const skip = options.skipLine;
  const lines = skip ? stderr.split("\n").filter((l) => !skip(l)) : stderr.split("\n");
  const tail = scrubPaths(lines.slice(-TAIL_LINES).join(" | ") || error.shortMessage, options.scrubArgs ?? []);
  const rule = options.rules?.find((r) => r.when.test(stderr));
  if (rule) return new AppError(rule.code, rule.message(tool, tail), { ...where, cause: error });
  return new AppError("TOOL_FAILED", `${tool} failed (exit ${String(error.exitCode ?? error.signal)}): ${tail}`, {
    ...where,
    cause: error,
    details: { tool, exitCode: error.exitCode ?? null },
  });
}

/** Messages reach the platform: the worker's scratch paths mean nothing there, the file names do. */
function scrubPaths(text: string, args: readonly string[]): string {
  return args.filter((a) => a.startsWith("/")).reduce((t, a) => t.replaceAll(a, basename(a)), text);
}
