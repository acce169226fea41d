import type { TaskType } from "../contracts/task-types.ts";

/** What a task asks the resource broker for (DESIGN.md §5). */
export interface SlotRequest {
  taskId: string;
  taskType: TaskType;
  priority: number;
  /** ISO time the platform submitted the task; ties in priority go to the oldest. */
  submittedAt: string;
  /** Size of the input, for RAM asks that scale with it. */
  inputBytes?: number;
  /** How long this process has had the task when it asks (its download, mostly): that time counts
   * toward the broker's gathering window, so a lone task does not wait the window out again.
   * Default: 0. */
  inProcessMs?: number;
}

export interface SlotGrant {
  taskId: string;
  /** CPU share granted, percent of the node. */
  cpuPercent: number;
  /** RAM granted, bytes: the worker's RSS guard measures against it. */
  ramBytes: number;
  /** True when the task is larger than the node and runs alone. */
  exclusive: boolean;
}

/** The task actor asks for a slot before processing and releases it when processing ends.
 * Downloads and uploads are I/O and do not hold a CPU slot. */
export interface SlotBroker {
  /** Resolves when the slot is granted; rejects with the signal's reason when aborted (the request is withdrawn). */
  request(request: SlotRequest, signal?: AbortSignal): Promise<SlotGrant>;
  release(taskId: string): void;
  /** Says that a task this process has taken on will ask (once its input is down). Its request waits
   * out the gathering window only while some other such task has not asked yet: with none, there is
   * nothing to gather, and it is placed at once (a task never expected gets the whole window).
   * Returns the call that takes the word back, for a task that ends without asking (asking takes it
   * back too). Optional: a broker without a gathering window has nothing to do with it. */
  expect?(taskId: string): () => void;
}
