import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";

export interface AppErrorOptions {
  /** Default: the code's retry class in ERROR_CODES. */
  recoverable?: boolean;
  /** The stage the error happened in, when the thrower knows it. */
  stage?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** The one error type that crosses boundaries: a stable `code` Laravel reads, and a retry class. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly recoverable: boolean;
  readonly stage: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(publicMessage(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.recoverable = options.recoverable ?? ERROR_CODES[code].recoverable;
    this.stage = options.stage;
    this.details = options.details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, stage: this.stage ?? null, recoverable: this.recoverable };
  }
}

/** Longest message an error carries into events and results. Default: 2000 characters. */
export const MAX_ERROR_MESSAGE_LENGTH = 2000;

/** An absolute host path (two segments or more) not inside a URL: `/tmp/vs3d-work/<id>/x`. */
const HOST_PATH = /(?<![\w:/.~-])\/(?:[^\s'"`/]+\/)+[^\s'"`/]*/g;

/** What an error may say to a caller: no host paths (the work directory, the install, the data
 * dir), replaced by their last segment, nothing jsonb refuses (NUL, lone surrogates become U+FFFD),
 * and at most MAX_ERROR_MESSAGE_LENGTH characters. Every
 * AppError message passes through here, so no stage can leak a path into a result. */
export function publicMessage(message: string): string {
  const scrubbed = message.replace(HOST_PATH, (path) => {
    const last = path.replace(/\/+$/, "").split("/").pop() ?? "";
    return `…/${last.length > 80 ? `${last.slice(0, 80)}…` : last}`;
  });
  // A tool's stderr may carry a NUL or a broken UTF-16 pair: the message is stored, so neither stays.
  const storable = scrubbed.replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  return storable.length > MAX_ERROR_MESSAGE_LENGTH ? `${storable.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : storable;
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  stage: string | null;
  recoverable: boolean;
}

/** Anything thrown becomes an AppError; unknown errors are INTERNAL (recoverable) and keep their message. */
export function toAppError(error: unknown, stage?: string): AppError {
  if (error instanceof AppError) {
    if (error.stage !== undefined || stage === undefined) return error;
    return new AppError(error.code, error.message, { recoverable: error.recoverable, stage, cause: error.cause, ...(error.details ? { details: error.details } : {}) });
  }
  if (isSerializedError(error)) {
    return new AppError(error.code, error.message, { recoverable: error.recoverable, ...((error.stage ?? stage) ? { stage: (error.stage ?? stage)! } : {}) });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError("INTERNAL", message, { cause: error, ...(stage ? { stage } : {}) });
}

function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && v.code in ERROR_CODES && typeof v.message === "string" && typeof v.recoverable === "boolean";
}
