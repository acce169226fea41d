import { z } from "zod";
import { ErrorCode } from "./error-codes.ts";

export const OutputRef = z.object({
  /** What the file is to the platform: "thumbnail", "image", "cog", "preview", "lod", "manifest", … */
  type: z.string(),
  format: z.string(),
  key: z.string(),
  size_bytes: z.number().int().nonnegative(),
});
export type OutputRef = z.infer<typeof OutputRef>;

const ResultBase = z.object({ task_id: z.string(), tenant_id: z.string(), file_id: z.string() });

export const CompletedResult = ResultBase.extend({
  status: z.literal("completed"),
  completed_at: z.iso.datetime({ offset: true }),
  duration_seconds: z.number().nonnegative(),
  outputs: z.array(OutputRef),
});
export type CompletedResult = z.infer<typeof CompletedResult>;

export const ResultError = z.object({
  code: ErrorCode,
  message: z.string(),
  stage: z.string().nullable(),
  recoverable: z.boolean(),
});
export type ResultError = z.infer<typeof ResultError>;

/** A cancelled task is a failed result with code CANCELLED, so Laravel handles two statuses only. */
export const FailedResult = ResultBase.extend({
  status: z.literal("failed"),
  failed_at: z.iso.datetime({ offset: true }),
  duration_seconds: z.number().nonnegative(),
  error: ResultError,
  partial_outputs: z.array(OutputRef),
  retry: z.object({ attempt: z.number().int().min(1), will_retry: z.boolean() }),
});
export type FailedResult = z.infer<typeof FailedResult>;

/** Published to exchange `vision.s3d.results`, routed to the task's callback_queue; AMQP message_id =
 * the id of the event it projects. */
export const ResultMessage = z.discriminatedUnion("status", [CompletedResult, FailedResult]);
export type ResultMessage = z.infer<typeof ResultMessage>;
