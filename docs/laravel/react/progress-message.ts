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
    /** what items count: "points", "bytes", …; null: steps */
    items_unit: string | null;
    /** the running stage, 1-based, of stage_count */
    stage_index: number | null;
    stage_count: number;
  };
  /** from processing time only: queue waits do not count */
  eta_seconds: number | null;
  emitted_at: string;
  attempt: number;
  /** set when status is failed / dead_lettered */
  error: { code: string; message: string; stage: string | null; recoverable: boolean } | null;
}

/** The states after which no further progress comes for this task. */
export const SETTLED: readonly ProcessingStatus[] = ["completed", "failed", "dead_lettered", "cancelled"];
