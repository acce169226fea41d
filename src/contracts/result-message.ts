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

/** Something a completed task could not do in full and the platform should show (a texture the
 * model names that was not in the input, a material map glTF has no slot for). Additive: a result
 * without warnings carries no `warnings` field at all. */
export const ResultWarning = z.object({
  /** Stable UPPER_SNAKE code the platform can switch on ("TEXTURE_MISSING", "MATERIAL_MAP_DROPPED", …). */
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .max(64),
  message: z.string(),
  /** The stage that raised it. */
  stage: z.string(),
  /** The key of the output it concerns. */
  output_key: z.string().optional(),
  /** Machine-readable particulars (the missing URI, the material, the map). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type ResultWarning = z.infer<typeof ResultWarning>;

const ResultBase = z.object({ task_id: z.string(), tenant_id: z.string(), file_id: z.string() });

export const CompletedResult = ResultBase.extend({
  status: z.literal("completed"),
  completed_at: z.iso.datetime({ offset: true }),
  duration_seconds: z.number().nonnegative(),
  outputs: z.array(OutputRef),
  warnings: z.array(ResultWarning).optional(),
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
