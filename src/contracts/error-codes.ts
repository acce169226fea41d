import { z } from "zod";

/** Stable error codes: Laravel reads them from failed results, so never rename one.
 * `recoverable` is the default retry class; a thrown AppError may override it. */
export const ERROR_CODES = {
  INVALID_MESSAGE: { recoverable: false, summary: "The task message is not valid JSON or breaks the contract." },
  INVALID_PARAMS: { recoverable: false, summary: "The params do not match the task type's schema." },
  UNSUPPORTED_TASK_TYPE: { recoverable: false, summary: "A known task type this node has no processor for." },
  UNSUPPORTED_FORMAT: { recoverable: false, summary: "The input is not a format this task type reads." },
  INPUT_CORRUPT: { recoverable: false, summary: "The input is truncated, damaged or its header lies." },
  INPUT_TOO_LARGE: { recoverable: false, summary: "The input exceeds a safety limit (pixels, bytes, entries)." },
  INPUT_EMPTY: { recoverable: false, summary: "The input holds no data to process (e.g. a point cloud file with 0 points)." },
  INPUT_NOT_FOUND: { recoverable: false, summary: "The source object does not exist." },
  UNSAFE_ARCHIVE: { recoverable: false, summary: "An archive entry would escape its target or is a link/device." },
  ARCHIVE_BOMB: { recoverable: false, summary: "An archive inflates beyond the byte, ratio or entry caps." },
  PASSWORD_REQUIRED: { recoverable: false, summary: "The archive is encrypted and no password was given." },
  WRONG_PASSWORD: { recoverable: false, summary: "The given password does not open the archive." },
  DETECTION_UNAVAILABLE: { recoverable: false, summary: "Object detection is not configured on this node (no DETECTION_MODEL) or its model cannot be loaded." },
  INVALID_OUTPUT: { recoverable: false, summary: "The output failed validation (e.g. not a valid COG)." },
  DESTINATION_OUTSIDE_PREFIX: { recoverable: false, summary: "A key escapes destination.base_key or the tenant prefix." },
  TOOL_FAILED: { recoverable: false, summary: "An external tool (gdal, ffmpeg, 7zz) exited with an error." },
  PROCESSOR_CRASHED: { recoverable: true, summary: "The worker process died (signal, crash or out of memory)." },
  RESOURCE_EXCEEDED: { recoverable: false, summary: "The task used far more RAM than it was granted." },
  TIMEOUT: { recoverable: true, summary: "The task ran longer than its type's timeout." },
  CANCELLED: { recoverable: false, summary: "The task was cancelled on request." },
  STORAGE_ERROR: { recoverable: true, summary: "Reading or writing object storage failed." },
  INSUFFICIENT_DISK: { recoverable: true, summary: "Not enough free disk in the work directory." },
  INTERRUPTED: { recoverable: true, summary: "The node shut down or lost ownership of the task." },
  WEBHOOK_REFUSED: {
    recoverable: false,
    summary: "The task's webhook.url may not be called: not http(s), a private, loopback or link-local address the settings do not allow, or no webhook secret covers the tenant.",
  },
  INVALID_APPEND: { recoverable: false, summary: "The event store refused an append: a malformed event, or an event id reused outside an idempotent retry." },
  INTERNAL: { recoverable: true, summary: "An unexpected error inside the service." },
} as const satisfies Record<string, { recoverable: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ErrorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);
