import { z } from "zod";

export const TASK_STATUSES = [
  "queued",
  "waiting_for_slot",
  "downloading",
  "processing",
  "uploading",
  "retrying",
  "completed",
  "failed",
  "dead_lettered",
  "cancelled",
] as const;
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
  }),
  eta_seconds: z.number().nonnegative().nullable(),
});
export type ProgressMessage = z.infer<typeof ProgressMessage>;
