import { z } from "zod";
import { SafeText } from "./json-safety.ts";

/** Control messages (exchange `vision.s3d.control`, fanout to every node): the platform's way to
 * stop a task that may be running anywhere. */
export const CancelMessage = z.object({
  type: z.literal("cancel"),
  task_id: z.uuid().transform((id) => id.toLowerCase()),
  /** Recorded in the stream: no NUL or lone surrogates. */
  reason: SafeText.max(500).default("cancelled by the platform"),
});
export type CancelMessage = z.infer<typeof CancelMessage>;

export const ControlMessage = z.discriminatedUnion("type", [CancelMessage]);
export type ControlMessage = z.infer<typeof ControlMessage>;

export const CONTROL_EXCHANGE = "vision.s3d.control";
