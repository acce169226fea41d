/** The converter's progress message (schemas/progress-message.json), as Reverb delivers it. A
 * type-level test in the converter's repository keeps this in step with its zod schema. */
export type ProcessingStatus =
  | "queued" | "waiting_for_slot" | "downloading" | "processing" | "uploading"
  | "retrying" | "completed" | "failed" | "dead_lettered" | "cancelled";

export interface ProgressMessage {
  task_id: string;
  tenant_id: string;
  file_id: string;
  status: ProcessingStatus;
  progress: {
    percent: number;
    stage: string | null;
    stage_label: string | null;
    items_done: number | null;
    items_total: number | null;
  };
  eta_seconds: number | null;
}

/** The states after which no further progress comes for this task. */
export const SETTLED: readonly ProcessingStatus[] = ["completed", "failed", "dead_lettered", "cancelled"];
