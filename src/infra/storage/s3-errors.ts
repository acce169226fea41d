import { AppError } from "../../contracts/app-error.ts";

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_SOCKET"]);
const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "NetworkingError", "SlowDown", "InternalError", "ServiceUnavailable"]);

/** Worth another try: throttling, 5xx, and sockets that broke (a stream cut mid-body surfaces as a
 * plain Node error, not an SDK one, so the codes are checked too). */
export function isTransientS3Error(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorShape;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
  if (e.code !== undefined && TRANSIENT_CODES.has(e.code)) return true;
  if (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) return true;
  return e.message === "aborted" || e.message === "Premature close";
}

/** A missing object or bucket: the source the task names is not there. */
export function isNotFound(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorShape;
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.name === "NoSuchBucket" || e.$metadata?.httpStatusCode === 404;
}

/** Driver errors stop here (STYLE.md §2): INPUT_NOT_FOUND for a missing object on read, else
 * STORAGE_ERROR (recoverable) naming the operation and the key. */
export function translateS3Error(error: unknown, operation: string, bucket: string, key: string): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (operation === "download" && isNotFound(error)) {
    return new AppError("INPUT_NOT_FOUND", `object ${bucket}/${key} does not exist`, { cause: error, details: { bucket, key } });
  }
  if (operation !== "download" && e.name === "NoSuchBucket") {
    // Retrying cannot create a bucket: the task fails at once, naming what the operator must fix.
    return new AppError("STORAGE_ERROR", `${operation} of ${bucket}/${key} failed: bucket ${bucket} does not exist`, { cause: error, recoverable: false, details: { bucket, key, operation } });
  }
  const status = e.$metadata?.httpStatusCode;
  const why = `${e.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${e.message ?? String(error)}`;
  return new AppError("STORAGE_ERROR", `${operation} of ${bucket}/${key} failed: ${why}`, { cause: error, details: { bucket, key, operation } });
}
