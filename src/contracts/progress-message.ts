import { z } from "zod";
import { ResultError } from "./result-message.ts";

export const TASK_STATUSES = ["queued", "waiting_for_slot", "downloading", "processing", "uploading", "retrying", "completed", "failed", "dead_lettered", "cancelled"] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Published on Redis channel `task:<task_id>:progress` and kept in `task:<task_id>:last_progress`. */
export const ProgressMessage = z.object({
  task_id: z.string(),
  tenant_id: z.string(),
  file_id: z.string(),
  status: TaskStatus,
  progress: z.object({
    percent: z.number().min(0).max(100),
    stage: z.string().nullable(),
    stage_label: z.string().nullable(),
    items_done: z.number().nonnegative().nullable(),
    items_total: z.number().nonnegative().nullable(),
    /** What items_done/items_total count ("points", "bytes", …); null: steps of the stage. */
    items_unit: z.string().nullable(),
    /** The running stage's place in the plan, 1-based; null before the first stage. */
    stage_index: z.number().int().min(1).nullable(),
    stage_count: z.number().int().nonnegative(),
  }),
  /** From processing time only (time holding a slot), so a task that waited in the queue does not
   * look slow. Null when it cannot be told yet. */
  eta_seconds: z.number().nonnegative().nullable(),
  /** When this message was made (the event it reflects, or the moment of a catch-up read). */
  emitted_at: z.iso.datetime({ offset: true }),
  /** The attempt this progress belongs to (a retry starts its bar from the completed stages). */
  attempt: z.number().int().min(1),
  /** Set when status is failed (also dead_lettered): what went wrong, as in the result. */
  error: ResultError.nullable(),
});
export type ProgressMessage = z.infer<typeof ProgressMessage>;
