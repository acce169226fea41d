import { AppError } from "../../contracts/app-error.ts";
import type { ErrorCode } from "../../contracts/error-codes.ts";

/**
 * libvips reports everything as a plain Error whose message is its whole error buffer, one complaint
 * a line, the cause first (sharp 0.35 / libvips 8.18). A decode failure often drags a write failure
 * after it ("…premature end of JPEG image\nvips2png: unable to write to target"), so the first line
 * decides, except for a full disk, which must never reach the user as "your image is damaged".
 */
const FIRST_LINE_RULES: ReadonlyArray<{ pattern: RegExp; code: ErrorCode; explain: (raw: string) => string }> = [
  { pattern: /exceeds pixel limit/i, code: "INPUT_TOO_LARGE", explain: () => "The image has more pixels than this node accepts." },
  { pattern: /too large for the (\w+) format/i, code: "INPUT_TOO_LARGE", explain: (raw) => `The result is larger than the output format allows: ${raw}` },
  { pattern: /compression format has not been built in|decoder plugin/i, code: "UNSUPPORTED_FORMAT", explain: (raw) => `This node has no decoder for the image's codec: ${raw}` },
  { pattern: /unsupported image format/i, code: "UNSUPPORTED_FORMAT", explain: () => "The input is not an image format this task reads (JPEG, PNG, WebP, TIFF, GIF, AVIF)." },
  { pattern: /input file is missing/i, code: "INPUT_NOT_FOUND", explain: () => "The input file is missing." },
  { pattern: /corrupt|premature end|truncated|read error|invalid|bad seek|out of data/i, code: "INPUT_CORRUPT", explain: (raw) => `The image is damaged or truncated and cannot be decoded: ${raw}` },
  { pattern: /write error|unable to (open for )?write|write failed/i, code: "INTERNAL", explain: (raw) => `The output could not be written: ${raw}` },
];

/** Turns whatever sharp threw into an AppError with the right code, keeping libvips' words as detail.
 * `phase`: an unexplained failure while reading the header means a damaged file; later, our fault. */
export function toImageError(error: unknown, stage: string, phase: "header" | "decode"): AppError {
  if (error instanceof AppError) return error.stage === undefined ? withStage(error, stage) : error;
  const full = error instanceof Error ? error.message : String(error);
  const raw = firstLine(full);
  const details = { libvips: full };
  if (/No space left on device/i.test(full)) {
    return new AppError("INSUFFICIENT_DISK", "The output could not be written: no space left on the work disk.", { stage, cause: error, details });
  }
  const rule = FIRST_LINE_RULES.find((r) => r.pattern.test(raw));
  if (rule) return new AppError(rule.code, rule.explain(raw), { stage, cause: error, details });
  if (phase === "header") {
    return new AppError("INPUT_CORRUPT", `The image header cannot be read: ${raw}`, { stage, cause: error, details });
  }
  return new AppError("INTERNAL", `Image processing failed: ${raw}`, { stage, cause: error, details });
}

function withStage(error: AppError, stage: string): AppError {
  return new AppError(error.code, error.message, {
    stage,
    recoverable: error.recoverable,
    cause: error.cause,
    ...(error.details ? { details: error.details } : {}),
  });
}

/** libvips appends its whole error buffer; the first line is the one that names the problem. */
function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
