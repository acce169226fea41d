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
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
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
